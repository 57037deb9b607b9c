// The sidecar serving Route53: the command with DNS_PROVIDER=route53 and ExternalDNS's own AWS
// variables, against the loopback Route53 fake, driven as ExternalDNS drives it. Credentials come
// from the standard AWS variables through the SDK's chain; IMDS is off.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { WebhookProvider } from '@openova/dns-webhook';
import { startFakeRoute53, type FakeRoute53 } from '@openova/dns-provider-route53/testing';
import { parseWebhookConfig } from '../src/cli/config.js';
import { parseWebhookConfigErrors } from './support/cloudflareSupport.js';
import { spawnCli, type CliProcess } from './support/cli.js';

const SECRET = 'route53-sidecar-secret-0123456789';
let fake: FakeRoute53;
const running: CliProcess[] = [];

beforeAll(async () => {
  fake = await startFakeRoute53({ rateLimit: false });
  fake.addZone({ name: 'example.com' });
  fake.addZone({ name: 'private.example.org', private: true, tags: { env: 'test' } });
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.kill();
    await cli.exited;
  }
});
afterAll(async () => fake.close());

describe('openova-dns-webhook with DNS_PROVIDER=route53', () => {
  it("reads ExternalDNS's EXTERNAL_DNS_AWS_* variables and reports bad ones by name", () => {
    const config = parseWebhookConfig({
      DNS_PROVIDER: 'route53',
      EXTERNAL_DNS_AWS_ZONE_TYPE: 'private',
      EXTERNAL_DNS_AWS_ZONE_TAGS: 'env=test,team',
      EXTERNAL_DNS_AWS_ASSUME_ROLE: 'arn:aws:iam::123456789012:role/dns',
      EXTERNAL_DNS_AWS_ASSUME_ROLE_EXTERNAL_ID: 'ext',
      EXTERNAL_DNS_AWS_EVALUATE_TARGET_HEALTH: 'false',
      EXTERNAL_DNS_AWS_API_RETRIES: '5',
    });
    expect(config.route53).toMatchObject({
      zoneType: 'private',
      zoneTags: { env: 'test', team: '' },
      assumeRole: { roleArn: 'arn:aws:iam::123456789012:role/dns', externalId: 'ext' },
      evaluateTargetHealth: false,
      maxAttempts: 6,
    });
    expect(
      parseWebhookConfigErrors({
        DNS_PROVIDER: 'route53',
        EXTERNAL_DNS_AWS_ZONE_TYPE: 'both',
        EXTERNAL_DNS_AWS_API_RETRIES: 'x',
      }),
    ).toEqual([
      'EXTERNAL_DNS_AWS_ZONE_TYPE: must be public, private or empty, got "both"',
      'EXTERNAL_DNS_AWS_API_RETRIES: must be a non-negative whole number (0 or more), got "x"',
    ]);
    // a negative count says so, not "must be a whole number" (which -1 is)
    expect(parseWebhookConfigErrors({ DNS_PROVIDER: 'route53', EXTERNAL_DNS_AWS_API_RETRIES: '-1' })).toEqual(
      ['EXTERNAL_DNS_AWS_API_RETRIES: must be a non-negative whole number (0 or more), got "-1"'],
    );
  });

  it('serves the zone to a webhook client: weighted sets and aliases plan to nothing after apply', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'route53',
      AWS_ENDPOINT_URL_ROUTE_53: fake.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDSIDECAR',
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_EC2_METADATA_DISABLED: 'true',
      EXTERNAL_DNS_AWS_ZONE_TYPE: 'public',
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
      ...['blue', 'green'].map((id, i) => ({
        dnsName: 'app.example.com',
        recordType: 'A',
        setIdentifier: id,
        targets: [`192.0.2.${i + 1}`],
        providerSpecific: [{ name: 'aws/weight', value: String(50 + i) }],
      })),
      {
        dnsName: 'example.com',
        recordType: 'A',
        targets: ['d111111abcdef8.cloudfront.net'],
        providerSpecific: [{ name: 'alias', value: 'true' }],
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
    const zone = [...fake.zones.values()].find((z) => z.name === 'example.com.');
    const weighted = fake.recordSets(zone!.id).filter((s) => s.Name === 'app.example.com.' && s.Type === 'A');
    expect(weighted.map((s) => [s.SetIdentifier, s.Weight])).toEqual([
      ['blue', 50],
      ['green', 51],
    ]);
    expect(cli.stdout() + cli.stderr()).not.toContain(SECRET);
  });
});
