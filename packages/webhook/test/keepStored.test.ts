// Bad input must never lose what is stored. The sidecar is driven exactly as ExternalDNS (policy
// sync, TXT registry) drives it, over HTTP: negotiate (GET /), GET /records, POST /adjustendpoints,
// plan with our core planner (ExternalDNS's plan.go semantics) and TXT registry (its ownership
// markers), then POST /records. When a source turns an owned, working record into an invalid value,
// `/adjustendpoints` returns that endpoint unadjusted instead of dropping it: ExternalDNS then plans
// an update (not a delete), and `/records` refuses it with its marker (500, retried every interval),
// so the stored record and its marker stay. Run on the in-memory provider and on a real PowerDNS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  calculatePlan,
  changesToJSON,
  DomainFilter,
  endpoint,
  endpointToJSON,
  TxtRegistry,
  type CalculatedChanges,
  type Changes,
  type Endpoint,
  type EndpointInit,
  type Provider,
} from '@openova/dns-core';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { WebhookProvider } from '@openova/dns-webhook';
import { externalDnsPost } from './support/rawHttp.js';
import { memoryProvider, startServer, stopAll } from './support/servers.js';

const OWNER = 'openova';

let pdns: RunningPowerDns;
beforeAll(async () => {
  pdns = await startPowerDns();
});
afterAll(async () => {
  await stopAll();
  await pdns?.stop();
});

interface Sidecar {
  url: string;
  domain: string;
  /** The provider behind the sidecar (read directly, never through the sidecar). */
  provider: Provider;
  /** Change sets the sidecar's provider accepted (and wrote). */
  writes: Changes[];
}

let zones = 0;
async function sidecar(kind: 'inmemory' | 'pdns'): Promise<Sidecar> {
  let provider: Provider;
  let domain: string;
  if (kind === 'inmemory') {
    domain = 'example.com';
    provider = memoryProvider();
  } else {
    domain = `keep${++zones}.test`;
    await pdns.client.createZone({ name: domain, kind: 'Native', nameservers: [`ns1.${domain}`] });
    provider = new PowerDnsProvider({
      apiUrl: pdns.apiUrl,
      apiKey: pdns.apiKey,
      domainFilter: new DomainFilter({ include: [domain] }),
    });
  }
  const writes: Changes[] = [];
  const inner = provider.applyChanges.bind(provider);
  provider.applyChanges = async (changes, options) => {
    await inner(changes, options);
    writes.push(changes);
  };
  const { url } = await startServer(provider);
  return { url, domain, provider, writes };
}

interface LoopResult {
  plan: CalculatedChanges;
  /** Status of `POST /records`, or undefined when nothing was planned. */
  status?: number;
  text?: string;
}

/**
 * One run of ExternalDNS's controller (`RunOnce`): registry records, source endpoints adjusted by the
 * provider, plan (sync), registry apply. The TXT registry writes markers `_externaldns.<type>-<name>`.
 */
async function externalDnsRun(
  hook: Sidecar,
  source: EndpointInit[],
  managedRecordTypes: string[] = ['A', 'AAAA', 'CNAME'],
): Promise<LoopResult> {
  const client = await WebhookProvider.connect({ url: hook.url });
  let answer: { status: number; text: string } | undefined;
  // ExternalDNS's client, with the whole answer kept: one POST /records, exactly 204 or an error
  const wire: Provider = {
    name: client.name,
    capabilities: client.capabilities,
    domainFilter: client.domainFilter,
    records: (options) => client.records(options),
    // decoded as Go decodes ExternalDNS's Endpoint: any int64 TTL, no content checks
    adjustEndpoints: async (eps) => {
      const res = await externalDnsPost(
        hook.url,
        '/adjustendpoints',
        JSON.stringify(eps.map(endpointToJSON)),
      );
      if (res.status !== 200) throw new Error(`POST /adjustendpoints answered ${res.status}: ${res.text}`);
      return (res.json() as EndpointInit[]).map(endpoint);
    },
    applyChanges: async (changes) => {
      const res = await externalDnsPost(hook.url, '/records', JSON.stringify(changesToJSON(changes)));
      answer = { status: res.status, text: res.text };
      if (res.status !== 204) throw new Error(`POST /records answered ${res.status}: ${res.text}`);
    },
  };
  try {
    const registry = new TxtRegistry(wire, { ownerId: OWNER, prefix: '_externaldns.' });
    const current = await registry.records();
    const desired = await registry.adjustEndpoints(source.map(endpoint));
    const plan = calculatePlan({
      current,
      desired,
      policy: 'sync',
      ownerId: OWNER,
      domainFilter: client.domainFilter,
      managedRecordTypes,
    });
    if (!plan.hasChanges) return { plan };
    await registry.applyChanges(plan).catch(() => undefined);
    return { plan, ...answer };
  } finally {
    await client.close();
  }
}

/** `name TYPE` → sorted targets of what the provider stores. */
async function stored(hook: Sidecar): Promise<Map<string, string[]>> {
  const records = await hook.provider.records();
  return new Map(
    records.map((r: Endpoint) => [`${r.dnsName} ${r.recordType}`, [...r.targets].sort()] as const),
  );
}

const names = (plan: Changes, list: keyof Changes) =>
  plan[list].map((e) => `${e.dnsName} ${e.recordType}`).sort();

describe.each(['inmemory', 'pdns'] as const)('bad input never loses what is stored (%s)', (kind) => {
  it('an owned record whose source turns invalid is kept with its marker; the 500 names it; the next runs repeat it without writes', async () => {
    const hook = await sidecar(kind);
    const d = hook.domain;
    const good: EndpointInit[] = [
      { dnsName: `v4.${d}`, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: `cn.${d}`, recordType: 'CNAME', targets: [`v4.${d}`] },
      { dnsName: `other.${d}`, recordType: 'A', targets: ['192.0.2.5'] },
    ];
    const first = await externalDnsRun(hook, good);
    expect(first.status).toBe(204);
    expect((await externalDnsRun(hook, good)).plan.hasChanges).toBe(false);
    const before = await stored(hook);
    expect(before.get(`v4.${d} A`)).toEqual(['192.0.2.1']);
    expect(before.get(`_externaldns.a-v4.${d} TXT`)).toHaveLength(1);
    expect(before.get(`_externaldns.cname-cn.${d} TXT`)).toHaveLength(1);

    const bad: EndpointInit[] = [
      // owned records whose value turns invalid
      { dnsName: `v4.${d}`, recordType: 'A', targets: ['300.1.1.1'] },
      { dnsName: `cn.${d}`, recordType: 'CNAME', targets: ['bad target!'] },
      // a valid update and a valid create beside them
      { dnsName: `other.${d}`, recordType: 'A', targets: ['192.0.2.6'] },
      { dnsName: `fresh.${d}`, recordType: 'A', targets: ['192.0.2.7'] },
      // a create of an invalid record
      { dnsName: `newbad.${d}`, recordType: 'A', targets: ['192.0.2.999'] },
    ];
    hook.writes.length = 0;
    const run = await externalDnsRun(hook, bad);
    // ExternalDNS plans updates for the invalid values, never a delete of the stored records
    expect(names(run.plan, 'delete')).toEqual([]);
    expect(names(run.plan, 'updateNew')).toEqual([`cn.${d} CNAME`, `other.${d} A`, `v4.${d} A`]);
    expect(names(run.plan, 'create')).toEqual([`fresh.${d} A`, `newbad.${d} A`]);
    expect(run.status).toBe(500);
    // each bad record named with its marker and the reason; the rest written
    expect(run.text).toMatch(/^6 of \d+ records were not applied/);
    expect(run.text).toMatch(
      /v4\.[^ ]+ A, _externaldns\.a-v4\.[^:]*: [^;]*"300\.1\.1\.1" is not an IPv4 address/,
    );
    expect(run.text).toMatch(/cn\.[^ ]+ CNAME, _externaldns\.cname-cn\.[^:]*: [^;]*"bad target!"/);
    expect(run.text).toMatch(/newbad\.[^ ]+ A, _externaldns\.a-newbad\.[^:]*: [^;]*192\.0\.2\.999/);

    const after = await stored(hook);
    // the old versions and their markers are untouched
    expect(after.get(`v4.${d} A`)).toEqual(['192.0.2.1']);
    expect(after.get(`cn.${d} CNAME`)).toEqual(before.get(`cn.${d} CNAME`));
    expect(after.get(`_externaldns.a-v4.${d} TXT`)).toEqual(before.get(`_externaldns.a-v4.${d} TXT`));
    expect(after.get(`_externaldns.cname-cn.${d} TXT`)).toEqual(before.get(`_externaldns.cname-cn.${d} TXT`));
    // everything else applied
    expect(after.get(`other.${d} A`)).toEqual(['192.0.2.6']);
    expect(after.get(`fresh.${d} A`)).toEqual(['192.0.2.7']);
    expect(after.get(`_externaldns.a-fresh.${d} TXT`)).toHaveLength(1);
    // no partial create: neither the invalid record nor its marker
    expect(after.has(`newbad.${d} A`)).toBe(false);
    expect(after.has(`_externaldns.a-newbad.${d} TXT`)).toBe(false);

    // stable: every later run plans the same updates and create, gets the same 500, writes nothing
    hook.writes.length = 0;
    const second = await externalDnsRun(hook, bad);
    const third = await externalDnsRun(hook, bad);
    expect(second.status).toBe(500);
    expect(second.text).toMatch(/^6 of 6 records were not applied/);
    expect(third.text).toBe(second.text);
    expect(names(second.plan, 'delete')).toEqual([]);
    expect(hook.writes).toEqual([]);
    expect(await stored(hook)).toEqual(after);

    // once the source is fixed, the records converge
    const fixed = bad.map((e) =>
      e.dnsName === `v4.${d}`
        ? { ...e, targets: ['192.0.2.2'] }
        : e.dnsName === `cn.${d}`
          ? { ...e, targets: [`other.${d}`] }
          : e.dnsName === `newbad.${d}`
            ? { ...e, targets: ['192.0.2.9'] }
            : e,
    );
    expect((await externalDnsRun(hook, fixed)).status).toBe(204);
    expect((await externalDnsRun(hook, fixed)).plan.hasChanges).toBe(false);
    const final = await stored(hook);
    expect(final.get(`v4.${d} A`)).toEqual(['192.0.2.2']);
    expect(final.get(`newbad.${d} A`)).toEqual(['192.0.2.9']);
  });

  it('content the provider’s own check refuses, a record left without targets and a TTL out of range keep their stored versions too', async () => {
    const hook = await sidecar(kind);
    const d = hook.domain;
    const managed = ['A', 'AAAA', 'CNAME', 'MX'];
    const good: EndpointInit[] = [
      { dnsName: `mx.${d}`, recordType: 'MX', targets: [`10 mail.${d}`] },
      { dnsName: `lb.${d}`, recordType: 'A', targets: ['192.0.2.20'] },
      { dnsName: `ttl.${d}`, recordType: 'A', targets: ['192.0.2.30'], recordTTL: 600 },
    ];
    expect((await externalDnsRun(hook, good, managed)).status).toBe(204);
    const before = await stored(hook);
    expect(before.get(`_externaldns.mx-mx.${d} TXT`)).toHaveLength(1);
    expect(before.get(`_externaldns.a-lb.${d} TXT`)).toHaveLength(1);

    const bad: EndpointInit[] = [
      // valid for core; PowerDNS refuses an MX host with "_" (its provider says so in adjustEndpoints)
      { dnsName: `mx.${d}`, recordType: 'MX', targets: [`10 mail_x.${d}`] },
      // a load balancer that lost its address
      { dnsName: `lb.${d}`, recordType: 'A', targets: [] },
      // a TTL past 2^31 - 1 (the TTL alone changes: ExternalDNS plans an update for a configured TTL)
      { dnsName: `ttl.${d}`, recordType: 'A', targets: ['192.0.2.30'], recordTTL: 2 ** 31 },
    ];
    hook.writes.length = 0;
    const run = await externalDnsRun(hook, bad, managed);
    expect(names(run.plan, 'delete')).toEqual([]);
    expect(run.status).toBe(500);
    expect(run.text).toMatch(/lb\.[^ ]+ A, _externaldns\.a-lb\.[^:]*: lb\.[^ ]+ A has no targets/);
    expect(run.text).toMatch(/ttl\.[^ ]+ A, _externaldns\.a-ttl\.[^:]*: [^;]*recordTTL 2147483648/);
    if (kind === 'pdns')
      expect(run.text).toMatch(
        /mx\.[^ ]+ MX, _externaldns\.mx-mx\.[^:]*: .*"mail_x\.[^"]*" is not a host name/,
      );
    const after = await stored(hook);
    expect(after.get(`lb.${d} A`)).toEqual(['192.0.2.20']);
    expect((await hook.provider.records()).find((r) => r.dnsName === `ttl.${d}`)?.recordTTL).toBe(600);
    expect(after.get(`_externaldns.a-lb.${d} TXT`)).toEqual(before.get(`_externaldns.a-lb.${d} TXT`));
    expect(after.get(`_externaldns.mx-mx.${d} TXT`)).toEqual(before.get(`_externaldns.mx-mx.${d} TXT`));
    if (kind === 'pdns') {
      expect(after.get(`mx.${d} MX`)).toEqual(before.get(`mx.${d} MX`));
      // stable: the same 500, nothing written
      hook.writes.length = 0;
      const again = await externalDnsRun(hook, bad, managed);
      expect(again.text).toBe((await externalDnsRun(hook, bad, managed)).text);
      expect(again.status).toBe(500);
      expect(hook.writes).toEqual([]);
    }
  });
});
