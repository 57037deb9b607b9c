/**
 * A throwaway PowerDNS Authoritative server for tests: `startPowerDns()` starts `pdns_server` with a
 * fresh sqlite3 database on free loopback ports and returns a ready {@link PowerDnsClient}.
 *
 * Needs Debian's `pdns-server`, `pdns-backend-sqlite3` and `sqlite3` packages (or the same files
 * elsewhere, see {@link StartPowerDnsOptions}). Nothing listens beyond 127.0.0.1.
 *
 * @module testing
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, lstatSync, openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { inspect, type InspectOptions } from 'node:util';
import { basename, delimiter, dirname, join } from 'node:path';
import { ConfigError, ProviderError } from '@openova/dns-core';
import { PowerDnsClient, type PowerDnsClientOptions } from './client.js';
import { parsePowerDnsVersion, powerDnsFeatures, type PowerDnsVersion } from './version.js';

export { queryDns } from './dns.js';
export type { DnsAnswer, DnsQueryOptions, DnsResponse } from './dns.js';

/** Options of {@link startPowerDns}. */
export interface StartPowerDnsOptions {
  /** API key (default: random). */
  apiKey?: string;
  /**
   * A Debian root (e.g. built by `debootstrap`) holding the PowerDNS to run, started with
   * `chroot ROOT pdns_server …` on the shared loopback network. Default: the `PDNS_ROOT`
   * environment variable; unset or empty runs the host's server. Needs root (chroot). With a root,
   * `pdnsServerPath`, `schemaPath` and `sqlite3Path` are paths inside it, and the data directory is
   * created in the root's `/tmp`.
   */
  root?: string;
  /**
   * Path of `pdns_server` (default: `PDNS_SERVER` env, then `/usr/sbin/pdns_server`, then `PATH`).
   * A path given here or in `PDNS_SERVER` that does not exist is a `ConfigError`.
   */
  pdnsServerPath?: string;
  /** sqlite3 schema (default: `PDNS_SQLITE_SCHEMA` env, then Debian's path). Must exist when given. */
  schemaPath?: string;
  /** Path of the `sqlite3` command line tool (default: found on `PATH`). Must exist when given. */
  sqlite3Path?: string;
  /**
   * Extra or overriding `pdns.conf` settings, e.g. `{ 'default-ttl': '60' }`. The defaults include
   * `enable-lua-records=yes` and `lua-health-checks-interval=1` (health checks settle within ~1 s),
   * and on 5.1 and later `enable-lua-record-updates=yes` (without it 5.1 refuses LUA writes).
   */
  settings?: Record<string, string>;
  /** How long to wait for the API to answer (default 30 000 ms). */
  startTimeoutMs?: number;
  /** Keep the data directory after `stop()` (default false), e.g. to read `pdns.log`. */
  keepDirectory?: boolean;
  /** Options for the returned client (apiUrl and apiKey are filled in). */
  client?: Omit<PowerDnsClientOptions, 'apiUrl' | 'apiKey'>;
  /**
   * Run over a PostgreSQL database with PowerDNS's `gpgsql` backend instead of a fresh sqlite3
   * file: several servers given the same database serve and write the same zones, as PowerDNS is
   * scaled out in production. Pass what {@link startPostgres} returns (or any database holding
   * PowerDNS's schema). Needs Debian's `pdns-backend-pgsql` (in the root, when one is used);
   * `schemaPath` and `sqlite3Path` are then not used.
   */
  gpgsql?: PowerDnsPostgresConnection;
}

/** Where a `gpgsql` backend finds its database (`gpgsql-host`, `-port`, `-dbname`, `-user`, `-password`). */
export interface PowerDnsPostgresConnection {
  /** Host name or address of the PostgreSQL server (`gpgsql-host`), e.g. `127.0.0.1`. */
  host: string;
  /** TCP port (`gpgsql-port`). */
  port: number;
  /** Database name (`gpgsql-dbname`). */
  database: string;
  /** Role the servers log in as (`gpgsql-user`). */
  user: string;
  /** Its password (`gpgsql-password`); none for trust authentication. */
  password?: string;
}

/** A running throwaway PowerDNS, from {@link startPowerDns}. */
export interface RunningPowerDns {
  /** A client for this server. */
  client: PowerDnsClient;
  /** `http://127.0.0.1:PORT`. */
  apiUrl: string;
  /**
   * The API key it was started with. Readable, but not enumerable (a copy made by spreading does
   * not carry it), and `util.inspect` and `JSON.stringify` of this object show `[redacted]`.
   */
  readonly apiKey: string;
  /** The API (webserver) port on 127.0.0.1. */
  apiPort: number;
  /** DNS port on 127.0.0.1 (UDP and TCP). */
  dnsPort: number;
  /** The version the server reports in its API, e.g. `4.7.3` or `5.1.2`. */
  version: string;
  /** The root it runs in (`chroot`), or `undefined` for the host's server. */
  root: string | undefined;
  /** Data directory holding `pdns.conf`, `pdns.sqlite3` and `pdns.log` (a host path). */
  directory: string;
  /** Process id of `pdns_server`. */
  pid: number;
  /** Milliseconds from spawning `pdns_server` until its API answered. */
  readyAfterMs: number;
  /**
   * Stops the server (TERM, then KILL after 5 s) and removes its directory. A server whose
   * `stop()` is never called is stopped the same way when the process that started it exits or
   * dies, even by SIGKILL: a watchdog shell waits on a pipe from this process.
   */
  stop(): Promise<void>;
}

const DEBIAN_SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';
const DEBIAN_PGSQL_SCHEMA = '/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql';
const GPGSQL_BACKEND_PATHS = [
  '/usr/lib/x86_64-linux-gnu/pdns/libgpgsqlbackend.so',
  '/usr/lib/aarch64-linux-gnu/pdns/libgpgsqlbackend.so',
  '/usr/lib/pdns/libgpgsqlbackend.so',
  '/usr/lib64/pdns/libgpgsqlbackend.so',
];
const INSTALL_HINT =
  "Install PowerDNS from your distribution's packages, on Debian or Ubuntu: " +
  'apt-get install pdns-server pdns-backend-sqlite3 sqlite3. ' +
  'Or pass pdnsServerPath / schemaPath / sqlite3Path (or a Debian root as `root`).';

const POSTGRES_HINT =
  "Install PostgreSQL and PowerDNS's PostgreSQL backend from your distribution's packages, on Debian " +
  'or Ubuntu: apt-get install postgresql pdns-backend-pgsql.';

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** Whether `path` exists; inside a root an absolute symlink is not followed on the host. */
function present(path: string, inRoot: boolean): boolean {
  if (!inRoot) return existsSync(path);
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first candidate that exists. An explicit path (an option or its environment variable) that
 * does not exist is an error: falling back would silently test another server.
 */
function locate(
  what: string,
  explicit: { value: string | undefined; from: string }[],
  fallbacks: (string | undefined)[],
  root: string | undefined,
): string {
  const at = (path: string) => (root === undefined ? path : join(root, path));
  for (const { value, from } of explicit) {
    if (value === undefined || value === '') continue;
    if (present(at(value), root !== undefined)) return value;
    throw new ConfigError(
      `${what} ${JSON.stringify(value)} (${from}) does not exist${root === undefined ? '' : ` in the root ${root}`}. ${INSTALL_HINT}`,
    );
  }
  for (const candidate of fallbacks)
    if (candidate && present(at(candidate), root !== undefined)) return candidate;
  throw new ConfigError(
    `${what} was not found${root === undefined ? '' : ` in the root ${root}`}. ${INSTALL_HINT}`,
  );
}

/** A TCP port that is free on 127.0.0.1 right now (the kernel picks it). */
function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind({ address: '127.0.0.1', port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** A port free for both TCP and UDP, as DNS needs both. */
async function freeDnsPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freeTcpPort();
    if (await udpPortFree(port)) return port;
  }
  throw new Error('no port free for both TCP and UDP on 127.0.0.1 after 20 tries');
}

function backendSettings(directory: string, gpgsql: PowerDnsPostgresConnection | undefined) {
  if (gpgsql === undefined) {
    return {
      launch: 'gsqlite3',
      'gsqlite3-database': join(directory, 'pdns.sqlite3'),
      'gsqlite3-dnssec': 'yes',
    };
  }
  return {
    launch: 'gpgsql',
    'gpgsql-host': gpgsql.host,
    'gpgsql-port': String(gpgsql.port),
    'gpgsql-dbname': gpgsql.database,
    'gpgsql-user': gpgsql.user,
    'gpgsql-password': gpgsql.password ?? '',
    'gpgsql-dnssec': 'yes',
  };
}

function config(options: {
  directory: string;
  dnsPort: number;
  apiPort: number;
  apiKey: string;
  settings: Record<string, string>;
  gpgsql: PowerDnsPostgresConnection | undefined;
}): string {
  const settings: Record<string, string> = {
    ...backendSettings(options.directory, options.gpgsql),
    'local-address': `127.0.0.1:${options.dnsPort}`,
    webserver: 'yes',
    'webserver-address': '127.0.0.1',
    'webserver-port': String(options.apiPort),
    'webserver-allow-from': '127.0.0.1/32',
    api: 'yes',
    'api-key': options.apiKey,
    'webserver-max-bodysize': '64',
    'enable-lua-records': 'yes',
    'lua-health-checks-interval': '1',
    primary: 'yes',
    'only-notify': '127.0.0.0/8',
    'query-local-address': '127.0.0.1',
    // answers must reflect writes at once in tests
    'cache-ttl': '0',
    'query-cache-ttl': '0',
    'negquery-cache-ttl': '0',
    daemon: 'no',
    guardian: 'no',
    'disable-syslog': 'yes',
    'log-timestamp': 'yes',
    loglevel: '4',
    'socket-dir': options.directory,
    // no security-poll DNS query to the internet
    'security-poll-suffix': '',
    ...options.settings,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')
    .concat('\n');
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The watchdog between this process and a server: `sh -c WATCHDOG sh DIR KEEP SIGNAL COMMAND…`.
 * It starts COMMAND with stdin from /dev/null, writes its pid to DIR/pdns.pid, and exits with the
 * server's status when the server exits. A background part of it keeps our pipe (stdin): when the
 * pipe closes (stop(), or this process exited or was killed, even by SIGKILL) it sends SIGNAL
 * (TERM for pdns_server, INT for PostgreSQL, whose TERM waits for its clients to leave), then
 * KILL after 5 s, and once this process is gone removes DIR (unless KEEP is 1; while we live, we
 * remove it ourselves, after reading the log of a server that failed at start-up). "Ours" checks that the pid is still the server (its parent is the watchdog),
 * so a reused pid is never signalled. The watchdog runs in its own process group, so a Ctrl-C
 * meant for the test runner reaches the server only through this path.
 */
const WATCHDOG = `
dir=$1; keep=$2; signal=$3; shift 3
exec 3<&0
"$@" </dev/null 3<&- 1>&2 &
server=$!
shell=$$
starter=$PPID
ours() { [ "$(cut -d' ' -f4 "/proc/$server/stat" 2>/dev/null)" = "$shell" ]; }
starter_alive() {
  state=$(cut -d' ' -f3 "/proc/$starter/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}
echo "$server" >"$dir/pdns.pid"
(
  while read -r _ <&3; do :; done
  if ours; then kill -"$signal" "$server" 2>/dev/null; fi
  n=0
  while ours; do
    n=$((n + 1))
    if [ "$n" -gt 50 ]; then kill -KILL "$server" 2>/dev/null; break; fi
    sleep 0.1
  done
  [ "$keep" = 1 ] && exit 0
  # Node.js also closes the pipe when the server exits on its own: the starting process then
  # still reads the log, and removes the directory itself. Wait for that, or for it to be gone.
  while [ -d "$dir" ] && starter_alive; do sleep 1; done
  rm -rf "$dir" 2>/dev/null
) </dev/null &
exec 3<&-
trap 'kill -"$signal" "$server" 2>/dev/null' INT TERM HUP
wait "$server"
code=$?
while ours; do wait "$server"; code=$?; done
exit "$code"
`;

interface Started {
  child: ChildProcess;
  serverPid: number;
}

const running = new Set<Started>();
let exitHookInstalled = false;

// At exit the pipe closes and the watchdogs stop their servers; killing them here as well makes
// that immediate for a process that exits normally without stop().
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const { serverPid } of running) {
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** How to run a command: on the host, or inside a root with chroot. */
interface Runner {
  root: string | undefined;
  /** The host path of a path as the server sees it. */
  hostPath(path: string): string;
  command(binary: string, args: string[]): [string, string[]];
}

function runner(root: string | undefined): Runner {
  if (root === undefined) {
    return { root, hostPath: (path) => path, command: (binary, args) => [binary, args] };
  }
  const chroot = findOnPath('chroot') ?? '/usr/sbin/chroot';
  return {
    root,
    hostPath: (path) => join(root, path),
    command: (binary, args) => [chroot, [root, binary, ...args]],
  };
}

function run(command: [string, string[]], input: string): Promise<string> {
  const [file, args] = command;
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(`${stdout}${stderr}`);
    });
    child.stdin?.end(input);
  });
}

/** `pdns_server --version` (4.7 exits with 99 after printing it, so the status is ignored). */
function serverVersion(command: [string, string[]]): Promise<PowerDnsVersion | undefined> {
  const [file, args] = command;
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (_error, stdout, stderr) => {
      const m = /PowerDNS Authoritative Server (\S+)/.exec(`${stdout}${stderr}`);
      resolve(m?.[1] === undefined ? undefined : parsePowerDnsVersion(m[1]));
    });
  });
}

/** Defaults that depend on the server's version. */
function versionSettings(version: PowerDnsVersion | undefined): Record<string, string> {
  // 5.1 refuses LUA writes through the API without it; older servers refuse the unknown setting
  return powerDnsFeatures(version).luaWritesNeedSetting ? { 'enable-lua-record-updates': 'yes' } : {};
}

function chosenRoot(option: string | undefined): string | undefined {
  const root = option ?? process.env['PDNS_ROOT'];
  if (root === undefined || root === '') return undefined;
  const from = option !== undefined ? 'root' : 'PDNS_ROOT';
  if (!existsSync(root)) throw new ConfigError(`the root ${JSON.stringify(root)} (${from}) does not exist`);
  if (process.getuid?.() !== 0) {
    throw new ConfigError(`running PowerDNS in the root ${root} needs chroot, which needs root`);
  }
  return root;
}

/** A line break, carriage return or NUL: in `pdns.conf` it would end the line and start another setting. */
const LINE_BREAK = /[\n\r\0]/;

/**
 * Everything written into `pdns.conf` from the options, checked before anything starts: setting
 * names of pdns's shape, and values on one line (a newline would add a setting, e.g. replace
 * `api-key`). Values are never shown: one may be a password.
 */
function checkConfigInput(options: StartPowerDnsOptions): void {
  const problems: string[] = [];
  const oneLine = (where: string, value: unknown) => {
    if (typeof value !== 'string') problems.push(`${where} must be a string, got ${typeof value}`);
    else if (LINE_BREAK.test(value))
      problems.push(`${where} must be one line (it holds a newline, carriage return or NUL)`);
  };
  for (const [name, value] of Object.entries(options.settings ?? {})) {
    if (!/^[a-z0-9-]+$/.test(name)) {
      problems.push(
        `settings.${JSON.stringify(name)} is not a pdns setting name (lower-case letters, digits and -)`,
      );
      continue;
    }
    oneLine(`settings.${name}`, value);
  }
  if (options.apiKey !== undefined) oneLine('apiKey', options.apiKey);
  if (options.gpgsql !== undefined) {
    for (const field of ['host', 'database', 'user', 'password'] as const) {
      const value = options.gpgsql[field];
      if (value !== undefined) oneLine(`gpgsql.${field}`, value);
    }
  }
  if (problems.length) {
    throw new ConfigError(
      `startPowerDns: invalid pdns.conf input (nothing was started):\n${problems.join('\n')}`,
    );
  }
}

/**
 * Starts a throwaway PowerDNS on free loopback ports and waits until its API answers.
 * Throws a {@link ConfigError} naming the packages to install when PowerDNS is missing, when a
 * path given explicitly does not exist, when a setting name or value cannot be written to
 * `pdns.conf` as one line (checked before anything starts), or when `pdns_server` exits during
 * start-up (it refused its configuration; the message holds the end of its log).
 */
export async function startPowerDns(options: StartPowerDnsOptions = {}): Promise<RunningPowerDns> {
  checkConfigInput(options);
  const root = chosenRoot(options.root);
  const pdnsServer = locate(
    'pdns_server',
    [
      { value: options.pdnsServerPath, from: 'pdnsServerPath' },
      { value: process.env['PDNS_SERVER'], from: 'PDNS_SERVER' },
    ],
    ['/usr/sbin/pdns_server', root === undefined ? findOnPath('pdns_server') : undefined],
    root,
  );
  const gpgsql = options.gpgsql;
  if (
    gpgsql !== undefined &&
    !GPGSQL_BACKEND_PATHS.some((path) => present(runner(root).hostPath(path), root !== undefined))
  ) {
    throw new ConfigError(
      `PowerDNS's gpgsql backend was not found${root === undefined ? '' : ` in the root ${root}`}. ${POSTGRES_HINT}`,
    );
  }
  const schema =
    gpgsql === undefined
      ? locate(
          'The PowerDNS sqlite3 schema',
          [
            { value: options.schemaPath, from: 'schemaPath' },
            { value: process.env['PDNS_SQLITE_SCHEMA'], from: 'PDNS_SQLITE_SCHEMA' },
          ],
          [DEBIAN_SCHEMA],
          root,
        )
      : '';
  const sqlite3 =
    gpgsql === undefined
      ? locate(
          'sqlite3',
          [{ value: options.sqlite3Path, from: 'sqlite3Path' }],
          [root === undefined ? findOnPath('sqlite3') : undefined, '/usr/bin/sqlite3'],
          root,
        )
      : '';
  const on = runner(root);
  const expectedVersion = await serverVersion(on.command(pdnsServer, ['--version']));
  const apiKey = options.apiKey ?? randomBytes(16).toString('hex');
  // With a root, the directory is made in the root's /tmp, and the server sees it as /tmp/NAME.
  const base = root === undefined ? tmpdir() : join(root, 'tmp');
  if (root !== undefined) await mkdir(base, { recursive: true, mode: 0o1777 });
  const settings = { ...versionSettings(expectedVersion), ...options.settings };
  // Another process may take a port between our probe and pdns's bind: try a few times, each in a
  // fresh directory (the watchdog of a failed try removes its own).
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const directory = await mkdtemp(join(base, 'openova-pdns-'));
    const serverDirectory = root === undefined ? directory : join('/tmp', basename(directory));
    try {
      if (gpgsql === undefined) {
        await run(
          on.command(sqlite3, [join(serverDirectory, 'pdns.sqlite3')]),
          readFileSync(on.hostPath(schema), 'utf8'),
        );
      }
      return await launch({
        on,
        pdnsServer,
        directory,
        serverDirectory,
        apiKey,
        options: { ...options, settings },
      });
    } catch (error) {
      lastError = error;
      if (!options.keepDirectory) await rm(directory, { recursive: true, force: true });
      if (!(error instanceof PortTakenError)) break;
    }
  }
  throw lastError;
}

/** A port pdns needed was taken (retried on fresh ports; thrown when every try found one taken). */
class PortTakenError extends ConfigError {
  constructor(server: string, logTail: string) {
    super(
      `${server} could not bind a port on 127.0.0.1 (taken by another process); last log lines:\n${logTail}`,
    );
    this.name = 'ConfigError';
  }
}

async function launch(input: {
  on: Runner;
  pdnsServer: string;
  directory: string;
  serverDirectory: string;
  apiKey: string;
  options: StartPowerDnsOptions;
}): Promise<RunningPowerDns> {
  const { on, pdnsServer, directory, serverDirectory, apiKey, options } = input;
  const dnsPort = await freeDnsPort();
  let apiPort = await freeTcpPort();
  while (apiPort === dnsPort) apiPort = await freeTcpPort();
  await writeFile(
    join(directory, 'pdns.conf'),
    config({
      directory: serverDirectory,
      dnsPort,
      apiPort,
      apiKey,
      settings: options.settings ?? {},
      gpgsql: options.gpgsql,
    }),
  );
  const logFile = join(directory, 'pdns.log');
  const pidFile = join(directory, 'pdns.pid');
  await rm(pidFile, { force: true });
  const log = openSync(logFile, 'a');
  const started = performance.now();
  // --config-dir makes pdns read only our pdns.conf, nothing from /etc/powerdns.
  const [file, args] = on.command(pdnsServer, [`--config-dir=${serverDirectory}`]);
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      WATCHDOG,
      'openova-pdns-watchdog',
      directory,
      options.keepDirectory ? '1' : '0',
      'TERM',
      file,
      ...args,
    ],
    // stdin is the watchdog's pipe; its own process group keeps a terminal's Ctrl-C off it
    { stdio: ['pipe', log, log], detached: true },
  );
  closeSync(log);
  child.on('error', () => undefined);
  const stdin = child.stdin as Socket | null;
  stdin?.on('error', () => undefined);
  // neither the watchdog nor its pipe keeps this process alive
  stdin?.unref();
  child.unref();
  if (child.pid === undefined) {
    await waitForExit(child, 1000);
    throw new ConfigError(`could not start /bin/sh for ${pdnsServer}. ${INSTALL_HINT}`);
  }
  const started_: Started = { child, serverPid: 0 };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const client = new PowerDnsClient({ ...options.client, apiUrl, apiKey });
  const stop = async (): Promise<void> => {
    if (!exited(child)) {
      stdin?.end();
      if (!(await waitForExit(child, 8000))) {
        if (started_.serverPid > 0 && alive(started_.serverPid)) process.kill(started_.serverPid, 'SIGKILL');
        await waitForExit(child, 5000);
      }
    }
    running.delete(started_);
    await client.close();
    if (!options.keepDirectory) await rm(directory, { recursive: true, force: true });
  };
  const deadline = performance.now() + (options.startTimeoutMs ?? 30_000);
  // A probe client without retries; ready = the API answers and its config is ours (so an old
  // server that happened to hold the port cannot pass the check).
  const probe = new PowerDnsClient({ apiUrl, apiKey, retry: { retries: 0 }, timeoutMs: 2000 });
  let version = '';
  try {
    for (;;) {
      if (started_.serverPid === 0) {
        const pid = Number(readIfPresent(pidFile));
        if (Number.isInteger(pid) && pid > 0) {
          started_.serverPid = pid;
          running.add(started_);
          installExitHook();
        }
      }
      if (exited(child)) {
        const logTail = tail(logFile);
        running.delete(started_);
        // ends the watchdog, which removes the directory unless it is kept
        stdin?.end();
        if (/Unable to bind|Address already in use/i.test(logTail))
          throw new PortTakenError('pdns_server', logTail);
        throw new ConfigError(
          `pdns_server exited during start-up (code ${child.exitCode}); last log lines:\n${logTail}`,
        );
      }
      // 4.x does not exit when its API port is taken: it logs it and keeps serving DNS
      if (
        /Listening on HTTP socket failed|Unable to bind|Address already in use/i.test(readIfPresent(logFile))
      ) {
        const logTail = tail(logFile);
        await stop();
        throw new PortTakenError('pdns_server', logTail);
      }
      try {
        const settings = await probe.serverConfig();
        if (settings.some((s) => s.value.includes(serverDirectory))) {
          version = (await probe.serverInfo()).version;
          break;
        }
      } catch {
        // not listening yet
      }
      if (performance.now() > deadline) {
        // the log is read before stop() removes the directory
        const logTail = tail(logFile);
        await stop();
        throw new ProviderError(
          `PowerDNS API did not answer within ${Math.round(options.startTimeoutMs ?? 30_000)} ms; log:\n${logTail}`,
          { provider: 'pdns', code: 'PROVIDER_UNREACHABLE', retryable: false },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await probe.close();
  }
  const readyAfterMs = performance.now() - started;
  return withHiddenApiKey(apiKey, {
    client,
    apiUrl,
    apiPort,
    dnsPort,
    version,
    root: on.root,
    directory,
    pid: started_.serverPid,
    readyAfterMs,
    stop,
  });
}

/**
 * The running server with `apiKey` as a readable, non-enumerable property, and `util.inspect` and
 * `toJSON` that show every other field and `apiKey: [redacted]`: the key never reaches a log.
 */
function withHiddenApiKey(apiKey: string, fields: Omit<RunningPowerDns, 'apiKey'>): RunningPowerDns {
  const shown = (): Record<string, unknown> => {
    const { stop: _stop, client, ...rest } = fields;
    return { client: client.toJSON(), ...rest, apiKey: '[redacted]' };
  };
  const running = fields as RunningPowerDns;
  Object.defineProperties(running, {
    apiKey: { value: apiKey, enumerable: false },
    toJSON: { value: shown, enumerable: false },
    [inspect.custom]: {
      value: (_depth: number, options: InspectOptions) =>
        `RunningPowerDns ${inspect({ ...shown(), client: fields.client, apiKey: new Redacted() }, options)}`,
      enumerable: false,
    },
  });
  return running;
}

/** Shown by `util.inspect` as `[redacted]`, unquoted. */
class Redacted {
  [inspect.custom](): string {
    return '[redacted]';
  }
}

function readIfPresent(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

// ---- PostgreSQL -----------------------------------------------------------------------------------

/** Options of `startPostgres()`: where the PostgreSQL binaries and PowerDNS's schema are. */
export interface StartPostgresOptions {
  /**
   * Directory holding `initdb`, `postgres` and `psql` (default: the `PG_BINDIR` environment
   * variable, then the newest `/usr/lib/postgresql/N/bin`, then `PATH`). Must exist when given.
   */
  binDir?: string;
  /**
   * PowerDNS's PostgreSQL schema loaded into the new database (default: `PDNS_PGSQL_SCHEMA`, then
   * Debian's `/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql`). `false` loads nothing.
   */
  schemaPath?: string | false;
  /** How long to wait for the server to accept connections (default 30 000 ms). */
  startTimeoutMs?: number;
  /** Keep the data directory after `stop()` (default false), e.g. to read `postgres.log`. */
  keepDirectory?: boolean;
}

/** A throwaway PostgreSQL cluster on a free loopback port, started by `startPostgres()`. */
export interface RunningPostgres extends PowerDnsPostgresConnection {
  /** `postgresql://pdns@127.0.0.1:PORT/pdns`. */
  url: string;
  /** The cluster's directory (data, socket, `postgres.log`). */
  directory: string;
  /** Process id of `postgres`. */
  pid: number;
  /** Runs SQL with `psql` in the database and returns its unaligned output (`-At`). */
  sql(statement: string): Promise<string>;
  /** Stops the server (fast shutdown, then KILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

/** The uid and gid of a user, from /etc/passwd. */
function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // no passwd file
  }
  return undefined;
}

function postgresBinDir(explicit: string | undefined): string {
  const given = explicit ?? process.env['PG_BINDIR'];
  if (given !== undefined && given !== '') {
    if (existsSync(join(given, 'initdb'))) return given;
    throw new ConfigError(`initdb was not found in ${JSON.stringify(given)}. ${POSTGRES_HINT}`);
  }
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    // not installed there
  }
  for (const version of versions) {
    const dir = join('/usr/lib/postgresql', version, 'bin');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  const onPath = findOnPath('initdb');
  if (onPath) return dirname(onPath);
  throw new ConfigError(`PostgreSQL's initdb was not found. ${POSTGRES_HINT}`);
}

/**
 * Starts a throwaway PostgreSQL cluster on a free port of 127.0.0.1 (trust authentication, no
 * fsync), with a database `pdns` owned by the user `pdns` that holds PowerDNS's schema: pass it as
 * `gpgsql` to {@link startPowerDns}, once per server, to run several API servers over one database.
 *
 * Run as root, the cluster belongs to the `postgres` user (PostgreSQL refuses to run as root).
 * Like `startPowerDns`, a watchdog stops the server when the starting process exits or dies, and
 * the directory is removed. Throws a `ConfigError` naming the packages to install when PostgreSQL
 * is missing.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<RunningPostgres> {
  const bin = postgresBinDir(options.binDir);
  const schemaPath =
    options.schemaPath === false
      ? undefined
      : locate(
          "PowerDNS's PostgreSQL schema",
          [
            { value: options.schemaPath, from: 'schemaPath' },
            { value: process.env['PDNS_PGSQL_SCHEMA'], from: 'PDNS_PGSQL_SCHEMA' },
          ],
          [DEBIAN_PGSQL_SCHEMA],
          undefined,
        );
  // PostgreSQL refuses to run as root: as root, run it as the `postgres` user
  let asUser: string[] = [];
  let owner: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    owner = userIds('postgres');
    const setpriv = findOnPath('setpriv') ?? '/usr/bin/setpriv';
    if (owner === undefined)
      throw new ConfigError(`there is no postgres user to run PostgreSQL as. ${POSTGRES_HINT}`);
    asUser = [setpriv, `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups'];
  }
  const as = (binary: string, args: string[]): [string, string[]] =>
    asUser.length ? [asUser[0] as string, [...asUser.slice(1), binary, ...args]] : [binary, args];
  const directory = await mkdtemp(join(tmpdir(), 'openova-pg-'));
  const data = join(directory, 'data');
  const cleanUp = () =>
    options.keepDirectory ? Promise.resolve() : rm(directory, { recursive: true, force: true });
  try {
    if (owner) chownSync(directory, owner.uid, owner.gid);
    await run(
      as(join(bin, 'initdb'), ['-D', data, '-U', 'pdns', '--auth=trust', '-E', 'UTF8', '--no-sync']),
      '',
    );
  } catch (error) {
    await cleanUp();
    throw error;
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeTcpPort();
    try {
      return await launchPostgres({ bin, directory, data, port, as, schemaPath, options });
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) break;
    }
  }
  await cleanUp();
  throw lastError;
}

async function launchPostgres(input: {
  bin: string;
  directory: string;
  data: string;
  port: number;
  as: (binary: string, args: string[]) => [string, string[]];
  schemaPath: string | undefined;
  options: StartPostgresOptions;
}): Promise<RunningPostgres> {
  const { bin, directory, data, port, as, schemaPath, options } = input;
  const logFile = join(directory, 'postgres.log');
  const pidFile = join(directory, 'pdns.pid');
  await rm(pidFile, { force: true });
  const log = openSync(logFile, 'a');
  const [file, args] = as(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    directory,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=100',
  ]);
  const child = spawn(
    '/bin/sh',
    // INT is PostgreSQL's fast shutdown; TERM would wait for every client to disconnect
    [
      '-c',
      WATCHDOG,
      'openova-pg-watchdog',
      directory,
      options.keepDirectory ? '1' : '0',
      'INT',
      file,
      ...args,
    ],
    { stdio: ['pipe', log, log], detached: true },
  );
  closeSync(log);
  child.on('error', () => undefined);
  const stdin = child.stdin as Socket | null;
  stdin?.on('error', () => undefined);
  stdin?.unref();
  child.unref();
  const started_: Started = { child, serverPid: 0 };
  const psql = (statement: string, database = 'pdns', extra: string[] = []) =>
    run(
      [
        join(bin, 'psql'),
        [
          '-X',
          '-q',
          '-At',
          '-v',
          'ON_ERROR_STOP=1',
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          'pdns',
          '-d',
          database,
          ...extra,
        ],
      ],
      statement,
    );
  const stop = async (): Promise<void> => {
    if (!exited(child)) {
      stdin?.end();
      if (!(await waitForExit(child, 8000))) {
        if (started_.serverPid > 0 && alive(started_.serverPid)) process.kill(started_.serverPid, 'SIGKILL');
        await waitForExit(child, 5000);
      }
    }
    running.delete(started_);
    if (!options.keepDirectory) await rm(directory, { recursive: true, force: true });
  };
  const deadline = performance.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (started_.serverPid === 0) {
      const pid = Number(readIfPresent(pidFile));
      if (Number.isInteger(pid) && pid > 0) {
        started_.serverPid = pid;
        running.add(started_);
        installExitHook();
      }
    }
    if (exited(child)) {
      const logTail = tail(logFile);
      running.delete(started_);
      if (/could not bind|Address already in use/i.test(logTail))
        throw new PortTakenError('postgres', logTail);
      throw new Error(
        `postgres exited during start-up (code ${child.exitCode}); last log lines:\n${logTail}`,
      );
    }
    if (/ready to accept connections/.test(readIfPresent(logFile))) break;
    if (performance.now() > deadline) {
      const logTail = tail(logFile);
      await stop();
      throw new Error(
        `PostgreSQL did not accept connections within ${Math.round(options.startTimeoutMs ?? 30_000)} ms; log:\n${logTail}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  try {
    await psql('CREATE DATABASE pdns', 'postgres');
    if (schemaPath !== undefined) await psql(readFileSync(schemaPath, 'utf8'));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    database: 'pdns',
    user: 'pdns',
    password: '',
    url: `postgresql://pdns@127.0.0.1:${port}/pdns`,
    directory,
    pid: started_.serverPid,
    sql: (statement) => psql(statement),
    stop,
  };
}
