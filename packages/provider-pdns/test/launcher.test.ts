// startPowerDns(): explicit paths, the install hint, the reported version, and a server that never
// outlives the process that started it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, ProviderError } from '@openova/dns-core';
import { startPowerDns } from '@openova/dns-provider-pdns/testing';

const FIXTURE = fileURLToPath(new URL('./fixtures/start-pdns.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `done()` holds; false if it still does not after `ms`. */
async function eventually(done: () => boolean, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return done();
}

interface Started {
  pid: number;
  directory: string;
  parent: ReturnType<typeof spawn>;
  exited: Promise<void>;
}

/** Runs the fixture in a new Node.js process and reads the server it started. */
function startInChild(mode: 'wait' | 'end'): Promise<Started> {
  const parent = spawn(process.execPath, ['--conditions=@openova/source', '--import', 'tsx', FIXTURE, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => parent.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    parent.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    parent.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        const { pid, directory } = JSON.parse(line) as { pid: number; directory: string };
        resolve({ pid, directory, parent, exited });
      }
    });
    parent.once('exit', (code) => reject(new Error(`fixture exited (${code}) before starting: ${err}`)));
  });
}

describe('startPowerDns(): a server never outlives the process that started it', () => {
  for (const signal of ['SIGKILL', 'SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the parent stops the server and removes its directory`, async () => {
      const started = await startInChild('wait');
      expect(alive(started.pid)).toBe(true);
      expect(existsSync(started.directory)).toBe(true);
      started.parent.kill(signal);
      await started.exited;
      expect(await eventually(() => !alive(started.pid))).toBe(true);
      expect(await eventually(() => !existsSync(started.directory))).toBe(true);
    });
  }

  it('a process that forgets stop() still ends by itself, and its server goes with it', async () => {
    const started = await startInChild('end');
    // nothing of the launcher keeps the event loop alive
    await started.exited;
    expect(started.parent.exitCode).toBe(0);
    expect(await eventually(() => !alive(started.pid))).toBe(true);
    expect(await eventually(() => !existsSync(started.directory))).toBe(true);
  });

  it('stop() stops it and removes the directory at once', async () => {
    const pdns = await startPowerDns();
    expect(alive(pdns.pid)).toBe(true);
    await pdns.stop();
    expect(alive(pdns.pid)).toBe(false);
    expect(existsSync(pdns.directory)).toBe(false);
  });
});

describe('startPowerDns(): configuration', () => {
  it('reports the version it started', async () => {
    const pdns = await startPowerDns();
    try {
      expect(pdns.version).toMatch(/^\d+\.\d+\.\d+/);
      expect((await pdns.client.serverInfo()).version).toBe(pdns.version);
      expect(pdns.root).toBe(process.env['PDNS_ROOT'] || undefined);
    } finally {
      await pdns.stop();
    }
  });

  it('util.inspect and JSON.stringify of the running server never show the API key', async () => {
    const apiKey = 'openova-secret-key-4f1c';
    const pdns = await startPowerDns({ apiKey });
    try {
      const shown = [inspect(pdns), inspect(pdns, { depth: 5, showHidden: true }), JSON.stringify(pdns)];
      for (const text of shown) {
        expect(text).not.toContain(apiKey);
        expect(text).toContain(String(pdns.apiPort));
      }
      expect(inspect(pdns)).toContain('apiKey: [redacted]');
      expect(JSON.parse(JSON.stringify(pdns))).toMatchObject({ apiUrl: pdns.apiUrl, apiKey: '[redacted]' });
      // code that needs the key still reads it
      expect(pdns.apiKey).toBe(apiKey);
      const copy = { ...pdns };
      expect(inspect(copy)).not.toContain(apiKey);
    } finally {
      await pdns.stop();
    }
  });

  for (const option of ['pdnsServerPath', 'schemaPath', 'sqlite3Path'] as const) {
    it(`an explicit ${option} that does not exist is a ConfigError, not a fallback`, async () => {
      const missing = `/nonexistent/openova/${option}`;
      const error = await startPowerDns({ [option]: missing }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(missing);
      expect((error as Error).message).toContain(option);
    });
  }

  it('a server that fails at start-up is reported with its log, every time', async () => {
    // Node.js closes the watchdog's pipe when the server exits: the log must still be there to read
    for (let i = 0; i < 8; i++) {
      const error = await startPowerDns({ settings: { 'openova-no-such-setting': 'yes' } }).catch(
        (e: unknown) => e,
      );
      // the server refused its configuration: a typed error of the SDK, the log tail kept
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/exited during start-up/);
      expect((error as Error).message).toMatch(/unknown setting 'openova-no-such-setting'/i);
    }
  });

  it('a setting value with a line break, CR or NUL is a ConfigError naming it, before anything starts', async () => {
    for (const value of ['60\napi-key=other', '60\r', '60\u0000']) {
      const error = await startPowerDns({
        // a path that does not exist: had the settings not been checked first, this would be the error
        pdnsServerPath: '/nonexistent/openova/pdns_server',
        settings: { 'default-ttl': value },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('settings.default-ttl');
      // the value may be a secret (a password setting): it is not echoed
      expect((error as Error).message).not.toContain('api-key=other');
    }
  });

  it('a setting name that is not a pdns setting name is a ConfigError naming it', async () => {
    for (const name of ['api-key=other\nx', 'Default-TTL', '', 'a b']) {
      const error = await startPowerDns({
        pdnsServerPath: '/nonexistent/openova/pdns_server',
        settings: { [name]: '1' },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`settings.${JSON.stringify(name)}`);
    }
  });

  it('an apiKey with a line break is a ConfigError (it is written to pdns.conf as well)', async () => {
    const error = await startPowerDns({
      pdnsServerPath: '/nonexistent/openova/pdns_server',
      apiKey: 'key\nwebserver=no',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('apiKey');
    expect((error as Error).message).not.toContain('webserver=no');
  });

  it('an API that does not answer in time is a ProviderError (PROVIDER_UNREACHABLE) with a whole number of ms', async () => {
    const error = await startPowerDns({ startTimeoutMs: 0.5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe('PROVIDER_UNREACHABLE');
    expect((error as Error).message).toMatch(/did not answer within 1 ms/);
  });

  it('a root that does not exist is a ConfigError', async () => {
    const error = await startPowerDns({ root: '/nonexistent/openova-root' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('/nonexistent/openova-root');
  });

  it('the install hint names the Debian packages, not a script of this repository', async () => {
    const error = await startPowerDns({ pdnsServerPath: '/nonexistent/pdns_server' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('apt-get install pdns-server pdns-backend-sqlite3 sqlite3');
    expect(message).not.toMatch(/scripts\/|setup\.sh/);
  });
});

describe('startPowerDns(): a taken API port', () => {
  it('is found in the log while waiting (4.x keeps running without its API), not after the start timeout', async () => {
    // a loopback port someone else holds, forced as the API port: every attempt finds it taken
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as AddressInfo).port;
    try {
      const error = await startPowerDns({
        settings: { 'webserver-port': String(taken) },
        startTimeoutMs: 60_000,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      // the server's own words, not "did not answer within 60000 ms"
      expect((error as Error).message).toMatch(/Address already in use|Listening on HTTP socket failed/i);
      expect((error as Error).message).not.toMatch(/did not answer within/);
    } finally {
      holder.close();
    }
  }, 120_000);
});
