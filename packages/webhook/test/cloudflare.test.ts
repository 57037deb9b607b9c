// The sidecar serving Cloudflare: the command with DNS_PROVIDER=cloudflare against the loopback fake,
// driven exactly as ExternalDNS drives it, with our TxtRegistry on the client side.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpoint, parseWebhookConfigErrors } from './support/cloudflareSupport.js';
import { reconcile, TxtRegistry } from '@openova/dns-core';
import { WebhookProvider } from '@openova/dns-webhook';
import { startFakeCloudflare, type FakeCloudflare } from '@openova/dns-provider-cloudflare/testing';
import { spawnCli, type CliProcess } from './support/cli.js';

const TOKEN = 'cf-sidecar-token-0123456789';
let fake: FakeCloudflare;
const running: CliProcess[] = [];

beforeAll(async () => {
  fake = await startFakeCloudflare({ tokens: [TOKEN] });
  fake.addZone({ name: 'example.com', plan: 'pro' });
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.kill();
    await cli.exited;
  }
});
afterAll(async () => fake.close());

describe('openova-dns-webhook with DNS_PROVIDER=cloudflare', () => {
  it('reports missing or conflicting Cloudflare credentials by variable, never echoing them', () => {
    expect(parseWebhookConfigErrors({ DNS_PROVIDER: 'cloudflare' })).toContain(
      'CF_API_TOKEN: is required with DNS_PROVIDER=cloudflare (or CF_API_KEY with CF_API_EMAIL)',
    );
    // half of the legacy pair: the missing half is named, the secret never shown
    const keyOnly = parseWebhookConfigErrors({ DNS_PROVIDER: 'cloudflare', CF_API_KEY: 'secret-k' });
    expect(keyOnly).toEqual([
      'CF_API_EMAIL: is required with CF_API_KEY (the legacy global API key); or use CF_API_TOKEN',
    ]);
    expect(parseWebhookConfigErrors({ DNS_PROVIDER: 'cloudflare', CF_API_EMAIL: 'a@example.com' })).toEqual([
      'CF_API_KEY: is required with CF_API_EMAIL (the legacy global API key); or use CF_API_TOKEN',
    ]);
    const both = parseWebhookConfigErrors({
      DNS_PROVIDER: 'cloudflare',
      CF_API_TOKEN: 'secret-a',
      CF_API_KEY: 'secret-b',
      CF_API_EMAIL: 'a@example.com',
    });
    expect(both).toContain('CF_API_KEY: set either CF_API_TOKEN or CF_API_KEY, not both');
    expect(both.join('\n')).not.toMatch(/secret-/);
    expect(
      parseWebhookConfigErrors({ DNS_PROVIDER: 'cloudflare', CF_API_TOKEN: 't', CF_BASE_URL: 'ftp://x' }),
    ).toContain('CF_BASE_URL: must be an http:// or https:// URL (the value is not shown)');
  });

  it('serves the zone to a webhook client: plan, apply, then an empty plan; foreign records untouched', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'cloudflare',
      CF_API_TOKEN: TOKEN,
      CF_BASE_URL: fake.url,
      DOMAIN_FILTER: 'example.com',
    });
    running.push(cli);
    const { api } = await cli.ready();
    const provider = await WebhookProvider.connect({ url: api });
    expect(provider.domainFilter.toJSON()).toEqual({ include: ['example.com'] });

    const seeded = await reconcile({
      registry: new TxtRegistry(provider, {
        ownerId: 'someone-else',
        prefix: '_externaldns.%{record_type}.',
      }),
      desired: [endpoint('legacy.example.com', '198.51.100.7')],
      policy: 'sync',
    });
    expect(seeded.applied).toBe(true);

    const registry = new TxtRegistry(provider, {
      ownerId: 'openova',
      prefix: '_externaldns.%{record_type}.',
    });
    const desired = [
      endpoint('api.example.com', '203.0.113.10'),
      endpoint('www.example.com', '203.0.113.11'),
    ];
    const first = await reconcile({ registry, desired, policy: 'sync' });
    expect(first.counts.create).toBe(2);
    expect((await reconcile({ registry, desired, policy: 'sync' })).plan.hasChanges).toBe(false);

    const stored = fake.records('example.com').map((r) => `${r.name} ${r.type} ${r.content}`);
    expect(stored).toEqual(
      expect.arrayContaining([
        'api.example.com A 203.0.113.10',
        'www.example.com A 203.0.113.11',
        'legacy.example.com A 198.51.100.7',
        '_externaldns.a.api.example.com TXT "heritage=external-dns,external-dns/owner=openova"',
      ]),
    );
    // deleting everything we own leaves the other owner's record
    await reconcile({ registry, desired: [], policy: 'sync', force: true });
    const after = fake.records('example.com').map((r) => r.name);
    expect(after).toContain('legacy.example.com');
    expect(after).not.toContain('api.example.com');
    expect(cli.stdout() + cli.stderr()).not.toContain(TOKEN);
  });
});
