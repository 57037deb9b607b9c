// One bad record never stops the rest: ExternalDNS's client treats every 4xx as fatal (the controller
// exits and crash-loops), so /adjustendpoints returns an invalid value as sent (a stored version must
// not be planned as a delete) and drops what no stored record can be, and /records applies the rest.
import { afterEach, describe, expect, it } from 'vitest';
import { DomainFilter, endpoint, InMemoryProvider, ValidationError, type LogFields } from '@openova/dns-core';
import { externalDnsPost } from './support/rawHttp.js';
import { describeRejections, parseEach, parseOptionsFor } from '../src/server/lenient.js';
import { memoryProvider, startServer, stopAll } from './support/servers.js';

afterEach(stopAll);

function capture() {
  const lines: { level: string; message: string; fields: LogFields }[] = [];
  const at =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      lines.push({ level, message, fields });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

// What older and newer ExternalDNS releases send when a source holds a bad value
const BAD_DESIRED = [
  { dnsName: 'cname.example.com', recordType: 'CNAME', targets: ['bad target!'] },
  { dnsName: `${'a'.repeat(64)}.example.com`, recordType: 'A', targets: ['192.0.2.1'] },
  { dnsName: 'v4.example.com', recordType: 'A', targets: ['300.1.1.1'] },
  { dnsName: 'mx.example.com', recordType: 'MX', targets: ['mail.example.com'] },
  { dnsName: 'ttl.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 2 ** 31 },
];

describe('POST /adjustendpoints: invalid values returned as sent, the rest of what cannot be written dropped', () => {
  it('answers 200 with the valid endpoints and the invalid values as sent (in request order); an invalid name is dropped; each is logged with its reason and counted', async () => {
    const { lines, logger } = capture();
    const { url, server } = await startServer(memoryProvider(), { logger });
    const res = await externalDnsPost(
      url,
      '/adjustendpoints',
      JSON.stringify([
        { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.10'] },
        ...BAD_DESIRED,
        { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['ok.example.com'] },
      ]),
    );
    expect(res.status).toBe(200);
    // a name, type and set identifier a stored record can have, with an invalid value: as sent, so
    // that ExternalDNS plans an update (refused by POST /records) instead of deleting what is stored
    expect(res.json()).toEqual([
      { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.10'] },
      BAD_DESIRED[0],
      BAD_DESIRED[2],
      BAD_DESIRED[3],
      BAD_DESIRED[4],
      { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['ok.example.com'] },
    ]);
    const reported = lines.filter((l) => l.message.startsWith('invalid endpoint'));
    expect(reported.map((l) => [l.message, (l.fields['records'] as string[])[0]])).toEqual([
      ['invalid endpoint returned unadjusted', 'cname.example.com CNAME'],
      // no DNS server stores a label of 64 octets: no stored version to protect
      ['invalid endpoint dropped', `${'a'.repeat(64)}.example.com A`],
      ['invalid endpoint returned unadjusted', 'v4.example.com A'],
      ['invalid endpoint returned unadjusted', 'mx.example.com MX'],
      ['invalid endpoint returned unadjusted', 'ttl.example.com A'],
    ]);
    expect(reported.every((l) => l.level === 'warn' && /^\[\d\]\./.test(String(l.fields['error'])))).toBe(
      true,
    );
    expect(reported.every((l) => l.fields['reason'] === 'invalid')).toBe(true);
    expect(String(reported[2]?.fields['error'])).toMatch(/\[3\]\.targets\[0\]: .*300\.1\.1\.1/);
    expect(String(reported[2]?.fields['note'])).toMatch(/POST \/records will refuse it \(500\)/);
    expect(await server.metrics.render()).toMatch(
      /openova_dns_webhook_invalid_endpoints_total\{reason="invalid",route="adjustendpoints"\} 5/,
    );
  });

  it('what the provider’s own adjustEndpoints refuses (a ValidationError naming list indexes): a value is returned as sent, a name dropped; the rest adjusted', async () => {
    const provider = memoryProvider();
    let calls = 0;
    // as PowerDNS does for content its server would refuse: issues with paths [index, …]; the
    // endpoints it accepts come back adjusted (a TTL set)
    provider.adjustEndpoints = (endpoints) => {
      calls++;
      const issues = endpoints.flatMap((ep, i) =>
        ep.dnsName.startsWith('refused')
          ? [
              {
                path: [i, ep.dnsName.startsWith('refused-name') ? 'dnsName' : 'targets', 0],
                code: 'server_refuses',
                message: `the server refuses ${ep.dnsName}`,
              },
            ]
          : [],
      );
      return issues.length
        ? Promise.reject(new ValidationError(issues))
        : Promise.resolve(endpoints.map((ep) => endpoint({ ...ep, recordTTL: 300 })));
    };
    const { lines, logger } = capture();
    const { url, server } = await startServer(provider, { logger });
    const res = await externalDnsPost(
      url,
      '/adjustendpoints',
      JSON.stringify([
        { dnsName: 'refused-1.example.com', recordType: 'A', targets: ['192.0.2.1'] },
        { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.2'] },
        { dnsName: 'refused-name.example.com', recordType: 'A', targets: ['192.0.2.3'] },
        { dnsName: 'ok-2.example.com', recordType: 'A', targets: ['192.0.2.4'] },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([
      { dnsName: 'refused-1.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.2'], recordTTL: 300 },
      { dnsName: 'ok-2.example.com', recordType: 'A', targets: ['192.0.2.4'], recordTTL: 300 },
    ]);
    expect(calls).toBe(2);
    expect(
      lines
        .filter((l) => l.message.startsWith('invalid endpoint'))
        .map((l) => `${l.message}: ${String(l.fields['error'])}`),
    ).toEqual([
      'invalid endpoint returned unadjusted: the server refuses refused-1.example.com',
      'invalid endpoint dropped: the server refuses refused-name.example.com',
    ]);
    expect(await server.metrics.render()).toMatch(
      /invalid_endpoints_total\{reason="provider_validation",route="adjustendpoints"\} 2/,
    );
  });

  it('drops types the provider cannot store', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'], recordTypes: ['A', 'TXT'] });
    const { url } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/adjustendpoints',
      JSON.stringify([
        { dnsName: 'mx.example.com', recordType: 'MX', targets: ['10 mail.example.com'] },
        { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }]);
  });

  it('drops a set identifier where the provider has none and a name outside its filter; returns a record without targets as sent (a stored version may exist)', async () => {
    const provider = new InMemoryProvider({
      zones: ['example.com'],
      domainFilter: new DomainFilter({ include: ['example.com'], exclude: ['x.example.com'] }),
    });
    Object.defineProperty(provider, 'capabilities', {
      value: { ...provider.capabilities, setIdentifiers: false },
    });
    const { lines, logger } = capture();
    const { url } = await startServer(provider, { logger });
    const res = await externalDnsPost(
      url,
      '/adjustendpoints',
      JSON.stringify([
        { dnsName: 'w.example.com', recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'eu' },
        // no targets: omitted, as ExternalDNS's JSON omits an empty list
        { dnsName: 'empty.example.com', recordType: 'A' },
        { dnsName: 'a.x.example.com', recordType: 'A', targets: ['192.0.2.2'] },
        { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.3'] },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([
      // no targets: omitted, as ExternalDNS's JSON omits an empty list
      { dnsName: 'empty.example.com', recordType: 'A' },
      { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.3'] },
    ]);
    const reasons = lines
      .filter((l) => l.level === 'warn')
      .map((l) => `${l.message} ${JSON.stringify(l.fields)}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^invalid endpoint dropped .*no set identifiers/),
      expect.stringMatching(/^invalid endpoint returned unadjusted .*has no targets/),
      expect.stringMatching(/^invalid endpoint dropped .*outside the provider's domain filter/),
    ]);
  });

  it('keeps an endpoint whose targets repeat one another, each target once (dropping it would make sync delete it)', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const { url } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/adjustendpoints',
      JSON.stringify([
        { dnsName: 'dup.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.1', '192.0.2.2'] },
        { dnsName: 'txt.example.com', recordType: 'TXT', targets: ['a', 'a', 'A'] },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([
      { dnsName: 'dup.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
      { dnsName: 'txt.example.com', recordType: 'TXT', targets: ['A', 'a'] },
    ]);
  });
});

describe('POST /records applies everything that can be applied', () => {
  it('writes the valid changes and answers 500 naming each invalid one with its path', async () => {
    const provider = memoryProvider();
    const { url, server } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        create: [
          { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.5'] },
          { dnsName: 'bad.example.com', recordType: 'A', targets: ['300.1.1.1'] },
          { dnsName: 'bad6.example.com', recordType: 'AAAA', targets: ['192.0.2.1'] },
          // the marker of bad.example.com goes with its record: not written either
          {
            dnsName: '_externaldns.a-bad.example.com',
            recordType: 'TXT',
            targets: ['"heritage=external-dns,external-dns/owner=openova"'],
            labels: { ownedRecord: 'bad.example.com' },
          },
          { dnsName: 'ttl.example.com', recordType: 'A', targets: ['192.0.2.6'], recordTTL: -60 },
        ],
      }),
    );
    expect(res.status).toBe(500);
    expect(res.text).toMatch(
      /^4 of 5 records were not applied \(every other record was written; a record and its ownership TXT record are left out together\): /,
    );
    expect(res.text).toMatch(
      /bad\.example\.com A, _externaldns\.a-bad\.example\.com TXT: create\[1\]\.targets\[0\]/,
    );
    expect(res.text).toMatch(/bad6\.example\.com AAAA: create\[2\]\.targets\[0\]/);
    expect(res.text).toMatch(/ttl\.example\.com A: create\[4\]\.recordTTL: recordTTL -60 is negative/);
    expect((await provider.records()).map((r) => r.dnsName)).toEqual(['ok.example.com']);
    // the metric counts as the answer does: bad.example.com and its marker are two of the four
    expect(await server.metrics.render()).toMatch(
      /invalid_endpoints_total\{reason="invalid",route="records"\} 4/,
    );
    expect(await server.metrics.render()).toMatch(/changes_applied_total\{change="create"\} 1/);
  });

  it('a type the provider cannot store is left out; the rest is applied', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'], recordTypes: ['A', 'CNAME', 'TXT'] });
    const { url } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        create: [
          { dnsName: 'x.example.com', recordType: 'MX', targets: ['10 mail.example.com'] },
          { dnsName: 'y.example.com', recordType: 'A', targets: ['192.0.2.1'] },
        ],
      }),
    );
    expect(res.status).toBe(500);
    expect(res.text).toMatch(/x\.example\.com MX: the inmemory provider cannot store MX records/);
    expect((await provider.records()).map((r) => r.dnsName)).toEqual(['y.example.com']);
  });

  it('a stored record our rules would not write can still be deleted: old records are checked for shape only', () => {
    // PowerDNS stores both (a PTR outside in-addr.arpa, a CNAME to a wildcard name); GET /records returns them
    const stored = () => [
      { dnsName: 'ptr.example.com', recordType: 'PTR', targets: ['host.example.net'] },
      { dnsName: 'star.example.com', recordType: 'CNAME', targets: ['*.example.net'] },
    ];
    const options = parseOptionsFor(memoryProvider());
    for (const list of ['delete', 'updateOld'] as const) {
      const entries = parseEach(stored(), list, options) ?? [];
      expect(entries.map((e) => [e.problem, e.endpoint?.dnsName])).toEqual([
        [undefined, 'ptr.example.com'],
        [undefined, 'star.example.com'],
      ]);
    }
    // what is written is still checked
    const created = parseEach(stored(), 'create', options) ?? [];
    expect(created.every((e) => e.problem !== undefined)).toBe(true);
  });

  it('an update whose new version is invalid keeps its old version (the pair travels together)', async () => {
    const provider = memoryProvider([
      { dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    const { url } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        updateOld: [{ dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
        updateNew: [{ dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.999'] }],
      }),
    );
    expect(res.status).toBe(500);
    expect((await provider.records())[0]?.targets).toEqual(['192.0.2.1']);
  });
});

describe('the 500 answer of POST /records, in records as a user counts them', () => {
  it('counts an update once and a marker as a record, names each record not applied and keeps secrets out', async () => {
    const secret = 's3cr3t-token-0123456789';
    const provider = memoryProvider([{ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'] }]);
    const { url } = await startServer(provider, { secrets: [secret] });
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        create: [
          { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.5'] },
          { dnsName: 'bad.example.com', recordType: 'A', targets: ['300.1.1.1'] },
          {
            dnsName: '_externaldns.a-bad.example.com',
            recordType: 'TXT',
            targets: ['"heritage=external-dns,external-dns/owner=openova"'],
            labels: { ownedRecord: 'bad.example.com' },
          },
          { dnsName: 'c.example.com', recordType: 'CNAME', targets: [`${secret}..example.com`] },
        ],
        updateOld: [{ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
        updateNew: [{ dnsName: 'x.example.com', recordType: 'A', targets: ['300.2.2.2'] }],
      }),
    );
    expect(res.status).toBe(500);
    // sent: 4 creates and 1 update = 5 records; not applied: bad A with its marker, c CNAME, x A
    expect(res.text).toMatch(
      /^4 of 5 records were not applied \(every other record was written; a record and its ownership TXT record are left out together\): /,
    );
    expect(res.text).toMatch(/bad\.example\.com A, _externaldns\.a-bad\.example\.com TXT: create\[1\]/);
    expect(res.text).toMatch(/; x\.example\.com A: updateNew\[0\]\.targets\[0\]/);
    expect(res.text).not.toMatch(/x\.example\.com A, x\.example\.com A/);
    expect(res.text).toMatch(/c\.example\.com CNAME: /);
    expect(res.text).not.toContain(secret);
    expect((await provider.records()).map((r) => `${r.dnsName} ${r.targets.join()}`).sort()).toEqual([
      'ok.example.com 192.0.2.5',
      'x.example.com 192.0.2.1',
    ]);
  });

  it('openova_dns_webhook_invalid_endpoints_total counts records as the answer does (a marker is one, an update one)', async () => {
    const provider = memoryProvider([{ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'] }]);
    const { url, server } = await startServer(provider);
    const marker = (name: string) => ({
      dnsName: `_externaldns.a-${name}`,
      recordType: 'TXT',
      targets: ['"heritage=external-dns,external-dns/owner=openova"'],
      labels: { ownedRecord: name },
    });
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        create: [
          { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.5'] },
          { dnsName: 'bad.example.com', recordType: 'A', targets: ['300.1.1.1'] },
          marker('bad.example.com'),
          { dnsName: 'far.example.net', recordType: 'A', targets: ['192.0.2.7'] },
          marker('far.example.net'),
        ],
        updateOld: [{ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
        updateNew: [{ dnsName: 'x.example.com', recordType: 'A', targets: ['300.2.2.2'] }],
      }),
    );
    expect(res.status).toBe(500);
    const answered = Number(/^(\d+) of \d+ records/.exec(res.text)?.[1]);
    expect(answered).toBe(5);
    const metrics = await server.metrics.render();
    const counted = [...metrics.matchAll(/invalid_endpoints_total\{reason="(\w+)",route="records"\} (\d+)/g)];
    expect(Object.fromEntries(counted.map((m) => [m[1], Number(m[2])]))).toEqual({
      invalid: 3,
      unsupported_type: 2,
    });
    expect(counted.reduce((n, m) => n + Number(m[2]), 0)).toBe(answered);
  });

  it('the list is capped by count and length; the records left unlisted are counted', () => {
    const rejected = Array.from({ length: 50 }, (_, i) => ({
      records: [`r${i}.example.com A`, `_externaldns.a-r${i}.example.com TXT`],
      reason: 'invalid' as const,
      message: `create[${i}].targets[0]: ${'x'.repeat(300)}`,
    }));
    const text = describeRejections(rejected, 120, 4000);
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toMatch(/^100 of 120 records were not applied/);
    const listed = text.match(/r\d+\.example\.com A, /g)?.length ?? 0;
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThanOrEqual(20);
    expect(text).toMatch(new RegExp(`; and ${100 - 2 * listed} more records not listed$`));
    expect(describeRejections(rejected.slice(0, 1), 1)).toMatch(/^2 of 2 records were not applied/);
    expect(describeRejections([{ ...rejected[0]!, records: ['a.example.com A'] }], 1)).toMatch(
      /^1 of 1 record was not applied/,
    );
  });
});

describe('huge invalid change sets', () => {
  const N = 150_000;
  const bad = Array.from({ length: N }, (_, i) => ({
    dnsName: `h${i}.example.com`,
    recordType: 'A',
    targets: ['300.1.1.1'],
  }));

  it(
    '150,000 invalid endpoints get a clear answer with a capped list, and the server goes on',
    { timeout: 120_000 },
    async () => {
      const { lines, logger } = capture();
      const provider = memoryProvider();
      const { url } = await startServer(provider, { logger, requestDeadlineMs: 60_000 });
      const records = await externalDnsPost(url, '/records', JSON.stringify({ create: bad }));
      expect(records.status).toBe(500);
      expect(records.text).toMatch(/^150000 of 150000 records were not applied/);
      expect(records.text).toMatch(/; and 1499\d\d more records not listed$/m);
      expect(records.text.length).toBeLessThanOrEqual(4001);
      expect(records.text).not.toMatch(/call stack|RangeError/);
      const adjust = await externalDnsPost(url, '/adjustendpoints', JSON.stringify(bad));
      expect(adjust.status).toBe(200);
      // each returned as sent (a stored version must not be planned as a delete), in order
      const returned = adjust.json() as { dnsName: string; targets: string[] }[];
      expect(returned).toHaveLength(N);
      expect(returned[N - 1]).toEqual({
        dnsName: `h${N - 1}.example.com`,
        recordType: 'A',
        targets: ['300.1.1.1'],
      });
      // 20 lines one by one, then one count, per request
      expect(lines.filter((l) => l.level === 'warn').length).toBe(2 * 21);
      expect(provider.calls.applyChanges).toBe(0);
      const ok = await externalDnsPost(
        url,
        '/records',
        JSON.stringify({ create: [{ dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] }] }),
      );
      expect(ok.status).toBe(204);
    },
  );
});

describe('a field of the wrong JSON type (what Go’s decoder refuses and ExternalDNS never sends) → 400 naming its path', () => {
  // ExternalDNS's own webhook server answers 400 when the body does not decode into its Go types;
  // nothing is applied. A bad value of the right type stays a per-record problem (500, the rest written).
  it('POST /records: a TXT marker whose ownedRecord label is not a string, and a string TTL: 400, nothing written', async () => {
    const provider = memoryProvider();
    const { url, server } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        create: [
          { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.5'] },
          {
            dnsName: 'a-ok.example.com',
            recordType: 'TXT',
            targets: ['"heritage=external-dns,external-dns/owner=openova"'],
            labels: { owner: 'openova', ownedRecord: 7 },
          },
        ],
        Delete: [{ dnsName: 'old.example.com', recordType: 'A', targets: ['192.0.2.9'], recordTTL: '60' }],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^malformed request body \(nothing was applied\): 2 fields? .*wrong JSON type/);
    expect(res.text).toContain('create[1].labels.ownedRecord: expected a string, got number');
    expect(res.text).toContain('delete[0].recordTTL: expected a number, got string');
    expect(await provider.records()).toEqual([]);
    expect(await server.metrics.render()).toMatch(
      /openova_dns_webhook_errors_total\{reason="bad_request",route="records"\} 1/,
    );
  });

  it('POST /records: an endpoint that is not an object, targets that are not a list, a non-integer TTL', async () => {
    const { url } = await startServer(memoryProvider());
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        create: ['x.example.com'],
        updateOld: [{ dnsName: 'y.example.com', recordType: 'A', targets: '192.0.2.1' }],
        updateNew: [{ dnsName: 'y.example.com', recordType: 'A', targets: ['192.0.2.2'], recordTTL: 1.5 }],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('create[0]: expected an endpoint object, got string');
    expect(res.text).toContain('updateOld[0].targets: expected a list, got string');
    expect(res.text).toContain('updateNew[0].recordTTL: recordTTL 1.5 is not a whole number of seconds');
  });

  it('a missing or null field is what Go decodes as empty: still a per-record problem (500, the rest written)', async () => {
    const provider = memoryProvider();
    const { url } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        create: [
          { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.5'] },
          { dnsName: null, recordType: 'A', targets: ['192.0.2.6'] },
          { dnsName: 'nt.example.com', targets: ['192.0.2.7'] },
        ],
      }),
    );
    expect(res.status).toBe(500);
    expect((await provider.records()).map((r) => r.dnsName)).toEqual(['ok.example.com']);
  });

  it('POST /adjustendpoints: 400 naming the field, instead of dropping the endpoint', async () => {
    const { url } = await startServer(memoryProvider());
    const res = await externalDnsPost(
      url,
      '/adjustendpoints',
      JSON.stringify([
        { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.5'] },
        { dnsName: 'p.example.com', recordType: 'A', targets: ['192.0.2.6'], providerSpecific: { a: 'b' } },
      ]),
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('[1].providerSpecific: expected a list, got object');
  });
});
