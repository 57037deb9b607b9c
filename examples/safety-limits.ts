// Safety limits: a run that would delete or update more than 30% of the records we own in a zone
// (with at least 10 owned), or that gets an empty or collapsed desired set, is refused with
// UnsafePlanError naming the numbers. `force: true` overrides for one run.
//
//   node --conditions=@openova/source --import tsx examples/safety-limits.ts
import { InMemoryProvider, TxtRegistry, UnsafePlanError, reconcile } from '@openova/dns-core';

const provider = new InMemoryProvider({ zones: ['example.com'] });
const registry = new TxtRegistry(provider, {
  ownerId: 'safety-demo',
  prefix: '_externaldns.%{record_type}.',
});
const desired = Array.from({ length: 20 }, (_, i) => ({
  dnsName: `host${i}.example.com`,
  recordType: 'A',
  targets: [`192.0.2.${i + 1}`],
}));
await reconcile({ registry, desired, policy: 'sync' });

// The source failed and returned nothing: applying would delete all 20 records.
try {
  await reconcile({ registry, desired: [], policy: 'sync' });
} catch (error) {
  if (!(error instanceof UnsafePlanError)) throw error;
  console.log(error.message);
}

// A deliberate clean-up of 10 records (50%) needs force.
const { counts } = await reconcile({ registry, desired: desired.slice(10), policy: 'sync', force: true });
console.log(`forced: deleted ${counts.delete} records`);
