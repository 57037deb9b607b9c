// applyPlan never updates or deletes a record its owner does not own, whatever the plan says: a saved
// plan is checked against what every plan the planner makes holds before anything is read or written.
import { describe, expect, it } from 'vitest';
import {
  applyPlan,
  createPlan,
  endpoint,
  InMemoryProvider,
  PlanConflictError,
  planFromJSON,
  reconcile,
  renderPlanJSON,
  TxtRegistry,
  ValidationError,
  type Endpoint,
  type EndpointInit,
} from '@openova/dns-core';

const PREFIX = '_externaldns.%{record_type}.';
const zone: EndpointInit[] = [
  { dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'] },
  { dnsName: 'x.example.com', recordType: 'MX', targets: ['10 mx.example.net'] },
];

/** A plan as a file edited by hand (checksum recomputed) would hold it. */
function handMade(del: Endpoint, current: Endpoint[]) {
  return planFromJSON(
    renderPlanJSON(
      createPlan({
        policy: 'sync',
        ownerId: 'me',
        recordTypes: ['A', 'AAAA', 'CNAME'],
        changes: { create: [], updateOld: [], updateNew: [], delete: [del] },
        hasChanges: true,
        current,
      }),
    ),
  );
}

async function refusal(plan: ReturnType<typeof handMade>) {
  const provider = new InMemoryProvider({ zones: ['example.com'], records: zone });
  const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: PREFIX });
  const before = await provider.records();
  const error = await applyPlan({ registry, plan }).catch((e: unknown) => e);
  expect(await provider.records()).toEqual(before);
  expect(provider.calls.applyChanges).toBe(0);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues;
}

describe('applyPlan and records we do not own', () => {
  it('refuses deleting a record of a type the plan does not manage (the zone check did not look at it)', async () => {
    const mx = endpoint({ ...zone[1]!, labels: { owner: 'me' } });
    const issues = await refusal(handMade(mx, [endpoint(zone[0]!), mx]));
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      [['changes', 'delete', 0, 'recordType'], 'type_not_managed'],
    ]);
    expect(issues[0]?.message).toBe('x.example.com MX: the plan manages A, AAAA, CNAME, not MX');
  });

  it('refuses deleting a record its current records show as nobody’s (the registry dropped it silently)', async () => {
    const a = endpoint(zone[0]!);
    const issues = await refusal(handMade(endpoint({ ...zone[0]!, labels: { owner: 'me' } }), [a]));
    expect(issues).toEqual([
      {
        path: ['changes', 'delete', 0],
        code: 'not_owned',
        message:
          'x.example.com A is deleted but the plan\'s current records say it is owned by no one, not "me"',
      },
    ]);
  });

  it('refuses deleting a record that is not among its current records', async () => {
    const issues = await refusal(handMade(endpoint({ ...zone[0]!, labels: { owner: 'me' } }), []));
    expect(issues.map((i) => i.code)).toEqual(['not_in_current']);
  });

  it('plans the planner makes pass: updates, deletes, mixed-case names and an owner migration', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const old = new TxtRegistry(provider, { ownerId: 'old', prefix: PREFIX });
    const hosts = ['a', 'B', 'c', 'd'].map((n, i) => ({
      dnsName: `${n}.example.com`,
      recordType: 'A',
      targets: [`192.0.2.${i + 1}`],
    }));
    await reconcile({ registry: old, desired: hosts, policy: 'sync' });
    const registry = new TxtRegistry(provider, { ownerId: 'new', oldOwnerId: 'old', prefix: PREFIX });
    const { plan } = await reconcile({
      registry,
      desired: [{ ...hosts[0]!, targets: ['192.0.2.9'] }, hosts[1]!, hosts[2]!],
      policy: 'sync',
      dryRun: true,
      force: true,
    });
    expect(plan.changes.delete).toHaveLength(1);
    expect(plan.changes.updateNew.length).toBeGreaterThan(0);
    await expect(applyPlan({ registry, plan: planFromJSON(renderPlanJSON(plan)) })).resolves.toMatchObject({
      applied: true,
    });
    const again = await reconcile({
      registry,
      desired: [{ ...hosts[0]!, targets: ['192.0.2.9'] }, hosts[1]!, hosts[2]!],
      policy: 'sync',
      dryRun: true,
    });
    expect(again.plan.hasChanges).toBe(false);
  });

  it('applied through a registry without the oldOwnerId the plan was made with: the conflict says only owners differ', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const a = { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] };
    await reconcile({
      registry: new TxtRegistry(provider, { ownerId: 'old', prefix: PREFIX }),
      desired: [a],
      policy: 'sync',
    });
    const migrating = new TxtRegistry(provider, { ownerId: 'new', oldOwnerId: 'old', prefix: PREFIX });
    const { plan } = await reconcile({
      registry: migrating,
      desired: [{ ...a, targets: ['192.0.2.2'] }],
      policy: 'sync',
      dryRun: true,
    });
    const before = await provider.records();
    const plain = new TxtRegistry(provider, { ownerId: 'new', prefix: PREFIX });
    const error = await applyPlan({ registry: plain, plan: planFromJSON(renderPlanJSON(plan)) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PlanConflictError);
    expect((error as PlanConflictError).conflicts).toEqual([
      { record: 'a.example.com A', reason: 'changed', detail: 'owner "new" → "old"' },
    ]);
    expect((error as PlanConflictError).message).toBe(
      'the zone changed since the plan was made; make a new plan (nothing was applied):\n- a.example.com A: changed since the plan was made (owner "new" → "old")\nonly the records\' owners differ: check that the registry\'s ownerId and oldOwnerId are the ones the plan was made with',
    );
    expect(await provider.records()).toEqual(before);
  });
});
