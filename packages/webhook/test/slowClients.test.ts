// Slow clients and connection floods: the documented timeouts hold (Node checks them only every
// `connectionsCheckingInterval`, 30 s by default; the server checks every second), and the number
// of connections per port is bounded.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { externalDnsGet, rawRequest } from './support/rawHttp.js';
import { memoryProvider, startServer, stopAll } from './support/servers.js';

afterEach(stopAll);

function open(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Milliseconds until the server ends the connection, and what it sent. */
function closedAfter(socket: Socket, started: number): Promise<{ ms: number; text: string }> {
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString()));
  return new Promise((resolve) =>
    socket.once('close', () => resolve({ ms: performance.now() - started, text })),
  );
}

describe('slow clients', () => {
  it(
    'a request head that never completes is cut at headersTimeout (5 s), not up to 35 s later',
    { timeout: 20_000 },
    async () => {
      const { url } = await startServer(memoryProvider());
      const socket = await open(url);
      const started = performance.now();
      socket.write('GET /records HTTP/1.1\r\nHost: x\r\n');
      const { ms, text } = await closedAfter(socket, started);
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(ms).toBeGreaterThanOrEqual(4900);
      expect(ms).toBeLessThan(7000);
    },
  );

  it(
    'a body trickling in is cut at requestTimeout (set to 2 s here; 60 s by default)',
    { timeout: 20_000 },
    async () => {
      const { url } = await startServer(memoryProvider(), { timeouts: { headersMs: 1000, requestMs: 2000 } });
      const socket = await open(url);
      const started = performance.now();
      socket.write(
        'POST /records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
      );
      const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
      const { ms } = await closedAfter(socket, started);
      clearInterval(trickle);
      expect(ms).toBeGreaterThanOrEqual(1900);
      expect(ms).toBeLessThan(4000);
    },
  );
});

describe('connection bound', () => {
  const closedWithin = (socket: Socket, ms: number) =>
    Promise.race([
      closedAfter(socket, performance.now()).then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
    ]);

  it('a connection beyond maxConnections closes the oldest idle one; requests are served meanwhile', async () => {
    const { url } = await startServer(memoryProvider(), { maxConnections: 3 });
    const held = [await open(url), await open(url), await open(url)];
    const closings = held.map((s) => closedWithin(s, 2000));
    // wait until the server counted them
    await new Promise((r) => setTimeout(r, 100));
    const extra = await open(url);
    expect(await closings[0]).toBe(true);
    expect(extra.destroyed).toBe(false);
    expect((await externalDnsGet(url, '/')).status).toBe(200);
    for (const s of [...held, extra]) s.destroy();
  });

  it('the kubelet probe gets through a flood of idle connections on the health port (0.0.0.0 too)', async () => {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const { healthUrl } = await startServer(memoryProvider(), {
        maxConnections: 8,
        health: { host, port: 0 },
      });
      const probeUrl = `http://127.0.0.1:${new URL(healthUrl).port}`;
      // a flood: five times the bound, connected and silent
      const flood: Socket[] = [];
      for (let i = 0; i < 40; i++) flood.push(await open(probeUrl));
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 3; i++) {
        expect((await rawRequest(probeUrl, { path: '/livez' })).status).toBe(200);
        expect((await rawRequest(probeUrl, { path: '/healthz' })).status).toBe(200);
      }
      // the oldest went first; the newest are still open, within the bound
      expect(flood.slice(0, 30).every((s) => s.destroyed || s.readableEnded)).toBe(true);
      for (const s of flood) s.destroy();
    }
  });

  it('a connection with a request in flight is never the one closed; with all busy, the new one is', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { healthUrl } = await startServer(memoryProvider(), {
      maxConnections: 2,
      healthCacheMs: 0,
      healthCheck: () => held,
    });
    // two probes whose check hangs: both connections are answering
    const probes = [rawRequest(healthUrl, { path: '/healthz' }), rawRequest(healthUrl, { path: '/healthz' })];
    await new Promise((r) => setTimeout(r, 100));
    const extra = await open(healthUrl);
    expect(await closedWithin(extra, 2000)).toBe(true);
    release();
    expect((await Promise.all(probes)).map((r) => r.status)).toEqual([200, 200]);
  });
});
