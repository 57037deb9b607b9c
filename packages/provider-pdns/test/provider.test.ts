import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  emptyChanges,
  endpoint,
  InterruptedApplyError,
  ProviderError,
  ValidationError,
  type Changes,
  type Endpoint,
  type EndpointInit,
} from '@openova/dns-core';
import {
  lua,
  PowerDnsApiError,
  PowerDnsApplyError,
  PowerDnsProvider,
  canonicalTargetFor,
} from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { startApiProxy, type ApiProxy } from './proxy.js';

const ZONE = 'prov.test';
const OTHER = 'other.test';
let pdns: RunningPowerDns;
let proxy: ApiProxy;
let provider: PowerDnsProvider;

beforeAll(async () => {
  pdns = await startPowerDns();
  proxy = await startApiProxy(pdns.apiUrl);
  for (const zone of [ZONE, OTHER, 'outside.test']) {
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`, `ns2.${zone}`] });
  }
  provider = new PowerDnsProvider({
    apiUrl: proxy.url,
    apiKey: pdns.apiKey,
    domainFilter: new DomainFilter({ include: [ZONE, OTHER] }),
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 20 },
    verify: { dnsPort: pdns.dnsPort, timeoutMs: 5000 },
  });
});

beforeEach(() => proxy.reset());

afterAll(async () => {
  await provider?.client.close();
  await proxy?.close();
  await pdns?.stop();
});

const changes = (init: Partial<Record<keyof Changes, EndpointInit[]>>): Changes => ({
  create: (init.create ?? []).map(endpoint),
  updateOld: (init.updateOld ?? []).map(endpoint),
  updateNew: (init.updateNew ?? []).map(endpoint),
  delete: (init.delete ?? []).map(endpoint),
});

function comparable(eps: Endpoint[]) {
  return eps
    .map((e) => ({
      dnsName: e.dnsName,
      recordType: e.recordType,
      recordTTL: e.recordTTL,
      targets: e.targets,
    }))
    .sort((a, b) => `${a.dnsName} ${a.recordType}`.localeCompare(`${b.dnsName} ${b.recordType}`));
}

async function recordsAt(names: string[]): Promise<Endpoint[]> {
  return (await provider.records()).filter((r) => names.includes(r.dnsName));
}

const patches = () => proxy.seen.filter((r) => r.method === 'PATCH');

async function zoneState(zone: string) {
  const z = await pdns.client.getZone(`${zone}.`);
  return { serial: z.serial, rrsets: z.rrsets };
}

describe('records / applyChanges / adjustEndpoints round trip', () => {
  const longText = `v=DKIM1; k=rsa; p=${'A'.repeat(400)}`;
  const desired: EndpointInit[] = [
    { dnsName: `a.${ZONE}`, recordType: 'A', targets: ['192.0.2.2', '192.0.2.1'] },
    { dnsName: `AAAA.${ZONE}.`, recordType: 'AAAA', targets: ['2001:DB8:0:0::1'], recordTTL: 60 },
    { dnsName: `cname.${ZONE}`, recordType: 'CNAME', targets: ['Target.Example.NET.'] },
    {
      dnsName: `txt.${ZONE}`,
      recordType: 'TXT',
      targets: ['hello world', `say "hi" \\ ok`, longText, '"already" "quoted"'],
    },
    { dnsName: `mx.${ZONE}`, recordType: 'MX', targets: ['10 mail.example.org', '20 backup.example.org.'] },
    { dnsName: `_sip._tcp.${ZONE}`, recordType: 'SRV', targets: ['10 5 5060 sip.example.org'] },
    {
      dnsName: `caa.${ZONE}`,
      recordType: 'CAA',
      targets: ['0 issue "letsencrypt.org"', '128 IODEF "mailto:sec@example.org"'],
    },
    { dnsName: `sub.${ZONE}`, recordType: 'NS', targets: ['ns1.example.net', 'ns2.example.net.'] },
    lua.endpoint({
      dnsName: `geo.${ZONE}`,
      expression: lua.ifportup(443, ['192.0.2.10', '192.0.2.11'], { selector: 'all' }),
    }),
    { dnsName: `a.${OTHER}`, recordType: 'A', targets: ['198.51.100.1'] },
  ];
  const names = desired.map((d) => d.dnsName.toLowerCase().replace(/\.$/, ''));

  it('writes every type in the exact form PowerDNS wants, one PATCH per zone, and reads back the adjusted endpoints', async () => {
    const adjusted = await provider.adjustEndpoints(desired.map(endpoint));
    expect(adjusted.find((e) => e.recordType === 'CNAME')?.targets).toEqual(['target.example.net']);
    expect(adjusted.find((e) => e.recordType === 'AAAA')).toMatchObject({
      dnsName: `aaaa.${ZONE}`,
      targets: ['2001:db8::1'],
      recordTTL: 60,
    });
    // an unset TTL stays unset ("keep what is there"); the default is written on creation
    expect(adjusted.find((e) => e.recordType === 'A')?.recordTTL).toBe(0);
    expect(adjusted.find((e) => e.recordType === 'TXT')?.targets).toContain('"already" "quoted"');
    await provider.applyChanges({ ...emptyChanges(), create: adjusted });
    expect(patches()).toHaveLength(2);
    const sent = JSON.parse(patches()[0]!.body) as {
      rrsets: { name: string; type: string; records: { content: string }[] }[];
    };
    const content = (type: string) =>
      sent.rrsets
        .find((r) => r.type === type)
        ?.records.map((r) => r.content)
        .sort();
    expect(content('CNAME')).toEqual(['target.example.net.']);
    expect(content('MX')).toEqual(['10 mail.example.org.', '20 backup.example.org.']);
    expect(content('SRV')).toEqual(['10 5 5060 sip.example.org.']);
    expect(content('NS')).toEqual(['ns1.example.net.', 'ns2.example.net.']);
    // quoted strings go in the portable form, which every version stores alike: a quote as \034, a
    // backslash as \092; 5.1 unescapes once more on write, so the client doubles the backslashes
    const unescapes = (await pdns.client.features()).txtWriteUnescapes;
    expect(content('TXT')).toContain(
      unescapes ? String.raw`"say \\034hi\\034 \\092 ok"` : String.raw`"say \034hi\034 \092 ok"`,
    );
    expect(
      content('TXT')
        ?.find((c) => c.startsWith('"v=DKIM1'))
        ?.split('" "'),
    ).toHaveLength(2);

    const read = await recordsAt(names);
    const created = adjusted.map((e) => (e.recordTTL === 0 ? { ...e, recordTTL: 300 } : e));
    expect(comparable(read)).toEqual(comparable(created));
    // a second adjust of what was read is a fixpoint
    expect(comparable(await provider.adjustEndpoints(read))).toEqual(comparable(read));
    // the verification asked DNS for every changed name
    expect(provider.lastVerification?.names.filter((n) => !n.ok)).toEqual([]);
  });

  it('does not return SOA, and keeps foreign rrset types out of view', async () => {
    const all = await provider.records();
    expect(all.some((r) => r.recordType === 'SOA')).toBe(false);
    expect(all.some((r) => r.dnsName.endsWith('outside.test'))).toBe(false);
  });

  it('updates and deletes, deletes before replaces in one PATCH (A → CNAME swap)', async () => {
    const [current] = await recordsAt([`a.${ZONE}`]);
    const mx = (await recordsAt([`mx.${ZONE}`]))[0]!;
    await provider.applyChanges(
      changes({
        delete: [current!, mx],
        create: [
          {
            dnsName: `a.${ZONE}`,
            recordType: 'CNAME',
            targets: ['cname-target.example.net'],
            recordTTL: 120,
          },
        ],
        updateOld: [(await recordsAt([`aaaa.${ZONE}`]))[0]!],
        updateNew: [{ dnsName: `aaaa.${ZONE}`, recordType: 'AAAA', targets: ['2001:db8::2'], recordTTL: 60 }],
      }),
    );
    expect(patches()).toHaveLength(1);
    const body = JSON.parse(patches()[0]!.body) as { rrsets: { changetype: string; type: string }[] };
    expect(body.rrsets.map((r) => `${r.changetype} ${r.type}`)).toEqual([
      'DELETE A',
      'DELETE MX',
      'REPLACE CNAME',
      'REPLACE AAAA',
    ]);
    expect(comparable(await recordsAt([`a.${ZONE}`, `mx.${ZONE}`, `aaaa.${ZONE}`]))).toEqual([
      { dnsName: `a.${ZONE}`, recordType: 'CNAME', recordTTL: 120, targets: ['cname-target.example.net'] },
      { dnsName: `aaaa.${ZONE}`, recordType: 'AAAA', recordTTL: 60, targets: ['2001:db8::2'] },
    ]);
  });

  it('canonical targets agree with what PowerDNS stores', () => {
    // chunk boundaries that plain text would not reproduce are kept in the quoted form
    expect(canonicalTargetFor('TXT', '"a" "b"')).toBe('"a" "b"');
    expect(canonicalTargetFor('TXT', '"a b"')).toBe('a b');
    expect(canonicalTargetFor('TXT', '"a\\"b"')).toBe('a"b');
    expect(canonicalTargetFor('TXT', '"starts with a quote" "x"')).toBe('"starts with a quote" "x"');
    expect(canonicalTargetFor('PTR', 'Host.Example.org.')).toBe('host.example.org');
    expect(canonicalTargetFor('MX', '10 Mail.Example.org.')).toBe('10 mail.example.org');
    expect(canonicalTargetFor('LUA', `a   "pickrandom({'192.0.2.1'})"`)).toBe(
      `A "pickrandom({'192.0.2.1'})"`,
    );
  });
});

describe('safety: validation, failures and untouched records', () => {
  it('an invalid record gives a ValidationError, sends nothing, and leaves the zone as it was', async () => {
    const before = await zoneState(ZONE);
    const error = await provider
      .applyChanges(
        changes({
          create: [
            { dnsName: `ok.${ZONE}`, recordType: 'A', targets: ['192.0.2.50'] },
            { dnsName: `bad.${ZONE}`, recordType: 'A', targets: ['300.1.1.1'] },
            { dnsName: `bad2.${ZONE}`, recordType: 'MX', targets: ['mail.example.org'] },
            { dnsName: `weighted.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'blue' },
            { dnsName: `soa.${ZONE}`, recordType: 'SOA', targets: ['x'] },
            { dnsName: `a.outside.test`, recordType: 'A', targets: ['192.0.2.1'] },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const codes = (error as ValidationError).issues.map((i) => `${i.path.join('.')} ${i.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'create.1.targets.0 invalid_ipv4',
        'create.3.setIdentifier set_identifier_unsupported',
        'create.4.recordType unmanaged_record_type',
        'create.5.dnsName outside_domain_filter',
      ]),
    );
    expect(codes.some((c) => c.startsWith('create.2.targets.0'))).toBe(true);
    expect(proxy.seen).toHaveLength(0);
    expect(await zoneState(ZONE)).toEqual(before);
  });

  it('a record the server rejects fails the zone atomically with a typed error; other zones still apply', async () => {
    await pdns.client.patchRRsets(`${ZONE}.`, [
      {
        name: `foreign.${ZONE}`,
        type: 'A',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: '192.0.2.99' }],
      },
    ]);
    const before = await zoneState(ZONE);
    const error = await provider
      .applyChanges(
        changes({
          create: [
            { dnsName: `fine.${ZONE}`, recordType: 'A', targets: ['192.0.2.51'] },
            // conflicts with the A record the caller did not send: PowerDNS refuses, nothing is deleted
            { dnsName: `foreign.${ZONE}`, recordType: 'CNAME', targets: ['x.example.net'] },
            { dnsName: `fine.${OTHER}`, recordType: 'A', targets: ['198.51.100.51'] },
          ],
        }),
      )
      .catch((e: unknown) => e);
    // the other zone was written: the error says so, with the zone's error as its cause
    expect(error).toBeInstanceOf(PowerDnsApplyError);
    expect(error).toBeInstanceOf(InterruptedApplyError);
    expect(error).toMatchObject({
      status: 422,
      retryable: false,
      code: 'RECORD_CONFLICT',
      applied: [`fine.${OTHER} A`],
      notApplied: [`fine.${ZONE} A`, `foreign.${ZONE} CNAME`],
    });
    const cause = (error as PowerDnsApplyError).cause;
    expect(cause).toBeInstanceOf(PowerDnsApiError);
    expect((cause as PowerDnsApiError).serverMessage).toMatch(/conflict/i);
    expect((error as Error).message).toMatch(
      /^pdns: 2 record set change\(s\) not applied .*; 1 applied \(fine\./,
    );
    expect(await zoneState(ZONE)).toEqual(before);
    expect((await recordsAt([`fine.${OTHER}`])).map((r) => r.targets)).toEqual([['198.51.100.51']]);
  });

  it('a server answering 500 gives a typed retryable error, changes nothing, and the next run converges', async () => {
    const before = await zoneState(ZONE);
    proxy.fail(3, { status: 500, body: '{"error":"database is locked"}', method: 'PATCH' });
    const batch = changes({
      create: [{ dnsName: `later.${ZONE}`, recordType: 'A', targets: ['192.0.2.60'] }],
    });
    const error = await provider.applyChanges(batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PowerDnsApiError);
    expect(error).toMatchObject({ status: 500, retryable: true, attempts: 3 });
    expect(error).toBeInstanceOf(ProviderError);
    expect(await zoneState(ZONE)).toEqual(before);
    await provider.applyChanges(batch);
    expect((await recordsAt([`later.${ZONE}`])).map((r) => r.targets)).toEqual([['192.0.2.60']]);
  });

  it('a stopped server gives a typed retryable error', async () => {
    const gone = await startPowerDns();
    const lost = new PowerDnsProvider({
      apiUrl: gone.apiUrl,
      apiKey: gone.apiKey,
      retry: { retries: 1, minDelayMs: 10 },
    });
    await gone.client.createZone({ name: 'gone.test', kind: 'Native' });
    await lost.records();
    await gone.stop();
    const readError = await lost.records().catch((e: unknown) => e);
    expect(readError).toBeInstanceOf(PowerDnsApiError);
    expect(readError).toMatchObject({ kind: 'network', retryable: true });
    const writeError = await lost
      .applyChanges(
        changes({ create: [{ dnsName: 'x.gone.test', recordType: 'A', targets: ['192.0.2.1'] }] }),
      )
      .catch((e: unknown) => e);
    expect(writeError).toMatchObject({ kind: 'network', retryable: true });
    await lost.client.close();
  });

  it('names without a zone fail with UNKNOWN_ZONE before anything is sent', async () => {
    const open = new PowerDnsProvider({ client: provider.client });
    const error = await open
      .applyChanges(
        changes({ create: [{ dnsName: 'x.nozone.example', recordType: 'A', targets: ['192.0.2.1'] }] }),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNKNOWN_ZONE' });
    expect(patches()).toHaveLength(0);
  });

  it('without LUA in recordTypes, LUA rrsets are invisible and cannot be changed', async () => {
    const noLua = new PowerDnsProvider({
      client: provider.client,
      recordTypes: ['A', 'AAAA', 'CNAME', 'TXT'],
    });
    expect((await noLua.records()).some((r) => r.recordType === 'LUA')).toBe(false);
    const error = await noLua
      .applyChanges(changes({ delete: [{ dnsName: `geo.${ZONE}`, recordType: 'LUA', targets: [] }] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(
      (await provider.records()).some((r) => r.recordType === 'LUA' && r.dnsName === `geo.${ZONE}`),
    ).toBe(true);
    expect(noLua.capabilities).toMatchObject({ atomicity: 'zone', setIdentifiers: false });
  });

  it('zone discovery follows the domain filter, sub-domain filters included', async () => {
    const sub = new PowerDnsProvider({
      client: provider.client,
      domainFilter: new DomainFilter({ include: [`a.${OTHER}`] }),
    });
    expect(await sub.zones()).toEqual([OTHER]);
    // the zone is read whole (its ownership TXTs included); the planner filters per record
    const names = (await sub.records()).map((r) => r.dnsName);
    expect(names).toContain(`a.${OTHER}`);
    expect(names.every((n) => n.endsWith(OTHER))).toBe(true);
    expect(await provider.zones()).toEqual(expect.arrayContaining([ZONE, OTHER]));
    expect(await provider.zones()).not.toContain('outside.test');
  });
});

describe('options refused before anything is sent', () => {
  it('an out-of-range defaultTTL, a bad zone name, a non-type in recordTypes, negative cache times and a path in serverId are ConfigErrors', () => {
    const base = { apiUrl: 'http://127.0.0.1:9', apiKey: 'k' };
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ defaultTTL: 2 ** 32 }, /defaultTTL must be an integer from 0 to 2147483647/],
      [{ zones: ['bad name..com'] }, /zones\[0\]/],
      [{ recordTypes: ['A', 'bo gus'] }, /not a record type/],
      [{ zoneCacheTtlMs: -5 }, /zoneCacheTtlMs must be/],
      [{ serverId: '../x' }, /serverId must be a server id/],
    ];
    for (const [extra, message] of bad)
      expect(() => new PowerDnsProvider({ ...base, ...extra })).toThrow(message);
    expect(
      new PowerDnsProvider({ ...base, zones: ['Bücher.Example.'], recordTypes: ['a', 'LUA'] }).capabilities
        .recordTypes,
    ).toEqual(['A', 'LUA']);
  });
});
