// A fault at every point between two writes: an error before the write is carried out, a lost answer
// after it was carried out, or a failed action. After each, no record is stored without its marker
// nor a marker without its record, and the next run converges. Creates and deletes alike.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainFilter, reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { HetznerProvider } from '@openova/dns-provider-hetzner';
import { startFakeHetzner, type FakeHetzner } from '@openova/dns-provider-hetzner/testing';

const ZONE = 'faults.test';
let fake: FakeHetzner;

beforeEach(async () => {
  fake = await startFakeHetzner({ actionPolls: 2, actionSettleRequests: 3 });
  fake.addZone({ name: ZONE });
});
afterEach(() => fake.close());

type Fault = 'error-before' | 'lost-answer' | 'action-error';
const FAULTS: Fault[] = ['error-before', 'lost-answer', 'action-error'];
const NAMES = ['p1', 'p2', 'p3'];
const desired: EndpointInit[] = NAMES.map((n, i) => ({
  dnsName: `${n}.${ZONE}`,
  recordType: 'A',
  targets: [`192.0.2.${i + 1}`],
}));

function setup() {
  const provider = new HetznerProvider({
    token: 'test-token',
    baseUrl: fake.url,
    domainFilter: new DomainFilter({ include: [ZONE] }),
    pollIntervalMs: 1,
    retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 },
  });
  const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_owner.%{record_type}.' });
  return { provider, registry };
}

/** Makes the `n`-th write request (1-based) from now meet `fault`. */
function faultAtWrite(provider: HetznerProvider, n: number, fault: Fault): void {
  const client = provider.client;
  let writes = 0;
  const arm = () => {
    if (++writes !== n) return;
    if (fault === 'error-before') fake.failNext(1, { method: 'write', status: 500 });
    else if (fault === 'lost-answer')
      fake.failNext(1, { method: 'write', status: 502, afterExecuting: true });
    else fake.failActionsNext(1, 'action_failed');
  };
  for (const method of [
    'createRRSet',
    'deleteRRSet',
    'setRecords',
    'addRecords',
    'removeRecords',
    'changeTtl',
  ] as const) {
    const original = (client[method] as (...args: unknown[]) => Promise<unknown>).bind(client);
    (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      arm();
      return original(...args);
    };
  }
}

/** The RRSets other than the apex SOA and NS Hetzner creates with every zone. */
const ours = () =>
  fake.rrsets(ZONE).filter((r) => !(r.name === '@' && (r.type === 'SOA' || r.type === 'NS')));
const hetznersOwn = () =>
  fake.rrsets(ZONE).filter((r) => r.name === '@' && (r.type === 'SOA' || r.type === 'NS'));

function checkPairs(): void {
  const names = new Set(fake.rrsets(ZONE).map((r) => `${r.name}/${r.type}`));
  for (const n of NAMES)
    expect(names.has(`${n}/A`), `${n}: record and marker stored together`).toBe(
      names.has(`_owner.a.${n}/TXT`),
    );
}

async function converge(registry: TxtRegistry, want: EndpointInit[]): Promise<void> {
  await reconcile({ registry, desired: want, policy: 'sync', safety: false });
  expect((await reconcile({ registry, desired: want, policy: 'sync', safety: false })).plan.hasChanges).toBe(
    false,
  );
}

describe('a fault at every write', () => {
  for (const fault of FAULTS)
    for (let n = 1; n <= 6; n++) {
      it(`create: ${fault} at write ${n} of 6`, async () => {
        const { provider, registry } = setup();
        faultAtWrite(provider, n, fault);
        const error = await reconcile({ registry, desired, policy: 'sync', safety: false }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, 'a fault during the apply is reported').toBeDefined();
        checkPairs();
        const fresh = setup();
        await converge(fresh.registry, desired);
        checkPairs();
        expect(ours()).toHaveLength(6);
      });

      it(`delete: ${fault} at write ${n} of 6`, async () => {
        const seeded = setup();
        await converge(seeded.registry, desired);
        const { provider, registry } = setup();
        faultAtWrite(provider, n, fault);
        await reconcile({ registry, desired: [], policy: 'sync', safety: false }).catch(() => undefined);
        checkPairs();
        await converge(setup().registry, []);
        expect(ours()).toEqual([]);
        expect(hetznersOwn()).toHaveLength(2); // the apex SOA and NS, untouched
      });
    }
});
