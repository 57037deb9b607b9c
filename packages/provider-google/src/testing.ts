/**
 * A loopback fake of the Cloud DNS v1 REST API over HTTPS, for tests: drive it with this package's
 * client (`baseUrl: fake.url, tls: { ca: fake.ca }`) or with the official `@google-cloud/dns`
 * (`apiEndpoint: fake.host`, the process started with `NODE_EXTRA_CA_CERTS=fake.caFile`). It serves
 * a self-signed certificate for `127.0.0.1` and reproduces (source: the Cloud DNS v1 reference and
 * the research notes §E and §G.2):
 *
 * - all-or-nothing changes, validated in full before anything is stored;
 * - 412 `conditionNotMet` for a deletion that does not match the stored record set exactly (TTL,
 *   rrdatas, routing policy), 404 `notFound` for a deletion of nothing, 409 `alreadyExists` for an
 *   addition that exists or a duplicate rrdata, 400 `cnameResourceRecordSetConflict`, 400 `invalid`
 *   (names without their dot, quoted non-TXT rrdatas, TXT strings over 255 octets), 400
 *   `peeringChangeDisallowed`;
 * - the change limits (1,000 additions, 1,000 deletions, 100,000 rrdata bytes: 403 `quotaExceeded`);
 * - `nextPageToken` pages; change status `pending` then `done` after `pendingPolls` reads;
 * - routing-policy record sets (geo, wrr, primaryBackup) stored and returned as sent;
 * - a per-project token bucket answering 429 `rateLimitExceeded` without `Retry-After`;
 * - injected faults: 5xx before or after executing, 429 storms, late answers, dropped connections.
 * @module testing
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { GoogleRoutingPolicy } from './schemas.js';

/** A record set as the fake stores it (name lower case with its dot, TXT quoted). */
export interface FakeRRSet {
  /** Owner name, absolute with its trailing dot (`www.example.com.`). */
  name: string;
  /** Record type (`A`, `TXT`, …). */
  type: string;
  /** TTL in seconds. */
  ttl: number;
  /** The records in presentation format (absent in a routing-policy set). */
  rrdatas?: string[];
  /** A geo, weighted round robin or primary-backup policy, stored and returned as sent. */
  routingPolicy?: GoogleRoutingPolicy;
}

/** A managed zone of the fake, with its record sets. */
export interface FakeZone {
  /** The project holding the zone. */
  project: string;
  /** Numeric id, as a string (assigned in order unless given). */
  id: string;
  /** The managed zone's name, unique per project (`example-com`). */
  name: string;
  /** With trailing dot. */
  dnsName: string;
  /** `public` or `private`. */
  visibility: 'public' | 'private';
  /** A peering zone: its record sets cannot be changed (400 `peeringChangeDisallowed`). */
  peering: boolean;
  /** A forwarding zone (listed with a `forwardingConfig`). */
  forwarding: boolean;
  /** The record sets, SOA and NS at the apex included. */
  sets: FakeRRSet[];
}

/** A change the fake accepted (all or nothing). */
export interface FakeChange {
  /** Change id, counted per zone from `1`. */
  id: string;
  /** The zone as `project/name`. */
  zone: string;
  /** `pending` for `pendingPolls` reads, then `done`. */
  status: 'pending' | 'done';
  /** When the change was accepted (RFC 3339). */
  startTime: string;
  /** Record sets added. */
  additions: FakeRRSet[];
  /** Record sets deleted. */
  deletions: FakeRRSet[];
  /** Reads left until `done`. */
  pollsLeft: number;
}

/** Options of {@link startFakeGoogle}; every one is optional. */
export interface FakeGoogleOptions {
  /** The bearer token every request must carry (default: any token is accepted, none is not). */
  token?: string;
  /** Record sets per page when `maxResults` is not given (default 500). */
  pageSize?: number;
  /** Managed zones per page when `maxResults` is not given (default 50). */
  zonePageSize?: number;
  /** Reads of a new change answered `pending` before `done` (default 1; 0: `done` at once). */
  pendingPolls?: number;
  /** Per-project token bucket: `requests` refilled over `windowMs` (default off). */
  rateLimit?: { requests: number; windowMs: number } | false;
  /** Per-change limits (default Google's: 1,000 / 1,000 / 100,000). */
  limits?: { additions?: number; deletions?: number; rrdataBytes?: number };
}

/** An injected failure, for {@link FakeGoogle.failNext}. */
export interface FakeFault {
  /** Only requests with this method: `GET`, `POST`, or `write` (= `POST`). Default any. */
  method?: 'GET' | 'POST' | 'write';
  /** Answer this status (default 500 `backendError`) … */
  status?: number;
  /** … after carrying the request out (the answer is lost, the change applied). */
  afterExecuting?: boolean;
  /** Close the connection instead of answering. */
  drop?: boolean;
  /** Serve the request only after this many ms. */
  delayMs?: number;
  /** The answer's message (and an `x-guploader-uploadid` header) repeats the request's `Authorization`, as a careless proxy might. */
  echoCredential?: boolean;
}

/** A running fake (from {@link startFakeGoogle}): its address, state, and fault injection. */
export interface FakeGoogle {
  /** API base for this package's client: `https://127.0.0.1:<port>/dns/v1`. */
  readonly url: string;
  /** `127.0.0.1:<port>`: `apiEndpoint` of `@google-cloud/dns`. */
  readonly host: string;
  /** The self-signed certificate (PEM), to trust as a CA. */
  readonly ca: string;
  /** The certificate written to a file, for `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
  /** Zones by `project/name`. */
  readonly zones: Map<string, FakeZone>;
  /** Every change accepted, in order. */
  readonly changes: FakeChange[];
  /** Every request as `METHOD path` (query included). */
  readonly requests: string[];
  /** 429 answers sent because the rate limit was exceeded. */
  throttled: number;
  /**
   * Creates a managed zone (in {@link DEFAULT_FAKE_PROJECT} unless `project` is given) with its
   * apex SOA and NS record sets; `dnsName` with or without its trailing dot.
   */
  addZone(zone: {
    name: string;
    dnsName: string;
    project?: string;
    id?: string;
    visibility?: 'public' | 'private';
    peering?: boolean;
    forwarding?: boolean;
  }): FakeZone;
  /** A zone's record sets in listing order. */
  rrsets(zone: string, project?: string): FakeRRSet[];
  /** Writes a record set directly (another tool's write), replacing one of the same name and type. */
  putRRSet(zone: string, set: FakeRRSet, project?: string): void;
  /** Removes a record set directly. */
  removeRRSet(zone: string, name: string, type: string, project?: string): void;
  /** Answers the next `count` matching requests with `fault`. */
  failNext(count: number, fault?: FakeFault): void;
  /** Answers the next `count` requests 429 `rateLimitExceeded`. */
  throttleNext(count: number): void;
  /** Drops the faults not used yet (`failNext`, `throttleNext`). */
  clearFaults(): void;
  /** Stops the server, closing open connections, and removes the certificate file. */
  close(): Promise<void>;
}

/** The project of zones added without one. */
export const DEFAULT_FAKE_PROJECT = 'fake-project';

const NON_TXT_QUOTED = /^".*"$/;

class FakeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function envelope(status: number, reason: string, message: string) {
  return { error: { code: status, message, errors: [{ message, domain: 'global', reason }] } };
}

/** TXT rrdata as Cloud DNS stores it: quoted character-strings; unquoted input split at spaces. */
function normaliseTxt(rrdata: string, where: string): string {
  const strings: string[] = [];
  let i = 0;
  const s = rrdata.trim();
  while (i < s.length) {
    if (s[i] === ' ' || s[i] === '\t') {
      i++;
      continue;
    }
    let out = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) {
          out += s[i] + (s[i + 1] as string);
          i += 2;
        } else out += s[i++];
      }
      if (s[i] !== '"') throw new FakeError(400, 'invalid', `Invalid value for '${where}': '${rrdata}'`);
      i++;
    } else {
      while (i < s.length && s[i] !== ' ' && s[i] !== '\t') out += s[i++];
    }
    const octets = Buffer.byteLength(out.replace(/\\(.)/g, '$1'), 'utf8');
    if (octets > 255) throw new FakeError(400, 'invalid', `Invalid value for '${where}': '${rrdata}'`);
    strings.push(`"${out}"`);
  }
  return strings.join(' ');
}

function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}

function sameSet(a: FakeRRSet, b: FakeRRSet): boolean {
  const norm = (s: FakeRRSet) =>
    canonicalJson([s.name, s.type, s.ttl, s.rrdatas ? [...s.rrdatas].sort() : null, s.routingPolicy ?? null]);
  return norm(a) === norm(b);
}

function policyRrdatas(policy: GoogleRoutingPolicy): string[] {
  return [
    ...(policy.geo?.items ?? []).flatMap((i) => i.rrdatas ?? []),
    ...(policy.wrr?.items ?? []).flatMap((i) => i.rrdatas ?? []),
    ...(policy.primaryBackup?.backupGeoTargets?.items ?? []).flatMap((i) => i.rrdatas ?? []),
  ];
}

function bytesOf(set: FakeRRSet): number {
  return [...(set.rrdatas ?? []), ...(set.routingPolicy ? policyRrdatas(set.routingPolicy) : [])].reduce(
    (n, r) => n + Buffer.byteLength(r, 'utf8'),
    0,
  );
}

const order = (a: FakeRRSet, b: FakeRRSet) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0;

function rrsetJson(s: FakeRRSet) {
  return {
    kind: 'dns#resourceRecordSet',
    name: s.name,
    type: s.type,
    ttl: s.ttl,
    ...(s.rrdatas ? { rrdatas: s.rrdatas } : {}),
    ...(s.routingPolicy ? { routingPolicy: s.routingPolicy } : {}),
  };
}

/**
 * Starts the fake on `127.0.0.1` (a random port) with a fresh self-signed certificate.
 * Close it with `close()`.
 */
export async function startFakeGoogle(options: FakeGoogleOptions = {}): Promise<FakeGoogle> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'fake-google-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pems.cert);

  const pageSize = options.pageSize ?? 500;
  const zonePageSize = options.zonePageSize ?? 50;
  const pendingPolls = options.pendingPolls ?? 1;
  const limits = {
    additions: options.limits?.additions ?? 1000,
    deletions: options.limits?.deletions ?? 1000,
    rrdataBytes: options.limits?.rrdataBytes ?? 100_000,
  };
  const zones = new Map<string, FakeZone>();
  const changes: FakeChange[] = [];
  const requests: string[] = [];
  const faults: { count: number; fault: FakeFault | 'throttle' }[] = [];
  const buckets = new Map<string, { tokens: number; at: number }>();
  let nextZoneId = 1000;
  const sockets = new Set<Socket>();

  const state = { throttled: 0 };

  const zoneOf = (project: string, zone: string): FakeZone => {
    const found =
      zones.get(`${project}/${zone}`) ??
      [...zones.values()].find((z) => z.project === project && z.id === zone);
    if (!found)
      throw new FakeError(
        404,
        'notFound',
        `The 'parameters.managedZone' resource named '${zone}' does not exist.`,
      );
    return found;
  };

  const rateLimited = (project: string): boolean => {
    if (!options.rateLimit) return false;
    const { requests: size, windowMs } = options.rateLimit;
    const now = Date.now();
    const b = buckets.get(project) ?? { tokens: size, at: now };
    b.tokens = Math.min(size, b.tokens + ((now - b.at) * size) / windowMs);
    b.at = now;
    buckets.set(project, b);
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  };

  const page = <T>(items: T[], query: URLSearchParams, size: number) => {
    const max = Math.min(Number(query.get('maxResults') ?? size) || size, 1000);
    const start = Number(Buffer.from(query.get('pageToken') ?? '', 'base64url').toString() || '0');
    const slice = items.slice(start, start + max);
    const next =
      start + max < items.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
    return { slice, next };
  };

  const zoneJson = (z: FakeZone) => ({
    kind: 'dns#managedZone',
    name: z.name,
    dnsName: z.dnsName,
    id: z.id,
    description: '',
    visibility: z.visibility,
    nameServers: ['ns-cloud-a1.googledomains.com.', 'ns-cloud-a2.googledomains.com.'],
    creationTime: '2026-01-01T00:00:00.000Z',
    ...(z.peering ? { peeringConfig: { kind: 'dns#managedZonePeeringConfig', targetNetwork: {} } } : {}),
    ...(z.forwarding
      ? { forwardingConfig: { kind: 'dns#managedZoneForwardingConfig', targetNameServers: [] } }
      : {}),
  });

  const changeJson = (c: FakeChange) => ({
    kind: 'dns#change',
    id: c.id,
    status: c.status,
    startTime: c.startTime,
    isServing: c.status === 'done',
    ...(c.additions.length ? { additions: c.additions.map(rrsetJson) } : {}),
    ...(c.deletions.length ? { deletions: c.deletions.map(rrsetJson) } : {}),
  });

  /** Validates a whole change against a copy of the zone, then stores it. */
  const applyChange = (zone: FakeZone, body: Record<string, unknown>): FakeChange => {
    const rawAdds = (body['additions'] ?? []) as Record<string, unknown>[];
    const rawDels = (body['deletions'] ?? []) as Record<string, unknown>[];
    if (!Array.isArray(rawAdds) || !Array.isArray(rawDels))
      throw new FakeError(400, 'invalid', "Invalid value for 'entity.change'");
    if (rawAdds.length === 0 && rawDels.length === 0)
      throw new FakeError(400, 'required', "The 'entity.change' parameter is required but was missing.");
    if (zone.peering)
      throw new FakeError(
        400,
        'peeringChangeDisallowed',
        `The resource 'entity.managedZone' named '${zone.name}' cannot be modified because it is a Peering zone.`,
      );
    const quota: string[] = [];
    if (rawAdds.length > limits.additions)
      quota.push('The change would exceed quota for additions per change.');
    if (rawDels.length > limits.deletions)
      quota.push('The change would exceed quota for deletions per change.');
    const parse = (raw: Record<string, unknown>, where: string, addition: boolean): FakeRRSet => {
      const text = (v: unknown) => (typeof v === 'string' ? v : '');
      const name = text(raw['name']);
      const type = text(raw['type']).toUpperCase();
      if (
        !name.endsWith('.') ||
        !(name.toLowerCase() === zone.dnsName || name.toLowerCase().endsWith(`.${zone.dnsName}`))
      )
        throw new FakeError(400, 'invalid', `Invalid value for '${where}.name': '${name}'`);
      if (!type)
        throw new FakeError(400, 'required', `The '${where}.type' parameter is required but was missing.`);
      const ttl = raw['ttl'] === undefined ? undefined : Number(raw['ttl']);
      if (addition && (ttl === undefined || !Number.isInteger(ttl) || ttl < 0))
        throw new FakeError(
          400,
          'invalid',
          `Invalid value for '${where}.ttl': '${JSON.stringify(raw['ttl'])}'`,
        );
      const rrdatas = raw['rrdatas'];
      const policy = raw['routingPolicy'] as GoogleRoutingPolicy | undefined;
      if (addition && (rrdatas === undefined) === (policy === undefined))
        throw new FakeError(
          400,
          'invalid',
          `Invalid value for '${where}': a record set has either rrdatas or a routingPolicy`,
        );
      const set: FakeRRSet = { name: name.toLowerCase(), type, ttl: ttl ?? 0 };
      if (Array.isArray(rrdatas)) {
        if (rrdatas.length === 0 && addition)
          throw new FakeError(
            400,
            'required',
            `The '${where}.rrdata' parameter is required but was missing.`,
          );
        if (rrdatas.length > 100)
          quota.push('The change would exceed quota for resource records per resource record set.');
        set.rrdatas = rrdatas.map((r, j) => {
          const text = String(r);
          if (type === 'TXT' || type === 'SPF') return normaliseTxt(text, `${where}.rrdata[${j}]`);
          if (NON_TXT_QUOTED.test(text.trim()) && type !== 'CAA')
            throw new FakeError(400, 'invalid', `Invalid value for '${where}.rrdata[${j}]': '${text}'`);
          if (['CNAME', 'NS', 'PTR', 'DNAME'].includes(type) && !text.endsWith('.'))
            throw new FakeError(400, 'invalid', `Invalid value for '${where}.rrdata[${j}]': '${text}'`);
          return text;
        });
        const seen = new Set<string>();
        set.rrdatas.forEach((r, j) => {
          if (addition && seen.has(r))
            throw new FakeError(
              409,
              'alreadyExists',
              `The resource '${where}.rrdata[${j}]' named '${r}' already exists`,
            );
          seen.add(r);
        });
        if (type === 'CNAME' && set.rrdatas.length > 1)
          throw new FakeError(
            400,
            'invalid',
            `Invalid value for '${where}.rrdata[1]': a CNAME has one rrdata`,
          );
      }
      if (policy) {
        if (policy.geo) {
          const locations = policy.geo.items.map((i) => i.location);
          if (new Set(locations).size !== locations.length)
            throw new FakeError(
              400,
              'invalid',
              `Invalid value for '${where}.routingPolicy.geo': duplicate location`,
            );
        }
        set.routingPolicy = policy;
      }
      return set;
    };
    const additions = rawAdds.map((r, i) => parse(r, `entity.change.additions[${i}]`, true));
    const deletions = rawDels.map((r, i) => parse(r, `entity.change.deletions[${i}]`, false));
    const bytes =
      additions.reduce((n, s) => n + bytesOf(s), 0) + deletions.reduce((n, s) => n + bytesOf(s), 0);
    if (bytes > limits.rrdataBytes)
      quota.push('The change would exceed quota for total rrdata size per change.');
    if (quota.length) throw new FakeError(403, 'quotaExceeded', quota.join(' '));
    // validated on a copy: the zone changes only when the whole change is valid
    const key = (x: FakeRRSet) => `${x.name}\u0000${x.type}`;
    const next = new Map(zone.sets.map((x) => [key(x), x]));
    deletions.forEach((d, i) => {
      const stored = next.get(key(d));
      if (!stored)
        throw new FakeError(
          404,
          'notFound',
          `The 'entity.change.deletions[${i}]' resource named '${d.name} (${d.type})' does not exist.`,
        );
      if (!sameSet(stored, d))
        throw new FakeError(
          412,
          'conditionNotMet',
          `Precondition not met for 'entity.change.deletions[${i}]'`,
        );
      next.delete(key(d));
    });
    additions.forEach((a, i) => {
      if (next.has(key(a)))
        throw new FakeError(
          409,
          'alreadyExists',
          `The resource 'entity.change.additions[${i}]' named '${a.name} (${a.type})' already exists`,
        );
      next.set(key(a), a);
    });
    const typesAt = new Map<string, string[]>();
    for (const x of next.values()) typesAt.set(x.name, [...(typesAt.get(x.name) ?? []), x.type]);
    additions.forEach((a, i) => {
      const types = typesAt.get(a.name) ?? [];
      if (types.includes('CNAME') && types.length > 1)
        throw new FakeError(
          400,
          'cnameResourceRecordSetConflict',
          `The resource record set 'entity.change.additions[${i}]' is invalid because the DNS name '${a.name}' may have either one CNAME resource record set or resource record sets of other types, but not both.`,
        );
    });
    zone.sets = [...next.values()].sort(order);
    const change: FakeChange = {
      id: String(changes.filter((c) => c.zone === `${zone.project}/${zone.name}`).length + 1),
      zone: `${zone.project}/${zone.name}`,
      status: pendingPolls > 0 ? 'pending' : 'done',
      startTime: new Date().toISOString(),
      additions,
      deletions,
      pollsLeft: pendingPolls,
    };
    changes.push(change);
    return change;
  };

  const route = (method: string, path: string, query: URLSearchParams, body: string): [number, unknown] => {
    const m =
      /^\/dns\/v1\/projects\/([^/]+)(?:\/managedZones(?:\/([^/]+)(?:\/(rrsets|changes)(?:\/([^/]+))?)?)?)?$/.exec(
        path,
      );
    if (!m) throw new FakeError(404, 'notFound', `Not found: ${path}`);
    const project = decodeURIComponent(m[1] as string);
    const zoneName = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const sub = m[3];
    const id = m[4] === undefined ? undefined : decodeURIComponent(m[4]);
    const hasZones = path.includes('/managedZones');
    if (!hasZones && method === 'GET')
      return [
        200,
        {
          kind: 'dns#project',
          id: project,
          number: '123456789',
          quota: {
            kind: 'dns#quota',
            managedZones: 10000,
            rrsetsPerManagedZone: 10000,
            resourceRecordsPerRrset: 100,
            rrsetAdditionsPerChange: limits.additions,
            rrsetDeletionsPerChange: limits.deletions,
            totalRrdataSizePerChange: limits.rrdataBytes,
            itemsPerRoutingPolicy: 100,
          },
        },
      ];
    if (zoneName === undefined && method === 'GET') {
      const dnsName = query.get('dnsName');
      const list = [...zones.values()]
        .filter((z) => z.project === project && (!dnsName || z.dnsName === dnsName.toLowerCase()))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const { slice, next } = page(list, query, zonePageSize);
      return [
        200,
        {
          kind: 'dns#managedZonesListResponse',
          managedZones: slice.map(zoneJson),
          ...(next ? { nextPageToken: next } : {}),
        },
      ];
    }
    if (zoneName === undefined) throw new FakeError(405, 'badRequest', 'Method not allowed');
    const zone = zoneOf(project, zoneName);
    if (sub === undefined && method === 'GET') return [200, zoneJson(zone)];
    if (sub === 'rrsets' && method === 'GET' && id === undefined) {
      const name = query.get('name');
      const type = query.get('type');
      if (type && !name)
        throw new FakeError(400, 'invalid', "Invalid value for 'type': the type filter needs a name");
      const list = zone.sets.filter(
        (s) => (!name || s.name === name.toLowerCase()) && (!type || s.type === type.toUpperCase()),
      );
      const { slice, next } = page(list, query, pageSize);
      return [
        200,
        {
          kind: 'dns#resourceRecordSetsListResponse',
          rrsets: slice.map(rrsetJson),
          ...(next ? { nextPageToken: next } : {}),
        },
      ];
    }
    if (sub === 'changes' && method === 'POST' && id === undefined) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(body || '{}') as Record<string, unknown>;
      } catch {
        throw new FakeError(400, 'parseError', 'This API does not support parsing form-encoded input.');
      }
      return [200, changeJson(applyChange(zone, parsed))];
    }
    if (sub === 'changes' && method === 'GET') {
      const key = `${zone.project}/${zone.name}`;
      if (id === undefined) {
        const list = changes.filter((c) => c.zone === key);
        const { slice, next } = page(list, query, pageSize);
        return [
          200,
          {
            kind: 'dns#changesListResponse',
            changes: slice.map(changeJson),
            ...(next ? { nextPageToken: next } : {}),
          },
        ];
      }
      const change = changes.find((c) => c.zone === key && c.id === id);
      if (!change)
        throw new FakeError(
          404,
          'notFound',
          `The 'parameters.changeId' resource named '${id}' does not exist.`,
        );
      if (change.status === 'pending') {
        if (change.pollsLeft > 0) change.pollsLeft--;
        else change.status = 'done';
      }
      return [200, changeJson(change)];
    }
    throw new FakeError(405, 'badRequest', `Method ${method} not allowed on ${path}`);
  };

  const takeFault = (method: string): FakeFault | 'throttle' | undefined => {
    const f = faults[0];
    if (!f) return undefined;
    if (f.fault !== 'throttle') {
      const want = f.fault.method === 'write' ? 'POST' : f.fault.method;
      if (want && want !== method) return undefined;
    }
    if (--f.count <= 0) faults.shift();
    return f.fault;
  };

  const send = (
    res: ServerResponse,
    status: number,
    payload: unknown,
    extra: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
      ...extra,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    requests.push(`${method} ${url.pathname}${url.search}`);
    const auth = req.headers.authorization ?? '';
    if (!/^Bearer \S+$/.test(auth) || (options.token !== undefined && auth !== `Bearer ${options.token}`)) {
      send(res, 401, {
        error: {
          code: 401,
          message: 'Request had invalid authentication credentials. Expected OAuth 2 access token.',
          errors: [
            {
              message: 'Invalid Credentials',
              domain: 'global',
              reason: 'authError',
              location: 'Authorization',
              locationType: 'header',
            },
          ],
          status: 'UNAUTHENTICATED',
        },
      });
      return;
    }
    const fault = takeFault(method);
    if (fault === 'throttle' || rateLimited(url.pathname.split('/')[4] ?? '')) {
      state.throttled++;
      send(res, 429, envelope(429, 'rateLimitExceeded', 'Resource has been exhausted (e.g. check quota).'));
      return;
    }
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault && !fault.afterExecuting && !fault.delayMs) {
      const status = fault.status ?? 500;
      const auth = String(req.headers.authorization ?? '');
      if (fault.echoCredential)
        send(res, status, envelope(status, 'forbidden', `Request had Authorization: ${auth}`), {
          'x-guploader-uploadid': auth.replace(/^Bearer /, ''),
        });
      else send(res, status, envelope(status, 'backendError', 'Internal error encountered.'));
      return;
    }
    let status: number;
    let payload: unknown;
    try {
      [status, payload] = route(method, url.pathname, url.searchParams, body);
    } catch (error) {
      if (!(error instanceof FakeError)) throw error;
      status = error.status;
      payload = envelope(error.status, error.reason, error.message);
    }
    if (fault?.afterExecuting) {
      const s = fault.status ?? 500;
      send(res, s, envelope(s, 'backendError', 'Internal error encountered.'));
      return;
    }
    if (res.destroyed) return;
    send(res, status, payload);
  };

  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, envelope(500, 'backendError', String(error)));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const fake: FakeGoogle = {
    url: `https://127.0.0.1:${port}/dns/v1`,
    host: `127.0.0.1:${port}`,
    ca: pems.cert,
    caFile,
    zones,
    changes,
    requests,
    get throttled() {
      return state.throttled;
    },
    set throttled(n: number) {
      state.throttled = n;
    },
    addZone(z) {
      const project = z.project ?? DEFAULT_FAKE_PROJECT;
      const dnsName = `${z.dnsName.toLowerCase().replace(/\.$/, '')}.`;
      const zone: FakeZone = {
        project,
        id: z.id ?? String(++nextZoneId),
        name: z.name,
        dnsName,
        visibility: z.visibility ?? 'public',
        peering: z.peering ?? false,
        forwarding: z.forwarding ?? false,
        sets: [
          {
            name: dnsName,
            type: 'NS',
            ttl: 21600,
            rrdatas: ['ns-cloud-a1.googledomains.com.', 'ns-cloud-a2.googledomains.com.'],
          },
          {
            name: dnsName,
            type: 'SOA',
            ttl: 21600,
            rrdatas: [
              'ns-cloud-a1.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300',
            ],
          },
        ],
      };
      zones.set(`${project}/${z.name}`, zone);
      return zone;
    },
    rrsets: (zone, project = DEFAULT_FAKE_PROJECT) => [...zoneOf(project, zone).sets],
    putRRSet(zone, set, project = DEFAULT_FAKE_PROJECT) {
      const z = zoneOf(project, zone);
      z.sets = [...z.sets.filter((s) => !(s.name === set.name && s.type === set.type)), set].sort(order);
    },
    removeRRSet(zone, name, type, project = DEFAULT_FAKE_PROJECT) {
      const z = zoneOf(project, zone);
      z.sets = z.sets.filter((s) => !(s.name === name && s.type === type));
    },
    failNext(count, fault = {}) {
      faults.push({ count, fault });
    },
    throttleNext(count) {
      faults.push({ count, fault: 'throttle' });
    },
    clearFaults() {
      faults.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fake;
}
