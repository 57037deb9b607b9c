// No request can take the sidecar down: random request lines, headers and bodies are sent to both
// ports of the running command (a child process), then the process must still serve, and the zone
// must be as it was. Bounded: a fixed number of requests from a seeded generator, each given at most
// a few seconds.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalDnsGet, externalDnsPost, rawRequest } from './support/rawHttp.js';
import { spawnCli, type CliProcess } from './support/cli.js';

const REQUESTS_PER_PORT = 250;
const CONCURRENCY = 8;
const PER_REQUEST_MS = 3000;

/** mulberry32: a small seeded generator, so a failure can be replayed with its seed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'CONNECT',
  'TRACE',
  'GE T',
  'post',
  '',
  'X'.repeat(300),
];
const TARGETS = [
  '/',
  '/records',
  '/adjustendpoints',
  '/healthz',
  '/livez',
  '/metrics',
  '//[::1',
  '//[::1]:80/records',
  '*',
  'http://localhost/records',
  'http://[::1/x',
  '/records?%zz',
  '/%',
  '/records/../records',
  '/' + 'a'.repeat(9000),
  '/\u0000',
  '/records#x',
  '',
  '?',
  '//',
  '\\\\',
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', '', 'http/1.1'];
const CONTENT_TYPES = [
  'application/external.dns.webhook+json;version=1',
  'application/json',
  'application/external.dns.webhook+json;version=2',
  'text/plain',
  'application/json; charset=ebcdic',
  ';;;',
  '',
];

function randomBody(g: ReturnType<typeof generator>): Buffer {
  switch (g.int(9)) {
    case 0:
      return g.bytes(g.int(2000));
    case 1:
      return Buffer.from('['.repeat(g.int(200_000)));
    case 2:
      return Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    case 3:
      return Buffer.from(
        JSON.stringify({ create: [{ dnsName: g.bytes(20).toString('latin1'), recordType: 'A' }] }),
      );
    case 4:
      return Buffer.from(
        JSON.stringify({
          [g.pick(['create', 'Create', 'delete', 'updateOld', 'updateNew', '__proto__', 'constructor'])]:
            g.pick([
              null,
              5,
              'x',
              [null],
              [{}],
              [{ dnsName: 5 }],
              [{ dnsName: 'a.example.com', recordType: 'A', targets: [5] }],
              [{ dnsName: 'a.example.com', recordType: 'TXT', targets: ['x'], labels: { __proto__: 'y' } }],
              [{ dnsName: 'z.example.com', recordType: 'A', targets: ['1.2.3.4'], recordTTL: -1 }],
              [{ dnsName: 'z.example.com', recordType: 'A', targets: ['1.2.3.4'], setIdentifier: 'x' }],
              [
                {
                  dnsName: 'y.example.com',
                  recordType: 'A',
                  targets: ['1.2.3.4'],
                  providerSpecific: [{ name: {} }],
                },
              ],
            ]),
        }),
      );
    case 5:
      return Buffer.from(JSON.stringify(g.pick([null, true, 0, 'str', [], {}, [[]], { create: {} }])));
    case 6:
      return Buffer.from(
        '{"create":[{"dnsName":"a.example.com","targets":["1.2.3.4"],"recordType":"A"}'.slice(0, g.int(80)),
      );
    case 7:
      return Buffer.from(`"${'\\u0000'.repeat(g.int(1000))}"`);
    default:
      return Buffer.alloc(0);
  }
}

function randomRequest(g: ReturnType<typeof generator>): Buffer {
  const body = randomBody(g);
  const headers: string[] = [];
  const n = g.int(6);
  for (let i = 0; i < n; i++) {
    switch (g.int(8)) {
      case 0:
        headers.push(`Content-Type: ${g.pick(CONTENT_TYPES)}`);
        break;
      case 1:
        headers.push(
          `Content-Length: ${g.pick([String(body.length), '-1', 'abc', '99999999999', '0', `${body.length}, ${body.length + 1}`])}`,
        );
        break;
      case 2:
        headers.push('Transfer-Encoding: chunked');
        break;
      case 3:
        headers.push(`Host: ${g.pick(['localhost', '[::1', '', 'a'.repeat(300)])}`);
        break;
      case 4:
        headers.push(`${g.bytes(8).toString('latin1')}: ${g.bytes(16).toString('latin1')}`);
        break;
      case 5:
        headers.push(`X-Long: ${'v'.repeat(g.int(20_000))}`);
        break;
      case 6:
        headers.push('Expect: 100-continue');
        break;
      default:
        headers.push(`Connection: ${g.pick(['close', 'keep-alive', 'upgrade', 'Upgrade, HTTP2-Settings'])}`);
    }
  }
  if (g.int(3) === 0) headers.push(`Content-Type: ${CONTENT_TYPES[0]}`, `Content-Length: ${body.length}`);
  const line = `${g.pick(METHODS)} ${g.pick(TARGETS)} ${g.pick(VERSIONS)}`;
  const head = Buffer.from(`${line}\r\n${headers.join('\r\n')}${headers.length ? '\r\n' : ''}\r\n`, 'latin1');
  return g.int(10) === 0 ? g.bytes(g.int(500)) : Buffer.concat([head, body]);
}

/** Sends raw bytes, half-closes, and waits for the server to answer and close (or gives up). */
function send(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => socket.destroy(), PER_REQUEST_MS);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => {
      socket.write(bytes, () => socket.end());
    });
  });
}

let cli: CliProcess;
let api: string;
let health: string;

beforeAll(async () => {
  cli = spawnCli({ DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'example.com' });
  ({ api, health } = await cli.ready());
  const seed = await externalDnsPost(
    api,
    '/records',
    JSON.stringify({ create: [{ dnsName: 'keep.example.com', recordType: 'A', targets: ['192.0.2.1'] }] }),
  );
  expect(seed.status).toBe(204);
}, 30_000);

afterAll(() => cli?.kill());

describe('fuzzing both ports', () => {
  it(
    `${REQUESTS_PER_PORT} random requests per port leave the process serving and the zone unchanged`,
    { timeout: 180_000 },
    async () => {
      const before = (await externalDnsGet(api, '/records')).text;
      const seed = 20261130;
      const g = generator(seed);
      const jobs: { port: number; bytes: Buffer }[] = [];
      for (const url of [api, health])
        for (let i = 0; i < REQUESTS_PER_PORT; i++)
          jobs.push({ port: Number(new URL(url).port), bytes: randomRequest(g) });
      // the one request target known to have ended the process
      jobs.push({
        port: Number(new URL(api).port),
        bytes: Buffer.from('GET //[::1 HTTP/1.1\r\nHost: x\r\n\r\n'),
      });
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < jobs.length) {
            const job = jobs[next++];
            if (job) await send(job.port, job.bytes);
          }
        }),
      );
      expect(cli.child.exitCode, `exited; seed ${seed}; stderr: ${cli.stderr()}`).toBeNull();
      expect((await rawRequest(health, { path: '/livez' })).status).toBe(200);
      expect((await externalDnsGet(api, '/')).status).toBe(200);
      expect((await externalDnsGet(api, '/records')).text).toBe(before);
      expect(cli.stderr()).not.toMatch(/Uncaught|TypeError|RangeError/);
    },
  );

  it('answers 400 to `GET //[::1` on both ports and serves the next request', async () => {
    for (const url of [api, health]) {
      const answer = await new Promise<string>((resolve) => {
        let text = '';
        const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('close', () => resolve(text));
        socket.on('connect', () => socket.end('GET //[::1 HTTP/1.1\r\nHost: x\r\n\r\n'));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect((await rawRequest(health, { path: '/livez' })).status).toBe(200);
  });
});
