// Saved plans: compute a plan, write it to a file for review, apply it later. If the zone changed in
// between, applying refuses with PlanConflictError and nothing is written.
//
//   node --conditions=@openova/source --import tsx examples/saved-plan.ts
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemoryProvider,
  PlanConflictError,
  TxtRegistry,
  applyPlan,
  planFromJSON,
  reconcile,
  renderPlanJSON,
} from '@openova/dns-core';

const provider = new InMemoryProvider({ zones: ['example.com'] });
const registry = new TxtRegistry(provider, {
  ownerId: 'reviewer-demo',
  prefix: '_externaldns.%{record_type}.',
});
const desired = [{ dnsName: 'api.example.com', recordType: 'A', targets: ['203.0.113.10'], recordTTL: 300 }];

// 1. Plan only, and save it.
const { plan } = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
const file = join(mkdtempSync(join(tmpdir(), 'dns-plan-')), 'plan.json');
writeFileSync(file, renderPlanJSON(plan));
console.log(`saved plan ${plan.checksum.slice(0, 12)} to ${file}`);

// 2. Later (after review): read it back and apply. The checksum guards against edits.
const reviewed = planFromJSON(readFileSync(file, 'utf8'));
console.log('applied:', (await applyPlan({ registry, plan: reviewed })).applied);

// 3. Applying a stale plan: someone created the record by hand after the plan was made.
const stale = (
  await reconcile({
    registry,
    desired: [...desired, { dnsName: 'new.example.com', recordType: 'A', targets: ['203.0.113.20'] }],
    policy: 'sync',
    dryRun: true,
  })
).plan;
await provider.applyChanges({
  create: [
    {
      dnsName: 'new.example.com',
      recordType: 'A',
      targets: ['192.0.2.99'],
      setIdentifier: '',
      recordTTL: 0,
      labels: {},
      providerSpecific: [],
    },
  ],
  updateOld: [],
  updateNew: [],
  delete: [],
});
try {
  await applyPlan({ registry, plan: stale });
} catch (error) {
  if (!(error instanceof PlanConflictError)) throw error;
  console.log(`refused: ${error.message}`);
}
