// Quickstart: plan and apply DNS changes from code, on the embedded in-memory provider.
//
//   pnpm demo
//
// Swap the provider for `PowerDnsProvider` (see docs/providers/powerdns.md) to run it against a server.
import {
  InMemoryProvider,
  TxtRegistry,
  reconcile,
  renderPlanText,
  type EndpointInit,
} from '@openova/dns-core';

// A zone that already holds a record somebody else created by hand: we must never touch it.
const provider = new InMemoryProvider({
  zones: ['example.com'],
  records: [{ dnsName: 'legacy.example.com', recordType: 'A', targets: ['198.51.100.7'], recordTTL: 3600 }],
});

// Ownership is tracked in TXT records, byte-compatible with ExternalDNS, so a real ExternalDNS can
// share the zone. The templated prefix keeps apex markers inside the zone.
const registry = new TxtRegistry(provider, { ownerId: 'quickstart', prefix: '_externaldns.%{record_type}.' });

const desired: EndpointInit[] = [
  { dnsName: 'api.example.com', recordType: 'A', targets: ['203.0.113.10', '203.0.113.11'], recordTTL: 300 },
  { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['api.example.com'], recordTTL: 300 },
  { dnsName: 'example.com', recordType: 'AAAA', targets: ['2001:db8::10'], recordTTL: 300 },
];

console.log('1. First run: plan and apply\n');
const first = await reconcile({ registry, desired, policy: 'sync' });
console.log(renderPlanText(first.plan));

console.log('\n2. The zone now holds:\n');
for (const r of await provider.records()) {
  console.log(
    `   ${r.dnsName.padEnd(38)} ${r.recordType.padEnd(5)} ${r.recordTTL || '-'}\t${r.targets.join(', ')}`,
  );
}

console.log('\n3. Second run with the same desired state: the plan is empty\n');
const second = await reconcile({ registry, desired, policy: 'sync' });
console.log(renderPlanText(second.plan));

console.log('\n4. A change, previewed with dryRun (nothing is sent to the provider)\n');
const preview = await reconcile({
  registry,
  desired: [desired[0]!, { ...desired[1]!, targets: ['edge.example.net'] }],
  policy: 'sync',
  dryRun: true,
});
console.log(renderPlanText(preview.plan));
console.log(
  `\napplied: ${preview.applied}; legacy.example.com untouched: ${(await provider.records()).some((r) => r.dnsName === 'legacy.example.com')}`,
);
