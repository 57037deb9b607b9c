// Change sets larger than PowerDNS's webserver-max-bodysize: split into several PATCHes that each
// fit, every record with its ownership TXT, against a real server with a 1 MB limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  InterruptedApplyError,
  reconcile,
  TxtRegistry,
  type EndpointInit,
} from '@openova/dns-core';
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

function setup(zone: string, maxBodyBytes?: number, retries?: number) {
  const provider = new PowerDnsProvider({
    apiUrl: proxy.url,
    apiKey: pdns.apiKey,
    domainFilter: new DomainFilter({ include: [zone] }),
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    ...(retries === undefined ? {} : { retry: { retries } }),
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

describe('a change set split into several PATCHes that fails in a later one', () => {
  it('names exactly the records applied and those not; the next run converges', async () => {
    const zone = 'split-fault.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    const desired: EndpointInit[] = Array.from({ length: 90 }, (_, i) => ({
      dnsName: `h${i}.${zone}`,
      recordType: 'A',
      targets: [`192.0.2.${i + 1}`],
    }));
    const all = desired.map((d) => `${d.dnsName} A`).sort();
    // 10,000-byte PATCHes: several; the second one fails with a 500 (no retry)
    proxy.reset();
    proxy.fail(1, { method: 'PATCH', status: 500, body: '{"error":"Internal Server Error"}', after: 1 });
    const error = await reconcile({ registry: setup(zone, 10_000, 0), desired, policy: 'sync' }).catch(
      (e: unknown) => e,
    );
    const patches = proxy.seen.filter((r) => r.method === 'PATCH');
    // the first applied, the second failed, none sent after it
    expect(patches.map((p) => p.status)).toEqual([204, 500]);
    const firstPatch = JSON.parse(patches[0]?.body ?? '{}') as { rrsets: { name: string; type: string }[] };
    const inFirst = firstPatch.rrsets
      .filter((r) => r.type === 'A')
      .map((r) => `${r.name.slice(0, -1)} A`)
      .sort();
    expect(inFirst.length).toBeGreaterThan(0);
    expect(inFirst.length).toBeLessThan(desired.length / 2);

    expect(error).toBeInstanceOf(InterruptedApplyError);
    const interrupted = error as InterruptedApplyError;
    expect(interrupted.cause).toBeInstanceOf(PowerDnsApiError);
    expect(interrupted).toMatchObject({ status: 500, retryable: true, code: 'PROVIDER' });
    // exactly the records of the first PATCH were applied, every other one was not
    expect([...interrupted.applied].sort()).toEqual(inFirst);
    expect([...interrupted.notApplied].sort()).toEqual(all.filter((n) => !inFirst.includes(n)));
    expect(interrupted.message).toMatch(
      new RegExp(
        `^pdns: ${desired.length - inFirst.length} record set change\\(s\\) not applied \\(.*; ${inFirst.length} applied \\(`,
      ),
    );
    // and that is what is stored: the applied records with their ownership TXTs, nothing else
    const stored = (await pdns.client.getZone(`${zone}.`)).rrsets ?? [];
    expect(
      stored
        .filter((r) => r.type === 'A')
        .map((r) => `${r.name.slice(0, -1)} A`)
        .sort(),
    ).toEqual(inFirst);
    expect(stored.filter((r) => r.type === 'TXT' && r.name.startsWith('_owner.')).length).toBe(
      inFirst.length,
    );

    // the next run writes the rest, and the one after it has nothing to do
    proxy.reset();
    const retry = await reconcile({ registry: setup(zone, 10_000, 0), desired, policy: 'sync' });
    expect(retry.counts.create).toBe(desired.length - inFirst.length);
    const again = await reconcile({
      registry: setup(zone, 10_000, 0),
      desired,
      policy: 'sync',
      dryRun: true,
    });
    expect(again.plan.hasChanges).toBe(false);
    expect(again.counts.ownedRecords).toBe(desired.length);
  }, 60_000);
});
