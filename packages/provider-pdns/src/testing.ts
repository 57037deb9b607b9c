/**
 * A throwaway PowerDNS Authoritative server for tests: `startPowerDns()` starts `pdns_server` with a
 * fresh sqlite3 database on free loopback ports and returns a ready {@link PowerDnsClient}.
 *
 * Needs Debian's `pdns-server`, `pdns-backend-sqlite3` and `sqlite3` packages (or the same files
 * elsewhere, see {@link StartPowerDnsOptions}). Nothing listens beyond 127.0.0.1.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ConfigError } from '@openova/dns-core';
import { PowerDnsClient, type PowerDnsClientOptions } from './client.js';

export { queryDns } from './dns.js';
export type { DnsAnswer, DnsQueryOptions, DnsResponse } from './dns.js';

export interface StartPowerDnsOptions {
  /** API key (default: random). */
  apiKey?: string;
  /** Path of `pdns_server` (default: `PDNS_SERVER` env, then `/usr/sbin/pdns_server`, then `PATH`). */
  pdnsServerPath?: string;
  /** sqlite3 schema (default: `PDNS_SQLITE_SCHEMA` env, then Debian's path). */
  schemaPath?: string;
  /** Path of the `sqlite3` command line tool (default: found on `PATH`). */
  sqlite3Path?: string;
  /**
   * Extra or overriding `pdns.conf` settings, e.g. `{ 'default-ttl': '60' }`. The defaults include
   * `enable-lua-records=yes` and `lua-health-checks-interval=1` (health checks settle within ~1 s).
   */
  settings?: Record<string, string>;
  /** How long to wait for the API to answer (default 30 000 ms). */
  startTimeoutMs?: number;
  /** Keep the data directory after `stop()` (default false), e.g. to read `pdns.log`. */
  keepDirectory?: boolean;
  /** Options for the returned client (apiUrl and apiKey are filled in). */
  client?: Omit<PowerDnsClientOptions, 'apiUrl' | 'apiKey'>;
}

export interface RunningPowerDns {
  /** A client for this server. */
  client: PowerDnsClient;
  /** `http://127.0.0.1:PORT`. */
  apiUrl: string;
  apiKey: string;
  apiPort: number;
  /** DNS port on 127.0.0.1 (UDP and TCP). */
  dnsPort: number;
  /** Data directory holding `pdns.conf`, `pdns.sqlite3` and `pdns.log`. */
  directory: string;
  /** Process id of `pdns_server`. */
  pid: number;
  /** Milliseconds from spawning `pdns_server` until its API answered. */
  readyAfterMs: number;
  /** Stops the server by its process id (TERM, then KILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

const DEBIAN_SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';
const INSTALL_HINT =
  'Install PowerDNS with: apt-get install pdns-server pdns-backend-sqlite3 sqlite3 ' +
  '(Debian/Ubuntu; see scripts/setup.sh --with-pdns), or pass pdnsServerPath / schemaPath / sqlite3Path.';

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

function locatePdnsServer(explicit: string | undefined): string {
  const candidates = [
    explicit,
    process.env['PDNS_SERVER'],
    '/usr/sbin/pdns_server',
    findOnPath('pdns_server'),
  ];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  throw new ConfigError(`pdns_server was not found. ${INSTALL_HINT}`);
}

function locateFile(what: string, candidates: (string | undefined)[]): string {
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  throw new ConfigError(`${what} was not found. ${INSTALL_HINT}`);
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

function run(command: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve();
    });
    child.stdin?.end(input);
  });
}

function config(options: {
  directory: string;
  dnsPort: number;
  apiPort: number;
  apiKey: string;
  settings: Record<string, string>;
}): string {
  const settings: Record<string, string> = {
    launch: 'gsqlite3',
    'gsqlite3-database': join(options.directory, 'pdns.sqlite3'),
    'gsqlite3-dnssec': 'yes',
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

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

// A test run that forgets stop() (or crashes) must not leave servers behind.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running)
      if (child.pid !== undefined && !exited(child)) process.kill(child.pid, 'SIGKILL');
  });
}

/**
 * Starts a throwaway PowerDNS on free loopback ports and waits until its API answers.
 * Throws a {@link ConfigError} naming the packages to install when PowerDNS is missing.
 */
export async function startPowerDns(options: StartPowerDnsOptions = {}): Promise<RunningPowerDns> {
  const pdnsServer = locatePdnsServer(options.pdnsServerPath);
  const schema = locateFile('The PowerDNS sqlite3 schema', [
    options.schemaPath,
    process.env['PDNS_SQLITE_SCHEMA'],
    DEBIAN_SCHEMA,
  ]);
  const sqlite3 = locateFile('sqlite3', [options.sqlite3Path, findOnPath('sqlite3'), '/usr/bin/sqlite3']);
  const apiKey = options.apiKey ?? randomBytes(16).toString('hex');
  const directory = await mkdtemp(join(tmpdir(), 'openova-pdns-'));
  try {
    await run(sqlite3, [join(directory, 'pdns.sqlite3')], readFileSync(schema, 'utf8'));
    // Another process may take a port between our probe and pdns's bind: try a few times.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await launch({ pdnsServer, directory, apiKey, options });
      } catch (error) {
        lastError = error;
        if (!(error instanceof PortTakenError)) break;
      }
    }
    throw lastError;
  } catch (error) {
    if (!options.keepDirectory) await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

class PortTakenError extends Error {}

async function launch(input: {
  pdnsServer: string;
  directory: string;
  apiKey: string;
  options: StartPowerDnsOptions;
}): Promise<RunningPowerDns> {
  const { pdnsServer, directory, apiKey, options } = input;
  const dnsPort = await freeDnsPort();
  let apiPort = await freeTcpPort();
  while (apiPort === dnsPort) apiPort = await freeTcpPort();
  await writeFile(
    join(directory, 'pdns.conf'),
    config({ directory, dnsPort, apiPort, apiKey, settings: options.settings ?? {} }),
  );
  const logFile = join(directory, 'pdns.log');
  const log = openSync(logFile, 'a');
  const started = performance.now();
  // --config-dir makes pdns read only our pdns.conf, nothing from /etc/powerdns.
  const child = spawn(pdnsServer, [`--config-dir=${directory}`], { stdio: ['ignore', log, log] });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) {
    await waitForExit(child, 1000);
    throw new ConfigError(`could not start ${pdnsServer}. ${INSTALL_HINT}`);
  }
  running.add(child);
  installExitHook();
  child.unref();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const client = new PowerDnsClient({ ...options.client, apiUrl, apiKey });
  const stop = async (): Promise<void> => {
    if (!exited(child)) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        process.kill(pid, 'SIGKILL');
        await waitForExit(child, 5000);
      }
    }
    running.delete(child);
    await client.close();
    if (!options.keepDirectory) await rm(directory, { recursive: true, force: true });
  };
  const deadline = performance.now() + (options.startTimeoutMs ?? 30_000);
  // A probe client without retries; ready = the API answers and its config is ours (so an old
  // server that happened to hold the port cannot pass the check).
  const probe = new PowerDnsClient({ apiUrl, apiKey, retry: { retries: 0 }, timeoutMs: 2000 });
  try {
    for (;;) {
      if (exited(child)) {
        const logTail = tail(logFile);
        running.delete(child);
        if (/Unable to bind|Address already in use/i.test(logTail)) throw new PortTakenError(logTail);
        throw new Error(
          `pdns_server exited during start-up (code ${child.exitCode}); last log lines:\n${logTail}`,
        );
      }
      try {
        const settings = await probe.serverConfig();
        if (settings.some((s) => s.value.includes(directory))) break;
      } catch {
        // not listening yet
      }
      if (performance.now() > deadline) {
        await stop();
        throw new Error(
          `PowerDNS API did not answer within ${options.startTimeoutMs ?? 30_000} ms; log:\n${tail(logFile)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await probe.close();
  }
  const readyAfterMs = performance.now() - started;
  return { client, apiUrl, apiKey, apiPort, dnsPort, directory, pid, readyAfterMs, stop };
}
