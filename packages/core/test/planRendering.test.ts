// What a reviewer sees: forced plans name the limits they overrode, ownership TXT updates show one
// canonical value on both sides, skipped records have their own heading; saved plans keep all of it.
import { describe, expect, it } from 'vitest';
import {
  InMemoryProvider,
  planFromJSON,
  reconcile,
  renderPlanJSON,
  renderPlanMarkdown,
  renderPlanText,
  TxtRegistry,
  type EndpointInit,
} from '@openova/dns-core';

async function forcedPlan() {
  const provider = new InMemoryProvider({ zones: ['example.com'] });
  const old = new TxtRegistry(provider, { ownerId: 'old', prefix: '_externaldns.%{record_type}.' });
  const desired: EndpointInit[] = ['a', 'b', 'c', 'd'].map((n, i) => ({
    dnsName: `${n}.example.com`,
    recordType: 'A',
    targets: [`192.0.2.${i + 1}`],
  }));
  await reconcile({ registry: old, desired, policy: 'sync' });
  // a new owner takes over (marker rewritten), one target changes, and most records go: over the delete limit
  const registry = new TxtRegistry(provider, {
    ownerId: 'new',
    oldOwnerId: 'old',
    prefix: '_externaldns.%{record_type}.',
  });
  return reconcile({
    registry,
    desired: [
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.99'] },
      { dnsName: 'mail.example.com', recordType: 'MX', targets: ['10 mx.example.net'] },
    ],
    policy: 'sync',
    force: true,
    dryRun: true,
    safety: { minOwnedRecords: 1 }, // the ratio limits apply to this small zone
  });
}

describe('plan rendering', () => {
  it('a forced plan records and shows the limits it overrode, and keeps them when saved', async () => {
    const { plan, overriddenSafetyViolations } = await forcedPlan();
    expect(overriddenSafetyViolations.map((v) => v.rule)).toEqual(['max-delete-ratio', 'collapsed-desired']);
    expect(plan.overriddenSafetyViolations).toEqual(overriddenSafetyViolations);
    const text = renderPlanText(plan);
    expect(text).toContain('Safety limits overridden with force (2):');
    expect(text).toContain('! [max-delete-ratio]');
    expect(renderPlanMarkdown(plan)).toContain('#### Safety limits overridden with force (2)');
    const saved = planFromJSON(renderPlanJSON(plan));
    expect(saved.overriddenSafetyViolations).toEqual(overriddenSafetyViolations);
    expect(saved.skipped.map((s) => s.code)).toEqual(['not-managed-type']);
  });

  it('an ownership TXT update shows one canonical value on both sides', async () => {
    const { plan } = await forcedPlan();
    const text = renderPlanText(plan);
    const line = text.split('\n').find((l) => l.includes('~ TXT _externaldns.a.a.example.com'));
    expect(line).toBe(
      '    ~ TXT _externaldns.a.a.example.com: "heritage=external-dns,external-dns/owner=old" → "heritage=external-dns,external-dns/owner=new"',
    );
  });
});
