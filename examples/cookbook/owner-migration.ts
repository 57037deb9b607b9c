// Taking over records a stock ExternalDNS manages: owner migration, dry run first.
//
//   node --conditions=@openova/source --import tsx examples/cookbook/owner-migration.ts
//
// ExternalDNS ran with `--txt-owner-id=default --txt-prefix=_externaldns.%{record_type}.` (the same
// prefix must be used here). We take its records over as owner "catalyst".
import {
  InMemoryProvider,
  TxtRegistry,
  reconcile,
  renderPlanText,
  type EndpointInit,
  type Provider,
} from '@openova/dns-core';

// The zone as ExternalDNS left it: two records with its markers, and one record made by hand.
const marker = (owner: string) => `"heritage=external-dns,external-dns/owner=${owner}"`;
const provider: Provider = new InMemoryProvider({
  zones: ['example.com'],
  records: [
    { dnsName: 'api.example.com', recordType: 'A', targets: ['203.0.113.10'], recordTTL: 300 },
    { dnsName: '_externaldns.a.api.example.com', recordType: 'TXT', targets: [marker('default')] },
    { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['api.example.com'], recordTTL: 300 },
    { dnsName: '_externaldns.cname.www.example.com', recordType: 'TXT', targets: [marker('default')] },
    { dnsName: 'legacy.example.com', recordType: 'A', targets: ['198.51.100.7'], recordTTL: 3600 },
  ],
});
const naming = { prefix: '_externaldns.%{record_type}.' };

// Step 1 — stop ExternalDNS (scale it to zero) so two writers never race; then describe the records
// we want. Here: what ExternalDNS had, taken from its own markers.
const before = new TxtRegistry(provider, { ownerId: 'default', ...naming });
const desired: EndpointInit[] = (await before.records())
  .filter((r) => r.labels['owner'] === 'default')
  .map(({ dnsName, recordType, targets, recordTTL }) => ({ dnsName, recordType, targets, recordTTL }));
console.log(`step 1: ${desired.length} records owned by "default"`);

// Step 2 — dry run with the new owner and oldOwnerId: records owned by "default" read as ours, and
// every marker is rewritten to "catalyst" (even where the record itself does not change).
const migrating = new TxtRegistry(provider, { ownerId: 'catalyst', oldOwnerId: 'default', ...naming });
const preview = await reconcile({ registry: migrating, desired, policy: 'upsert-only', dryRun: true });
console.log('step 2 (dry run):');
console.log(renderPlanText(preview.plan));

// Step 3 — apply the same run (upsert-only: nothing can be deleted during the take-over).
const applied = await reconcile({ registry: migrating, desired, policy: 'upsert-only' });
console.log(`step 3: applied ${applied.applied}, ${applied.counts.update} updates`);

// Step 4 — drop oldOwnerId: the plan is empty, and from now on sync is safe.
const after = new TxtRegistry(provider, { ownerId: 'catalyst', ...naming });
const steady = await reconcile({ registry: after, desired, policy: 'sync', dryRun: true });
console.log(`step 4: second plan has changes: ${steady.plan.hasChanges}`);
const markers = (await provider.records()).filter((r) => r.recordType === 'TXT').map((r) => r.targets[0]);
console.log(`markers now: ${[...new Set(markers)].join(' ')}`);
console.log(
  `legacy.example.com still there: ${(await provider.records()).some((r) => r.dnsName === 'legacy.example.com')}`,
);
