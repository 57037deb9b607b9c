// WebhookProvider against our server and against scripted servers (other webhook implementations).
import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError, endpoint, ProviderError, type Endpoint } from '@openova/dns-core';
import { WebhookError, WebhookProvider } from '@openova/dns-webhook';
import { MEDIA_TYPE } from './support/rawHttp.js';
import { reply, scriptedServer, type Scripted } from './support/scripted.js';
import { memoryProvider, startServer, stopAll } from './support/servers.js';

const open: Array<Scripted | WebhookProvider> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
  await stopAll();
});

const fast = { negotiationRetry: { retries: 4, minDelayMs: 5, maxDelayMs: 20 } };

async function scripted(answer: Parameters<typeof scriptedServer>[0]): Promise<Scripted> {
  const server = await scriptedServer(answer);
  open.push(server);
  return server;
}

async function connect(url: string, options: Parameters<typeof WebhookProvider.connect>[0] = {}) {
  const provider = await WebhookProvider.connect({ url, ...fast, ...options });
  open.push(provider);
  return provider;
}

function negotiateOk(res: Parameters<typeof reply>[0], filter = '{"include":["example.com"]}') {
  reply(res, 200, filter, MEDIA_TYPE);
}

describe('URLs with a trailing slash', () => {
  it('`--webhook-provider-url`-style `http://host:port/` sends /records, never //records (a Go ServeMux would redirect it)', async () => {
    const server = await scripted((request, res) => {
      if (request.path === '/') return negotiateOk(res);
      if (request.path === '/records' && request.method === 'GET') return reply(res, 200, '[]', MEDIA_TYPE);
      if (request.path === '/records') return reply(res, 204);
      reply(res, 404, 'not found');
    });
    const provider = await connect(`${server.url}/`);
    expect(await provider.records()).toEqual([]);
    await provider.applyChanges({ create: [], updateOld: [], updateNew: [], delete: [] });
    expect(server.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /',
      'GET /records',
      'POST /records',
    ]);
  });
});

describe('against our server', () => {
  it('negotiates the domain filter, reads, adjusts and applies', async () => {
    const inner = memoryProvider([{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }]);
    const { url } = await startServer(inner);
    const provider = await connect(url);
    expect(provider.name).toBe('webhook');
    expect(provider.domainFilter.toJSON()).toEqual({
      include: ['example.com', 'example.org'],
      exclude: ['private.example.com'],
    });
    expect(provider.domainFilter.matches('x.private.example.com')).toBe(false);
    const records = await provider.records();
    expect(records).toEqual([
      endpoint({ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }),
    ]);
    const adjusted = await provider.adjustEndpoints([
      endpoint({ dnsName: 'v6.example.com', recordType: 'AAAA', targets: ['2001:DB8::0:1'] }),
    ]);
    expect(adjusted[0]?.targets).toEqual(['2001:db8::1']);
    await provider.applyChanges({ create: adjusted, updateOld: [], updateNew: [], delete: records });
    expect((await inner.records()).map((r) => r.dnsName)).toEqual(['v6.example.com']);
  });

  it('surfaces a record our server could not apply as a retryable 500 WebhookError carrying the message', async () => {
    const { url } = await startServer(memoryProvider());
    const provider = await connect(url);
    const bad: Endpoint = endpoint({ dnsName: 'x.example.com', recordType: 'A', targets: ['not-an-ip'] });
    const good: Endpoint = endpoint({ dnsName: 'y.example.com', recordType: 'A', targets: ['192.0.2.1'] });
    const error = await provider
      .applyChanges({ create: [bad, good], updateOld: [], updateNew: [], delete: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookError);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      kind: 'status',
      status: 500,
      retryable: true,
      path: '/records',
      code: 'PROVIDER', // the same code as every provider's for a refused call
    });
    expect((error as WebhookError).serverMessage).toMatch(/x\.example\.com A: create\[0\]\.targets\[0\]/);
  });
});

describe('negotiation', () => {
  it('sends Accept with the media type and retries 5xx and connection failures', async () => {
    let calls = 0;
    const server = await scripted((req, res) => {
      calls++;
      if (calls < 3) return reply(res, 503, 'warming up');
      negotiateOk(res);
    });
    const provider = await connect(server.url);
    expect(calls).toBe(3);
    expect(server.seen[0]?.headers.accept).toBe(MEDIA_TYPE);
    expect(provider.domainFilter.include).toEqual(['example.com']);
  });

  it('gives up after five attempts', async () => {
    const server = await scripted((_req, res) => reply(res, 500, 'broken'));
    const error = await connect(server.url).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'status', status: 500, attempts: 5 });
    expect(server.seen).toHaveLength(5);
  });

  it('does not retry 4xx', async () => {
    const server = await scripted((_req, res) => reply(res, 404, 'no'));
    const error = await connect(server.url).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'status', status: 404, retryable: false });
    expect(server.seen).toHaveLength(1);
  });

  it('retries a refused connection, then reports a network error', async () => {
    const server = await scripted((_req, res) => negotiateOk(res));
    const url = server.url;
    await server.close();
    const error = await connect(url, { negotiationRetry: { retries: 2, minDelayMs: 5 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind: 'network', retryable: true, attempts: 3 });
  });

  it('refuses a Content-Type with a charset (the gravity webhook bug) and a wrong body', async () => {
    const charset = await scripted((_req, res) => reply(res, 200, '{}', `${MEDIA_TYPE}; charset=utf-8`));
    await expect(connect(charset.url)).rejects.toThrow(/wrong content type returned from server/);
    const json = await scripted((_req, res) => reply(res, 200, '{}', 'application/json'));
    await expect(connect(json.url)).rejects.toThrow(/wrong content type/);
    const both = await scripted((_req, res) => negotiateOk(res, '{"include":["a.com"],"regexInclude":"x"}'));
    await expect(connect(both.url)).rejects.toMatchObject({ kind: 'invalid-response' });
  });

  it('accepts {} and null as "everything" and the regex form', async () => {
    for (const [body, matches] of [
      ['{}', true],
      ['null', true],
      ['{"regexInclude":"^a\\\\.","regexExclude":""}', false],
    ] as const) {
      const server = await scripted((_req, res) => negotiateOk(res, body));
      const provider = await connect(server.url);
      expect(provider.domainFilter.matches('b.example.com')).toBe(matches);
    }
  });

  it('reads domain filter keys in any casing, as Go decodes them (`Include` is not "everything")', async () => {
    for (const body of [
      '{"Include":["example.com"],"EXCLUDE":["private.example.com"]}',
      '{"RegexInclude":"example\\\\.com$","regexexclude":"^private\\\\."}',
    ]) {
      const server = await scripted((_req, res) => negotiateOk(res, body));
      const provider = await connect(server.url);
      expect(provider.domainFilter.matches('a.example.com'), body).toBe(true);
      expect(provider.domainFilter.matches('a.example.org'), body).toBe(false);
      expect(provider.domainFilter.matches('private.example.com'), body).toBe(false);
    }
  });

  it('can be aborted', async () => {
    const server = await scripted((_req, res) => reply(res, 503));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await connect(server.url, {
      signal: controller.signal,
      negotiationRetry: { retries: 10, minDelayMs: 20 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
  });
});

describe('calls after negotiation: one attempt, exact statuses', () => {
  async function against(answer: (path: string, method: string) => [number, string?]) {
    const server = await scripted((req, res) => {
      if (req.path === '/') return negotiateOk(res);
      const [status, body] = answer(req.path, req.method);
      reply(res, status, body ?? '', MEDIA_TYPE);
    });
    return { server, provider: await connect(server.url) };
  }
  const noChanges = { create: [], updateOld: [], updateNew: [], delete: [] };

  it('accepts null bodies for records and adjustendpoints', async () => {
    const { provider } = await against(() => [200, 'null']);
    expect(await provider.records()).toEqual([]);
    expect(await provider.adjustEndpoints([])).toEqual([]);
  });

  it('reads records without content validation (any type, absent fields, any key casing)', async () => {
    const { provider } = await against(() => [
      200,
      '[{"DNSName":"geo.example.com","Targets":["A \\"pickclosest({\'192.0.2.1\'})\\""],"RecordType":"LUA"},{"dnsName":"e.example.com","recordType":"TXT"}]',
    ]);
    const records = await provider.records();
    expect(records.map((r) => [r.dnsName, r.recordType, r.targets.length])).toEqual([
      ['geo.example.com', 'LUA', 1],
      ['e.example.com', 'TXT', 0],
    ]);
  });

  it('sends changes with the media type and omits empty lists', async () => {
    const { server, provider } = await against(() => [204]);
    await provider.applyChanges({
      ...noChanges,
      create: [endpoint({ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] })],
    });
    const post = server.seen.find((r) => r.method === 'POST');
    expect(post?.headers['content-type']).toBe(MEDIA_TYPE);
    expect(JSON.parse(post?.body ?? '')).toEqual({
      create: [{ dnsName: 'a.example.com', targets: ['192.0.2.1'], recordType: 'A' }],
    });
  });

  it('a 200 for an apply is a failure (ExternalDNS requires exactly 204)', async () => {
    const { provider } = await against(() => [200, '{}']);
    await expect(provider.applyChanges(noChanges)).rejects.toMatchObject({
      kind: 'status',
      status: 200,
      retryable: false,
    });
  });

  it('500–510 are retryable; 511, 4xx and 3xx are not; none is retried', async () => {
    for (const [status, retryable] of [
      [500, true],
      [503, true],
      [510, true],
      [511, false],
      [400, false],
      [404, false],
      [302, false],
    ] as const) {
      const { server, provider } = await against(() => [status, 'nope']);
      const error = await provider.records().catch((e: unknown) => e);
      expect(error, String(status)).toMatchObject({ kind: 'status', status, retryable });
      expect(server.seen.filter((r) => r.path === '/records')).toHaveLength(1);
    }
  });

  it('malformed or invalid bodies are typed, non-retryable errors', async () => {
    const { provider } = await against((path) =>
      path === '/records' ? [200, '[{"dnsName":'] : [200, '[{"targets":[]}]'],
    );
    await expect(provider.records()).rejects.toMatchObject({ kind: 'invalid-response', retryable: false });
    await expect(provider.adjustEndpoints([])).rejects.toMatchObject({ kind: 'invalid-response' });
  });

  it('a response over the body limit is refused', async () => {
    const server = await scripted((req, res) => {
      if (req.path === '/') return negotiateOk(res);
      reply(
        res,
        200,
        JSON.stringify([{ dnsName: 'a.example.com', recordType: 'TXT', targets: ['x'.repeat(5000)] }]),
      );
    });
    const provider = await connect(server.url, { maxBodyBytes: 1000 });
    await expect(provider.records()).rejects.toThrow(/larger than 1000 bytes/);
  });

  it('times out a hanging server with a retryable timeout error', async () => {
    const server = await scripted((req, res) => {
      if (req.path === '/') return negotiateOk(res);
      // never answers
    });
    const provider = await connect(server.url, { timeoutMs: 100 });
    await expect(provider.records()).rejects.toMatchObject({ kind: 'timeout', retryable: true });
  });
});
