// `Changes.UpdateOld` and `UpdateNew` pair by index in ExternalDNS (`updateOld[i]` is replaced by
// `updateNew[i]`, a record of the same name and type), but its TXT registry filters the two lists
// apart by owner, so they can differ in length. A 4xx would make ExternalDNS exit, so the answer is
// the 500 of records not applied, naming both lengths; the pairs that can be found by name and type
// are written, with the creates and deletes, on every provider alike (PowerDNS refused the whole
// change set with a message about `updateNew` before).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainFilter, type Provider } from '@openova/dns-core';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { externalDnsPost } from './support/rawHttp.js';
import { memoryProvider, startServer, stopAll } from './support/servers.js';

const A = (dnsName: string, target: string) => ({ dnsName, recordType: 'A', targets: [target] });
const marker = (name: string, prefix = '_externaldns.a-') => ({
  dnsName: `${prefix}${name}`,
  recordType: 'TXT',
  targets: ['"heritage=external-dns,external-dns/owner=openova"'],
  labels: { ownedRecord: name },
});

let pdns: RunningPowerDns;
beforeAll(async () => {
  pdns = await startPowerDns();
});
afterAll(async () => {
  await stopAll();
  await pdns?.stop();
});

const providers: [string, (zone: string) => Promise<Provider>][] = [
  [
    'inmemory',
    () =>
      Promise.resolve(
        memoryProvider([
          A('a.example.com', '192.0.2.1'),
          A('b.example.com', '192.0.2.2'),
          A('gone.example.com', '192.0.2.3'),
        ]),
      ),
  ],
  [
    'pdns',
    async (zone) => {
      await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
      const provider = new PowerDnsProvider({
        apiUrl: pdns.apiUrl,
        apiKey: pdns.apiKey,
        domainFilter: new DomainFilter({ include: [zone] }),
      });
      await pdns.client.patchRRsets(
        `${zone}.`,
        ['a', 'b', 'gone'].map((n, i) => ({
          name: `${n}.${zone}.`,
          type: 'A',
          ttl: 300,
          changetype: 'REPLACE' as const,
          records: [{ content: `192.0.2.${i + 1}`, disabled: false }],
        })),
      );
      return provider;
    },
  ],
];

let zones = 0;
describe.each(providers)('updateOld and updateNew that do not pair (%s)', (_, make) => {
  it('lengths differ: 500 naming both lengths and the record left out; everything that pairs is written', async () => {
    const zone = `pairs${++zones}.test`;
    const domain = _ === 'inmemory' ? 'example.com' : zone;
    const provider = await make(zone);
    const { url } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        create: [A(`new.${domain}`, '192.0.2.9')],
        // a.<domain> has an old version (and its marker) but no new one
        updateOld: [A(`a.${domain}`, '192.0.2.1'), A(`b.${domain}`, '192.0.2.2'), marker(`a.${domain}`)],
        updateNew: [A(`b.${domain}`, '192.0.2.20')],
        delete: [A(`gone.${domain}`, '192.0.2.3')],
      }),
    );
    expect(res.status).toBe(500);
    // sent: 1 create, 1 delete, 3 updates (the longer list); left out: a and its marker
    expect(res.text).toMatch(/^2 of 5 records were not applied /);
    expect(res.text).toContain(
      `a.${domain} A, _externaldns.a-a.${domain} TXT: updateOld[0]: no version in updateNew replaces it (updateOld has 3 records and updateNew 1; ExternalDNS pairs them by index`,
    );
    const stored = Object.fromEntries(
      (await provider.records())
        .filter((r) => r.recordType === 'A')
        .map((r) => [r.dnsName, r.targets.join()]),
    );
    expect(stored).toEqual({
      [`a.${domain}`]: '192.0.2.1',
      [`b.${domain}`]: '192.0.2.20',
      [`new.${domain}`]: '192.0.2.9',
    });
  });

  it('same length, pairs out of order: paired by name and type, all written (204)', async () => {
    const zone = `pairs${++zones}.test`;
    const domain = _ === 'inmemory' ? 'example.com' : zone;
    const provider = await make(zone);
    const { url } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        updateOld: [A(`a.${domain}`, '192.0.2.1'), A(`b.${domain}`, '192.0.2.2')],
        updateNew: [A(`b.${domain}`, '192.0.2.20'), A(`a.${domain}`, '192.0.2.10')],
      }),
    );
    expect(res.status).toBe(204);
    const stored = Object.fromEntries(
      (await provider.records())
        .filter((r) => r.recordType === 'A')
        .map((r) => [r.dnsName, r.targets.join()]),
    );
    expect(stored[`a.${domain}`]).toBe('192.0.2.10');
    expect(stored[`b.${domain}`]).toBe('192.0.2.20');
  });

  it('a new version with no old one: left out, never a 4xx', async () => {
    const zone = `pairs${++zones}.test`;
    const domain = _ === 'inmemory' ? 'example.com' : zone;
    const provider = await make(zone);
    const { url } = await startServer(provider);
    const res = await externalDnsPost(
      url,
      '/records',
      JSON.stringify({ updateOld: [], updateNew: [A(`a.${domain}`, '192.0.2.10')] }),
    );
    expect(res.status).toBe(500);
    expect(res.text.trim()).toBe(
      `1 of 1 record was not applied (every other record was written; a record and its ownership TXT record are left out together): a.${domain} A: updateNew[0]: no version in updateOld for it to replace (updateOld has 0 records and updateNew 1; ExternalDNS pairs them by index, updateOld[i] replaced by updateNew[i] of the same name and type); not written`,
    );
    const a = (await provider.records()).find((r) => r.dnsName === `a.${domain}`);
    expect(a?.targets).toEqual(['192.0.2.1']);
  });
});
