/**
 * A loopback fake of the Route53 API speaking its REST-XML wire format, for tests: drive it with
 * the real `@aws-sdk/client-route-53` (`endpoint: fake.url`, static credentials). It reproduces
 * all-or-nothing change batches validated in order, CREATE conflicts, exact-match DELETE, CNAME
 * exclusivity and the apex rule, alias target checks, the 1,000-record and 32,000-character limits
 * (UPSERT doubled), pagination at 300, `\052` names, PENDING → INSYNC, `Throttling` (HTTP 400) at
 * 5 requests/s, `PriorRequestNotComplete`, and both InvalidChangeBatch error shapes.
 *
 * @module testing
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** A record set as the fake stores it (names lower case, trailing dot, `*` as `\052`). */
export interface FakeRecordSet {
  /** Owner name, lower case with trailing dot, `*` spelled `\052` (as Route53 returns it). */
  Name: string;
  /** Record type, e.g. `A`. */
  Type: string;
  /** Set identifier of a routing-policy record set. */
  SetIdentifier?: string;
  /** TTL in seconds (absent on alias record sets). */
  TTL?: number;
  /** Values, one per resource record (absent on alias record sets). */
  ResourceRecords?: string[];
  /** Alias target: the target's hosted zone, DNS name and whether Route53 evaluates its health. */
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
  /** Weighted routing: relative weight, 0–255. */
  Weight?: number;
  /** Latency routing: the AWS region. */
  Region?: string;
  /** Failover routing: `PRIMARY` or `SECONDARY`. */
  Failover?: string;
  /** Geolocation routing: `ContinentCode`, `CountryCode` and/or `SubdivisionCode`. */
  GeoLocation?: Record<string, string>;
  /** Geoproximity routing: region or coordinates, and bias. */
  GeoProximityLocation?: Record<string, unknown>;
  /** Multivalue answer routing. */
  MultiValueAnswer?: boolean;
  /** Id of the health check the record set is tied to. */
  HealthCheckId?: string;
}

/** A hosted zone of the fake. */
export interface FakeZone {
  /** Hosted zone id: the one given to `addZone`, else `Z` and 16 random hex digits. */
  id: string;
  /** Zone name, lower case with trailing dot. */
  name: string;
  /** True for a private hosted zone. */
  private: boolean;
  /** Tags of the zone, as `ListTagsForResources` returns them. */
  tags: Record<string, string>;
  /** The zone's record sets, in Route53's order; SOA and NS are created with the zone. */
  sets: FakeRecordSet[];
}

/** Options of `startFakeRoute53`. */
export interface FakeRoute53Options {
  /** Requests per second before `Throttling` (default 5; `false` = none). */
  rateLimit?: number | false;
  /** `GetChange` polls answered `PENDING` before `INSYNC` (default 1). */
  pendingPolls?: number;
  /** Which XML shape InvalidChangeBatch errors use (default `invalid-change-batch`). */
  invalidChangeBatchShape?: 'invalid-change-batch' | 'error-response';
  /**
   * How long (ms) a zone keeps "processing" after a change batch: another change to it in that time
   * is answered `PriorRequestNotComplete` (default 0: never).
   */
  processingMs?: number;
  /** Canonical alias target zones accepted besides the fake's own zones. */
  aliasZones?: readonly string[];
}

/** A fault the fake answers instead of serving a request (see {@link FakeRoute53.failNext}). */
export interface FakeFault {
  /** Route53 error code answered (`InternalFailure` 500, `Throttling` 400, `PriorRequestNotComplete` 400, `ServiceUnavailable` 503). */
  code?: 'InternalFailure' | 'Throttling' | 'PriorRequestNotComplete' | 'ServiceUnavailable';
  /** Close the connection instead of answering. */
  drop?: boolean;
  /** Serve the request only after this many ms (past a client's timeout). */
  delayMs?: number;
  /** Only requests with this method (default any). */
  method?: 'GET' | 'POST';
  /**
   * Refuse with `AccessDenied` (403) whose message repeats the request's `X-Amz-Security-Token` and
   * `Authorization`, as a careless proxy might; the request id header repeats the token too.
   */
  echoCredential?: boolean;
}

/** A running fake (from `startFakeRoute53`): its URL, its state, what it received, and fault injection. */
export interface FakeRoute53 {
  /** `http://127.0.0.1:PORT`: pass it as the SDK's `endpoint`. */
  readonly url: string;
  /** Hosted zones by id; tests may read and change them directly. */
  readonly zones: Map<string, FakeZone>;
  /** Every request as `METHOD path` (query included). */
  readonly requests: string[];
  /** When each request of {@link FakeRoute53.requests} arrived (epoch ms). */
  readonly arrivals: number[];
  /**
   * For each request of {@link FakeRoute53.requests}: the access key id its SigV4 signature names,
   * with `+token` when a session token (`X-Amz-Security-Token`) came along; `''` when unsigned.
   */
  readonly signers: string[];
  /** `Throttling` answers sent because the rate limit was exceeded. */
  throttled: number;
  /** Creates a hosted zone (with its SOA and NS record sets) and returns it. */
  addZone(zone: { name: string; private?: boolean; id?: string; tags?: Record<string, string> }): FakeZone;
  /** The record sets of a zone, in Route53's order. */
  recordSets(zoneId: string): FakeRecordSet[];
  /** Answers the next `count` matching requests with `fault` instead of serving them. */
  failNext(count: number, fault: FakeFault): void;
  /** Cancels every pending fault from `failNext`. */
  clearFaults(): void;
  /** Stops the server and closes its connections. */
  close(): Promise<void>;
}

const STATUS: Record<string, number> = {
  InternalFailure: 500,
  ServiceUnavailable: 503,
  Throttling: 400,
  PriorRequestNotComplete: 400,
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The text of a parsed XML leaf (never an object's `[object Object]`). */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '';
}

/** A child of a parsed XML element, or `undefined`. */
function child(node: unknown, ...path: string[]): unknown {
  let at = node;
  for (const key of path)
    at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

function el(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${esc(String(value))}</${name}>`;
}

/** Route53's order: labels reversed, then type, then set identifier. */
function sortKey(s: Pick<FakeRecordSet, 'Name' | 'Type' | 'SetIdentifier'>): string {
  const labels = s.Name.replace(/\.$/, '').split('.').reverse().join('.');
  return `${labels}\u0000${s.Type}\u0000${s.SetIdentifier ?? ''}`;
}

/** `\ddd` escapes (octal octets) decoded to the octets they stand for. */
function octets(text: string): Buffer {
  const out: number[] = [];
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const m = /^\\([0-3][0-7]{2})/.exec(raw.subarray(i, i + 4).toString('latin1'));
    if (m) {
      out.push(parseInt(m[1] as string, 8));
      i += 3;
    } else out.push(raw[i] as number);
  }
  return Buffer.from(out);
}

const octal = (b: number) => `\\${b.toString(8).padStart(3, '0')}`;

/**
 * A name as Route53 stores and returns it: lower case, absolute, and every octet other than a–z,
 * 0–9, `-`, `_` and `.` as a `\ddd` escape (`*` as `\052`, UTF-8 as its octets), as the developer
 * guide's "DNS domain name format" describes.
 */
function canonicalName(name: string): string {
  let out = '';
  for (const b of octets(name)) {
    const c = String.fromCharCode(b).toLowerCase();
    out += /[a-z0-9._-]/.test(c) ? c : octal(b);
  }
  return out.endsWith('.') ? out : `${out}.`;
}

/** A TXT or SPF value as Route53 stores it: octets outside printable ASCII as `\ddd` escapes. */
function canonicalText(value: string): string {
  let out = '';
  for (const b of Buffer.from(value, 'utf8'))
    out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : octal(b);
  return out;
}

function setXml(s: FakeRecordSet): string {
  let x = `<ResourceRecordSet>${el('Name', s.Name)}${el('Type', s.Type)}${el('SetIdentifier', s.SetIdentifier)}${el('Weight', s.Weight)}${el('Region', s.Region)}`;
  if (s.GeoLocation)
    x += `<GeoLocation>${Object.entries(s.GeoLocation)
      .map(([k, v]) => el(k, v))
      .join('')}</GeoLocation>`;
  x += el('Failover', s.Failover);
  if (s.MultiValueAnswer) x += el('MultiValueAnswer', 'true');
  x += el('TTL', s.TTL);
  if (s.ResourceRecords)
    x += `<ResourceRecords>${s.ResourceRecords.map((v) => `<ResourceRecord>${el('Value', v)}</ResourceRecord>`).join('')}</ResourceRecords>`;
  if (s.AliasTarget)
    x += `<AliasTarget>${el('HostedZoneId', s.AliasTarget.HostedZoneId)}${el('DNSName', s.AliasTarget.DNSName)}${el('EvaluateTargetHealth', String(s.AliasTarget.EvaluateTargetHealth))}</AliasTarget>`;
  x += el('HealthCheckId', s.HealthCheckId);
  const gp = s.GeoProximityLocation;
  if (gp) {
    const coords = gp['Coordinates'] as Record<string, string> | undefined;
    x += `<GeoProximityLocation>${el('AWSRegion', gp['AWSRegion'] as string | undefined)}${el('LocalZoneGroup', gp['LocalZoneGroup'] as string | undefined)}${coords ? `<Coordinates>${el('Latitude', coords['Latitude'])}${el('Longitude', coords['Longitude'])}</Coordinates>` : ''}${el('Bias', gp['Bias'] as number | undefined)}</GeoProximityLocation>`;
  }
  return `${x}</ResourceRecordSet>`;
}

function zoneXml(z: FakeZone): string {
  return `<HostedZone>${el('Id', `/hostedzone/${z.id}`)}${el('Name', z.name)}${el('CallerReference', `ref-${z.id}`)}<Config>${el('PrivateZone', String(z.private))}</Config>${el('ResourceRecordSetCount', z.sets.length)}</HostedZone>`;
}

/** The form a set has in the request XML, as the fake stores it. */
function parseSet(raw: Record<string, unknown>): FakeRecordSet {
  const str = (v: unknown) => (v === undefined ? undefined : text(v));
  const set: FakeRecordSet = { Name: canonicalName(text(raw['Name'] ?? '')), Type: text(raw['Type'] ?? '') };
  if (raw['SetIdentifier'] !== undefined) set.SetIdentifier = text(raw['SetIdentifier']);
  if (raw['TTL'] !== undefined) set.TTL = Number(raw['TTL']);
  const rrs = (raw['ResourceRecords'] as { ResourceRecord?: { Value: unknown }[] } | undefined)
    ?.ResourceRecord;
  if (rrs)
    set.ResourceRecords = rrs.map((r) =>
      set.Type === 'TXT' || set.Type === 'SPF' ? canonicalText(text(r.Value)) : text(r.Value),
    );
  const at = raw['AliasTarget'] as Record<string, unknown> | undefined;
  if (at)
    set.AliasTarget = {
      HostedZoneId: text(at['HostedZoneId']).replace(/^\/?hostedzone\//, ''),
      DNSName: canonicalName(text(at['DNSName'])),
      EvaluateTargetHealth: text(at['EvaluateTargetHealth']) === 'true',
    };
  if (raw['Weight'] !== undefined) set.Weight = Number(raw['Weight']);
  if (raw['Region'] !== undefined) set.Region = text(raw['Region']);
  if (raw['Failover'] !== undefined) set.Failover = text(raw['Failover']);
  const geo = raw['GeoLocation'] as Record<string, unknown> | undefined;
  if (geo) set.GeoLocation = Object.fromEntries(Object.entries(geo).map(([k, v]) => [k, text(v)]));
  const gp = raw['GeoProximityLocation'] as Record<string, unknown> | undefined;
  if (gp) {
    const out: Record<string, unknown> = {};
    if (gp['AWSRegion'] !== undefined) out['AWSRegion'] = str(gp['AWSRegion']);
    if (gp['LocalZoneGroup'] !== undefined) out['LocalZoneGroup'] = str(gp['LocalZoneGroup']);
    const c = gp['Coordinates'] as Record<string, unknown> | undefined;
    if (c) out['Coordinates'] = { Latitude: str(c['Latitude']), Longitude: str(c['Longitude']) };
    if (gp['Bias'] !== undefined) out['Bias'] = Number(gp['Bias']);
    set.GeoProximityLocation = out;
  }
  if (text(raw['MultiValueAnswer']) === 'true') set.MultiValueAnswer = true;
  if (raw['HealthCheckId'] !== undefined) set.HealthCheckId = text(raw['HealthCheckId']);
  return set;
}

function sameSet(a: FakeRecordSet, b: FakeRecordSet): boolean {
  const norm = (s: FakeRecordSet) =>
    JSON.stringify(
      { ...s, ResourceRecords: s.ResourceRecords ? [...s.ResourceRecords].sort() : undefined },
      Object.keys(s).sort(),
    );
  return norm(a) === norm(b);
}

const POLICIES = [
  'Weight',
  'Region',
  'Failover',
  'GeoLocation',
  'GeoProximityLocation',
  'MultiValueAnswer',
] as const;

/** Starts the fake on 127.0.0.1 (an ephemeral port). */
export async function startFakeRoute53(options: FakeRoute53Options = {}): Promise<FakeRoute53> {
  const zones = new Map<string, FakeZone>();
  const changes = new Map<string, { polls: number; submitted: string }>();
  const requests: string[] = [];
  const arrivals: number[] = [];
  const signers: string[] = [];
  const sortedCache = new Map<string, { of: FakeRecordSet[]; length: number; sorted: FakeRecordSet[] }>();
  const sent: number[] = [];
  let faults: (FakeFault & { left: number })[] = [];
  const limit = options.rateLimit === undefined ? 5 : options.rateLimit;
  const pendingPolls = options.pendingPolls ?? 1;
  const shape = options.invalidChangeBatchShape ?? 'invalid-change-batch';
  const aliasZones = new Set(options.aliasZones ?? []);
  const processingMs = options.processingMs ?? 0;
  const busyUntil = new Map<string, number>();
  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    isArray: (name) => ['Change', 'ResourceRecord', 'ResourceId'].includes(name),
  });

  const fake: FakeRoute53 = {
    url: '',
    zones,
    requests,
    arrivals,
    signers,
    throttled: 0,
    addZone(z) {
      const id = z.id ?? `Z${randomBytes(8).toString('hex').toUpperCase()}`;
      const name = canonicalName(z.name);
      const zone: FakeZone = { id, name, private: z.private ?? false, tags: z.tags ?? {}, sets: [] };
      zone.sets.push(
        {
          Name: name,
          Type: 'NS',
          TTL: 172800,
          ResourceRecords: ['ns-1.awsdns-00.com.', 'ns-2.awsdns-00.net.'],
        },
        {
          Name: name,
          Type: 'SOA',
          TTL: 900,
          ResourceRecords: ['ns-1.awsdns-00.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'],
        },
      );
      zones.set(id, zone);
      return zone;
    },
    recordSets(zoneId) {
      const sets = zones.get(zoneId)?.sets ?? [];
      // the sorted order is kept until the zone's list changes: sorting 20,000 sets on every page
      // would block the event loop the client under test shares with the fake
      const cached = sortedCache.get(zoneId);
      if (cached && cached.of === sets && cached.length === sets.length) return [...cached.sorted];
      const sorted = sets
        .map((set) => ({ set, key: sortKey(set) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((x) => x.set);
      sortedCache.set(zoneId, { of: sets, length: sets.length, sorted });
      return [...sorted];
    },
    failNext(count, fault) {
      faults.push({ ...fault, left: count });
    },
    clearFaults() {
      faults = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const requestId = () => randomBytes(16).toString('hex');
  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId() });
    res.end(`<?xml version="1.0"?>\n${body}`);
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    send(
      res,
      status,
      `<ErrorResponse xmlns="${NS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>${el('Code', code)}${el('Message', message)}</Error>${el('RequestId', requestId())}</ErrorResponse>`,
    );
  const invalidBatch = (res: ServerResponse, messages: string[]) =>
    shape === 'invalid-change-batch'
      ? send(
          res,
          400,
          `<InvalidChangeBatch xmlns="${NS}"><Messages>${messages.map((m) => el('Message', m)).join('')}</Messages>${el('RequestId', requestId())}</InvalidChangeBatch>`,
        )
      : error(res, 400, 'InvalidChangeBatch', `[${messages.join(', ')}]`);

  function changeBatch(zone: FakeZone, body: string, res: ServerResponse): void {
    if ((busyUntil.get(zone.id) ?? 0) > Date.now())
      return error(
        res,
        400,
        'PriorRequestNotComplete',
        'The request was rejected because Route 53 was still processing a prior request.',
      );
    const doc: unknown = parser.parse(body);
    const list = (child(doc, 'ChangeResourceRecordSetsRequest', 'ChangeBatch', 'Changes', 'Change') ??
      []) as {
      Action: string;
      ResourceRecordSet: Record<string, unknown>;
    }[];
    let records = 0;
    let chars = 0;
    const parsed = list.map((c) => ({ action: String(c.Action), set: parseSet(c.ResourceRecordSet) }));
    for (const { action, set } of parsed) {
      const k = action === 'UPSERT' ? 2 : 1;
      records += k * (set.AliasTarget ? 1 : (set.ResourceRecords?.length ?? 0));
      chars += k * (set.ResourceRecords ?? []).reduce((n, v) => n + v.length, 0);
    }
    // the API model's length constraint on ResourceRecord.Value, checked before the batch is read
    for (const [i, { set }] of parsed.entries()) {
      const j = (set.ResourceRecords ?? []).findIndex((v) => v.length > 4000);
      if (j >= 0)
        return error(
          res,
          400,
          'InvalidInput',
          `1 validation error detected: Value at 'changeBatch.changes.${i + 1}.member.resourceRecordSet.resourceRecords.${j + 1}.member.value' failed to satisfy constraint: Member must have length less than or equal to 4000`,
        );
    }
    if (records > 1000) return invalidBatch(res, ['Number of records limit of 1000 exceeded.']);
    if (chars > 32000) return invalidBatch(res, ['RDATA character limit of 32000 exceeded.']);
    const work = [...zone.sets];
    const messages: string[] = [];
    const ident = (s: FakeRecordSet) =>
      `[name='${s.Name}', type='${s.Type}'${s.SetIdentifier !== undefined ? `, set-identifier='${s.SetIdentifier}'` : ''}]`;
    const find = (s: FakeRecordSet) =>
      work.findIndex(
        (x) => x.Name === s.Name && x.Type === s.Type && (x.SetIdentifier ?? '') === (s.SetIdentifier ?? ''),
      );
    for (const { action, set } of parsed) {
      const at = find(set);
      if (action === 'DELETE') {
        if (at < 0) messages.push(`Tried to delete resource record set ${ident(set)} but it was not found`);
        else if (!sameSet(work[at] as FakeRecordSet, set))
          messages.push(
            `Tried to delete resource record set ${ident(set)} but the values provided do not match the current values`,
          );
        else work.splice(at, 1);
        continue;
      }
      const problem = validateSet(zone, set, work, action);
      if (problem) {
        messages.push(problem);
        continue;
      }
      if (action === 'CREATE') {
        if (at >= 0) messages.push(`Tried to create resource record set ${ident(set)} but it already exists`);
        else work.push(set);
      } else if (action === 'UPSERT') {
        if (at >= 0) work[at] = set;
        else work.push(set);
      } else messages.push(`Invalid action ${action}`);
    }
    if (messages.length) return invalidBatch(res, messages);
    zone.sets = work;
    if (processingMs > 0) busyUntil.set(zone.id, Date.now() + processingMs);
    const id = `C${randomBytes(8).toString('hex').toUpperCase()}`;
    const submitted = new Date().toISOString();
    changes.set(id, { polls: 0, submitted });
    send(
      res,
      200,
      `<ChangeResourceRecordSetsResponse xmlns="${NS}"><ChangeInfo>${el('Id', `/change/${id}`)}${el('Status', 'PENDING')}${el('SubmittedAt', submitted)}</ChangeInfo></ChangeResourceRecordSetsResponse>`,
    );
  }

  function validateSet(
    zone: FakeZone,
    set: FakeRecordSet,
    work: FakeRecordSet[],
    action: string,
  ): string | undefined {
    const inZone = set.Name === zone.name || set.Name.endsWith(`.${zone.name}`);
    if (!inZone) return `RRSet with DNS name ${set.Name} is not permitted in zone ${zone.name}`;
    if (set.Type === 'CNAME' && set.Name === zone.name)
      return `RRSet of type CNAME with DNS name ${set.Name} is not permitted at apex in zone ${zone.name}`;
    const conflict = work.find(
      (x) => x.Name === set.Name && x.Type !== set.Type && (x.Type === 'CNAME' || set.Type === 'CNAME'),
    );
    if (conflict)
      return `RRSet of type ${set.Type} with DNS name ${set.Name} is not permitted because a conflicting RRSet of type ${conflict.Type} with the same DNS name already exists in zone ${zone.name}`;
    const policies = POLICIES.filter((p) => set[p] !== undefined);
    const change = `Change with [Action=${action}, Name=${set.Name}, Type=${set.Type}, SetIdentifier=${set.SetIdentifier ?? 'null'}]`;
    const oneOf = `[${POLICIES.join(', ')}, or CidrRoutingConfig]`;
    if (policies.length > 1)
      return `Invalid request: Expected exactly one of ${oneOf}, but found more than one in ${change}`;
    if (policies.length === 1 && set.SetIdentifier === undefined)
      return `Invalid request: Missing field 'SetIdentifier' in ${change}`;
    if (policies.length === 0 && set.SetIdentifier !== undefined)
      return `Invalid request: Expected exactly one of ${oneOf}, but found none in ${change}`;
    const clash = policyClash(set, work);
    if (clash) return clash;
    if (set.AliasTarget) {
      if (set.TTL !== undefined || set.ResourceRecords)
        return `Invalid request: an alias has neither TTL nor ResourceRecords (${set.Name})`;
      const target = set.AliasTarget;
      const targetZone = zones.get(target.HostedZoneId);
      const what = `Tried to create an alias that targets ${target.DNSName}, type ${set.Type} in zone ${target.HostedZoneId}`;
      if (targetZone) {
        if (!(target.DNSName === targetZone.name || target.DNSName.endsWith(`.${targetZone.name}`)))
          return `${what}, but the alias target name does not lie within the target zone`;
        const pool = targetZone === zone ? work : targetZone.sets;
        if (!pool.some((x) => x.Name === target.DNSName && x.Type === set.Type))
          return `${what}, but that target was not found`;
      } else if (!aliasZones.has(target.HostedZoneId) && !/^Z[0-9A-Z]{6,}$/.test(target.HostedZoneId))
        return `${what}, but the alias target name does not lie within the target zone`;
    } else {
      if (set.TTL === undefined || !set.ResourceRecords?.length)
        return `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in ${change}`;
      if (set.Type === 'TXT')
        for (const v of set.ResourceRecords)
          if (!/^("([^"\\]|\\.){0,255}"\s*)+$/.test(v))
            return `Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${v}''`;
    }
    return undefined;
  }

  /**
   * What Route53 refuses among the sets of one name and type (checked against the zone as the
   * batch's earlier changes left it): a plain set next to routing-policy sets (#1411, #3141), sets
   * of different policies (#4345), two latency sets of one region (#3945), two geolocation sets of
   * one location, two failover sets of one role.
   */
  function policyClash(set: FakeRecordSet, work: FakeRecordSet[]): string | undefined {
    const others = work.filter(
      (x) =>
        x.Name === set.Name && x.Type === set.Type && (x.SetIdentifier ?? '') !== (set.SetIdentifier ?? ''),
    );
    if (others.length === 0) return undefined;
    const policy = (x: FakeRecordSet) => POLICIES.find((p) => x[p] !== undefined);
    const mine = policy(set);
    const what = `RRSet with DNS name ${set.Name}, type ${set.Type}${set.SetIdentifier !== undefined ? `, SetIdentifier ${set.SetIdentifier}` : ''}`;
    if (mine === undefined || others.some((x) => policy(x) === undefined))
      return `${what} cannot be created as a non-${mine === 'Weight' ? 'weighted' : 'routing-policy'} set exists with the same name and type.`;
    if (others.some((x) => policy(x) !== mine))
      return `${what} cannot be created because an RRSet with the same name and type but another routing policy already exists.`;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (mine === 'Region' && others.some((x) => x.Region === set.Region))
      return `${what}, and Region Name=${set.Region} cannot be created because a latency RRSet with the same name, type and region already exists.`;
    if (mine === 'GeoLocation' && others.some((x) => same(x.GeoLocation, set.GeoLocation)))
      return `${what} cannot be created because a geolocation RRSet with the same name, type and location already exists.`;
    if (mine === 'Failover' && others.some((x) => x.Failover === set.Failover))
      return `${what} cannot be created because a failover RRSet with the same name, type and failover role already exists.`;
    return undefined;
  }

  function listSets(zone: FakeZone, q: URLSearchParams, res: ServerResponse): void {
    const max = Math.min(Number(q.get('maxitems') ?? 300) || 300, 300);
    const name = q.get('name');
    const type = q.get('type');
    if (type && !name) return error(res, 400, 'InvalidInput', 'The input is not valid: type without name');
    const sorted = fake.recordSets(zone.id);
    let start = 0;
    if (name) {
      const from = sortKey({
        Name: canonicalName(name),
        Type: type ?? '',
        SetIdentifier: q.get('identifier') ?? '',
      });
      // first set at or after the start tuple (binary search: the list is in key order)
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sortKey(sorted[mid] as FakeRecordSet) < from) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const page = sorted.slice(start, start + max);
    const next = sorted[start + max];
    send(
      res,
      200,
      `<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${page.map(setXml).join('')}</ResourceRecordSets>${el('IsTruncated', String(next !== undefined))}${next ? `${el('NextRecordName', next.Name)}${el('NextRecordType', next.Type)}${el('NextRecordIdentifier', next.SetIdentifier)}` : ''}${el('MaxItems', String(max))}</ListResourceRecordSetsResponse>`,
    );
  }

  function route(req: IncomingMessage, body: string, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/$/, '');
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/2013-04-01/hostedzone') {
      const all = [...zones.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      const max = Math.min(Number(q.get('maxitems') ?? 100) || 100, 100);
      const marker = q.get('marker');
      const start = marker
        ? Math.max(
            0,
            all.findIndex((z) => z.id === marker),
          )
        : 0;
      const page = all.slice(start, start + max);
      const next = all[start + max];
      return send(
        res,
        200,
        `<ListHostedZonesResponse xmlns="${NS}"><HostedZones>${page.map(zoneXml).join('')}</HostedZones>${el('IsTruncated', String(next !== undefined))}${next ? el('NextMarker', next.id) : ''}${el('MaxItems', String(max))}</ListHostedZonesResponse>`,
      );
    }
    if (method === 'GET' && path === '/2013-04-01/hostedzonesbyname') {
      const dns = q.get('dnsname');
      const all = [...zones.values()]
        .filter((z) => !dns || z.name === canonicalName(dns))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      return send(
        res,
        200,
        `<ListHostedZonesByNameResponse xmlns="${NS}"><HostedZones>${all.map(zoneXml).join('')}</HostedZones>${el('IsTruncated', 'false')}${el('MaxItems', '100')}</ListHostedZonesByNameResponse>`,
      );
    }
    if (method === 'POST' && path === '/2013-04-01/tags/hostedzone') {
      const doc: unknown = parser.parse(body);
      const ids = (
        (child(doc, 'ListTagsForResourcesRequest', 'ResourceIds', 'ResourceId') ?? []) as unknown[]
      ).map(text);
      return send(
        res,
        200,
        `<ListTagsForResourcesResponse xmlns="${NS}"><ResourceTagSets>${ids
          .map(
            (id) =>
              `<ResourceTagSet>${el('ResourceType', 'hostedzone')}${el('ResourceId', id)}<Tags>${Object.entries(
                zones.get(id)?.tags ?? {},
              )
                .map(([k, v]) => `<Tag>${el('Key', k)}${el('Value', v)}</Tag>`)
                .join('')}</Tags></ResourceTagSet>`,
          )
          .join('')}</ResourceTagSets></ListTagsForResourcesResponse>`,
      );
    }
    if ((m = /^\/2013-04-01\/change\/([^/]+)$/.exec(path)) && method === 'GET') {
      const c = changes.get(m[1] as string);
      if (!c) return error(res, 404, 'NoSuchChange', `A change with the specified change ID does not exist.`);
      c.polls++;
      const status = c.polls > pendingPolls ? 'INSYNC' : 'PENDING';
      return send(
        res,
        200,
        `<GetChangeResponse xmlns="${NS}"><ChangeInfo>${el('Id', `/change/${m[1]}`)}${el('Status', status)}${el('SubmittedAt', c.submitted)}</ChangeInfo></GetChangeResponse>`,
      );
    }
    if ((m = /^\/2013-04-01\/hostedzone\/([^/]+)(\/rrset)?$/.exec(path))) {
      const zone = zones.get(m[1] as string);
      if (!zone) return error(res, 404, 'NoSuchHostedZone', `No hosted zone found with ID: ${m[1]}`);
      if (!m[2] && method === 'GET')
        return send(
          res,
          200,
          `<GetHostedZoneResponse xmlns="${NS}">${zoneXml(zone)}<DelegationSet><NameServers><NameServer>ns-1.awsdns-00.com</NameServer></NameServers></DelegationSet></GetHostedZoneResponse>`,
        );
      if (m[2] && method === 'GET') return listSets(zone, q, res);
      if (m[2] && method === 'POST') return changeBatch(zone, body, res);
    }
    error(res, 404, 'UnknownOperationException', `no route for ${method} ${path}`);
  }

  const server: Server = createServer((req, res) => {
    // a request counts from when it arrives, not from when its body has been read
    const arrived = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push(`${req.method} ${req.url}`);
      arrivals.push(arrived);
      // signed requests only: a client without credentials or signing is caught here
      const auth = req.headers['authorization'];
      const keyId = typeof auth === 'string' ? (/Credential=([^/,\s]+)\//.exec(auth)?.[1] ?? '') : '';
      signers.push(keyId && req.headers['x-amz-security-token'] ? `${keyId}+token` : keyId);
      if (typeof auth !== 'string' || !auth.startsWith('AWS4-HMAC-SHA256 ') || !req.headers['x-amz-date'])
        return error(res, 403, 'MissingAuthenticationToken', 'Missing Authentication Token');
      const fault = faults.find((f) => f.left > 0 && (!f.method || f.method === req.method));
      if (fault) {
        fault.left--;
        if (fault.drop) return req.socket.destroy();
        if (fault.delayMs !== undefined) {
          setTimeout(() => {
            try {
              route(req, body, res);
            } catch {
              // the client has gone
            }
          }, fault.delayMs);
          return;
        }
        if (fault.echoCredential) {
          const token = String(req.headers['x-amz-security-token'] ?? '');
          res.setHeader('x-amzn-requestid', token);
          return error(
            res,
            403,
            'AccessDenied',
            `User is not authorized (security token ${token}, authorization ${auth})`,
          );
        }
        const code = fault.code ?? 'InternalFailure';
        const message =
          code === 'Throttling'
            ? 'Rate exceeded'
            : code === 'PriorRequestNotComplete'
              ? 'The request was rejected because Route 53 was still processing a prior request.'
              : 'An internal error occurred.';
        return error(res, STATUS[code] ?? 500, code, message);
      }
      if (limit !== false) {
        const now = arrived;
        while (sent.length && (sent[0] as number) <= now - 1000) sent.shift();
        if (sent.length >= limit) {
          fake.throttled++;
          return error(res, 400, 'Throttling', 'Rate exceeded');
        }
        sent.push(now);
      }
      try {
        route(req, body, res);
      } catch (e) {
        error(res, 400, 'InvalidInput', e instanceof Error ? e.message : String(e));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  (fake as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
