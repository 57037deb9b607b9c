// Cloudflare end to end: plan, apply, re-plan and a change, with proxied records, a comment and
// tags, against the loopback fake of the Cloudflare API v4 that ships in the package's `testing`
// entry (swap `baseUrl` and the token for a real account; nothing else changes).
//
//   node --conditions=@openova/source --import tsx examples/cookbook/cloudflare.ts
import { DomainFilter, TxtRegistry, reconcile, renderPlanText, type EndpointInit } from '@openova/dns-core';
import { CloudflareProvider } from '@openova/dns-provider-cloudflare';
import { startFakeCloudflare } from '@openova/dns-provider-cloudflare/testing';

const fake = await startFakeCloudflare({ tokens: ['example-token'] }); // 127.0.0.1, a free port
try {
  fake.addZone({ name: 'example.com', plan: 'pro' });
  fake.addRecord('example.com', {
    name: 'mail.example.com',
    type: 'MX',
    content: 'mx.example.net',
    priority: 10,
  });

  const provider = new CloudflareProvider({
    apiToken: 'example-token', // process.env.CF_API_TOKEN in real use; never logged
    baseUrl: fake.url, // leave out for https://api.cloudflare.com/client/v4
    domainFilter: new DomainFilter({ include: ['example.com'] }),
    defaultComment: 'managed by example', // ExternalDNS --cloudflare-record-comment
  });
  const registry = new TxtRegistry(provider, { ownerId: 'example', prefix: '_externaldns.%{record_type}.' });

  const proxied = (on: boolean) => ({
    name: 'external-dns.kubernetes.io/cloudflare-proxied',
    value: String(on),
  });
  const desired: EndpointInit[] = [
    {
      dnsName: 'www.example.com',
      recordType: 'A',
      targets: ['203.0.113.10', '203.0.113.11'],
      providerSpecific: [proxied(true)], // behind Cloudflare's proxy; TTL becomes 1 (automatic)
    },
    {
      dnsName: 'api.example.com',
      recordType: 'CNAME',
      targets: ['lb.example.net'],
      recordTTL: 300,
      providerSpecific: [
        proxied(false),
        { name: 'external-dns.kubernetes.io/cloudflare-tags', value: 'team:api' },
      ],
    },
  ];

  const first = await reconcile({ registry, desired, policy: 'sync' });
  console.log(renderPlanText(first.plan));
  const stored = fake.records('example.com');
  console.log(`\nCloudflare now holds ${stored.length} records:`);
  for (const r of stored.sort((a, b) => a.name.localeCompare(b.name) || a.content.localeCompare(b.content))) {
    console.log(
      `  ${r.type.padEnd(5)} ${r.name} ${r.content} proxied=${r.proxied} ttl=${r.ttl} comment=${r.comment ?? ''}`,
    );
  }

  const second = await reconcile({ registry, desired, policy: 'sync' });
  console.log(`\nsecond plan has changes: ${second.plan.hasChanges}`);

  // A change: move api to another target and drop one www address. mail.example.com is not ours.
  const changed = [
    { ...desired[0]!, targets: ['203.0.113.10'] },
    { ...desired[1]!, targets: ['lb2.example.net'] },
  ];
  const third = await reconcile({ registry, desired: changed, policy: 'sync' });
  console.log(`\n${renderPlanText(third.plan)}`);
  const writes = fake.requests.filter((r) => r.method !== 'GET');
  console.log(
    `\nwrites sent: ${writes.map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{32}/g, ':id')}`).join(', ')}`,
  );
  console.log(
    `mail.example.com untouched: ${fake.records('example.com').some((r) => r.name === 'mail.example.com')}`,
  );
} finally {
  await fake.close();
}
