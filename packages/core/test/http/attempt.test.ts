import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pathWithQuery,
  sendHttpAttempt,
  type HttpAttempt,
  type HttpAttemptFailure,
} from '@openova/dns-core/http';

let server: Server;
let base: string;
const dispatcher = new Agent();
const seen: { url: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/api/slow')) return void setTimeout(() => res.end('late'), 500);
      if (req.url?.startsWith('/api/big')) return void res.end('x'.repeat(5000));
      res.writeHead(418, { 'retry-after': '3' }).end('{"teapot":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  await dispatcher.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const attempt = (over: Partial<HttpAttempt>): HttpAttempt => ({
  url: `${base}/x`,
  method: 'GET',
  headers: { 'x-secret': 'hunter2' },
  timeoutMs: 2000,
  dispatcher,
  isSuccess: (status) => status < 300,
  maxErrorBodyBytes: 4,
  ...over,
});

const failureOf = (a: HttpAttempt) => sendHttpAttempt(a).catch((e: unknown) => e as HttpAttemptFailure);

describe('sendHttpAttempt', () => {
  it('returns any answer, sends the body given, and cuts error bodies at maxErrorBodyBytes', async () => {
    const answer = await sendHttpAttempt(attempt({ method: 'POST', url: `${base}/x?a=1`, body: '{"b":2}' }));
    expect(answer).toMatchObject({ status: 418, text: '{"te', headers: { 'retry-after': '3' } });
    expect(seen.at(-1)).toMatchObject({ url: '/api/x?a=1', body: '{"b":2}' });
    expect(seen.at(-1)?.headers).toMatchObject({ 'x-secret': 'hunter2' });
  });

  it('classifies a timeout, a refused connection (unsent), an abort and a body over the limit', async () => {
    expect(await failureOf(attempt({ url: `${base}/slow`, timeoutMs: 50 }))).toMatchObject({
      kind: 'timeout',
      unsent: false,
    });
    expect(await failureOf(attempt({ url: 'http://127.0.0.1:9/api/x' }))).toMatchObject({
      kind: 'network',
      unsent: true,
    });
    const controller = new AbortController();
    const aborted = failureOf(attempt({ url: `${base}/slow`, signal: controller.signal }));
    controller.abort();
    expect(await aborted).toMatchObject({ kind: 'aborted' });
    expect(await failureOf(attempt({ url: `${base}/big`, maxBodyBytes: 1000 }))).toMatchObject({
      kind: 'too-large',
      status: 200,
    });
    expect((await sendHttpAttempt(attempt({ url: `${base}/big` }))).text).toHaveLength(5000);
  });
});

describe('pathWithQuery', () => {
  it('appends the defined values, encoded', () => {
    expect(pathWithQuery('/zones', { a: 'x y', b: undefined, c: false, d: 3 })).toBe(
      '/zones?a=x+y&c=false&d=3',
    );
    expect(pathWithQuery('/zones', { b: undefined })).toBe('/zones');
    expect(pathWithQuery('/zones')).toBe('/zones');
  });
});
