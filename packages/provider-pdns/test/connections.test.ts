// Reading many zones at once must not open a connection per zone: the client's transport bounds its pool.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { startApiProxy, type ApiProxy } from './proxy.js';

const ZONES = Array.from({ length: 60 }, (_, i) => `z${i}.conn.test`);
let pdns: RunningPowerDns;
let proxy: ApiProxy;

beforeAll(async () => {
  pdns = await startPowerDns();
  for (const zone of ZONES)
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns.${zone}`] });
  proxy = await startApiProxy(pdns.apiUrl);
});

afterAll(async () => {
  await proxy?.close();
  await pdns?.stop();
});

it('records() over 60 zones keeps at most `connections` connections open at once (default 8)', async () => {
  const provider = new PowerDnsProvider({ apiUrl: proxy.url, apiKey: pdns.apiKey });
  await provider.records();
  // the zone list plus one read per zone, all over the bounded pool
  expect(proxy.seen.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(61);
  // PowerDNS closes a connection after each answer, so count how many were open at the same time
  expect(proxy.maxOpenConnections).toBeGreaterThan(0);
  expect(proxy.maxOpenConnections).toBeLessThanOrEqual(8);
  await provider.client.close();
});
