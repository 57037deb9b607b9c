// The webhook API as ExternalDNS's Go client sees it: exact requests in, exact statuses, headers and bodies out.
import { afterEach, describe, expect, it } from 'vitest';
import { DomainFilter, InMemoryProvider, ProviderError, ValidationError } from '@openova/dns-core';
import { externalDnsGet, externalDnsPost, MEDIA_TYPE, rawRequest } from './support/rawHttp.js';
import { memoryProvider, startServer, stopAll } from './support/servers.js';

afterEach(stopAll);

// The first sync of §4.4: a record and its registry TXT in ExternalDNS's format.
const FIRST_SYNC = JSON.stringify({
  create: [
    {
      dnsName: 'api.example.com',
      targets: ['203.0.113.10'],
      recordType: 'A',
      labels: { owner: 'openova', resource: 'ingress/default/api' },
    },
    {
      dnsName: '_externaldns.a-api.example.com',
      targets: [
        '"heritage=external-dns,external-dns/owner=openova,external-dns/resource=ingress/default/api"',
      ],
      recordType: 'TXT',
      labels: { ownedRecord: 'api.example.com' },
    },
  ],
});

describe('GET / (negotiation)', () => {
  it('answers 200 with the domain filter and exactly the media type, no charset', async () => {
    const { url } = await startServer(memoryProvider());
    const res = await externalDnsGet(url, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/external.dns.webhook+json;version=1');
    expect(res.json()).toEqual({ include: ['example.com', 'example.org'], exclude: ['private.example.com'] });
  });

  it('announces {} for a provider without filter and the regex form for a regex filter', async () => {
    const open = await startServer(new InMemoryProvider({ zones: ['example.com'] }));
    expect((await externalDnsGet(open.url, '/')).text).toBe('{}');
    const regex = await startServer(new InMemoryProvider({ zones: ['example.com'] }), {
      domainFilter: new DomainFilter({ regexInclude: '\\.example\\.com$', regexExclude: '^internal' }),
    });
    expect((await externalDnsGet(regex.url, '/')).json()).toEqual({
      regexInclude: '\\.example\\.com$',
      regexExclude: '^internal',
    });
  });

  it('answers Vary: Content-Type, which ExternalDNS v0.13 requires at negotiation (its protocol document asks for it)', async () => {
    const { url } = await startServer(memoryProvider());
    const res = await externalDnsGet(url, '/');
    expect(res.headers['vary']).toBe('Content-Type');
  });

  it('answers without an Accept header too (the in-tree server ignores request headers)', async () => {
    const { url } = await startServer(memoryProvider());
    const res = await rawRequest(url, { path: '/' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(MEDIA_TYPE);
  });
});

describe('GET /records', () => {
  it('answers 200 with [] for an empty zone', async () => {
    const { url } = await startServer(memoryProvider());
    const res = await externalDnsGet(url, '/records');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(MEDIA_TYPE);
    expect(res.text).toBe('[]');
  });

  it('returns records in ExternalDNS JSON, empty fields omitted', async () => {
    const provider = memoryProvider([
      { dnsName: 'api.example.com', recordType: 'A', targets: ['203.0.113.10'], recordTTL: 300 },
      { dnsName: 'www.example.org', recordType: 'CNAME', targets: ['api.example.com'] },
    ]);
    const { url } = await startServer(provider);
    const res = await externalDnsGet(url, '/records');
    expect(res.json()).toEqual([
      { dnsName: 'api.example.com', targets: ['203.0.113.10'], recordType: 'A', recordTTL: 300 },
      { dnsName: 'www.example.org', targets: ['api.example.com'], recordType: 'CNAME' },
    ]);
  });
});

describe('POST /records (apply)', () => {
  it('applies the first sync with registry TXT records and answers exactly 204 with no body', async () => {
    const provider = memoryProvider();
    const { url } = await startServer(provider);
    const res = await externalDnsPost(url, '/records', FIRST_SYNC);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const records = await provider.records();
    expect(records.map((r) => `${r.dnsName} ${r.recordType} ${r.targets.join(',')}`)).toEqual([
      '_externaldns.a-api.example.com TXT "heritage=external-dns,external-dns/owner=openova,external-dns/resource=ingress/default/api"',
      'api.example.com A 203.0.113.10',
    ]);
  });

  it('accepts null lists, absent fields and any key casing, as Go decodes them', async () => {
    const provider = memoryProvider([
      { dnsName: 'old.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    const { url } = await startServer(provider);
    const body =
      '{"Create":[{"DNSName":"new.example.com","Targets":["192.0.2.2"],"RecordType":"A","RecordTTL":60}],' +
      '"UpdateOld":null,"updateNew":null,"Delete":[{"dnsName":"old.example.com","recordType":"A","targets":["192.0.2.1"],"labels":null,"providerSpecific":null}],"unknown":1}';
    const res = await externalDnsPost(url, '/records', body);
    expect(res.status).toBe(204);
    expect((await provider.records()).map((r) => `${r.dnsName} ${r.recordTTL}`)).toEqual([
      'new.example.com 60',
    ]);
    expect(provider.applied[0]?.create[0]?.recordTTL).toBe(60);
  });

  it('applies updates as old/new pairs', async () => {
    const provider = memoryProvider([
      { dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    const { url } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        updateOld: [{ dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
        updateNew: [{ dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.9'] }],
      }),
    );
    expect(res.status).toBe(204);
    expect((await provider.records())[0]?.targets).toEqual(['192.0.2.9']);
  });

  it('treats a null, {} or all-empty body as nothing to change, without calling the provider', async () => {
    const provider = memoryProvider();
    const { url } = await startServer(provider);
    expect((await externalDnsPost(url, '/records', 'null')).status).toBe(204);
    expect((await externalDnsPost(url, '/records', '{}')).status).toBe(204);
    // some ExternalDNS runs POST an empty change set (seen in webhook bug reports): no API call for it
    const empty = '{"create":[],"updateOld":null,"updateNew":[],"delete":null}';
    expect((await externalDnsPost(url, '/records', empty)).status).toBe(204);
    expect(provider.calls.applyChanges).toBe(0);
  });
});

describe('POST /adjustendpoints', () => {
  it('answers 200 with the provider-canonical endpoints and the media type', async () => {
    const { url } = await startServer(memoryProvider());
    const res = await externalDnsPost(
      url,
      '/adjustendpoints',
      JSON.stringify([
        {
          dnsName: 'api.example.com',
          targets: ['203.0.113.10'],
          recordType: 'A',
          labels: { resource: 'svc/a' },
        },
        { dnsName: 'v6.example.com', targets: ['2001:DB8:0:0::1'], recordType: 'AAAA' },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(MEDIA_TYPE);
    expect(res.json()).toEqual([
      {
        dnsName: 'api.example.com',
        targets: ['203.0.113.10'],
        recordType: 'A',
        labels: { resource: 'svc/a' },
      },
      { dnsName: 'v6.example.com', targets: ['2001:db8::1'], recordType: 'AAAA' },
    ]);
  });

  it('answers [] for a null body', async () => {
    const { url } = await startServer(memoryProvider());
    const res = await externalDnsPost(url, '/adjustendpoints', 'null');
    expect(res.status).toBe(200);
    expect(res.text).toBe('[]');
  });
});

describe('refused requests: right status, no provider call, zone unchanged', () => {
  const before = [{ dnsName: 'keep.example.com', recordType: 'A', targets: ['192.0.2.1'] }];

  async function refused(
    send: (url: string) => Promise<{ status: number; text: string; headers: Record<string, unknown> }>,
    options: { maxBodyBytes?: number } = {},
  ) {
    const provider = memoryProvider(before);
    const { url, server } = await startServer(provider, options);
    const snapshot = JSON.stringify(await provider.records());
    const callsBefore = { ...provider.calls };
    const res = await send(url);
    expect(provider.calls).toEqual(callsBefore);
    expect(JSON.stringify(await provider.records())).toBe(snapshot);
    return { res, server };
  }

  it('wrong content type → 415', async () => {
    const { res } = await refused((url) =>
      rawRequest(url, {
        method: 'POST',
        path: '/records',
        headers: { 'content-type': 'text/plain' },
        body: FIRST_SYNC,
      }),
    );
    expect(res.status).toBe(415);
    expect(res.text).toMatch(/unsupported Content-Type "text\/plain"/);
  });

  it('another protocol version → 415; plain application/json is accepted', async () => {
    const { res } = await refused((url) =>
      rawRequest(url, {
        method: 'POST',
        path: '/adjustendpoints',
        headers: { 'content-type': 'application/external.dns.webhook+json;version=2' },
        body: '[]',
      }),
    );
    expect(res.status).toBe(415);
    const { url } = await startServer(memoryProvider());
    const ok = await rawRequest(url, {
      method: 'POST',
      path: '/adjustendpoints',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '[]',
    });
    expect(ok.status).toBe(200);
  });

  it('a POST without Content-Type is read as JSON: ExternalDNS v0.13 sends none, and its own server ignores the header', async () => {
    const provider = memoryProvider();
    const { url } = await startServer(provider);
    const body = JSON.stringify({
      create: [{ dnsName: 'n.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
    });
    // what Go's client sends for a body without a Content-Type set
    const headers = { 'user-agent': 'Go-http-client/1.1', 'content-length': String(Buffer.byteLength(body)) };
    const applied = await rawRequest(url, { method: 'POST', path: '/records', headers, body });
    expect(applied.status).toBe(204);
    expect((await provider.records()).map((r) => r.dnsName)).toEqual(['n.example.com']);
    const adjusted = await rawRequest(url, {
      method: 'POST',
      path: '/adjustendpoints',
      headers: { accept: MEDIA_TYPE, 'content-length': '2' },
      body: '[]',
    });
    expect(adjusted.status).toBe(200);
  });

  it('malformed JSON → 400', async () => {
    const { res } = await refused((url) => externalDnsPost(url, '/records', '{"create":[{"dnsName":'));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/malformed JSON/);
    const adjust = await refused((url) => externalDnsPost(url, '/adjustendpoints', ''));
    expect(adjust.res.status).toBe(400);
  });

  it('body over the limit → 500 naming the setting, never a 4xx (ExternalDNS exits on 4xx) (declared length and chunked)', async () => {
    const big = JSON.stringify({
      create: [{ dnsName: 'big.example.com', recordType: 'TXT', targets: ['x'.repeat(4000)] }],
    });
    const declared = await refused((url) => externalDnsPost(url, '/records', big), { maxBodyBytes: 1024 });
    expect(declared.res.status).toBe(500);
    const chunked = await refused(
      (url) =>
        rawRequest(url, {
          method: 'POST',
          path: '/records',
          headers: { 'content-type': MEDIA_TYPE, 'transfer-encoding': 'chunked' },
          body: big,
        }),
      { maxBodyBytes: 1024 },
    );
    expect(chunked.res.status).toBe(500);
    expect(await chunked.server.metrics.render()).toMatch(
      /errors_total\{reason="payload_too_large",route="records"\} 1/,
    );
  });

  it('a change set with only an unknown record type → 500 naming the path; nothing sent', async () => {
    const { res } = await refused((url) =>
      externalDnsPost(
        url,
        '/records',
        JSON.stringify({
          create: [{ dnsName: 'x.example.com', recordType: 'SPF', targets: ['v=spf1 -all'] }],
        }),
      ),
    );
    expect(res.status).toBe(500);
    expect(res.text).toMatch(/create\[0\]\.recordType: "SPF" is not a supported record type/);
  });

  it('a wrong JSON shape (object for adjustendpoints, a number for a list) → 400', async () => {
    const a = await refused((url) => externalDnsPost(url, '/adjustendpoints', '{"dnsName":"x.example.com"}'));
    expect(a.res.status).toBe(400);
    const b = await refused((url) => externalDnsPost(url, '/records', '{"create":5}'));
    expect(b.res.status).toBe(400);
    expect(b.res.text).toMatch(/create: expected a list of endpoints/);
    const c = await refused((url) => externalDnsPost(url, '/records', '[1]'));
    expect(c.res.status).toBe(400);
  });

  it('unsupported methods → 400, as ExternalDNS’s own server; unknown paths → 404', async () => {
    for (const [method, path] of [
      ['DELETE', '/records'],
      ['PUT', '/records'],
      ['GET', '/adjustendpoints'],
      ['POST', '/'],
    ] as const) {
      const { res } = await refused((url) => rawRequest(url, { method, path }));
      expect(res.status, `${method} ${path}`).toBe(400);
    }
    const { res } = await refused((url) => rawRequest(url, { path: '/applychanges' }));
    expect(res.status).toBe(404);
  });
});

describe("request paths, cleaned as Go's ServeMux cleans them", () => {
  it('`//records` and `/x/../records` are /records (GET and POST), never the negotiation endpoint', async () => {
    const provider = memoryProvider([{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }]);
    const { url } = await startServer(provider);
    const headers = { 'content-type': MEDIA_TYPE, accept: MEDIA_TYPE };
    for (const target of ['//records', '///records', '/x/../records', '//records?x=1', '/%72ecords']) {
      const res = await rawRequest(url, { target, headers });
      expect(res.status, target).toBe(200);
      expect(res.json(), target).toEqual([
        { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      ]);
    }
    const applied = await rawRequest(url, {
      method: 'POST',
      target: '//records',
      headers,
      body: JSON.stringify({
        create: [{ dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.2'] }],
      }),
    });
    expect(applied.status).toBe(204);
    expect((await provider.records()).map((r) => r.dnsName).sort()).toEqual([
      'a.example.com',
      'b.example.com',
    ]);
    const adjusted = await rawRequest(url, {
      method: 'POST',
      target: '//adjustendpoints',
      headers,
      body: JSON.stringify([{ dnsName: 'c.example.com', recordType: 'A', targets: ['192.0.2.3'] }]),
    });
    expect(adjusted.status).toBe(200);
    expect(adjusted.json()).toEqual([{ dnsName: 'c.example.com', recordType: 'A', targets: ['192.0.2.3'] }]);
    // what cleans to `/` is the negotiation endpoint; anything else is 404 or 400, never negotiation
    expect((await rawRequest(url, { target: '//', headers })).json()).toEqual({
      include: ['example.com', 'example.org'],
      exclude: ['private.example.com'],
    });
    for (const target of ['//unknown', '/records/', '//records/x'])
      expect((await rawRequest(url, { target, headers })).status, target).toBe(404);
    for (const target of ['//[::1]:80/records', '/%zz'])
      expect((await rawRequest(url, { target, headers })).status, target).toBe(400);
  });

  it('the health port cleans paths the same way: `//healthz`, `//metrics`', async () => {
    const { healthUrl } = await startServer(memoryProvider());
    expect((await rawRequest(healthUrl, { target: '//livez' })).text.trim()).toBe('ok');
    expect((await rawRequest(healthUrl, { target: '//metrics' })).text).toContain('openova_dns_webhook_');
    expect((await rawRequest(healthUrl, { target: '//nothing' })).status).toBe(404);
  });
});

describe('provider failures', () => {
  it('→ 500 with a short message and no secret', async () => {
    const secret = 's3cr3t-api-key';
    const provider = memoryProvider();
    provider.failNextApply(
      new ProviderError(`upstream said: bad key ${secret}\n${'detail '.repeat(200)}`, {
        provider: 'inmemory',
        retryable: true,
      }),
    );
    const { url, server } = await startServer(provider, { secrets: [secret] });
    const res = await externalDnsPost(url, '/records', FIRST_SYNC);
    expect(res.status).toBe(500);
    expect(res.text).not.toContain(secret);
    expect(res.text).toContain('[redacted]');
    expect(res.text.length).toBeLessThan(400);
    expect(res.text).not.toContain('\n\n');
    expect(await server.metrics.render()).toMatch(/errors_total\{reason="provider",route="records"\} 1/);
  });

  it('a provider-side ValidationError leaves out the records it names; the rest is applied; 500 names them', async () => {
    const provider = memoryProvider();
    provider.failNextApply(
      new ValidationError([
        { path: ['create', 0], code: 'refused', message: 'the backend refuses api.example.com' },
      ]),
    );
    const { url } = await startServer(provider);
    const body = JSON.parse(FIRST_SYNC) as { create: object[] };
    body.create.push({ dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.7'] });
    const res = await externalDnsPost(url, '/records', JSON.stringify(body));
    expect(res.status).toBe(500);
    expect(res.text).toMatch(/^2 of 3 records were not applied/);
    expect(res.text).toMatch(
      /api\.example\.com A, _externaldns\.a-api\.example\.com TXT: the backend refuses/,
    );
    // the record and its marker stay together: neither is written; the valid record is
    expect((await provider.records()).map((r) => r.dnsName)).toEqual(['ok.example.com']);
    const unknownZone = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({ create: [{ dnsName: 'api.elsewhere.net', recordType: 'A', targets: ['192.0.2.1'] }] }),
    );
    expect(unknownZone.status).toBe(500);
    // outside the sidecar's filter: left out before the provider is called
    expect(unknownZone.text).toMatch(/api\.elsewhere\.net is outside the provider's domain filter/);
  });

  it('an outage during apply is a plain 500 naming the provider', async () => {
    const provider = memoryProvider();
    provider.failNextApply(
      new ProviderError('connection refused', { provider: 'inmemory', retryable: true }),
    );
    const { url } = await startServer(provider);
    const res = await externalDnsPost(url, '/records', FIRST_SYNC);
    expect(res.status).toBe(500);
    expect(res.text).toMatch(/inmemory provider failed: .*connection refused/);
  });

  it('a records() failure → 500', async () => {
    const provider = memoryProvider();
    provider.records = () => Promise.reject(new Error('backend down'));
    const { url } = await startServer(provider);
    const res = await externalDnsGet(url, '/records');
    expect(res.status).toBe(500);
    expect(res.text).toMatch(/inmemory provider failed: backend down/);
  });
});
