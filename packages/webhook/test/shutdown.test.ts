// Graceful shutdown: an apply in flight finishes, new connections are refused, the process exits 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryProvider, type Changes } from '@openova/dns-core';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { createWebhookServer } from '@openova/dns-webhook';
import { spawnCli } from './support/cli.js';
import { startHoldingProxy, type HoldingProxy } from './support/holdingProxy.js';
import { externalDnsGet, externalDnsPost } from './support/rawHttp.js';

const CREATE = (name: string) =>
  JSON.stringify({ create: [{ dnsName: name, recordType: 'A', targets: ['192.0.2.77'] }] });

describe('WebhookServer.stop()', () => {
  it('lets an apply in flight finish with 204, refuses new connections and fails readiness meanwhile', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    let release!: () => void;
    let started!: () => void;
    const applyStarted = new Promise<void>((resolve) => (started = resolve));
    const slowApply = provider.applyChanges.bind(provider);
    provider.applyChanges = async (changes: Changes) => {
      started();
      await new Promise<void>((resolve) => (release = resolve));
      return slowApply(changes);
    };
    const server = createWebhookServer({
      provider,
      api: { host: '127.0.0.1', port: 0 },
      health: { host: '127.0.0.1', port: 0 },
    });
    const { api, health } = await server.start();
    const inFlight = externalDnsPost(api.url, '/records', CREATE('slow.example.com'));
    await applyStarted;
    expect(server.inFlight).toBe(1);

    const stopped = server.stop();
    await new Promise((r) => setTimeout(r, 50));
    await expect(externalDnsGet(api.url, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await externalDnsGet(health?.url ?? '', '/healthz')).status).toBe(503);

    release();
    expect((await inFlight).status).toBe(204);
    await stopped;
    expect((await provider.records()).map((r) => r.dnsName)).toEqual(['slow.example.com']);
    await expect(externalDnsGet(health?.url ?? '', '/livez')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives up waiting after shutdownTimeoutMs', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    provider.applyChanges = () => new Promise<void>(() => {});
    const server = createWebhookServer({
      provider,
      api: { host: '127.0.0.1', port: 0 },
      health: false,
      shutdownTimeoutMs: 100,
    });
    const { api } = await server.start();
    const hanging = externalDnsPost(api.url, '/records', CREATE('hang.example.com')).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await hanging).toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('the command on SIGTERM', () => {
  let pdns: RunningPowerDns;
  let proxy: HoldingProxy;

  beforeAll(async () => {
    pdns = await startPowerDns();
    await pdns.client.createZone({ name: 'term.test', kind: 'Native', nameservers: ['ns1.term.test'] });
    proxy = await startHoldingProxy(pdns.apiUrl);
  });

  afterAll(async () => {
    await proxy?.close();
    await pdns?.stop();
  });

  it('finishes the PowerDNS apply in flight, then exits 0', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'pdns',
      PDNS_API_URL: proxy.url,
      PDNS_API_KEY: pdns.apiKey,
      DOMAIN_FILTER: 'term.test',
    });
    try {
      const { api } = await cli.ready();
      proxy.holdMs = 1500;
      const patchSeen = proxy.nextPatch();
      const apply = externalDnsPost(api, '/records', CREATE('inflight.term.test'));
      await patchSeen;
      cli.child.kill('SIGTERM');
      const answer = await apply;
      expect(answer.status).toBe(204);
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      const zone = await pdns.client.getZone('term.test.');
      expect(zone.rrsets?.find((r) => r.name === 'inflight.term.test.')?.records[0]?.content).toBe(
        '192.0.2.77',
      );
      const messages = cli.logs().map((l) => l['msg']);
      expect(messages.indexOf('signal received, finishing requests in flight')).toBeLessThan(
        messages.indexOf('stopped'),
      );
      expect(cli.stdout()).not.toContain(pdns.apiKey);
    } finally {
      cli.kill();
    }
  });
});
