// PowerDNS with LUA records: a health-checked A record and a weighted one, written through the same
// reconcile loop as plain records, then answered over DNS by a throwaway local PowerDNS.
//
//   node --conditions=@openova/source --import tsx examples/powerdns-lua.ts
// Needs Debian's pdns-server, pdns-backend-sqlite3 and sqlite3 (bash scripts/setup.sh --with-pdns).
import { createServer } from 'node:net';
import { TxtRegistry, reconcile, renderPlanText } from '@openova/dns-core';
import { PowerDnsProvider, lua } from '@openova/dns-provider-pdns';
import { queryDns, startPowerDns } from '@openova/dns-provider-pdns/testing';

const pdns = await startPowerDns();
// a "service" on 127.0.0.1 that accepts TCP; 127.0.0.2 has nothing listening, so it counts as down
const service = createServer((socket) => socket.end()).listen(0, '127.0.0.1');
await new Promise((resolve) => service.once('listening', resolve));
const port = (service.address() as { port: number }).port;
try {
  await pdns.client.createZone({ name: 'example.com', kind: 'Native', nameservers: ['ns1.example.com'] });
  const provider = new PowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey });
  const registry = new TxtRegistry(provider, { ownerId: 'catalyst', prefix: '_externaldns.%{record_type}.' });
  const desired = [
    lua.endpoint({
      dnsName: 'api.example.com',
      expression: lua.ifportup(port, ['127.0.0.1', '127.0.0.2']),
      recordTTL: 5,
    }),
    lua.endpoint({
      dnsName: 'canary.example.com',
      expression: lua.pickwrandom([
        { weight: 90, value: '192.0.2.30' },
        { weight: 10, value: '192.0.2.31' },
      ]),
    }),
    { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['api.example.com'] },
  ];
  const managedRecordTypes = ['A', 'AAAA', 'CNAME', 'LUA'];
  const { plan } = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes });
  console.log(renderPlanText(plan));

  // Health checks run in the background (every second here). Until the first one finishes, either
  // address may be answered; afterwards only the live one is. Ask until ten answers in a row agree.
  let streak = 0;
  let last = '';
  for (let i = 0; i < 200 && streak < 10; i++) {
    const response = await queryDns({ name: 'api.example.com', type: 'A', port: pdns.dnsPort });
    const answer = response.answers.map((a) => a.data).join(', ');
    streak = answer === last ? streak + 1 : 1;
    last = answer;
    if (streak < 10) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(`api.example.com A → ${last} (10 answers in a row; 127.0.0.2 is down)`);
  const canary = await queryDns({ name: 'canary.example.com', type: 'A', port: pdns.dnsPort });
  console.log(`canary.example.com A → ${canary.answers.map((a) => a.data).join(', ')}`);

  const again = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes });
  console.log(`second plan has changes: ${again.plan.hasChanges}`);
} finally {
  service.close();
  await pdns.stop();
}
