import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, normalizeDnsName, ValidationError } from '@openova/dns-core';
import {
  PowerDnsApiError,
  PowerDnsClient,
  fromPowerDnsContent,
  powerDnsFeatures,
  parsePowerDnsVersion,
  zoneIdFromName,
  type RRsetChange,
} from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { startApiProxy, type ApiProxy } from './proxy.js';

let pdns: RunningPowerDns;
let proxy: ApiProxy;
let client: PowerDnsClient;

beforeAll(async () => {
  pdns = await startPowerDns();
  proxy = await startApiProxy(pdns.apiUrl);
  client = new PowerDnsClient({
    apiUrl: proxy.url,
    apiKey: pdns.apiKey,
    retry: { retries: 3, minDelayMs: 10, maxDelayMs: 50 },
  });
});

afterAll(async () => {
  await client?.close();
  await proxy?.close();
  await pdns?.stop();
});

describe('server', () => {
  it('reads server info, version and features', async () => {
    const info = await pdns.client.serverInfo();
    expect(info.daemon_type).toBe('authoritative');
    const version = await pdns.client.version();
    // the launcher reports the version it started, and the API agrees
    expect(version?.raw).toBe(pdns.version);
    expect(pdns.version).toMatch(/^\d+\.\d+\.\d+/);
    const features = await pdns.client.features();
    expect(features).toEqual(powerDnsFeatures(version));
    expect(features.rrsetFilters).toBe(true);
  });

  it('derives features per version', () => {
    expect(powerDnsFeatures(parsePowerDnsVersion('4.7.3')).extendPrune).toBe(false);
    expect(powerDnsFeatures(parsePowerDnsVersion('4.9.11')).extendPrune).toBe(false);
    expect(powerDnsFeatures(parsePowerDnsVersion('4.9.12')).extendPrune).toBe(true);
    expect(powerDnsFeatures(parsePowerDnsVersion('5.0.1')).extendPrune).toBe(false);
    expect(powerDnsFeatures(parsePowerDnsVersion('5.0.2')).extendPrune).toBe(true);
    expect(powerDnsFeatures(parsePowerDnsVersion('5.1.0')).extendPrune).toBe(true);
    expect(powerDnsFeatures(parsePowerDnsVersion('4.9.18')).txtWriteUnescapes).toBe(false);
    expect(powerDnsFeatures(parsePowerDnsVersion('5.1.5')).txtWriteUnescapes).toBe(true);
    expect(powerDnsFeatures(parsePowerDnsVersion('4.8.4')).zoneReplace).toBe(false);
    expect(powerDnsFeatures(parsePowerDnsVersion('4.9.0')).zoneReplace).toBe(true);
  });

  it('reads config, statistics and searches', async () => {
    const config = await pdns.client.serverConfig();
    expect(config.find((s) => s.name === 'enable-lua-records')?.value).toBe('yes');
    expect(config.find((s) => s.name === 'api-key')?.value).not.toBe(pdns.apiKey);
    const stats = await pdns.client.statistics({ statistic: 'uptime' });
    expect(stats[0]?.name).toBe('uptime');
    await pdns.client.createZone({ name: 'search.test', kind: 'Native', nameservers: ['ns1.search.test'] });
    await pdns.client.patchRRsets('search.test.', [
      {
        name: 'findme.search.test',
        type: 'A',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: '192.0.2.44' }],
      },
    ]);
    const found = await pdns.client.search({ query: 'findme*', objectType: 'record' });
    expect(found.map((r) => r.content)).toContain('192.0.2.44');
    const unknownStat = await pdns.client.statistics({ statistic: 'no-such-stat' }).catch((e: unknown) => e);
    expect(unknownStat).toBeInstanceOf(PowerDnsApiError);
    expect((unknownStat as PowerDnsApiError).status).toBe(422);
  });
});

describe('zones', () => {
  it('creates, lists, reads with filters, updates and deletes a zone', async () => {
    const created = await client.createZone({
      name: 'zones.test',
      kind: 'Native',
      nameservers: ['ns1.zones.test.', 'ns2.zones.test'],
    });
    expect(created.id).toBe('zones.test.');
    expect(
      created.rrsets
        ?.find((r) => r.type === 'NS')
        ?.records.map((r) => r.content)
        .sort(),
    ).toEqual(['ns1.zones.test.', 'ns2.zones.test.']);
    expect((await client.findZone('zones.test'))?.id).toBe('zones.test.');
    expect(await client.findZone('absent.test')).toBeUndefined();
    expect((await client.listZones()).map((z) => z.name)).toContain('zones.test.');

    await client.patchRRsets('zones.test.', [
      {
        name: 'www.zones.test',
        type: 'A',
        changetype: 'REPLACE',
        ttl: 300,
        records: [{ content: '192.0.2.1' }, { content: '192.0.2.2' }],
      },
      {
        name: 'www.zones.test',
        type: 'TXT',
        changetype: 'REPLACE',
        ttl: 300,
        records: [{ content: '"hello"' }],
      },
    ]);
    const onlyWww = await client.getZone('zones.test.', { rrsetName: 'www.zones.test' });
    expect(onlyWww.rrsets?.map((r) => r.type).sort()).toEqual(['A', 'TXT']);
    const onlyA = await client.getZone('zones.test.', { rrsetName: 'www.zones.test', rrsetType: 'A' });
    expect(onlyA.rrsets).toHaveLength(1);
    expect(onlyA.rrsets?.[0]?.records.map((r) => r.content).sort()).toEqual(['192.0.2.1', '192.0.2.2']);
    const noRRsets = await client.getZone('zones.test.', { rrsets: false });
    expect(noRRsets.rrsets).toBeUndefined();

    await client.updateZone('zones.test.', { kind: 'Master', soaEditApi: 'INCREASE' });
    const updated = await client.getZone('zones.test.', { rrsets: false });
    expect(updated.kind).toBe('Master');
    expect(updated.soa_edit_api).toBe('INCREASE');

    // the zone text, not PowerDNS's JSON wrapper ({"zone": "…"}, sent by 4.7 to JSON clients and by 5.x always)
    const exported = await client.exportZone('zones.test.');
    expect(exported).not.toContain('"zone"');
    const lines = exported.trimEnd().split('\n');
    expect(lines.every((line) => line.split('\t').length >= 5)).toBe(true);
    expect(lines.some((line) => line.startsWith('www.zones.test.\t'))).toBe(true);
    expect((await client.notifyZone('zones.test.')).result).toMatch(/queued/i);
    expect((await client.rectifyZone('zones.test.')).result).toMatch(/rectified/i);
    expect((await client.flushCache('zones.test')).result).toMatch(/flushed/i);

    await client.deleteZone('zones.test.');
    expect(await client.findZone('zones.test')).toBeUndefined();
  });

  it('refuses an unknown zone kind before sending', async () => {
    proxy.reset();
    // @ts-expect-error: an invalid kind on purpose
    await expect(client.createZone({ name: 'kind.test', kind: 'Bogus' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(proxy.seen).toHaveLength(0);
  });

  it('reports an existing zone as 409 and an unknown zone as 404', async () => {
    await client.createZone({ name: 'dup.test', kind: 'Native' });
    const conflict = await client.createZone({ name: 'dup.test', kind: 'Native' }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(PowerDnsApiError);
    expect((conflict as PowerDnsApiError).status).toBe(409);
    expect((conflict as PowerDnsApiError).retryable).toBe(false);
    const missing = await client.getZone('nowhere.test.').catch((e: unknown) => e);
    expect((missing as PowerDnsApiError).status).toBe(404);
    expect((missing as PowerDnsApiError).code).toBe('UNKNOWN_ZONE');
  });

  it('createZone converts an internationalised name to punycode, as the provider does', async () => {
    const created = await client.createZone({
      name: 'Bücher.Test',
      kind: 'Native',
      nameservers: ['ns1.bücher.test'],
      rrsets: [
        { name: 'www.bücher.test', type: 'A', ttl: 60, records: [{ content: '192.0.2.5', disabled: false }] },
      ],
    });
    // the provider's normaliser, so the zone it creates is the one the provider then finds
    expect(created.name).toBe(`${normalizeDnsName('bücher.test')}.`);
    expect(created.name).toBe('xn--bcher-kva.test.');
    const names = (created.rrsets ?? []).map((r) => `${r.name} ${r.type}`).sort();
    expect(names).toContain('www.xn--bcher-kva.test. A');
    const ns = created.rrsets?.find((r) => r.type === 'NS');
    expect(ns?.records.map((r) => r.content)).toEqual(['ns1.xn--bcher-kva.test.']);
    // and found by the name the caller knows
    expect((await client.findZone('bücher.test'))?.id).toBe(created.id);
  });

  it('derives zone ids like PowerDNS', () => {
    expect(zoneIdFromName('example.org')).toBe('example.org.');
    expect(zoneIdFromName('.')).toBe('=2E');
    expect(zoneIdFromName('a_b.example')).toBe('a=5Fb.example.');
  });
});

describe('PATCH', () => {
  it('applies REPLACE and DELETE in order, atomically, and returns the new serial', async () => {
    await client.createZone({ name: 'patch.test', kind: 'Native', nameservers: ['ns1.patch.test'] });
    const first = await client.patchRRsets('patch.test.', [
      {
        name: 'swap.patch.test',
        type: 'A',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: '192.0.2.9' }],
      },
    ]);
    expect(first.newSerial).toBeGreaterThan(0);
    // A → CNAME works when the DELETE comes first
    await client.patchRRsets('patch.test.', [
      { name: 'swap.patch.test', type: 'A', changetype: 'DELETE' },
      {
        name: 'swap.patch.test',
        type: 'CNAME',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: 'target.example.net.' }],
      },
    ]);
    const zone = await client.getZone('patch.test.', { rrsetName: 'swap.patch.test' });
    expect(zone.rrsets?.map((r) => r.type)).toEqual(['CNAME']);

    const before = await client.getZone('patch.test.');
    const failed = await client
      .patchRRsets('patch.test.', [
        {
          name: 'ok.patch.test',
          type: 'A',
          changetype: 'REPLACE',
          ttl: 60,
          records: [{ content: '192.0.2.1' }],
        },
        {
          name: 'bad.patch.test',
          type: 'A',
          changetype: 'REPLACE',
          ttl: 60,
          records: [{ content: '999.1.1.1' }],
        },
      ])
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PowerDnsApiError);
    expect((failed as PowerDnsApiError).status).toBe(422);
    expect((failed as PowerDnsApiError).serverMessage).toMatch(/parse IP|999/i);
    const after = await client.getZone('patch.test.');
    expect(after.serial).toBe(before.serial);
    expect(after.rrsets).toEqual(before.rrsets);
  });

  it('rejects EXTEND/PRUNE on servers without them, before sending', async () => {
    proxy.reset();
    // a 4.7 server, whatever the matrix runs: the version gate is what is tested
    const old = new PowerDnsClient({ apiUrl: proxy.url, apiKey: pdns.apiKey, assumeVersion: '4.7.3' });
    const error = await old
      .patchRRsets('patch.test.', [
        {
          name: 'x.patch.test',
          type: 'A',
          changetype: 'EXTEND',
          ttl: 60,
          records: [{ content: '192.0.2.1' }],
        },
      ])
      .catch((e: unknown) => e);
    await old.close();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.code).toBe('unsupported_changetype');
    expect(proxy.seen.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('EXTEND adds one record and PRUNE removes one, leaving the others (servers that have them)', async (ctx) => {
    if (!(await pdns.client.features()).extendPrune) {
      // 4.7: the gate above refuses them; nothing to run against
      ctx.skip();
      return;
    }
    await client.createZone({ name: 'extend.test', kind: 'Native', nameservers: ['ns1.extend.test'] });
    const contents = async () =>
      ((await client.getZone('extend.test.', { rrsetName: 'pool.extend.test', rrsetType: 'A' })).rrsets ?? [])
        .flatMap((r) => r.records.map((x) => x.content))
        .sort();
    const change = (changetype: 'EXTEND' | 'PRUNE', content: string) => ({
      name: 'pool.extend.test',
      type: 'A',
      changetype,
      ttl: 60,
      records: [{ content }],
    });
    // EXTEND creates the rrset when it is absent
    await client.patchRRsets('extend.test.', [change('EXTEND', '192.0.2.1')]);
    expect(await contents()).toEqual(['192.0.2.1']);
    await client.patchRRsets('extend.test.', [change('EXTEND', '192.0.2.2')]);
    await client.patchRRsets('extend.test.', [change('EXTEND', '192.0.2.3')]);
    expect(await contents()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    // EXTEND with a record already there changes nothing
    await client.patchRRsets('extend.test.', [change('EXTEND', '192.0.2.2')]);
    expect(await contents()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    // several EXTEND/PRUNE of one rrset in one PATCH
    await client.patchRRsets('extend.test.', [change('PRUNE', '192.0.2.1'), change('EXTEND', '192.0.2.4')]);
    expect(await contents()).toEqual(['192.0.2.2', '192.0.2.3', '192.0.2.4']);
    // PRUNE of a record that is not there changes nothing
    await client.patchRRsets('extend.test.', [change('PRUNE', '192.0.2.99')]);
    expect(await contents()).toEqual(['192.0.2.2', '192.0.2.3', '192.0.2.4']);
    await client.patchRRsets('extend.test.', [change('PRUNE', '192.0.2.2'), change('PRUNE', '192.0.2.3')]);
    expect(await contents()).toEqual(['192.0.2.4']);
    // pruning the last record removes the rrset
    await client.patchRRsets('extend.test.', [change('PRUNE', '192.0.2.4')]);
    expect(await contents()).toEqual([]);
  });

  it('writes TXT with quotes, backslashes and non-ASCII so that every version stores the same content', async () => {
    await client.createZone({ name: 'txt.test', kind: 'Native', nameservers: ['ns1.txt.test'] });
    const written = [
      String.raw`"say \"hi\" \\ ok"`,
      String.raw`"lit \\034 text"`,
      String.raw`"caf\195\169"`,
      '"plain"',
      String.raw`"quote\"mid"`,
    ];
    proxy.reset();
    await client.patchRRsets(
      'txt.test.',
      written.map((content, i) => ({
        name: `t${i}.txt.test`,
        type: 'TXT',
        changetype: 'REPLACE' as const,
        ttl: 60,
        records: [{ content }],
      })),
    );
    const stored = (await client.getZone('txt.test.')).rrsets
      ?.filter((r) => r.type === 'TXT')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((r) => r.records[0]?.content);
    const unescapes = (await pdns.client.features()).txtWriteUnescapes;
    // 4.7 and 4.9 store what they get; 5.1 unescapes once more, which the client makes up for (a
    // quote goes as \034, which 5.1 keeps): every version stores the same text
    if (unescapes)
      expect(stored?.map((c) => fromPowerDnsContent('TXT', c ?? ''))).toEqual(
        written.map((c) => fromPowerDnsContent('TXT', c)),
      );
    else expect(stored).toEqual(written);
    const sent = JSON.parse(proxy.seen.find((r) => r.method === 'PATCH')!.body) as {
      rrsets: { records: { content: string }[] }[];
    };
    // for 5.1 the quoted strings go in the portable form (quote and backslash as \034 and \092),
    // backslashes doubled
    expect(sent.rrsets[0]?.records[0]?.content).toBe(
      unescapes ? String.raw`"say \\034hi\\034 \\092 ok"` : written[0],
    );
  });

  it('escapes TXT for a server that unescapes on write (5.1), raw non-ASCII included', async () => {
    await client.createZone({ name: 'txt51.test', kind: 'Native', nameservers: ['ns1.txt51.test'] });
    const as51 = new PowerDnsClient({
      apiUrl: proxy.url,
      apiKey: pdns.apiKey,
      assumeVersion: '5.1.5',
      retry: { retries: 0 },
    });
    proxy.reset();
    // the server behind may be an older version, which would refuse this body: the proxy answers
    // in its place, and only the body sent is looked at
    proxy.fail(1, { method: 'PATCH', status: 422, body: '{"error":"not sent on"}' });
    const refused = await as51
      .patchRRsets('txt51.test.', [
        {
          name: 'x.txt51.test',
          type: 'TXT',
          changetype: 'REPLACE',
          ttl: 60,
          records: [{ content: String.raw`"a \"b\" \\ é"` }, { content: '"plain"' }],
        },
        {
          name: 'y.txt51.test',
          type: 'A',
          changetype: 'REPLACE',
          ttl: 60,
          records: [{ content: '192.0.2.1' }],
        },
        {
          name: 'z.txt51.test',
          type: 'CAA',
          changetype: 'REPLACE',
          ttl: 60,
          records: [{ content: String.raw`0 iodef "mailto:ñ\"@example.com"` }],
        },
        {
          name: 'l.txt51.test',
          type: 'LUA',
          changetype: 'REPLACE',
          ttl: 60,
          records: [{ content: String.raw`TXT "'café \\ x'"` }],
        },
      ])
      .catch((e: unknown) => e);
    await as51.close();
    expect(refused).toBeInstanceOf(PowerDnsApiError);
    const sent = JSON.parse(proxy.seen.find((r) => r.method === 'PATCH')!.body) as {
      rrsets: { records: { content: string }[] }[];
    };
    expect(sent.rrsets[0]?.records.map((r) => r.content)).toEqual([
      String.raw`"a \\034b\\034 \\092 \\195\\169"`,
      '"plain"',
    ]);
    expect(sent.rrsets[1]?.records[0]?.content).toBe('192.0.2.1');
    // CAA's quoted value the same way; LUA code as it is (5.1 stores it as sent)
    expect(sent.rrsets[2]?.records[0]?.content).toBe(
      String.raw`0 iodef "mailto:\\195\\177\\034@example.com"`,
    );
    expect(sent.rrsets[3]?.records[0]?.content).toBe(String.raw`TXT "'café \\ x'"`);
  });

  it('checks TTLs and duplicates client-side', async () => {
    await expect(
      client.patchRRsets('patch.test.', [
        {
          name: 'x.patch.test',
          type: 'A',
          changetype: 'REPLACE',
          ttl: -1,
          records: [{ content: '192.0.2.1' }],
        },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      client.patchRRsets('patch.test.', [
        { name: 'x.patch.test', type: 'A', changetype: 'DELETE' },
        { name: 'X.patch.test.', type: 'a', changetype: 'DELETE' },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('sends exactly the fields PowerDNS expects, whatever extra the caller put in a change', async () => {
    proxy.reset();
    const extra = { note: 'not for the server' };
    await client.patchRRsets('patch.test.', [
      // already in wire form: sent as it is
      {
        name: 'wire.patch.test.',
        type: 'A',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: '192.0.2.1', disabled: false }],
      },
      // relative name, lower-case type, missing `disabled`, a field of its own: rewritten
      {
        ...extra,
        name: 'loose.patch.test',
        type: 'a',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: '192.0.2.2' }],
      },
      // a DELETE never carries records
      {
        name: 'gone.patch.test.',
        type: 'A',
        changetype: 'DELETE',
        ttl: 60,
        records: [{ content: '192.0.2.3' }],
      },
    ]);
    const body = JSON.parse(proxy.seen.find((r) => r.method === 'PATCH')?.body ?? '{}') as unknown;
    expect(body).toEqual({
      rrsets: [
        {
          name: 'wire.patch.test.',
          type: 'A',
          changetype: 'REPLACE',
          ttl: 60,
          records: [{ content: '192.0.2.1', disabled: false }],
        },
        {
          name: 'loose.patch.test.',
          type: 'A',
          changetype: 'REPLACE',
          ttl: 60,
          records: [{ content: '192.0.2.2', disabled: false }],
        },
        { name: 'gone.patch.test.', type: 'A', changetype: 'DELETE' },
      ],
    });
  });

  it('never sends Expect: 100-continue, and sends the key only as a header', async () => {
    proxy.reset();
    const rrsets = Array.from({ length: 3000 }, (_, i) => ({
      name: `bulk${i}.patch.test`,
      type: 'A',
      changetype: 'REPLACE' as const,
      ttl: 60,
      records: [{ content: '192.0.2.1' }],
    }));
    const started = performance.now();
    await client.patchRRsets('patch.test.', rrsets);
    const elapsed = performance.now() - started;
    const patch = proxy.seen.find((r) => r.method === 'PATCH');
    expect(patch?.body.length).toBeGreaterThan(300_000);
    expect(patch?.headers['expect']).toBeUndefined();
    expect(patch?.headers['x-api-key']).toBe(pdns.apiKey);
    expect(patch?.path).not.toContain(pdns.apiKey);
    expect(elapsed).toBeLessThan(900); // a 100-continue stall alone would cost 1 s
  });
});

describe('metadata, cryptokeys, TSIG keys', () => {
  it('manages zone metadata', async () => {
    await client.createZone({ name: 'meta.test', kind: 'Native' });
    await client.setMetadata('meta.test.', 'X-SYNC-OWNER', ['catalyst']);
    expect((await client.getMetadata('meta.test.', 'X-SYNC-OWNER')).metadata).toEqual(['catalyst']);
    expect((await client.listMetadata('meta.test.')).map((m) => m.kind)).toContain('X-SYNC-OWNER');
    await client.deleteMetadata('meta.test.', 'X-SYNC-OWNER');
    expect((await client.getMetadata('meta.test.', 'X-SYNC-OWNER')).metadata).toEqual([]);
    const bad = await client.setMetadata('meta.test.', 'FOO', ['1']).catch((e: unknown) => e);
    expect((bad as PowerDnsApiError).status).toBe(422);
  });

  it('manages DNSSEC keys', async () => {
    await client.createZone({ name: 'keys.test', kind: 'Native', nameservers: ['ns1.keys.test'] });
    const key = await client.createCryptokey('keys.test.', {
      keytype: 'csk',
      active: true,
      algorithm: 'ECDSAP256SHA256',
    });
    expect(key.active).toBe(true);
    expect((await client.listCryptokeys('keys.test.')).map((k) => k.id)).toContain(key.id);
    await client.setCryptokeyState('keys.test.', key.id, { active: false });
    expect((await client.getCryptokey('keys.test.', key.id)).active).toBe(false);
    await client.deleteCryptokey('keys.test.', key.id);
    expect(await client.listCryptokeys('keys.test.')).toEqual([]);
  });

  it('manages TSIG keys', async () => {
    const created = await client.createTsigKey({ name: 'xfr-key', algorithm: 'hmac-sha256' });
    expect(created.key).toBeTruthy();
    expect((await client.listTsigKeys()).map((k) => k.name)).toContain('xfr-key');
    expect((await client.getTsigKey(created.id)).key).toBe(created.key);
    const duplicate = await client
      .createTsigKey({ name: 'xfr-key', algorithm: 'hmac-sha256' })
      .catch((e: unknown) => e);
    expect((duplicate as PowerDnsApiError).status).toBe(409);
    await client.deleteTsigKey(created.id);
    expect((await client.listTsigKeys()).map((k) => k.name)).not.toContain('xfr-key');
  });
});

describe('failures, retries and secrecy', () => {
  it('retries 500 "database is locked" and succeeds', async () => {
    proxy.reset();
    proxy.fail(2, { status: 500, body: '{"error":"database is locked"}', method: 'PATCH' });
    await client.patchRRsets('patch.test.', [
      {
        name: 'retry.patch.test',
        type: 'A',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: '192.0.2.5' }],
      },
    ]);
    expect(proxy.seen.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([500, 500, 204]);
  });

  it('gives up after the retries with a typed, retryable error', async () => {
    proxy.reset();
    proxy.fail(10, { status: 500, body: '{"error":"Internal Server Error"}' });
    const error = await client.listZones().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PowerDnsApiError);
    expect(error).toMatchObject({
      status: 500,
      retryable: true,
      attempts: 4,
      serverMessage: 'Internal Server Error',
    });
    expect(proxy.seen).toHaveLength(4);
    proxy.reset();
  });

  it('does not retry 4xx answers', async () => {
    proxy.reset();
    const error = await client
      .patchRRsets('patch.test.', [
        {
          name: 'c.patch.test',
          type: 'CNAME',
          changetype: 'REPLACE',
          ttl: 60,
          records: [{ content: 'no-dot' }],
        },
      ])
      .catch((e: unknown) => e);
    expect((error as PowerDnsApiError).status).toBe(422);
    expect(proxy.seen).toHaveLength(1);
  });

  it('does not retry a non-idempotent create after a 5xx that might have applied', async () => {
    proxy.reset();
    proxy.fail(1, { status: 503, body: 'gateway', method: 'POST' });
    await expect(client.createZone({ name: 'once.test', kind: 'Native' })).rejects.toMatchObject({
      status: 503,
    });
    expect(proxy.seen).toHaveLength(1);
  });

  it('sends writes to one server one at a time, even from several clients', async () => {
    proxy.reset();
    const other = new PowerDnsClient({ apiUrl: proxy.url, apiKey: pdns.apiKey });
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? client : other).patchRRsets('patch.test.', [
          {
            name: `par${i}.patch.test`,
            type: 'A',
            changetype: 'REPLACE',
            ttl: 60,
            records: [{ content: '192.0.2.7' }],
          },
        ]),
      ),
    );
    await other.close();
    expect(proxy.maxInFlightWrites).toBe(1);
    expect(proxy.seen.filter((r) => r.status === 204)).toHaveLength(16);
  });

  it('times out and aborts', async () => {
    proxy.reset();
    proxy.setDelay(500);
    const slow = new PowerDnsClient({
      apiUrl: proxy.url,
      apiKey: pdns.apiKey,
      timeoutMs: 100,
      retry: { retries: 1, minDelayMs: 10 },
    });
    const timedOut = await slow.listZones().catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ kind: 'timeout', retryable: true, attempts: 2 });
    const controller = new AbortController();
    const pending = client.listZones({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    proxy.setDelay(0);
    await slow.close();
  });

  it('reports a stopped server as a retryable network error', async () => {
    const gone = await startPowerDns();
    const goneClient = new PowerDnsClient({
      apiUrl: gone.apiUrl,
      apiKey: gone.apiKey,
      retry: { retries: 2, minDelayMs: 10 },
    });
    await gone.stop();
    const error = await goneClient.listZones().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PowerDnsApiError);
    expect(error).toMatchObject({
      kind: 'network',
      retryable: true,
      attempts: 3,
      code: 'PROVIDER_UNREACHABLE',
    });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    await goneClient.close();
  });

  it('never shows the API key in errors, inspect output or JSON', async () => {
    const wrongKey = new PowerDnsClient({
      apiUrl: pdns.apiUrl,
      apiKey: 'not-the-key-s3cr3t',
      retry: { retries: 0 },
    });
    const error = await wrongKey.listZones().catch((e: unknown) => e);
    expect((error as PowerDnsApiError).status).toBe(401);
    for (const text of [
      inspect(error, { depth: 10, showHidden: true }),
      String(error),
      JSON.stringify(error),
      inspect(wrongKey, { showHidden: true }),
      JSON.stringify(wrongKey),
    ]) {
      expect(text).not.toContain('not-the-key-s3cr3t');
    }
    for (const text of [
      inspect(client, { depth: 10, showHidden: true }),
      inspect(pdns.client, { depth: 10 }),
    ]) {
      expect(text).not.toContain(pdns.apiKey);
    }
    await wrongKey.close();
  });

  it('reports each attempt to onRequest without the key', async () => {
    const events: unknown[] = [];
    const observed = new PowerDnsClient({
      apiUrl: pdns.apiUrl,
      apiKey: pdns.apiKey,
      onRequest: (e) => events.push(e),
    });
    await observed.listZones();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ method: 'GET', status: 200, attempt: 1 });
    expect(JSON.stringify(events)).not.toContain(pdns.apiKey);
    await observed.close();
  });
});

describe('large and lost writes', () => {
  const rrsets = (zone: string, n: number, ip: string): RRsetChange[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `h${i}.${zone}.`,
      type: 'A',
      changetype: 'REPLACE' as const,
      ttl: 60,
      records: [{ content: ip, disabled: false }],
    }));
  const seen = (method: string, zone: string) =>
    proxy.seen.filter((r) => r.method === method && r.path.includes(`/zones/${zone}.`)).length;
  const contentOf = async (zone: string, name: string) =>
    (
      await pdns.client.getZone(zone, { rrsetName: `${name}.${zone}`, rrsetType: 'A' })
    ).rrsets?.[0]?.records.map((r) => r.content);

  it('a PATCH that ran but whose answer was lost is read back, not sent again', async () => {
    const zone = 'lost-answer.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    proxy.reset();
    proxy.fail(1, { method: 'PATCH', forward: true, drop: true, status: 0, body: '' });
    const result = await client.patchRRsets(`${zone}.`, rrsets(zone, 20, '192.0.2.1'));
    expect(result.newSerial).toBeUndefined();
    expect(seen('PATCH', zone)).toBe(1);
    expect(seen('GET', zone)).toBe(1);
    expect(await contentOf(zone, 'h19')).toEqual(['192.0.2.1']);
  });

  it('a PATCH lost on the way is read back, found missing, and sent once more', async () => {
    const zone = 'lost-request.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    proxy.reset();
    proxy.fail(1, { method: 'PATCH', drop: true, status: 0, body: '' });
    await client.patchRRsets(`${zone}.`, rrsets(zone, 20, '192.0.2.2'));
    expect(seen('PATCH', zone)).toBe(2);
    expect(seen('GET', zone)).toBe(1);
    expect(await contentOf(zone, 'h0')).toEqual(['192.0.2.2']);
  });

  it('a gateway timeout (504) after the write ran is read back, not resent', async () => {
    const zone = 'gateway.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    proxy.reset();
    proxy.fail(1, { method: 'PATCH', forward: true, status: 504, body: 'gateway timeout' });
    await client.patchRRsets(`${zone}.`, rrsets(zone, 5, '192.0.2.3'));
    expect(seen('PATCH', zone)).toBe(1);
    expect(await contentOf(zone, 'h4')).toEqual(['192.0.2.3']);
  });

  it('the timeout of a PATCH grows with its body', async () => {
    const zone = 'slow-write.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    const changes = rrsets(zone, 200, '192.0.2.4'); // about 20 kB
    const scaled = new PowerDnsClient({
      apiUrl: proxy.url,
      apiKey: pdns.apiKey,
      timeoutMs: 300,
      timeoutPerMegabyteMs: 100_000, // 20 kB → + 2 s
      retry: { retries: 0 },
    });
    const fixed = new PowerDnsClient({
      apiUrl: proxy.url,
      apiKey: pdns.apiKey,
      timeoutMs: 300,
      timeoutPerMegabyteMs: 0,
      retry: { retries: 0 },
    });
    try {
      proxy.reset();
      proxy.fail(1, { method: 'PATCH', forward: true, status: 0, body: '', delayMs: 800 });
      await scaled.patchRRsets(`${zone}.`, changes);
      expect(seen('GET', zone)).toBe(0); // answered in time: nothing to read back
      proxy.reset();
      proxy.fail(1, { method: 'PATCH', forward: true, status: 0, body: '', delayMs: 800 });
      // the same write with a fixed 300 ms timeout times out; the read-back finds it applied
      await fixed.patchRRsets(`${zone}.`, changes);
      expect(seen('GET', zone)).toBe(1);
      expect(seen('PATCH', zone)).toBe(1);
    } finally {
      await Promise.all([scaled.close(), fixed.close()]);
    }
  });

  it('a timeout is reported in whole ms, and a PATCH timeout says its outcome is unknown', async () => {
    const zone = 'unknown-outcome.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    proxy.reset();
    proxy.setDelay(600);
    const slow = new PowerDnsClient({ apiUrl: proxy.url, apiKey: pdns.apiKey, retry: { retries: 0 } });
    try {
      // a per-call timeout computed from a deadline is rarely whole
      const listed = await slow.listZones({ timeoutMs: 100.4 }).catch((e: unknown) => e);
      expect(listed).toMatchObject({ kind: 'timeout' });
      expect((listed as Error).message).toMatch(/timed out after 101 ms$/);
      // a PATCH whose answer is late; the read-back finds it not applied yet, but PowerDNS may
      // still be running it: nobody knows whether the write will land
      proxy.setDelay(0);
      proxy.fail(1, { method: 'PATCH', status: 500, body: '', delayMs: 600 });
      const patched = await slow
        .patchRRsets(`${zone}.`, rrsets(zone, 1, '192.0.2.9'), { timeoutMs: 100.4 })
        .catch((e: unknown) => e);
      expect(patched).toBeInstanceOf(PowerDnsApiError);
      expect(patched).toMatchObject({ kind: 'timeout', method: 'PATCH' });
      // 101 ms plus the body's share (timeoutPerMegabyteMs), whole
      expect((patched as Error).message).toMatch(/timed out after 10\d ms;/);
      expect((patched as Error).message).toMatch(/outcome is unknown.*may have been applied.*next plan/);
      // a read that timed out says nothing of the kind
      expect((listed as Error).message).not.toMatch(/outcome/);
    } finally {
      proxy.setDelay(0);
      await slow.close();
    }
  });
});

describe('the API key never leaves the client', () => {
  it('a proxy that echoes the request headers into its error does not put the key into the error', async () => {
    const echoed = `{"error":"rejected: X-API-Key: ${pdns.apiKey}; user-agent: x"}`;
    for (const status of [400, 502]) {
      proxy.reset();
      proxy.fail(1, {
        method: 'GET',
        status,
        body: status === 400 ? echoed : `<pre>X-API-Key: ${pdns.apiKey}</pre>`,
      });
      const failing = new PowerDnsClient({ apiUrl: proxy.url, apiKey: pdns.apiKey, retry: { retries: 0 } });
      const error = await failing.listZones().then(
        () => undefined,
        (e: unknown) => e as PowerDnsApiError,
      );
      await failing.close();
      expect(error).toBeInstanceOf(PowerDnsApiError);
      expect(error?.status).toBe(status);
      for (const text of [error?.message, error?.serverMessage, JSON.stringify(error), inspect(error)])
        expect(text).not.toContain(pdns.apiKey);
      expect(error?.message).toContain('[redacted]');
    }
  });
});
