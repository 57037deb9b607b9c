import { startPowerDns } from './packages/provider-pdns/src/testing.ts';
const p = await startPowerDns({ root: process.argv[2] || undefined });
await p.client.createZone({ name: 't.test', kind: 'Native', nameservers: ['ns1.t.test'] });
const cs = [String.raw`"say \"hi\" \\ ok"`, String.raw`"caf\195\169"`, '"café"', String.raw`"lit \\034"`];
await p.client.patchRRsets('t.test.', cs.map((c, i) => ({ name: `n${i}.t.test.`, type: 'TXT', changetype: 'REPLACE', ttl: 60, records: [{ content: c }] })));
const z = await p.client.getZone('t.test.');
for (const r of z.rrsets) if (r.type === 'TXT') console.log(p.version, r.name, r.records.map((x) => x.content));
await p.stop();
