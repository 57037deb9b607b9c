// Change sets larger than PowerDNS's webserver-max-bodysize: split into several PATCHes that each
// fit, every record with its ownership TXT, against a real server with a 1 MB limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainFilter, reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { PowerDnsApiError, PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { startApiProxy, type ApiProxy } from './proxy.js';

const NAMES = 6000;
let pdns: RunningPowerDns;
let proxy: ApiProxy;

beforeAll(async () => {
  pdns = await startPowerDns({ settings: { 'webserver-max-bodysize': '1' } });
  proxy = await startApiProxy(pdns.apiUrl);
});

afterAll(async () => {
  await proxy?.close();
  await pdns?.stop();
});

function setup(zone: string, maxBodyBytes?: number) {
  const provider = new PowerDnsProvider({
    apiUrl: proxy.url,
    apiKey: pdns.apiKey,
    domainFilter: new DomainFilter({ include: [zone] }),
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
  });
  return new TxtRegistry(provider, {
    ownerId: 'big',
    prefix: '_owner.%{record_type}.',
    managedRecordTypes: ['A', 'TXT'],
  });
}

const desiredIn = (zone: string): EndpointInit[] =>
  Array.from({ length: NAMES }, (_, i) => ({
    dnsName: `host-${i}.${zone}`,
    recordType: i % 3 === 0 ? 'TXT' : 'A',
    targets: i % 3 === 0 ? [`v=spf1 include:${i}.example.net -all`] : [`198.51.100.${i % 250}`],
  }));

describe('change sets larger than webserver-max-bodysize', () => {
  it('are written in several PATCHes that each fit; a second plan is empty', async () => {
    const zone = 'large.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    const registry = setup(zone, 1_000_000);
    proxy.reset();
    const first = await reconcile({ registry, desired: desiredIn(zone), policy: 'sync' });
    expect(first.counts.create).toBe(NAMES);
    const patches = proxy.seen.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBeGreaterThanOrEqual(2);
    // the budget is estimated, not wasted: parts are filled to at least 80% on average
    const total = patches.reduce((sum, p) => sum + Buffer.byteLength(p.body), 0);
    expect(patches.length).toBeLessThanOrEqual(Math.ceil(total / 800_000));
    for (const p of patches) {
      expect(p.status).toBe(204);
      expect(Buffer.byteLength(p.body)).toBeLessThan(1_000_000);
    }
    const again = await reconcile({ registry, desired: desiredIn(zone), policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
    expect(again.counts.ownedRecords).toBe(NAMES);
    // and deleting them all (sync to nothing, forced past the safety limits) splits the same way
    proxy.reset();
    await reconcile({ registry, desired: [], policy: 'sync', force: true });
    expect(proxy.seen.filter((r) => r.method === 'PATCH').length).toBeGreaterThanOrEqual(1);
    const zoneNow = await pdns.client.getZone(zone);
    expect(zoneNow.rrsets?.filter((r) => r.name.startsWith('host-') || r.name.startsWith('_owner'))).toEqual(
      [],
    );
  }, 120_000);

  it('one PATCH over the limit is refused with a 400 that names the setting, and nothing is written', async () => {
    const zone = 'too-large.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    const registry = setup(zone, 64_000_000);
    const error = await reconcile({ registry, desired: desiredIn(zone), policy: 'sync' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PowerDnsApiError);
    expect((error as PowerDnsApiError).status).toBe(400);
    expect((error as Error).message).toContain('webserver-max-bodysize');
    const zoneNow = await pdns.client.getZone(zone);
    expect(zoneNow.rrsets?.some((r) => r.name.startsWith('host-'))).toBe(false);
  }, 60_000);
});
