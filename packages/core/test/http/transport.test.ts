import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError, ConfigError, HttpProviderError } from '@openova/dns-core';
import {
  HttpTransport,
  RateLimiter,
  type HttpRequestEvent,
  type HttpRetryEvent,
  type HttpTransportOptions,
} from '@openova/dns-core/http';

const TOKEN = 'tok-0123456789-secret';

/** A loopback server whose answers a test scripts; it counts connections and requests. */
interface Loopback {
  url: string;
  connections: number;
  requests: { method: string; url: string; at: number; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

const open: Loopback[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function loopback(
  handler: (req: IncomingMessage, res: ServerResponse, index: number) => void,
): Promise<Loopback> {
  const state: Loopback = { url: '', connections: 0, requests: [], close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const index = state.requests.length;
    state.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      at: Date.now(),
      headers: req.headers,
    });
    req.resume();
    req.on('end', () => handler(req, res, index));
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  open.push(state);
  return state;
}

function transport(server: Loopback | string, extra: Partial<HttpTransportOptions> = {}) {
  const events: HttpRequestEvent[] = [];
  const retries: HttpRetryEvent[] = [];
  const t = new HttpTransport({
    provider: 'test',
    baseUrl: typeof server === 'string' ? server : server.url,
    headers: { authorization: `Bearer ${TOKEN}` },
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    onRequest: (e) => events.push(e),
    onRetry: (e) => retries.push(e),
    ...extra,
  });
  return { t, events, retries };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as HttpProviderError,
  );

describe('connection pool', () => {
  it('60 concurrent requests use at most `connections` connections', async () => {
    const server = await loopback((_req, res) => setTimeout(() => res.end('{}'), 10));
    const { t } = transport(server, { connections: 8 });
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => t.request({ method: 'GET', path: `/z/${i}` })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(server.requests).toHaveLength(60);
    expect(server.connections).toBeGreaterThan(0);
    expect(server.connections).toBeLessThanOrEqual(8);
    await t.close();
  });

  it('close() and Symbol.asyncDispose close the pool; later calls fail with ConfigError', async () => {
    const server = await loopback((_req, res) => res.end('{}'));
    const { t } = transport(server);
    await t.request({ method: 'GET', path: '/' });
    await t[Symbol.asyncDispose]();
    await expect(t.request({ method: 'GET', path: '/' })).rejects.toBeInstanceOf(ConfigError);
    await t.close(); // twice is fine
  });
});

describe('idempotency rule', () => {
  /** Reads the request, then drops the connection without answering: it may have been run. */
  const dropAfterReading = (req: IncomingMessage) => req.socket.destroy();

  it('a reset after sending is retried for GET and PUT but never for POST or PATCH', async () => {
    const server = await loopback(dropAfterReading);
    for (const method of ['GET', 'PUT'] as const) {
      const { t } = transport(server);
      expect(await failure(t.request({ method, path: '/x' }))).toMatchObject({
        kind: 'network',
        attempts: 3,
      });
    }
    expect(server.requests).toHaveLength(6);
    for (const method of ['POST', 'PATCH'] as const) {
      const { t, retries } = transport(server);
      expect(await failure(t.request({ method, path: '/x', body: { a: 1 } }))).toMatchObject({
        kind: 'network',
        retryable: true,
        attempts: 1,
      });
      expect(retries).toEqual([]);
    }
    expect(server.requests).toHaveLength(8);
    // marked idempotent: retried like a GET
    const { t } = transport(server);
    await failure(t.request({ method: 'PATCH', path: '/x', body: {}, idempotent: true }));
    expect(server.requests).toHaveLength(11);
  });

  it('a timeout after sending is not retried for POST', async () => {
    const server = await loopback(() => undefined); // never answers
    const { t } = transport(server, { timeoutMs: 100 });
    expect(await failure(t.request({ method: 'POST', path: '/x', body: {} }))).toMatchObject({
      kind: 'timeout',
      retryable: true,
      attempts: 1,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('a per-call timeout with a fraction is rounded up to whole ms; one that is not positive is a ConfigError before sending', async () => {
    const server = await loopback(() => undefined); // never answers
    const { t } = transport(server);
    const error = await failure(t.request({ method: 'GET', path: '/x', retry: false }, { timeoutMs: 60.4 }));
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(error.message).toContain('timed out after 61 ms');
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY])
      await expect(t.request({ method: 'GET', path: '/x' }, { timeoutMs: bad })).rejects.toBeInstanceOf(
        ConfigError,
      );
    expect(server.requests).toHaveLength(1);
  });

  it('a refused connection proves nothing was sent: even a POST is retried', async () => {
    const { t, events, retries } = transport('http://127.0.0.1:9/api');
    const error = await failure(t.request({ method: 'POST', path: '/x', body: {} }));
    expect(error).toMatchObject({ kind: 'network', code: 'PROVIDER_UNREACHABLE', attempts: 3 });
    expect(events.map((e) => e.failure)).toEqual(['network', 'network', 'network']);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('a 5xx is retried for GET, not for POST; the provider may prove a POST was not run', async () => {
    const server = await loopback((_req, res) => res.writeHead(500).end('database is locked'));
    expect(await failure(transport(server).t.request({ method: 'GET', path: '/' }))).toMatchObject({
      status: 500,
      attempts: 3,
    });
    expect(await failure(transport(server).t.request({ method: 'POST', path: '/', body: {} }))).toMatchObject(
      {
        status: 500,
        attempts: 1,
      },
    );
    const lockAware = transport(server, { notExecuted: (e) => /locked/.test(e.serverMessage ?? '') }).t;
    expect(await failure(lockAware.request({ method: 'POST', path: '/', body: {} }))).toMatchObject({
      attempts: 3,
    });
    expect(server.requests).toHaveLength(7);
  });

  it('a 4xx is not retried; retry: false makes a single attempt', async () => {
    const server = await loopback((_req, res) => res.writeHead(400).end('bad'));
    expect(await failure(transport(server).t.request({ method: 'GET', path: '/' }))).toMatchObject({
      status: 400,
      retryable: false,
      attempts: 1,
      serverMessage: 'bad',
      message: 'test: GET / answered 400: bad',
    });
    const busy = await loopback((_req, res) => res.writeHead(503).end());
    expect(
      await failure(transport(busy).t.request({ method: 'GET', path: '/', retry: false })),
    ).toMatchObject({
      status: 503,
      retryable: true,
      attempts: 1,
    });
  });
});

describe('Retry-After', () => {
  it('waits out a 429 Retry-After, even for a POST, and says so in onRetry', async () => {
    const server = await loopback((_req, res, i) =>
      i === 0 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.end('{"ok":true}'),
    );
    const { t, retries } = transport(server, { retry: { retries: 0 } });
    const answer = await t.request({ method: 'POST', path: '/create', body: {} });
    expect(answer).toMatchObject({ status: 200, attempts: 2, text: '{"ok":true}' });
    expect(retries).toEqual([
      expect.objectContaining({ attempt: 1, status: 429, code: 'PROVIDER_RATE_LIMITED', retryAfterMs: 1000 }),
    ]);
    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
  });

  it('maxRetryAfterTotalMs bounds the Retry-After waits of one call in all, however many maxRetryAfterWaits allows', async () => {
    const server = await loopback((_req, res) => res.writeHead(429, { 'retry-after': '1' }).end());
    const { t, retries } = transport(server, {
      retry: { retries: 0 },
      maxRetryAfterWaits: 50,
      maxRetryAfterTotalMs: 2000,
    });
    expect(await failure(t.request({ method: 'GET', path: '/' }))).toMatchObject({
      status: 429,
      code: 'PROVIDER_RATE_LIMITED',
      retryable: true,
      attempts: 3,
    });
    // two waits of 1 s fit in 2 s; a third would not, so it is not made
    expect(retries.map((r) => r.retryAfterMs)).toEqual([1000, 1000]);
    expect(server.requests).toHaveLength(3);
  });

  it('a 503 Retry-After is honoured for a GET, but a POST is not resent', async () => {
    const server = await loopback((_req, res, i) =>
      i % 2 === 0 ? res.writeHead(503, { 'retry-after': '0' }).end() : res.end('{}'),
    );
    const { t } = transport(server);
    expect((await t.request({ method: 'GET', path: '/' })).attempts).toBe(2);
    expect(await failure(t.request({ method: 'POST', path: '/', body: {} }))).toMatchObject({
      status: 503,
      retryAfter: 0,
      attempts: 1,
    });
  });

  it('fails fast past maxRetryAfterMs with a retryable error, and blocks the limiter for everyone', async () => {
    const server = await loopback((_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    const limiter = new RateLimiter({ requests: 100, windowMs: 1000 });
    const { t } = transport(server, { rateLimiter: limiter, maxRetryAfterMs: 2000 });
    expect(await failure(t.request({ method: 'GET', path: '/' }))).toMatchObject({
      kind: 'http',
      status: 429,
      code: 'PROVIDER_RATE_LIMITED',
      retryable: true,
      retryAfter: 120,
      attempts: 1,
    });
    expect(limiter.blockedUntil).toBeGreaterThan(Date.now() + 100_000);
    const other = transport(server, { rateLimiter: limiter, maxRetryAfterMs: 2000 }).t;
    const refused = await failure(other.request({ method: 'GET', path: '/' }));
    expect(refused).toMatchObject({
      kind: 'rate-limited',
      code: 'PROVIDER_RATE_LIMITED',
      retryable: true,
      attempts: 0,
    });
    expect(refused.retryAfter).toBeGreaterThan(100);
    expect(server.requests).toHaveLength(1);
  });

  it('the caller’s abort ends a Retry-After wait at once with AbortedError', async () => {
    const server = await loopback((_req, res) => res.writeHead(429, { 'retry-after': '20' }).end());
    const controller = new AbortController();
    const { t } = transport(server, { onRetry: () => controller.abort() });
    const error = await t
      .request({ method: 'GET', path: '/wait', signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).message).toBe('test: GET /wait aborted');
    expect(server.requests).toHaveLength(1);
  });
});

describe('events, request ids and secrets', () => {
  it('reports every attempt and retry without headers; a throwing hook breaks nothing', async () => {
    const server = await loopback((_req, res, i) =>
      i === 0
        ? res.writeHead(502, { 'cf-ray': 'ray-1' }).end()
        : res.writeHead(200, { 'cf-ray': 'ray-2' }).end('{}'),
    );
    const { t, events, retries } = transport(server, { requestIdHeaders: ['x-request-id', 'cf-ray'] });
    const answer = await t.request({ method: 'GET', path: '/zones', query: { page: 1 } });
    expect(answer.requestId).toBe('ray-2');
    expect(events).toEqual([
      {
        provider: 'test',
        method: 'GET',
        path: '/zones?page=1',
        attempt: 1,
        status: 502,
        durationMs: expect.any(Number),
        requestId: 'ray-1',
      },
      {
        provider: 'test',
        method: 'GET',
        path: '/zones?page=1',
        attempt: 2,
        status: 200,
        durationMs: expect.any(Number),
        requestId: 'ray-2',
      },
    ]);
    expect(retries).toEqual([
      {
        provider: 'test',
        method: 'GET',
        path: '/zones?page=1',
        attempt: 1,
        kind: 'http',
        status: 502,
        code: 'PROVIDER',
      },
    ]);
    const throwing = transport(server, {
      onRequest: () => {
        throw new Error('hook');
      },
      onRetry: () => {
        throw new Error('hook');
      },
    }).t;
    expect((await throwing.request({ method: 'GET', path: '/' })).status).toBe(200);
  });

  it('keeps the request id on errors', async () => {
    const server = await loopback((_req, res) =>
      res.writeHead(404, { 'x-amzn-requestid': 'amz-9' }).end('nope'),
    );
    const { t } = transport(server, { requestIdHeaders: ['x-amzn-requestid', 'x-ms-request-id'] });
    const error = await failure(t.request({ method: 'GET', path: '/' }));
    expect(error).toBeInstanceOf(HttpProviderError);
    expect(error).toMatchObject({ requestId: 'amz-9', status: 404 });
    expect(error.toJSON()).toMatchObject({ requestId: 'amz-9', status: 404, kind: 'http' });
  });

  it('redacts a credential the server echoes from the message, serverMessage, JSON, inspect and events', async () => {
    const server = await loopback((req, res) =>
      res
        .writeHead(401)
        .end(`invalid credential ${req.headers.authorization} (token ${TOKEN}); also pw hunter2`),
    );
    const { t, events } = transport(server, { secrets: ['hunter2'] });
    const error = await failure(t.request({ method: 'GET', path: '/zones', query: { key: TOKEN } }));
    expect(error.code).toBe('PROVIDER_AUTH');
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const shown = [
      error.message,
      error.serverMessage,
      error.path,
      JSON.stringify(error),
      inspect(error),
      JSON.stringify(events),
    ];
    for (const text of shown) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('hunter2');
    }
    expect(error.serverMessage).toBe('invalid credential [redacted] (token [redacted]); also pw [redacted]');
    expect(error.path).toBe('/zones?key=[redacted]');
    expect(inspect(t)).not.toContain(TOKEN);
    expect(JSON.stringify(t)).not.toContain(TOKEN);
  });
});

describe('authorize', () => {
  it('computes headers before every attempt (a refreshed token) and redacts what it returned', async () => {
    const server = await loopback((req, res) =>
      res
        .writeHead(req.headers.authorization === 'Bearer fresh-token-2' ? 200 : 503)
        .end(`{"seen":"${req.headers.authorization}"}`),
    );
    let n = 0;
    const { t } = transport(server, {
      headers: {},
      authorize: () => Promise.resolve({ authorization: `Bearer fresh-token-${++n}` }),
    });
    const ok = await t.request({ method: 'GET', path: '/zones' });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer fresh-token-1',
      'Bearer fresh-token-2',
    ]);
    expect(ok.status).toBe(200);
    const bad = await loopback((req, res) => res.writeHead(401).end(`bad ${req.headers.authorization}`));
    const { t: t2 } = transport(bad, {
      headers: {},
      authorize: () => Promise.resolve({ authorization: 'Bearer echoed-secret-token' }),
    });
    const error = await failure(t2.request({ method: 'GET', path: '/zones' }));
    for (const text of [error.message, error.serverMessage, JSON.stringify(error), inspect(error)])
      expect(text).not.toContain('echoed-secret-token');
  });
});

describe('success bodies', () => {
  it('reads JSON with a schema and reports an unexpected body as a typed invalid-response', async () => {
    const server = await loopback((req, res) => res.end(req.url?.endsWith('/bad') ? 'not json' : '{"n":1}'));
    const { t } = transport(server);
    const schema = {
      safeParse: (v: unknown) =>
        typeof (v as { n?: unknown }).n === 'number'
          ? { success: true as const, data: v as { n: number } }
          : { success: false as const, error: { message: 'n must be a number' } },
    };
    expect(t.readJson(await t.request({ method: 'GET', path: '/ok' }), schema)).toEqual({ n: 1 });
    const bad = await t.request({ method: 'GET', path: '/bad' });
    expect(() => t.readJson(bad, schema)).toThrow(/test: GET \/bad returned an unexpected body: not JSON/);
    expect(() => t.check(bad, {}, schema)).toThrow(
      expect.objectContaining({ kind: 'invalid-response', retryable: false }),
    );
  });

  it('refuses a success body larger than maxBodyBytes; exact expectStatus', async () => {
    const server = await loopback((_req, res) => res.end('x'.repeat(2000)));
    const { t } = transport(server, { maxBodyBytes: 1000 });
    expect(await failure(t.request({ method: 'GET', path: '/' }))).toMatchObject({
      kind: 'invalid-response',
      retryable: false,
    });
    const exact = transport(server).t;
    expect(await failure(exact.request({ method: 'POST', path: '/', expectStatus: 204 }))).toMatchObject({
      status: 200,
      retryable: false,
    });
  });
});

describe('RateLimiter', () => {
  it('sliding window: at most N per window, measured from the Nth last send', async () => {
    const limiter = new RateLimiter({ requests: 2, windowMs: 1000 });
    await limiter.acquire({ maxWaitMs: 0 });
    await limiter.acquire({ maxWaitMs: 0 });
    const now = Date.now();
    expect(limiter.waitMs(now)).toBeGreaterThan(900);
    expect(limiter.waitMs(now + 1000)).toBe(0);
    await expect(limiter.acquire({ maxWaitMs: 10 })).rejects.toMatchObject({ name: 'RateLimitWaitTooLong' });
  });

  it('token bucket: a full bucket allows a burst, then one token per windowMs/requests', async () => {
    const limiter = new RateLimiter({ requests: 3, windowMs: 3000, strategy: 'token-bucket' });
    for (let i = 0; i < 3; i++) await limiter.acquire({ maxWaitMs: 0 });
    const now = Date.now();
    expect(limiter.waitMs(now)).toBeGreaterThan(900);
    expect(limiter.waitMs(now + 1000)).toBe(0);
  });

  it('a block wins over the window; an abort ends the wait', async () => {
    const limiter = new RateLimiter({ requests: 10, windowMs: 1000 });
    limiter.block(Date.now() + 30_000);
    const controller = new AbortController();
    const waiting = limiter.acquire({ maxWaitMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('per-call headers, authorize and per-call limiters', () => {
  it('sends per-call headers after the transport’s and authorize headers fetched per attempt, redacted everywhere', async () => {
    const server = await loopback((_req, res, i) => {
      if (i === 0) {
        res.statusCode = 503;
        res.end('{"message":"busy"}');
      } else {
        res.statusCode = 400;
        res.end(`bad token tok-dyn-2 and tok-dyn-1`);
      }
    });
    let n = 0;
    const { t, events } = transport(server, {
      authorize: () => Promise.resolve({ authorization: `Bearer tok-dyn-${++n}` }),
    });
    const error = await failure(
      t.request({ method: 'PUT', path: '/rs', body: {}, headers: { 'if-match': 'etag-1' } }),
    );
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-dyn-1',
      'Bearer tok-dyn-2',
    ]);
    expect(server.requests.every((r) => r.headers['if-match'] === 'etag-1')).toBe(true);
    expect(error.status).toBe(400);
    expect(error.message).not.toContain('tok-dyn');
    expect(error.serverMessage).toBe('bad token [redacted] and [redacted]');
    expect(JSON.stringify(events)).not.toContain('tok-dyn');
  });

  it('a failing authorize is thrown as is, without a request or retry', async () => {
    const server = await loopback((_req, res) => res.end('{}'));
    const { t } = transport(server, { authorize: () => Promise.reject(new ConfigError('no credential')) });
    await expect(t.request({ method: 'GET', path: '/' })).rejects.toBeInstanceOf(ConfigError);
    expect(server.requests).toHaveLength(0);
  });

  it('acquires per-call limiters too, and a 429 with Retry-After blocks them', async () => {
    const server = await loopback((_req, res, i) => {
      if (i === 0) {
        res.statusCode = 429;
        res.setHeader('retry-after', '0');
        res.end('{}');
      } else res.end('{}');
    });
    const zone = new RateLimiter({ requests: 1, windowMs: 60_000 });
    const blocks: number[] = [];
    const spy = {
      acquire: (o: { maxWaitMs: number }) => zone.acquire(o),
      block: (u: number) => blocks.push(u),
    };
    const { t } = transport(server, { maxRetryAfterMs: 100 });
    const answer = await t
      .request({ method: 'GET', path: '/a', rateLimiters: [spy] })
      .catch((e: unknown) => e);
    // the zone budget of 1 per minute was used by the first attempt: the retry may not go
    expect(answer).toMatchObject({ kind: 'rate-limited', code: 'PROVIDER_RATE_LIMITED' });
    expect(server.requests).toHaveLength(1);
    expect(blocks).toHaveLength(1);
  });
});

describe('a write of unknown outcome is read back before it is resent (confirmApplied)', () => {
  /** Answers the first request by closing the connection (its outcome unknown), later ones with 204. */
  const losesFirstAnswer = () =>
    loopback((req, res, index) => {
      if (index === 0) req.socket.destroy();
      else res.writeHead(204).end();
    });

  it('applied: the call succeeds, marked confirmed, without a second request', async () => {
    const server = await losesFirstAnswer();
    const { t } = transport(server, { retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 } });
    let asked = 0;
    const response = await t.request({
      method: 'PATCH',
      path: '/zones/z',
      body: { a: 1 },
      confirmApplied: () => Promise.resolve(++asked > 0),
    });
    expect(response).toMatchObject({ confirmed: true, status: 0, attempts: 1 });
    expect(asked).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it('not applied: sent once more, within the retry budget', async () => {
    const server = await losesFirstAnswer();
    const { t } = transport(server, { retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 } });
    const response = await t.request({
      method: 'PATCH',
      path: '/zones/z',
      body: { a: 1 },
      confirmApplied: () => Promise.resolve(false),
    });
    expect(response.status).toBe(204);
    expect(response.confirmed).toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });

  it('without confirmApplied, or when it fails, the write is not resent and the failure stands', async () => {
    for (const confirmApplied of [undefined, () => Promise.reject(new Error('read failed'))]) {
      const server = await losesFirstAnswer();
      const { t } = transport(server, { retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 } });
      const error = await t
        .request({
          method: 'PATCH',
          path: '/zones/z',
          body: { a: 1 },
          ...(confirmApplied ? { confirmApplied } : {}),
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(HttpProviderError);
      expect((error as HttpProviderError<string>).kind).toBe('network');
      expect(server.requests).toHaveLength(1);
    }
  });

  it('an idempotent call is simply resent, never read back', async () => {
    const server = await losesFirstAnswer();
    const { t } = transport(server, { retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 } });
    let asked = 0;
    await t.request({
      method: 'PUT',
      path: '/zones/z',
      body: { a: 1 },
      confirmApplied: () => Promise.resolve(++asked > 0),
    });
    expect(asked).toBe(0);
    expect(server.requests).toHaveLength(2);
  });
});
