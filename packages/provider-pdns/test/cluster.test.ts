// Several PowerDNS API servers over one PostgreSQL database (the gpgsql backend), as PowerDNS is
// scaled out in production: writers in two regions, each through its own server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainFilter, reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { PowerDnsProvider, type PowerDnsProviderOptions } from '@openova/dns-provider-pdns';
import {
  queryDns,
  startPostgres,
  startPowerDns,
  type RunningPostgres,
  type RunningPowerDns,
} from '@openova/dns-provider-pdns/testing';

const NAMES = 300;
const RACES = 5;
let db: RunningPostgres;
let east: RunningPowerDns;
let west: RunningPowerDns;

beforeAll(async () => {
  db = await startPostgres();
  [east, west] = await Promise.all([startPowerDns({ gpgsql: db }), startPowerDns({ gpgsql: db })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([east?.stop(), west?.stop()]);
  await db?.stop();
});

function writer(server: RunningPowerDns, zone: string, ownerId: string, extra: Partial<PowerDnsProviderOptions> = {}) {
  const provider = new PowerDnsProvider({
    apiUrl: server.apiUrl,
    apiKey: server.apiKey,
    domainFilter: new DomainFilter({ include: [zone] }),
    ...extra,
  } as PowerDnsProviderOptions);
  const registry = new TxtRegistry(provider, { ownerId, prefix: '_owner.%{record_type}.' });
  return { provider, registry };
}

function desiredIn(zone: string, count = NAMES): EndpointInit[] {
  return Array.from({ length: count }, (_, i) => ({
    dnsName: `host-${i}.${zone}`,
    recordType: 'A' as const,
    targets: [`198.51.100.${i % 250}`],
  }));
}

/** Records stored more than once in a zone: rows beyond the first of each (name, type, content). */
async function surplusRows(zone: string): Promise<number> {
  const out = await db.sql(
    `SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM records r JOIN domains d ON d.id = r.domain_id
       WHERE d.name = '${zone}' AND r.type IS NOT NULL GROUP BY r.name, r.type, r.content) x`,
  );
  return Number(out.trim());
}

async function createZone(zone: string): Promise<void> {
  await east.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
}

/** Both writers compute their plans, wait for each other, then apply at the same moment. */
async function race(zone: string, ownerIds: [string, string], extra: Partial<PowerDnsProviderOptions> = {}) {
  const desired = desiredIn(zone);
  let arrived = 0;
  let release!: () => void;
  const barrier = new Promise<void>((resolve) => (release = resolve));
  const run = (server: RunningPowerDns, ownerId: string) =>
    reconcile({
      registry: writer(server, zone, ownerId, extra).registry,
      desired,
      policy: 'sync',
      hooks: {
        onPlan: async () => {
          if (++arrived === 2) release();
          await barrier;
        },
      },
    });
  return Promise.all([run(east, ownerIds[0]), run(west, ownerIds[1])]);
}

describe('two API servers over one PostgreSQL database', () => {
  it('without serialised writers, same-owner races store duplicates and the next run repairs them', async () => {
    let racesWithDuplicates = 0;
    for (let n = 0; n < RACES; n++) {
      const zone = `race${n}.cluster.test`;
      await createZone(zone);
      await race(zone, ['region', 'region']);
      const surplus = await surplusRows(zone);
      if (surplus > 0) racesWithDuplicates++;
      // the repair run: through either server, then a second plan is empty and nothing is repeated
      const { registry } = writer(west, zone, 'region');
      const repair = await reconcile({ registry, desired: desiredIn(zone), policy: 'sync' });
      expect(repair.counts.create + repair.counts.delete).toBe(0);
      expect(await surplusRows(zone)).toBe(0);
      const again = await reconcile({ registry, desired: desiredIn(zone), policy: 'sync', dryRun: true });
      expect(again.plan.hasChanges).toBe(false);
    }
    console.log(`same-owner races without serialisation: ${racesWithDuplicates} of ${RACES} stored duplicates`);
  }, 120_000);
});
