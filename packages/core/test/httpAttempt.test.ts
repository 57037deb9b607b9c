import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortedError,
  pathWithQuery,
  sendHttpAttempt,
  type HttpAttempt,
  type HttpRequestEvent,
  type UnansweredAttempt,
} from '@openova/dns-core';

let server: Server;
let base: URL;
const seen: { url: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/api/slow')) return void setTimeout(() => res.end('late'), 500);
      res.writeHead(418, { 'retry-after': '3' }).end('{"teapot":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api`);
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const attempt = (over: Partial<HttpAttempt>): { events: HttpRequestEvent[]; input: HttpAttempt } => {
  const events: HttpRequestEvent[] = [];
  return {
    events,
    input: {
      provider: 'test',
      base,
      method: 'GET',
      path: '/x',
      attempt: 2,
      headers: { 'x-secret': 'hunter2' },
      timeoutMs: 2000,
      onRequest: (e) => events.push(e),
      unanswered: (f: UnansweredAttempt) => Object.assign(new Error(f.message), { facts: f }),
      ...over,
    },
  };
};

describe('sendHttpAttempt', () => {
  it('returns any answer whole, sends JSON bodies, and reports the attempt without its headers', async () => {
    const { events, input } = attempt({ method: 'POST', path: '/x?a=1', body: { b: 2 } });
    const answer = await sendHttpAttempt(input);
    expect(answer).toMatchObject({ status: 418, text: '{"teapot":true}', headers: { 'retry-after': '3' } });
    expect(seen.at(-1)).toMatchObject({ url: '/api/x?a=1', body: '{"b":2}' });
    expect(seen.at(-1)?.headers).toMatchObject({ 'content-type': 'application/json', 'x-secret': 'hunter2' });
    expect(events).toEqual([
      { method: 'POST', path: '/x?a=1', attempt: 2, status: 418, durationMs: expect.any(Number) },
    ]);
  });

  it('turns a timeout and a refused connection into the client’s own errors', async () => {
    const slow = attempt({ path: '/slow', timeoutMs: 50 });
    const timedOut = (await sendHttpAttempt(slow.input).catch((e: unknown) => e)) as {
      facts: UnansweredAttempt;
    };
    expect(timedOut.facts).toEqual({
      kind: 'timeout',
      message: 'test: GET /slow timed out after 50 ms',
      method: 'GET',
      path: '/slow',
      retryable: true,
      attempts: 2,
    });
    expect(slow.events[0]?.failure).toBe('timeout');

    const refused = attempt({ base: new URL('http://127.0.0.1:9/api') });
    const failed = (await sendHttpAttempt(refused.input).catch((e: unknown) => e)) as {
      facts: UnansweredAttempt;
    };
    expect(failed.facts).toMatchObject({ kind: 'network', code: 'PROVIDER_UNREACHABLE', attempts: 2 });
    expect(failed.facts.message).toMatch(
      /^test: GET \/x failed: .*ECONNREFUSED.*\(http:\/\/127\.0\.0\.1:9\)$/,
    );
    expect(refused.events[0]?.failure).toBe('network');
  });

  it('throws AbortedError when the caller cancels', async () => {
    const controller = new AbortController();
    const { events, input } = attempt({ path: '/slow', signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(sendHttpAttempt(input)).rejects.toBeInstanceOf(AbortedError);
    expect(events[0]?.failure).toBe('aborted');
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
