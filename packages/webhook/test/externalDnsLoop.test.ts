// The sidecar driven the way ExternalDNS's webhook client drives it, with a real PowerDNS behind it.
// ExternalDNS's client: a 4xx answer is fatal (the controller exits and crash-loops), a 5xx is a soft
// error retried at the next interval, and no answer within 15 s is fatal too. The loop below plans
// as ExternalDNS does with --txt-prefix=_externaldns. (markers `_externaldns.<type>-<name>`) and
// checks the status class of every answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainFilter } from '@openova/dns-core';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { createWebhookServer, type WebhookServer } from '@openova/dns-webhook';
import { startHoldingProxy, type HoldingProxy } from './support/holdingProxy.js';
import { externalDnsGet, externalDnsPost, type RawResponse } from './support/rawHttp.js';

const ZONE = 'loop.test';
const OWNER = 'openova';
const CLIENT_DEADLINE_MS = 15_000;
let pdns: RunningPowerDns;
let proxy: HoldingProxy;
let server: WebhookServer;
let url: string;

interface Ep {
  dnsName: string;
  recordType: string;
  targets: string[];
  labels?: Record<string, string>;
}

beforeAll(async () => {
  pdns = await startPowerDns();
  await pdns.client.createZone({ name: ZONE, kind: 'Native', nameservers: [`ns1.${ZONE}`] });
  // a CAA already at caa.loop.test: PowerDNS refuses a CNAME beside it
  await pdns.client.patchRRsets(`${ZONE}.`, [
    {
      name: `caa.${ZONE}.`,
      type: 'CAA',
      ttl: 300,
      changetype: 'REPLACE',
      records: [{ content: '0 issue "letsencrypt.org"', disabled: false }],
    },
  ]);
  proxy = await startHoldingProxy(pdns.apiUrl);
  server = createWebhookServer({
    provider: new PowerDnsProvider({
      apiUrl: proxy.url,
      apiKey: pdns.apiKey,
      // other.test is in the filter but no zone on the server serves it
      domainFilter: new DomainFilter({ include: [ZONE, 'other.test'] }),
      zoneCacheTtlMs: 200,
      zoneCacheStaleMs: 60_000,
      retry: { retries: 0 },
    }),
    api: { host: '127.0.0.1', port: 0 },
    health: false,
    secrets: [pdns.apiKey],
    requestDeadlineMs: 1500,
  });
  url = (await server.start()).api.url;
});

afterAll(async () => {
  await server?.stop();
  await proxy?.close();
  await pdns?.stop();
});

type StatusClass = 'ok' | 'soft' | 'fatal';

/** How ExternalDNS's webhook client reads an answer. */
async function call(
  send: () => Promise<RawResponse>,
): Promise<{ res: RawResponse; class: StatusClass; ms: number }> {
  const started = performance.now();
  const res = await send();
  const ms = performance.now() - started;
  const cls: StatusClass =
    ms >= CLIENT_DEADLINE_MS || (res.status >= 400 && res.status < 500)
      ? 'fatal'
      : res.status >= 500
        ? 'soft'
        : 'ok';
  return { res, class: cls, ms };
}

function markerOf(ep: Ep): Ep {
  return {
    dnsName: `_externaldns.${ep.recordType.toLowerCase()}-${ep.dnsName}`,
    recordType: 'TXT',
    targets: [`"heritage=external-dns,external-dns/owner=${OWNER}"`],
    labels: { ownedRecord: ep.dnsName },
  };
}

/** One ExternalDNS loop: adjust, read, plan creates and updates of owned records, apply. */
async function loop(desired: Ep[]): Promise<{ classes: StatusClass[]; apply?: RawResponse; maxMs: number }> {
  const classes: StatusClass[] = [];
  let maxMs = 0;
  const note = (r: { class: StatusClass; ms: number }) => {
    classes.push(r.class);
    maxMs = Math.max(maxMs, r.ms);
  };
  const adjust = await call(() => externalDnsPost(url, '/adjustendpoints', JSON.stringify(desired)));
  note(adjust);
  if (adjust.class !== 'ok') return { classes, maxMs };
  const adjusted = adjust.res.json() as Ep[];
  const read = await call(() => externalDnsGet(url, '/records'));
  note(read);
  if (read.class !== 'ok') return { classes, maxMs };
  const current = read.res.json() as Ep[];
  const key = (e: Ep) => `${e.dnsName} ${e.recordType}`;
  const byKey = new Map(current.map((e) => [key(e), e]));
  const create: Ep[] = [];
  const updateOld: Ep[] = [];
  const updateNew: Ep[] = [];
  for (const ep of adjusted) {
    const existing = byKey.get(key(ep));
    const owned = byKey.has(key(markerOf(ep)));
    if (!existing) create.push({ ...ep, labels: { owner: OWNER } }, markerOf(ep));
    else if (owned && [...existing.targets].sort().join() !== [...ep.targets].sort().join()) {
      updateOld.push(existing);
      updateNew.push({ ...ep, labels: { owner: OWNER } });
    }
  }
  if (create.length + updateNew.length === 0) return { classes, maxMs };
  const apply = await call(() =>
    externalDnsPost(url, '/records', JSON.stringify({ create, updateOld, updateNew })),
  );
  note(apply);
  return { classes, apply: apply.res, maxMs };
}

async function zone(): Promise<Map<string, string[]>> {
  const z = await pdns.client.getZone(`${ZONE}.`);
  return new Map(
    (z.rrsets ?? []).map((r) => [`${r.name} ${r.type}`, r.records.map((x) => x.content).sort()]),
  );
}

const VALID: Ep[] = [
  { dnsName: `api.${ZONE}`, recordType: 'A', targets: ['203.0.113.10', '203.0.113.11'] },
  { dnsName: `v6.${ZONE}`, recordType: 'AAAA', targets: ['2001:db8::10'] },
  { dnsName: `www.${ZONE}`, recordType: 'CNAME', targets: [`api.${ZONE}`] },
  { dnsName: `txt.${ZONE}`, recordType: 'TXT', targets: ['"hello"'] },
];
const BAD: Ep[] = [
  // invalid values: returned as sent by /adjustendpoints, refused with their markers by /records
  { dnsName: `cname.${ZONE}`, recordType: 'CNAME', targets: ['bad target!'] },
  // an invalid name (no DNS server stores it): dropped by /adjustendpoints
  { dnsName: `${'x'.repeat(64)}.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
  { dnsName: `v4.${ZONE}`, recordType: 'A', targets: ['300.1.1.1'] },
  { dnsName: `mx.${ZONE}`, recordType: 'MX', targets: [`mail.${ZONE}`] },
  // refused by PowerDNS (a CNAME beside a CAA): isolated by bisection
  { dnsName: `caa.${ZONE}`, recordType: 'CNAME', targets: [`api.${ZONE}`] },
  // its marker `_externaldns.a-*.wild…` has a `*` PowerDNS refuses (no --txt-wildcard-replacement)
  { dnsName: `*.wild.${ZONE}`, recordType: 'A', targets: ['192.0.2.2'] },
  // inside the domain filter, but no zone serves it
  { dnsName: `api.other.test`, recordType: 'A', targets: ['192.0.2.3'] },
];

describe('ExternalDNS loop against PowerDNS with bad records among good ones', () => {
  it(
    'never answers 4xx or past the client deadline; everything valid converges, the bad records stay named',
    { timeout: 60_000 },
    async () => {
      const desired = [...BAD.slice(0, 3), ...VALID.slice(0, 2), ...BAD.slice(3), ...VALID.slice(2)];
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await loop(desired));
      for (const run of runs) {
        expect(run.classes).not.toContain('fatal');
        expect(run.maxMs).toBeLessThan(CLIENT_DEADLINE_MS);
      }
      // every loop: adjust ok, read ok, apply soft (the bad records are retried and named)
      expect(runs.map((r) => r.classes)).toEqual([
        ['ok', 'ok', 'soft'],
        ['ok', 'ok', 'soft'],
        ['ok', 'ok', 'soft'],
      ]);
      const last = runs[2]?.apply?.text ?? '';
      // the CNAME's ownership TXT record is left out with it, and counted
      expect(last).toMatch(/^12 of 12 records were not applied/);
      expect(last).toMatch(
        /cname\.loop\.test CNAME, _externaldns\.cname-cname\.loop\.test TXT: [^;]*"bad target!"/,
      );
      expect(last).toMatch(
        /v4\.loop\.test A, _externaldns\.a-v4\.loop\.test TXT: [^;]*"300\.1\.1\.1" is not an IPv4/,
      );
      expect(last).toMatch(/mx\.loop\.test MX, _externaldns\.mx-mx\.loop\.test TXT: [^;]*MX needs/);
      expect(last).not.toContain('x'.repeat(64));
      expect(last).toMatch(
        /caa\.loop\.test CNAME, _externaldns\.cname-caa\.loop\.test TXT: .*Conflicts with pre-existing RRset/,
      );
      expect(last).toMatch(/\*\.wild\.loop\.test A, _externaldns\.a-\*\.wild\.loop\.test TXT: /);
      expect(last).toMatch(/api\.other\.test A, .*: no zone of the pdns provider serves api\.other\.test/);

      const z = await zone();
      expect(z.get(`api.${ZONE}. A`)).toEqual(['203.0.113.10', '203.0.113.11']);
      expect(z.get(`v6.${ZONE}. AAAA`)).toEqual(['2001:db8::10']);
      expect(z.get(`www.${ZONE}. CNAME`)).toEqual([`api.${ZONE}.`]);
      expect(z.get(`txt.${ZONE}. TXT`)).toEqual(['"hello"']);
      for (const ep of VALID) expect(z.get(`${markerOf(ep).dnsName}. TXT`)).toHaveLength(1);
      expect(z.get(`caa.${ZONE}. CNAME`)).toBeUndefined();
      expect(z.get(`caa.${ZONE}. CAA`)).toEqual(['0 issue "letsencrypt.org"']);
      expect(z.get(`*.wild.${ZONE}. A`)).toBeUndefined();
      expect(
        [...z.keys()].some((k) => k.startsWith('v4.') || k.startsWith('mx.') || k.startsWith('cname.')),
      ).toBe(false);

      // a change to a valid record still goes through while the bad ones stay
      const changed = desired.map((d) =>
        d.dnsName === `api.${ZONE}` ? { ...d, targets: ['203.0.113.12'] } : d,
      );
      const run = await loop(changed);
      expect(run.classes).toEqual(['ok', 'ok', 'soft']);
      expect((await zone()).get(`api.${ZONE}. A`)).toEqual(['203.0.113.12']);
    },
  );

  it(
    'a slow PowerDNS: 503 within the deadline, the write in flight completes, the expired zone list is used while it refreshes',
    { timeout: 60_000 },
    async () => {
      // the zone list is loaded and has expired (TTL 200 ms) by now
      await externalDnsGet(url, '/records');
      await new Promise((r) => setTimeout(r, 300));
      proxy.holdAllMs = 2500;
      try {
        const before = proxy.seen.length;
        const slow = await call(() =>
          externalDnsPost(
            url,
            '/records',
            JSON.stringify({
              create: [{ dnsName: `slow.${ZONE}`, recordType: 'A', targets: ['192.0.2.50'] }],
            }),
          ),
        );
        expect(slow.res.status).toBe(503);
        expect(slow.res.headers['retry-after']).toBe('5');
        expect(slow.ms).toBeLessThan(2500);
        expect(slow.class).toBe('soft');
        // the expired zone list did not hold the write back: the PATCH went out at once, beside the
        // background listing (served stale), not after it
        const sent = proxy.seen.slice(before);
        expect(sent.some((s) => s.startsWith('PATCH '))).toBe(true);
        expect(sent.some((s) => s.startsWith('GET /api/v1/servers/localhost/zones'))).toBe(true);
        // the write in flight completes; the next run sees it
        await new Promise((r) => setTimeout(r, 3000));
      } finally {
        proxy.holdAllMs = 0;
      }
      expect((await zone()).get(`slow.${ZONE}. A`)).toEqual(['192.0.2.50']);
    },
  );
});
