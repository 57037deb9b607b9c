// The provider conformance suite (@openova/dns-core/testing) on a real PowerDNS, through a proxy
// that injects faults: 500s, timeouts, dropped connections and 429 storms.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainFilter, emptyChanges, endpoint } from '@openova/dns-core';
import {
  conformanceTests,
  providerConformanceCases,
  type ConformanceFault,
  type ConformanceHarness,
} from '@openova/dns-core/testing';
import { lua, PowerDnsProvider, type PowerDnsWriteLock } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { startApiProxy, type ApiProxy } from './proxy.js';

const ZONE = 'conformance.test';
const FAULTS: ConformanceFault[] = [
  'server-error',
  'timeout',
  'connection-drop',
  'rate-limit-storm',
  'echo-credential',
];
const TIMEOUT_MS = 400;
let pdns: RunningPowerDns;
let proxy: ApiProxy;

beforeAll(async () => {
  pdns = await startPowerDns();
  proxy = await startApiProxy(pdns.apiUrl);
});

afterAll(async () => {
  await proxy?.close();
  await pdns?.stop();
});

function provider(): PowerDnsProvider {
  return new PowerDnsProvider({
    apiUrl: proxy.url,
    apiKey: pdns.apiKey,
    domainFilter: new DomainFilter({ include: [ZONE] }),
    timeoutMs: TIMEOUT_MS,
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 50 },
  });
}

async function harness(): Promise<ConformanceHarness> {
  proxy.reset();
  // a fresh zone for every case
  await pdns.client.deleteZone(`${ZONE}.`).catch(() => undefined);
  await pdns.client.createZone({ name: ZONE, kind: 'Native', nameservers: [`ns1.${ZONE}`] });
  const p = provider();
  return {
    provider: p,
    zone: ZONE,
    faults: FAULTS,
    secret: pdns.apiKey,
    seed: (records) => p.applyChanges({ ...emptyChanges(), create: records.map(endpoint) }),
    inject(fault) {
      const many = 20; // more than any retry budget: the run fails, typed
      if (fault === 'server-error')
        proxy.fail(many, { method: 'PATCH', status: 500, body: '{"error":"Internal Server Error"}' });
      else if (fault === 'timeout')
        proxy.fail(1, { method: 'PATCH', status: 500, body: '{}', delayMs: TIMEOUT_MS * 3 });
      else if (fault === 'echo-credential')
        // a proxy that repeats the request's key in its refusal, body and header
        proxy.fail(many, {
          status: 403,
          body: JSON.stringify({ error: `forbidden: X-API-Key ${pdns.apiKey} is not allowed here` }),
          headers: { 'x-request-id': pdns.apiKey },
        });
      else if (fault === 'connection-drop')
        proxy.fail(1, { method: 'PATCH', status: 0, body: '', drop: true });
      else
        proxy.fail(many, {
          status: 429,
          body: '{"error":"Too Many Requests"}',
          headers: { 'retry-after': '0' },
        });
    },
    clearFaults: () => proxy.clearFaults(),
    close: () => Promise.resolve(),
  };
}

describe('provider conformance: PowerDNS', () => {
  for (const t of conformanceTests({
    // capabilities do not depend on the server: read them before it starts
    capabilities: new PowerDnsProvider({ apiUrl: 'http://127.0.0.1:9', apiKey: 'unused' }).capabilities,
    zones: true,
    faults: FAULTS,
    // PowerDNS's own type: health-checked answers
    recordSamples: [
      {
        type: 'LUA',
        name: 'rt-lua',
        first: [lua.content(lua.ifportup(443, ['192.0.2.1', '192.0.2.2']))],
        second: [lua.content(lua.ifportup(443, ['192.0.2.1', '192.0.2.3'], { selector: 'all' }))],
      },
    ],
    createHarness: harness,
  }))
    it.skipIf(t.skip !== undefined)(t.title, t.run, 30_000);
});

describe('provider conformance: PowerDNS with a writeLock (writes conditional on what was read)', () => {
  // one process: a lock is a promise chain; across processes and servers it is postgresAdvisoryLock
  let tail: Promise<unknown> = Promise.resolve();
  const writeLock: PowerDnsWriteLock = {
    acquire() {
      let release!: () => void;
      const previous = tail;
      tail = new Promise<void>((resolve) => (release = resolve));
      return previous.then(() => ({ release: () => Promise.resolve(release()) }));
    },
  };
  const locked = () =>
    new PowerDnsProvider({
      apiUrl: proxy.url,
      apiKey: pdns.apiKey,
      domainFilter: new DomainFilter({ include: [ZONE] }),
      writeLock,
    });
  const cases = providerConformanceCases.filter((c) => c.id.startsWith('ownership/'));
  for (const t of conformanceTests(
    {
      capabilities: new PowerDnsProvider({ apiUrl: 'http://127.0.0.1:9', apiKey: 'unused', writeLock })
        .capabilities,
      zones: true,
      createHarness: async () => {
        const base = await harness();
        const p = locked();
        return { ...base, provider: p, faults: [] };
      },
    },
    cases,
  ))
    it.skipIf(t.skip !== undefined)(t.title, t.run, 30_000);
});
