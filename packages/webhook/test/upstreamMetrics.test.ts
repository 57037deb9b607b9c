// Upstream API metrics in every provider mode of the command: each HTTP attempt the provider client
// makes (count, duration, status, retries) is counted under its provider, so
// `openova_dns_webhook_http_requests_total` equals the requests the loopback fake received.
// PowerDNS, Cloudflare, Hetzner, Azure and Google report through core's transport (`onRequest`);
// Route53 (AWS SDK v3) through a middleware of the SDK's stack after its retry middleware.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFakeAzureDns } from '@openova/dns-provider-azure/testing';
import { startFakeCloudflare } from '@openova/dns-provider-cloudflare/testing';
import { startFakeGoogle } from '@openova/dns-provider-google/testing';
import { startFakeHetzner } from '@openova/dns-provider-hetzner/testing';
import { startPowerDns } from '@openova/dns-provider-pdns/testing';
import { startFakeRoute53 } from '@openova/dns-provider-route53/testing';
import { spawnCli, type CliProcess } from './support/cli.js';
import { startHoldingProxy } from './support/holdingProxy.js';
import { externalDnsGet, externalDnsPost, rawRequest } from './support/rawHttp.js';

const running: CliProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.kill();
    await cli.exited;
  }
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Samples of one metric for one provider: `{labels, value}`. */
function samples(text: string, metric: string, provider: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const match of text.matchAll(new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const labels = match[1] as string;
    if (labels.includes(`provider="${provider}"`)) out.push({ labels, value: Number(match[2]) });
  }
  return out;
}

const sum = (list: { value: number }[]) => list.reduce((n, s) => n + s.value, 0);

/**
 * Runs the command, reads the zone and writes one record as ExternalDNS does, then compares the
 * upstream metrics with the requests the fake received meanwhile.
 */
async function countedRequests(options: {
  env: Record<string, string>;
  provider: string;
  zone: string;
  received: () => number;
  before?: (cli: CliProcess) => void;
}): Promise<string> {
  const before = options.received();
  const cli = spawnCli(options.env);
  running.push(cli);
  const { api, health } = await cli.ready();
  const read = await externalDnsGet(api, '/records');
  expect(read.status, read.text + cli.stdout()).toBe(200);
  const write = await externalDnsPost(
    api,
    '/records',
    JSON.stringify({
      create: [
        { dnsName: `metrics.${options.zone}`, recordType: 'A', targets: ['192.0.2.44'], recordTTL: 300 },
      ],
    }),
  );
  expect(write.status, write.text).toBe(204);
  const text = (await rawRequest(health, { path: '/metrics' })).text;
  const requests = samples(text, 'openova_dns_webhook_http_requests_total', options.provider);
  const received = options.received() - before;
  expect(received).toBeGreaterThan(1);
  expect(sum(requests)).toBe(received);
  // one duration per attempt, and the write is among them with a 2xx status
  expect(
    sum(samples(text, 'openova_dns_webhook_http_request_duration_seconds_count', options.provider)),
  ).toBe(received);
  expect(
    requests.some((s) => /method="(POST|PATCH|PUT)"/.test(s.labels) && /status="2\d\d"/.test(s.labels)),
  ).toBe(true);
  return text;
}

describe('upstream API metrics count the requests each provider mode sends', () => {
  it('pdns (PowerDNS through core transport)', async () => {
    const pdns = await startPowerDns();
    cleanups.push(() => pdns.stop());
    await pdns.client.createZone({ name: 'metrics.test', kind: 'Native', nameservers: ['ns1.metrics.test'] });
    // counts what reaches PowerDNS's API
    const proxy = await startHoldingProxy(pdns.apiUrl);
    cleanups.push(() => proxy.close());
    await countedRequests({
      env: {
        DNS_PROVIDER: 'pdns',
        PDNS_API_URL: proxy.url,
        PDNS_API_KEY: pdns.apiKey,
        DOMAIN_FILTER: 'metrics.test',
      },
      provider: 'pdns',
      zone: 'metrics.test',
      received: () => proxy.seen.length,
    });
  });

  it('cloudflare', async () => {
    const token = 'cf-metrics-token-0123456789';
    const fake = await startFakeCloudflare({ tokens: [token] });
    cleanups.push(() => fake.close());
    fake.addZone({ name: 'example.com', plan: 'pro' });
    await countedRequests({
      env: {
        DNS_PROVIDER: 'cloudflare',
        CF_API_TOKEN: token,
        CF_BASE_URL: fake.url,
        DOMAIN_FILTER: 'example.com',
      },
      provider: 'cloudflare',
      zone: 'example.com',
      received: () => fake.requests.length,
    });
  });

  it('hetzner', async () => {
    const token = 'hz-metrics-token-0123456789';
    const fake = await startFakeHetzner({ tokens: [token] });
    cleanups.push(() => fake.close());
    fake.addZone({ name: 'example.com' });
    await countedRequests({
      env: {
        DNS_PROVIDER: 'hetzner',
        HETZNER_API_TOKEN: token,
        HETZNER_BASE_URL: fake.url,
        DOMAIN_FILTER: 'example.com',
      },
      provider: 'hetzner',
      zone: 'example.com',
      received: () => fake.requests.length,
    });
  });

  it('route53 (AWS SDK v3 middleware), retries included', async () => {
    const fake = await startFakeRoute53({ rateLimit: false });
    cleanups.push(() => fake.close());
    fake.addZone({ name: 'example.com' });
    const env = {
      DNS_PROVIDER: 'route53',
      AWS_ENDPOINT_URL_ROUTE_53: fake.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDMETRICS',
      AWS_SECRET_ACCESS_KEY: 'route53-metrics-secret-0123456789',
      AWS_EC2_METADATA_DISABLED: 'true',
      DOMAIN_FILTER: 'example.com',
    };
    // the first two reads fail with 500: the SDK retries them
    fake.failNext(2, { code: 'InternalFailure', method: 'GET' });
    const text = await countedRequests({
      env,
      provider: 'route53',
      zone: 'example.com',
      received: () => fake.requests.length,
    });
    expect(
      sum(
        samples(text, 'openova_dns_webhook_http_requests_total', 'route53').filter((s) =>
          s.labels.includes('status="500"'),
        ),
      ),
    ).toBe(2);
    expect(sum(samples(text, 'openova_dns_webhook_http_retries_total', 'route53'))).toBe(2);
  });

  it.each(['azure', 'azure-private-dns'])('%s, retries included', async (mode) => {
    const token = 'az-metrics-token-0123456789';
    const fake = await startFakeAzureDns({ tokens: [token], limits: false });
    cleanups.push(() => fake.close());
    fake.addZone({
      ...(mode === 'azure' ? {} : { kind: 'private' as const }),
      name: 'example.com',
      resourceGroup: 'dns',
    });
    const dir = mkdtempSync(join(tmpdir(), 'azure-metrics-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'token'), token);
    writeFileSync(
      join(dir, 'azure.json'),
      JSON.stringify({
        tenantId: 't',
        subscriptionId: '00000000-0000-0000-0000-000000000001',
        resourceGroup: 'dns',
        resourceManagerEndpoint: fake.url,
      }),
    );
    fake.failNext(1, { status: 500, method: 'GET' });
    const text = await countedRequests({
      env: {
        DNS_PROVIDER: mode,
        EXTERNAL_DNS_AZURE_CONFIG_FILE: join(dir, 'azure.json'),
        AZURE_ACCESS_TOKEN_FILE: join(dir, 'token'),
        DOMAIN_FILTER: 'example.com',
      },
      provider: 'azure',
      zone: 'example.com',
      received: () => fake.requests.length,
    });
    expect(sum(samples(text, 'openova_dns_webhook_http_retries_total', 'azure'))).toBe(1);
  });

  it('google', async () => {
    const token = 'ya29.google-metrics-secret-0123456789';
    const fake = await startFakeGoogle({ token });
    cleanups.push(() => fake.close());
    fake.addZone({ project: 'metrics', name: 'example-com', dnsName: 'example.com' });
    await countedRequests({
      env: {
        DNS_PROVIDER: 'google',
        NODE_EXTRA_CA_CERTS: fake.caFile,
        GOOGLE_DNS_BASE_URL: fake.url,
        GOOGLE_OAUTH_ACCESS_TOKEN: token,
        EXTERNAL_DNS_GOOGLE_PROJECT: 'metrics',
        EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL: '0',
        DOMAIN_FILTER: 'example.com',
      },
      provider: 'google',
      zone: 'example.com',
      received: () => fake.requests.length,
    });
  });
});
