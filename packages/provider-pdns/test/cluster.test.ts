// Several PowerDNS API servers over one PostgreSQL database (the gpgsql backend), as PowerDNS is
// scaled out in production: writers in two regions, each through its own server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { DomainFilter, reconcile, renderPlanText, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import {
  postgresAdvisoryLock,
  PowerDnsProvider,
  type PowerDnsProviderOptions,
} from '@openova/dns-provider-pdns';
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
  // zones created through one server are served by the other at once (see the zone cache test)
  const settings = { 'zone-cache-refresh-interval': '0' };
  // a busy machine (CI, two cores) can take long to start three servers
  const startTimeoutMs = 60_000;
  [east, west] = await Promise.all([
    startPowerDns({ gpgsql: db, settings, startTimeoutMs }),
    startPowerDns({ gpgsql: db, settings, startTimeoutMs }),
  ]);
}, 150_000);

afterAll(async () => {
  await Promise.all([east?.stop(), west?.stop()]);
  await db?.stop();
});

function writer(
  server: RunningPowerDns,
  zone: string,
  ownerId: string,
  extra: Partial<PowerDnsProviderOptions> = {},
) {
  const provider = new PowerDnsProvider({
    apiUrl: server.apiUrl,
    apiKey: server.apiKey,
    domainFilter: new DomainFilter({ include: [zone] }),
    ...extra,
  });
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
function race(...args: Parameters<typeof startRace>) {
  return Promise.all(startRace(...args));
}

/** {@link race}'s two runs, each as its own promise. */
function startRace(
  zone: string,
  ownerIds: [string, string],
  extras: [Partial<PowerDnsProviderOptions>, Partial<PowerDnsProviderOptions>] = [{}, {}],
  desired: [EndpointInit[], EndpointInit[]] = [desiredIn(zone), desiredIn(zone)],
) {
  let arrived = 0;
  let release!: () => void;
  const barrier = new Promise<void>((resolve) => (release = resolve));
  const run = (
    server: RunningPowerDns,
    ownerId: string,
    extra: Partial<PowerDnsProviderOptions>,
    wanted: EndpointInit[],
  ) =>
    reconcile({
      registry: writer(server, zone, ownerId, extra).registry,
      desired: wanted,
      policy: 'sync',
      hooks: {
        onPlan: async () => {
          if (++arrived === 2) release();
          await barrier;
        },
      },
    });
  return [
    run(east, ownerIds[0], extras[0], desired[0]),
    run(west, ownerIds[1], extras[1], desired[1]),
  ] as const;
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
    console.log(
      `same-owner races without serialisation: ${racesWithDuplicates} of ${RACES} stored duplicates`,
    );
  }, 120_000);
});

describe('two regions with distinct owner IDs', () => {
  /** Per host name of the zone: the owners its stored markers name, and its stored A targets. */
  async function stored(zone: string): Promise<Map<string, { owners: string[]; targets: string[] }>> {
    const rows = await db.sql(
      `SELECT r.name, r.type, r.content FROM records r JOIN domains d ON d.id = r.domain_id
         WHERE d.name = '${zone}' AND r.type IN ('A', 'TXT') ORDER BY r.name, r.content`,
    );
    const out = new Map<string, { owners: string[]; targets: string[] }>();
    const at = (name: string) => {
      let entry = out.get(name);
      if (!entry) out.set(name, (entry = { owners: [], targets: [] }));
      return entry;
    };
    for (const line of rows.split('\n').filter(Boolean)) {
      const [name = '', type, content = ''] = line.split('|');
      if (type === 'A') at(name).targets.push(content);
      else if (name.startsWith('_owner.a.')) {
        const owner = /external-dns\/owner=([^,"]+)/.exec(content)?.[1];
        if (owner) at(name.slice('_owner.a.'.length)).owners.push(owner);
      }
    }
    return out;
  }

  /** Rows stored more than once among the zone's A and TXT records (the SOA left out). */
  async function surplusOurs(zone: string): Promise<number> {
    const out = await db.sql(
      `SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM records r JOIN domains d ON d.id = r.domain_id
         WHERE d.name = '${zone}' AND r.type IN ('A', 'TXT') GROUP BY r.name, r.type, r.content) x`,
    );
    return Number(out.trim());
  }

  const owners = ['east', 'west'] as const;
  const nets = { east: '198.51.100', west: '203.0.113' } as const;
  const lockOf = (connection: pg.Client) => ({ writeLock: postgresAdvisoryLock(connection) });

  async function withConnections<T>(body: (c: [pg.Client, pg.Client]) => Promise<T>): Promise<T> {
    const connections: [pg.Client, pg.Client] = [
      new pg.Client({ connectionString: db.url }),
      new pg.Client({ connectionString: db.url }),
    ];
    await Promise.all(connections.map((c) => c.connect()));
    try {
      return await body(connections);
    } finally {
      await Promise.all(connections.map((c) => c.end()));
    }
  }

  it('racing on disjoint names: nothing lost and no record stored twice; only the lock keeps the SOA from being stored twice', async () => {
    let doubledSoa = 0;
    await withConnections(async (connections) => {
      for (const locked of [false, true]) {
        for (let n = 0; n < RACES; n++) {
          const zone = `disjoint${locked ? 'l' : ''}${n}.cluster.test`;
          await createZone(zone);
          const mine = (owner: 'east' | 'west'): EndpointInit[] =>
            Array.from({ length: NAMES }, (_, i) => ({
              dnsName: `${owner}-${i}.${zone}`,
              recordType: 'A' as const,
              targets: [`${nets[owner]}.${i % 250}`],
            }));
          const desired: [EndpointInit[], EndpointInit[]] = [mine('east'), mine('west')];
          const [first, second] = await race(
            zone,
            ['east', 'west'],
            locked ? [lockOf(connections[0]), lockOf(connections[1])] : [{}, {}],
            desired,
          );
          expect(first.applied && second.applied).toBe(true);
          expect(await surplusOurs(zone)).toBe(0);
          // each PATCH rewrites the SOA (its serial) in its transaction: two at once store it twice
          const soa = (await surplusRows(zone)) - (await surplusOurs(zone));
          if (locked) expect(soa).toBe(0);
          else if (soa > 0) {
            doubledSoa++;
            // PowerDNS then lists the zone once per SOA row; the provider reads it once
            const listed = await west.client.listZones();
            expect(listed.filter((z) => z.name === `${zone}.`).length).toBeGreaterThan(1);
            const zones = await new PowerDnsProvider({ apiUrl: west.apiUrl, apiKey: west.apiKey }).zones();
            expect(zones.filter((z) => z === zone)).toHaveLength(1);
          }
          const names = await stored(zone);
          for (const [k, owner] of owners.entries()) {
            for (const ep of desired[k] as EndpointInit[])
              expect(names.get(ep.dnsName)).toEqual({ owners: [owner], targets: ep.targets });
            const again = await reconcile({
              registry: writer(owner === 'east' ? west : east, zone, owner).registry,
              desired: desired[k] as EndpointInit[],
              policy: 'sync',
              dryRun: true,
            });
            expect(again.plan.hasChanges).toBe(false);
            expect(again.counts, owner).toMatchObject({ ownedRecords: NAMES });
          }
          // a doubled SOA would keep the unique index of a later test from being built
          await east.client.deleteZone(`${zone}.`);
        }
      }
    });
    console.log(
      `distinct owners, disjoint names, no lock: ${doubledSoa} of ${RACES} races stored the SOA twice`,
    );
  }, 180_000);

  const contested = (zone: string): [EndpointInit[], EndpointInit[]] =>
    owners.map((owner) =>
      desiredIn(zone).map((ep, i) => ({ ...ep, targets: [`${nets[owner]}.${i % 250}`] })),
    ) as [EndpointInit[], EndpointInit[]];

  it("racing on the same names without a lock: no name ends up with a record of one owner under the marker of the other, and neither takes the other's", async () => {
    let ambiguous = 0;
    for (let n = 0; n < RACES; n++) {
      const zone = `contested${n}.cluster.test`;
      await createZone(zone);
      const desired = contested(zone);
      await race(zone, ['east', 'west'], [{}, {}], desired).catch(() => undefined);
      // one run of each owner repairs what it owns (a record stored beside its marker's)
      for (const [k, owner] of owners.entries())
        await reconcile({
          registry: writer(k ? east : west, zone, owner).registry,
          desired: desired[k] as EndpointInit[],
          policy: 'sync',
          force: true,
        });
      const names = await stored(zone);
      for (let i = 0; i < NAMES; i++) {
        const entry = names.get(`host-${i}.${zone}`);
        expect(entry?.owners.length).toBeGreaterThan(0);
        if (entry?.owners.length === 1) {
          // owned: exactly its owner's record
          const owner = entry.owners[0] as 'east' | 'west';
          expect(entry.targets).toEqual(desired[owners.indexOf(owner)]?.[i]?.targets);
        } else {
          // both markers stored: neither owner changes it, both report it
          expect([...(entry?.owners ?? [])].sort()).toEqual(['east', 'west']);
          ambiguous++;
        }
      }
      expect(await surplusOurs(zone)).toBe(0);
      for (const [k, owner] of owners.entries()) {
        const again = await reconcile({
          registry: writer(east, zone, owner).registry,
          desired: desired[k] as EndpointInit[],
          policy: 'sync',
          dryRun: true,
        });
        expect(again.plan.hasChanges).toBe(false);
      }
      await east.client.deleteZone(`${zone}.`); // its SOA may be stored twice (see above)
    }
    console.log(
      `distinct owners, same names, no lock: ${ambiguous} of ${RACES * NAMES} names left with both markers`,
    );
  }, 180_000);

  it('racing on the same names with the lock: the later writer finds the names taken under the lock and writes nothing (RECORD_CONFLICT, retryable); its next run leaves them to their owner', async () => {
    await withConnections(async (connections) => {
      for (let n = 0; n < RACES; n++) {
        const zone = `claimed${n}.cluster.test`;
        await createZone(zone);
        const desired = contested(zone);
        const results = await Promise.allSettled(
          startRace(zone, ['east', 'west'], [lockOf(connections[0]), lockOf(connections[1])], desired),
        );
        const won = results.findIndex((r) => r.status === 'fulfilled');
        const lost = results.findIndex((r) => r.status === 'rejected');
        expect(won).toBeGreaterThanOrEqual(0);
        expect(lost).toBeGreaterThanOrEqual(0);
        const reason = (results[lost] as PromiseRejectedResult).reason as Error & {
          code: string;
          retryable: boolean;
        };
        expect(reason).toMatchObject({ code: 'RECORD_CONFLICT', retryable: true });
        expect(reason.message).toContain(`host-0.${zone}`);
        expect(reason.message).toContain('nothing was written');
        // every name is the winner's alone: its record and its marker, nothing of the loser
        const winner = owners[won] as 'east' | 'west';
        const names = await stored(zone);
        for (let i = 0; i < NAMES; i++)
          expect(names.get(`host-${i}.${zone}`)).toEqual({
            owners: [winner],
            targets: desired[won]?.[i]?.targets,
          });
        expect(await surplusRows(zone)).toBe(0);
        // the loser's next run plans from what is stored: another owner's names, left alone and reported
        const loser = owners[lost] as 'east' | 'west';
        const next = await reconcile({
          registry: writer(east, zone, loser, lockOf(connections[lost] as pg.Client)).registry,
          desired: desired[lost] as EndpointInit[],
          policy: 'sync',
        });
        expect(next.plan.hasChanges).toBe(false);
        expect(next.skipped).toHaveLength(NAMES);
        expect(next.skipped.every((c) => c.code === 'owned-by-other' && c.owner === winner)).toBe(true);
        const winnerAgain = await reconcile({
          registry: writer(west, zone, winner).registry,
          desired: desired[won] as EndpointInit[],
          policy: 'sync',
          dryRun: true,
        });
        expect(winnerAgain.plan.hasChanges).toBe(false);
        expect(winnerAgain.counts.ownedRecords).toBe(NAMES);
        await east.client.deleteZone(`${zone}.`);
      }
    });
  }, 180_000);
});

describe('serialised writers: a PostgreSQL advisory lock around each zone PATCH', () => {
  it('two regions racing with the same owner ID store nothing twice, and both servers answer alike', async () => {
    // one connection per region, as two regions would each have
    const connections = [
      new pg.Client({ connectionString: db.url }),
      new pg.Client({ connectionString: db.url }),
    ];
    await Promise.all(connections.map((c) => c.connect()));
    try {
      for (let n = 0; n < RACES; n++) {
        const zone = `locked${n}.cluster.test`;
        await createZone(zone);
        const [first, second] = await race(
          zone,
          ['region', 'region'],
          [
            { writeLock: postgresAdvisoryLock(connections[0] as pg.Client) },
            { writeLock: postgresAdvisoryLock(connections[1] as pg.Client) },
          ],
        );
        expect(first.applied && second.applied).toBe(true);
        expect(await surplusRows(zone)).toBe(0);
        // converged: nothing lost, a second plan through either server is empty
        for (const server of [east, west]) {
          const { registry } = writer(server, zone, 'region');
          const again = await reconcile({ registry, desired: desiredIn(zone), policy: 'sync', dryRun: true });
          expect(again.plan.hasChanges).toBe(false);
          expect(again.counts.ownedRecords).toBe(NAMES);
        }
        // both servers answer the same over DNS
        for (const i of [0, 123, NAMES - 1]) {
          const answers = await Promise.all(
            [east, west].map((s) => queryDns({ name: `host-${i}.${zone}`, type: 'A', port: s.dnsPort })),
          );
          expect(answers[0]?.answers.map((a) => a.data)).toEqual([`198.51.100.${i % 250}`]);
          expect(answers[1]?.answers.map((a) => a.data)).toEqual(answers[0]?.answers.map((a) => a.data));
        }
      }
    } finally {
      await Promise.all(connections.map((c) => c.end()));
    }
  }, 120_000);

  it('a wait for the lock ends at an abort (ABORTED), and the lock, once had, is given back', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    const waiter = new pg.Client({ connectionString: db.url });
    await Promise.all([holder.connect(), waiter.connect()]);
    try {
      const lease = await postgresAdvisoryLock(holder).acquire('aborted.test');
      const lock = postgresAdvisoryLock(waiter, { timeoutMs: 60_000 });
      const started = Date.now();
      const error = await lock.acquire('aborted.test', { signal: AbortSignal.timeout(300) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'ABORTED' });
      expect(Date.now() - started).toBeLessThan(10_000);
      // the holder lets go: the abandoned wait takes the lock and gives it back at once
      await lease.release();
      const next = await postgresAdvisoryLock(holder, { timeoutMs: 5000 }).acquire('aborted.test');
      await next.release();
      // and the aborted lock object serves its next call
      const again = await lock.acquire('aborted.test');
      await again.release();
    } finally {
      await Promise.all([holder.end(), waiter.end()]);
    }
  });

  it('bad options are a ConfigError, and a failed connection a retryable ProviderError', async () => {
    const client = new pg.Client({ connectionString: db.url });
    for (const timeoutMs of [0, -1, Number.NaN, 1.5])
      expect(() => postgresAdvisoryLock(client, { timeoutMs })).toThrow(
        /timeoutMs must be a positive integer/,
      );
    // a connection that is gone
    await client.connect();
    await client.end();
    const error = await postgresAdvisoryLock(client)
      .acquire('gone.test')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: 'PROVIDER', retryable: true });
    expect(String((error as Error).message)).toContain('gone.test');
  });

  it('a writer waits for the lock another holds, and gives up after timeoutMs with a retryable error', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    const waiter = new pg.Client({ connectionString: db.url });
    await Promise.all([holder.connect(), waiter.connect()]);
    try {
      const lease = await postgresAdvisoryLock(holder).acquire('held.test');
      const refused = await postgresAdvisoryLock(waiter, { timeoutMs: 200 })
        .acquire('held.test')
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refused).toMatchObject({ code: 'PROVIDER', retryable: true });
      expect(String((refused as Error).message)).toContain('held.test');
      // another zone is not held
      const other = await postgresAdvisoryLock(waiter).acquire('other.test');
      await other.release();
      // released: the waiter gets it now
      await lease.release();
      const after = await postgresAdvisoryLock(waiter, { timeoutMs: 1000 }).acquire('held.test');
      await after.release();
    } finally {
      await Promise.all([holder.end(), waiter.end()]);
    }
  });
});

describe('a unique index on records: the database refuses the second copy', () => {
  it('a racing writer is answered 500 (rolled back), reads the zone back, finds its write in effect: nothing stored twice', async () => {
    await db.sql('CREATE UNIQUE INDEX records_unique ON records (domain_id, name, type, md5(content))');
    try {
      for (let n = 0; n < RACES; n++) {
        const zone = `unique${n}.cluster.test`;
        await createZone(zone);
        const statuses: (number | string | undefined)[] = [];
        const onRequest = (e: { method: string; status?: number; failure?: string }) => {
          if (e.method === 'PATCH') statuses.push(e.status ?? e.failure);
        };
        const [first, second] = await race(zone, ['region', 'region'], [{ onRequest }, { onRequest }]);
        expect(first.applied && second.applied).toBe(true);
        expect(await surplusRows(zone)).toBe(0);
        // every PATCH either went through or was refused whole
        expect(statuses.every((s) => s === 204 || s === 500)).toBe(true);
        const again = await reconcile({
          registry: writer(west, zone, 'region').registry,
          desired: desiredIn(zone),
          policy: 'sync',
          dryRun: true,
        });
        expect(again.plan.hasChanges).toBe(false);
      }
    } finally {
      await db.sql('DROP INDEX IF EXISTS records_unique');
    }
  }, 120_000);
});

describe("PowerDNS's zone cache", () => {
  it('a server with the default zone cache refuses a zone another server created, until it refreshes', async () => {
    const cached = await startPowerDns({ gpgsql: db, startTimeoutMs: 60_000 });
    try {
      const zone = 'late.cluster.test';
      await createZone(zone);
      await reconcile({
        registry: writer(east, zone, 'region').registry,
        desired: [{ dnsName: `www.${zone}`, recordType: 'A', targets: ['192.0.2.50'] }],
        policy: 'sync',
      });
      const [fresh, stale] = await Promise.all(
        [west, cached].map((s) => queryDns({ name: `www.${zone}`, type: 'A', port: s.dnsPort })),
      );
      expect(fresh?.answers.map((a) => a.data)).toEqual(['192.0.2.50']);
      // zone-cache-refresh-interval (default 300 s): the new zone is unknown to it
      expect(stale?.rcodeName).toBe('REFUSED');
      // its API reads the database, so a writer through it sees the zone
      const zones = await new PowerDnsProvider({ apiUrl: cached.apiUrl, apiKey: cached.apiKey }).zones();
      expect(zones).toContain(zone);
    } finally {
      await cached.stop();
    }
  }, 90_000);
});

describe('repair of records stored twice', () => {
  it('a repeated record and a repeated marker are rewritten by the next plan, which says why', async () => {
    const zone = 'repair.cluster.test';
    await createZone(zone);
    const desired: EndpointInit[] = [
      { dnsName: `www.${zone}`, recordType: 'A', targets: ['192.0.2.10', '192.0.2.11'] },
      { dnsName: `mail.${zone}`, recordType: 'A', targets: ['192.0.2.20'] },
      { dnsName: `other.${zone}`, recordType: 'A', targets: ['192.0.2.30'] },
    ];
    const { registry } = writer(east, zone, 'region');
    await reconcile({ registry, desired, policy: 'sync' });
    expect(await surplusRows(zone)).toBe(0);
    // what a lost race leaves: one record of www stored twice, and mail's marker stored twice
    await db.sql(
      `INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth)
         SELECT domain_id, name, type, content, ttl, prio, disabled, auth FROM records
         WHERE (name = 'www.${zone}' AND type = 'A' AND content = '192.0.2.10')
            OR (name = '_owner.a.mail.${zone}' AND type = 'TXT')`,
    );
    expect(await surplusRows(zone)).toBe(2);
    const plan = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(plan.counts).toMatchObject({ create: 0, update: 2, delete: 0 });
    const text = renderPlanText(plan.plan);
    expect(text).toContain('repeated-records=1');
    expect(text).toContain(`mail.${zone}`);
    expect(text).not.toContain(`other.${zone}`);
    // through the other server
    const repair = await reconcile({
      registry: writer(west, zone, 'region').registry,
      desired,
      policy: 'sync',
    });
    expect(repair.applied).toBe(true);
    expect(await surplusRows(zone)).toBe(0);
    const again = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
    expect(again.counts.ownedRecords).toBe(3);
  });

  it("another owner's repeated record is left alone", async () => {
    const zone = 'foreign.cluster.test';
    await createZone(zone);
    await reconcile({
      registry: writer(east, zone, 'someone-else').registry,
      desired: [{ dnsName: `theirs.${zone}`, recordType: 'A', targets: ['192.0.2.40'] }],
      policy: 'sync',
    });
    await db.sql(
      `INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth)
         SELECT domain_id, name, type, content, ttl, prio, disabled, auth FROM records
         WHERE name = 'theirs.${zone}' AND type = 'A'`,
    );
    const plan = await reconcile({
      registry: writer(east, zone, 'region').registry,
      desired: [],
      policy: 'sync',
    });
    expect(plan.plan.hasChanges).toBe(false);
    expect(await surplusRows(zone)).toBe(1);
  });
});
