// Ownership markers encrypted with AES-256-GCM (ExternalDNS's --txt-encrypt-enabled and
// --txt-encrypt-aes-key, same format): turned on, then off again, without losing ownership.
//
//   node --conditions=@openova/source --import tsx examples/cookbook/txt-encryption.ts
import { randomBytes } from 'node:crypto';
import {
  InMemoryProvider,
  TxtRegistry,
  reconcile,
  renderPlanText,
  type EndpointInit,
} from '@openova/dns-core';

const provider = new InMemoryProvider({ zones: ['example.com'] });
const naming = { ownerId: 'example', prefix: '_externaldns.%{record_type}.' };
// 32 random bytes as standard base64, the form ExternalDNS's --txt-encrypt-aes-key takes. Keep it
// in a secret store: without it, encrypted markers cannot be read and the records are not ours.
const aesKey = randomBytes(32).toString('base64');

// Each marker as "name: plain" or "name: encrypted" (the ciphertext changes on every write).
const markers = async () =>
  (await provider.records())
    .filter((r) => r.recordType === 'TXT')
    .map((r) => `${r.dnsName}: ${r.targets[0]?.includes('heritage=') ? 'plain' : 'encrypted'}`)
    .join(', ');
// How many of our records a registry without the key reads as ours.
const ownedWithoutKey = async () =>
  (await new TxtRegistry(provider, naming).records()).filter((r) => r.labels['owner'] === 'example').length;

let desired: EndpointInit[] = [
  { dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 },
];

// 1. Plain markers, as most zones start.
await reconcile({ registry: new TxtRegistry(provider, naming), desired, policy: 'sync' });
console.log(`1. ${await markers()}`);

// 2. Turn encryption on. Existing plain markers are still read (ownership is kept), and each is
//    written encrypted the next time its record changes; new records get encrypted markers at once.
const encrypted = new TxtRegistry(provider, { ...naming, encryption: { aesKey } });
desired = [
  ...desired,
  { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.2'], recordTTL: 300 },
];
console.log(
  renderPlanText((await reconcile({ registry: encrypted, desired, policy: 'sync' })).plan).replace(
    /"[A-Za-z0-9+/=]{40,}"/g,
    '"…ciphertext…"',
  ),
);
desired = [{ ...desired[0]!, targets: ['192.0.2.10'] }, desired[1]!];
await reconcile({ registry: encrypted, desired, policy: 'sync' });
console.log(`2. ${await markers()}`);
console.log(
  `   second plan has changes: ${(await reconcile({ registry: encrypted, desired, policy: 'sync' })).plan.hasChanges}`,
);
console.log(`   read without the key, ours: ${await ownedWithoutKey()} of ${desired.length}`);

// 3. Turn it off again: keep the key with `enabled: false`. Encrypted markers are still read, and
//    markers are written in plain text from the next change on. Drop the key only once no encrypted
//    marker is left.
const plain = new TxtRegistry(provider, { ...naming, encryption: { aesKey, enabled: false } });
desired = desired.map((d) => ({ ...d, recordTTL: 600 }));
console.log(
  renderPlanText((await reconcile({ registry: plain, desired, policy: 'sync' })).plan).replace(
    /"[A-Za-z0-9+/=]{40,}"/g,
    '"…ciphertext…"',
  ),
);
console.log(`3. ${await markers()}`);
console.log(`   read without the key, ours: ${await ownedWithoutKey()} of ${desired.length}`);
