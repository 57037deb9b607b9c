// The sidecar serving Azure DNS: the command with DNS_PROVIDER=azure (public zones) and
// azure-private-dns (private zones) against the loopback fake of both APIs, configured as
// ExternalDNS's Azure provider is (azure.json and EXTERNAL_DNS_AZURE_* variables), driven as
// ExternalDNS drives it, with our TxtRegistry on the client side.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reconcile, TxtRegistry } from '@openova/dns-core';
import { WebhookProvider } from '@openova/dns-webhook';
import { startFakeAzureDns, type LoopbackFakeAzureDns } from '@openova/dns-provider-azure/testing';
import { goDurationMs } from '../src/cli/config.js';
import { endpoint, parseWebhookConfigErrors } from './support/cloudflareSupport.js';
import { spawnCli, type CliProcess } from './support/cli.js';

const TOKEN = 'az-sidecar-token-0123456789';
const SUB = '00000000-0000-0000-0000-000000000001';
let fake: LoopbackFakeAzureDns;
let dir: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  fake = await startFakeAzureDns({ tokens: [TOKEN], limits: false });
  fake.addZone({ name: 'example.com', resourceGroup: 'dns' });
  fake.addZone({ name: 'example.com', resourceGroup: 'other' });
  fake.addZone({ kind: 'private', name: 'example.com', resourceGroup: 'dns' });
  dir = mkdtempSync(join(tmpdir(), 'azure-webhook-'));
  writeFileSync(join(dir, 'token'), TOKEN);
  writeFileSync(
    join(dir, 'azure.json'),
    JSON.stringify({
      tenantId: 't',
      subscriptionId: SUB,
      resourceGroup: 'dns',
      resourceManagerEndpoint: fake.url,
    }),
  );
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.kill();
    await cli.exited;
  }
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('openova-dns-webhook with DNS_PROVIDER=azure and azure-private-dns', () => {
  it('reads ExternalDNS’s Azure variables and reports bad ones by name', () => {
    expect(
      parseWebhookConfigErrors({ DNS_PROVIDER: 'azure', EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID: SUB }),
    ).toEqual([]);
    // without azure.json, the subscription is required, reported with the other problems
    expect(parseWebhookConfigErrors({ DNS_PROVIDER: 'azure' })).toEqual([
      'EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID: is required with DNS_PROVIDER=azure (or subscriptionId in /etc/kubernetes/azure.json, EXTERNAL_DNS_AZURE_CONFIG_FILE)',
    ]);
    expect(
      parseWebhookConfigErrors({
        DNS_PROVIDER: 'azure-private-dns',
        EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID: SUB,
        EXTERNAL_DNS_AZURE_ZONES_CACHE_DURATION: 'soon',
        EXTERNAL_DNS_AZURE_MAXRETRIES_COUNT: 'x',
      }),
    ).toEqual([
      'EXTERNAL_DNS_AZURE_ZONES_CACHE_DURATION: must be a duration such as 0s, 30s, 5m or 1h, got "soon"',
      'EXTERNAL_DNS_AZURE_MAXRETRIES_COUNT: must be a whole number, got "x"',
    ]);
    expect([goDurationMs('0s'), goDurationMs('1h30m'), goDurationMs('500ms'), goDurationMs('5x')]).toEqual([
      0,
      5_400_000,
      500,
      undefined,
    ]);
  });

  for (const kind of ['public', 'private'] as const)
    it(`serves ${kind} zones: plan, apply, then an empty plan; the zone of azure.json's resource group only`, async () => {
      const cli = spawnCli({
        DNS_PROVIDER: kind === 'public' ? 'azure' : 'azure-private-dns',
        EXTERNAL_DNS_AZURE_CONFIG_FILE: join(dir, 'azure.json'),
        AZURE_ACCESS_TOKEN_FILE: join(dir, 'token'),
        DOMAIN_FILTER: 'example.com',
      });
      running.push(cli);
      const { api } = await cli.ready();
      const provider = await WebhookProvider.connect({ url: api });
      const registry = new TxtRegistry(provider, {
        ownerId: 'openova',
        prefix: '_externaldns.%{record_type}.',
      });
      const desired = [endpoint(`api.example.com`, '203.0.113.10')];
      const first = await reconcile({ registry, desired, policy: 'sync' });
      expect(first.counts.create).toBe(1);
      expect((await reconcile({ registry, desired, policy: 'sync' })).plan.hasChanges).toBe(false);
      const zone = { kind, name: 'example.com', resourceGroup: 'dns' };
      const names = AZURE_NAMES[kind];
      expect(fake.recordSet(zone, 'A', 'api')?.properties).toEqual({
        [names.ttl]: 300,
        [names.a]: [{ ipv4Address: '203.0.113.10' }],
      });
      expect(fake.recordSet(zone, 'TXT', '_externaldns.a.api')?.properties[names.txt]).toEqual([
        { value: ['"heritage=external-dns,external-dns/owner=openova"'] },
      ]);
      expect(
        fake.recordSet({ kind: 'public', name: 'example.com', resourceGroup: 'other' }, 'A', 'api'),
      ).toBeUndefined();
      await reconcile({ registry, desired: [], policy: 'sync', force: true });
      expect(fake.recordSet(zone, 'A', 'api')).toBeUndefined();
      expect(cli.stdout() + cli.stderr()).not.toContain(TOKEN);
    });
});

const AZURE_NAMES = {
  public: { ttl: 'TTL', a: 'ARecords', txt: 'TXTRecords' },
  private: { ttl: 'ttl', a: 'aRecords', txt: 'txtRecords' },
} as const;
