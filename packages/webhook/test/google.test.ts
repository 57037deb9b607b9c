// The sidecar serving Google Cloud DNS: the command with DNS_PROVIDER=google and ExternalDNS's own
// EXTERNAL_DNS_GOOGLE_* variables, against the loopback HTTPS fake (trusted through
// NODE_EXTRA_CA_CERTS), driven as ExternalDNS drives it. The token is a static
// GOOGLE_OAUTH_ACCESS_TOKEN: nothing reaches Google.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { WebhookProvider } from '@openova/dns-webhook';
import { GOOGLE_PROPERTIES, routingPolicyProperty } from '@openova/dns-provider-google';
import { startFakeGoogle, type FakeGoogle } from '@openova/dns-provider-google/testing';
import { parseWebhookConfig } from '../src/cli/config.js';
import { parseWebhookConfigErrors } from './support/cloudflareSupport.js';
import { spawnCli, type CliProcess } from './support/cli.js';

const TOKEN = 'ya29.google-sidecar-secret-0123456789';
let fake: FakeGoogle;
const running: CliProcess[] = [];

beforeAll(async () => {
  fake = await startFakeGoogle({ token: TOKEN });
  fake.addZone({ project: 'sidecar', name: 'example-com', dnsName: 'example.com' });
  fake.addZone({
    project: 'sidecar',
    name: 'example-com-private',
    dnsName: 'example.com',
    visibility: 'private',
  });
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.kill();
    await cli.exited;
  }
});
afterAll(async () => fake.close());

describe('openova-dns-webhook with DNS_PROVIDER=google', () => {
  it("reads ExternalDNS's EXTERNAL_DNS_GOOGLE_* variables and reports bad ones by name", () => {
    const config = parseWebhookConfig({
      DNS_PROVIDER: 'google',
      EXTERNAL_DNS_GOOGLE_PROJECT: 'my-project',
      EXTERNAL_DNS_GOOGLE_ZONE_VISIBILITY: 'private',
      EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_SIZE: '200',
      EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL: '1m30s',
      EXTERNAL_DNS_ZONE_ID_FILTER: '1234,my-zone',
    });
    expect(config.google).toMatchObject({
      project: 'my-project',
      zoneVisibility: 'private',
      batchChangeSize: 200,
      batchChangeIntervalMs: 90_000,
      zoneIds: ['1234', 'my-zone'],
    });
    expect(parseWebhookConfig({ DNS_PROVIDER: 'google' }).google).toMatchObject({
      batchChangeSize: 1000,
      batchChangeIntervalMs: 1000,
    });
    expect(
      parseWebhookConfigErrors({
        DNS_PROVIDER: 'google',
        EXTERNAL_DNS_GOOGLE_ZONE_VISIBILITY: 'both',
        EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_SIZE: '1',
        EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL: 'soon',
      }),
    ).toEqual([
      'EXTERNAL_DNS_GOOGLE_ZONE_VISIBILITY: must be public, private or empty, got "both"',
      'EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_SIZE: must be a whole number of 2 or more, got "1"',
      'EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL: must be a duration such as 1s or 500ms, got "soon"',
    ]);
  });

  it('serves the public zone to a webhook client: records and a geo record set plan to nothing after apply', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'google',
      NODE_EXTRA_CA_CERTS: fake.caFile,
      GOOGLE_DNS_BASE_URL: fake.url,
      GOOGLE_OAUTH_ACCESS_TOKEN: TOKEN,
      EXTERNAL_DNS_GOOGLE_PROJECT: 'sidecar',
      EXTERNAL_DNS_GOOGLE_ZONE_VISIBILITY: 'public',
      EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL: '0',
      DOMAIN_FILTER: 'example.com',
    });
    running.push(cli);
    const { api } = await cli.ready();
    const provider = await WebhookProvider.connect({ url: api });
    const registry = new TxtRegistry(provider, {
      ownerId: 'sidecar',
      prefix: '_externaldns.%{record_type}.',
    });
    const desired: EndpointInit[] = [
      { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 60 },
      {
        dnsName: 'app.example.com',
        recordType: 'A',
        targets: ['192.0.2.10', '192.0.2.20'],
        providerSpecific: [
          {
            name: GOOGLE_PROPERTIES.routingPolicy,
            value: routingPolicyProperty({
              geo: {
                items: [
                  { location: 'us-east1', rrdatas: ['192.0.2.10'] },
                  { location: 'europe-west1', rrdatas: ['192.0.2.20'] },
                ],
              },
            }),
          },
        ],
      },
    ];
    const run = (dryRun: boolean) =>
      reconcile({
        registry,
        desired,
        policy: 'sync',
        managedRecordTypes: ['A', 'TXT'],
        dryRun,
        safety: false,
      });
    expect((await run(false)).plan.hasChanges).toBe(true);
    expect((await run(true)).plan.hasChanges).toBe(false);
    const sets = fake.rrsets('example-com', 'sidecar');
    expect(sets.find((s) => s.name === 'www.example.com.')?.rrdatas).toEqual(['192.0.2.1']);
    expect(sets.find((s) => s.name === 'app.example.com.')?.routingPolicy?.geo?.items).toHaveLength(2);
    expect(fake.rrsets('example-com-private', 'sidecar').some((s) => s.name === 'www.example.com.')).toBe(
      false,
    );
    expect(cli.stdout() + cli.stderr()).not.toContain(TOKEN);
  });
});
