// Driving a third-party ExternalDNS webhook provider (protocol v1) through `WebhookProvider`:
// any provider that ExternalDNS reaches by `--provider=webhook` works with the SDK's planner, TXT
// registry and safety limits.
//
//   node --conditions=@openova/source --import tsx examples/cookbook/webhook-provider.ts
//
// The "third-party" webhook here is a stand-in written with node:http: a DNS service with a
// webhook on 127.0.0.1, as a vendor's image would run next to ExternalDNS. It speaks only the wire
// protocol (GET /, GET /records, POST /records, POST /adjustendpoints) and knows nothing of the SDK.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { TxtRegistry, reconcile, renderPlanText, type EndpointInit } from '@openova/dns-core';
import { WebhookProvider, WebhookError } from '@openova/dns-webhook';

const MEDIA_TYPE = 'application/external.dns.webhook+json;version=1';
interface WireEndpoint {
  dnsName: string;
  recordType: string;
  targets: string[];
  setIdentifier?: string;
  recordTTL?: number;
}
const stored = new Map<string, WireEndpoint>();
const key = (e: WireEndpoint) => `${e.dnsName}/${e.recordType}/${e.setIdentifier ?? ''}`;
let failNext = 0; // answers 503 this many times (a soft error for ExternalDNS)
const body = async (req: IncomingMessage) => {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return JSON.parse(text || 'null') as unknown;
};
const handle = async (req: IncomingMessage, res: ServerResponse) => {
  const send = (status: number, payload?: unknown) => {
    res.writeHead(status, payload === undefined ? {} : { 'content-type': MEDIA_TYPE });
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
  };
  if (failNext > 0) return (failNext--, send(503, { message: 'backend busy' }));
  if (req.method === 'GET' && req.url === '/') return send(200, { include: ['example.com'] });
  if (req.method === 'GET' && req.url === '/records') return send(200, [...stored.values()]);
  if (req.method === 'POST' && req.url === '/adjustendpoints') return send(200, await body(req));
  if (req.method === 'POST' && req.url === '/records') {
    const changes = (await body(req)) as Record<
      'create' | 'updateOld' | 'updateNew' | 'delete',
      WireEndpoint[] | null
    >;
    for (const e of [...(changes.delete ?? []), ...(changes.updateOld ?? [])]) stored.delete(key(e));
    for (const e of [...(changes.create ?? []), ...(changes.updateNew ?? [])]) stored.set(key(e), e);
    return send(204);
  }
  send(404, { message: 'not found' });
};
const webhook = createServer((req, res) => {
  handle(req, res).catch(() => res.writeHead(400).end()); // a malformed body
});
await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(webhook.address() as { port: number }).port}`;

// The SDK side: negotiate (the webhook's domain filter becomes the provider's), then reconcile.
const provider = await WebhookProvider.connect({ url });
try {
  console.log(`negotiated with ${url}: domain filter ${JSON.stringify(provider.domainFilter)}`);
  const registry = new TxtRegistry(provider, { ownerId: 'example', prefix: '_externaldns.%{record_type}.' });
  const desired: EndpointInit[] = [
    { dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.10'], recordTTL: 300 },
    { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['api.example.com'], recordTTL: 300 },
  ];
  const first = await reconcile({ registry, desired, policy: 'sync' });
  console.log(renderPlanText(first.plan));
  console.log(`the webhook stores: ${[...stored.keys()].sort().join(', ')}`);
  console.log(
    `second plan has changes: ${(await reconcile({ registry, desired, policy: 'sync' })).plan.hasChanges}`,
  );

  // A 5xx answer is a retryable WebhookError: a controller loop tries again at its next run.
  failNext = 1;
  try {
    await reconcile({ registry, desired, policy: 'sync' });
  } catch (error) {
    if (!(error instanceof WebhookError)) throw error;
    console.log(`webhook failed: ${error.code}, status ${error.status}, retryable ${error.retryable}`);
  }
  console.log(
    `next run has changes: ${(await reconcile({ registry, desired, policy: 'sync' })).plan.hasChanges}`,
  );
} finally {
  await provider.close();
  webhook.close();
}
