// Slow clients and connection floods: the documented timeouts hold (Node checks them only every
// `connectionsCheckingInterval`, 30 s by default; the server checks every second), and the number
// of connections per port is bounded.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { externalDnsGet } from './support/rawHttp.js';
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
  it('closes connections beyond maxConnections at once and serves again once they go', async () => {
    const { url } = await startServer(memoryProvider(), { maxConnections: 3 });
    const held = await Promise.all([open(url), open(url), open(url)]);
    // wait until the server counted them
    await new Promise((r) => setTimeout(r, 100));
    const extra = await open(url);
    const closed = await Promise.race([
      closedAfter(extra, performance.now()).then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
    ]);
    expect(closed).toBe(true);
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await externalDnsGet(url, '/')).status).toBe(200);
  });
});
