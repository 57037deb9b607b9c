// catalyst-dns style: one name answered over IPv4 and IPv6 by health-checked PowerDNS LUA records.
// Each family's pool is checked with `ifurlup` (HTTP GET of /healthz on every address, body must
// contain "ok"), and `pickclosest` chooses among the live addresses. Proven over DNS against a
// throwaway pdns_server: an address whose health check fails stops being answered.
//
//   node --conditions=@openova/source --import tsx examples/cookbook/lua-dual-stack.ts
// Needs Debian's pdns-server, pdns-backend-sqlite3 and sqlite3 (bash scripts/setup.sh --with-pdns).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TxtRegistry, reconcile, renderPlanText } from '@openova/dns-core';
import { PowerDnsProvider, lua } from '@openova/dns-provider-pdns';
import { queryDns, startPowerDns } from '@openova/dns-provider-pdns/testing';

// The "service": one HTTP listener per address, all on one port, each with its own health.
// 127.0.0.2 and 2001:db8::10 have nothing listening, so their checks fail from the start.
const healthy = new Map<string, boolean>([
  ['127.0.0.1', true],
  ['127.0.0.3', true],
  ['::1', true],
]);
const handler = (req: IncomingMessage, res: ServerResponse) => {
  const up = healthy.get((req.socket.localAddress ?? '').replace(/^::ffff:/, '')) === true;
  res.writeHead(up ? 200 : 503).end(up ? 'ok' : 'down');
};
const listen = (server: Server, host: string, port: number) =>
  new Promise<number>((resolve, reject) => {
    server
      .once('error', reject)
      .listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
const servers = [createServer(handler), createServer(handler), createServer(handler)];
const port = await listen(servers[0]!, '127.0.0.1', 0);
await listen(servers[1]!, '127.0.0.3', port);
await listen(servers[2]!, '::1', port);

const pdns = await startPowerDns();
try {
  await pdns.client.createZone({ name: 'example.com', kind: 'Native', nameservers: ['ns1.example.com'] });
  const provider = new PowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey });
  const managedRecordTypes = ['A', 'AAAA', 'CNAME', 'LUA'];
  const registry = new TxtRegistry(provider, {
    ownerId: 'catalyst',
    prefix: '_externaldns.%{record_type}.',
    managedRecordTypes,
  });

  const url = `http://api.example.com:${port}/healthz`; // sent to each address, Host: api.example.com
  const check = { stringmatch: 'ok', selector: 'pickclosest', backupSelector: 'empty', timeout: 1 } as const;
  const desired = [
    lua.endpoint({
      dnsName: 'api.example.com',
      recordTTL: 5,
      // One endpoint, two expressions: the first answers A queries, the second AAAA queries.
      expression: [
        lua.ifurlup(url, ['127.0.0.1', '127.0.0.2', '127.0.0.3'], check),
        lua.ifurlup(url, ['::1', '2001:db8::10'], check),
      ],
    }),
  ];
  const { plan } = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes });
  console.log(renderPlanText(plan));

  // Health checks run in the background (every second here). Ask until ten answers in a row agree.
  const settle = async (type: 'A' | 'AAAA', expect: (answers: string[]) => boolean) => {
    let streak = 0;
    let last: string[] = [];
    for (let i = 0; i < 300 && streak < 10; i++) {
      const response = await queryDns({ name: 'api.example.com', type, port: pdns.dnsPort });
      last = response.answers.map((a) => a.data).sort();
      streak = expect(last) ? streak + 1 : 0;
      if (streak < 10) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (streak < 10)
      throw new Error(`api.example.com ${type} did not settle: last answer ${last.join(', ')}`);
    return last;
  };
  const one = (pool: string[]) => (answers: string[]) => answers.length === 1 && pool.includes(answers[0]!);

  const a = await settle('A', one(['127.0.0.1', '127.0.0.3']));
  console.log(`A    → ${a.join(', ')} (one live address of 127.0.0.1, 127.0.0.3; 127.0.0.2 is down)`);
  const aaaa = await settle('AAAA', one(['::1']));
  console.log(`AAAA → ${aaaa.join(', ')} (2001:db8::10 is down)`);

  healthy.set('127.0.0.1', false);
  const failover = await settle('A', one(['127.0.0.3']));
  console.log(`127.0.0.1 fails its check: A → ${failover.join(', ')}`);
  healthy.set('127.0.0.1', true);
  healthy.set('127.0.0.3', false);
  const back = await settle('A', one(['127.0.0.1']));
  console.log(`127.0.0.1 back, 127.0.0.3 fails: A → ${back.join(', ')}`);

  const again = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes, dryRun: true });
  console.log(`second plan has changes: ${again.plan.hasChanges}`);
} finally {
  for (const s of servers) s.close();
  await pdns.stop();
}
