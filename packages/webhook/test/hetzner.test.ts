// The sidecar serving Hetzner: the command with DNS_PROVIDER=hetzner against the loopback fake of
// the Cloud DNS API, driven as ExternalDNS drives it, with our TxtRegistry on the client side.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reconcile, TxtRegistry } from '@openova/dns-core';
import { WebhookProvider } from '@openova/dns-webhook';
import { startFakeHetzner, type FakeHetzner } from '@openova/dns-provider-hetzner/testing';
import { endpoint, parseWebhookConfigErrors } from './support/cloudflareSupport.js';
import { spawnCli, type CliProcess } from './support/cli.js';

const TOKEN = 'hz-sidecar-token-0123456789';
let fake: FakeHetzner;
const running: CliProcess[] = [];

beforeAll(async () => {
  fake = await startFakeHetzner({ tokens: [TOKEN] });
  fake.addZone({ name: 'example.com' });
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.kill();
    await cli.exited;
  }
});
afterAll(async () => fake.close());

describe('openova-dns-webhook with DNS_PROVIDER=hetzner', () => {
  it('reports a missing token or a bad base URL by variable, never echoing the token', () => {
    expect(parseWebhookConfigErrors({ DNS_PROVIDER: 'hetzner' })).toContain(
      'HETZNER_API_TOKEN: is required with DNS_PROVIDER=hetzner (or HCLOUD_TOKEN)',
    );
    expect(parseWebhookConfigErrors({ DNS_PROVIDER: 'hetzner', HCLOUD_TOKEN: 'secret-x' })).toEqual([]);
    const bad = parseWebhookConfigErrors({
      DNS_PROVIDER: 'hetzner',
      HETZNER_API_TOKEN: 'secret-y',
      HETZNER_BASE_URL: 'ftp://x',
    });
    expect(bad).toEqual(['HETZNER_BASE_URL: must be an http:// or https:// URL (the value is not shown)']);
    expect(bad.join('\n')).not.toContain('secret-');
  });

  it('serves the zone to a webhook client: plan, apply, then an empty plan; foreign records untouched', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'hetzner',
      HETZNER_API_TOKEN: TOKEN,
      HETZNER_BASE_URL: fake.url,
      DOMAIN_FILTER: 'example.com',
    });
    running.push(cli);
    const { api } = await cli.ready();
    const provider = await WebhookProvider.connect({ url: api });
    fake.putRRSet('example.com', {
      name: 'legacy',
      type: 'A',
      records: [{ value: '198.51.100.7', comment: null }],
    });

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

    const stored = fake
      .rrsets('example.com')
      .map((r) => `${r.name} ${r.type} ${r.records.map((v) => v.value).join(',')}`);
    expect(stored).toEqual(
      expect.arrayContaining([
        'api A 203.0.113.10',
        'www A 203.0.113.11',
        'legacy A 198.51.100.7',
        '_externaldns.a.api TXT "heritage=external-dns,external-dns/owner=openova"',
      ]),
    );
    await reconcile({ registry, desired: [], policy: 'sync', force: true });
    const after = fake.rrsets('example.com').map((r) => r.name);
    expect(after).toContain('legacy');
    expect(after).not.toContain('api');
    expect(after).not.toContain('_externaldns.a.api');
    expect(cli.stdout() + cli.stderr()).not.toContain(TOKEN);
  });
});
