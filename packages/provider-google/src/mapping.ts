/**
 * Translation between Cloud DNS resource record sets and core endpoints: one record set is one
 * endpoint. Source: the Cloud DNS v1 `ResourceRecordSet` reference and the content forms of the
 * Google provider research (§E.5).
 *
 * Cloud DNS names are absolute with a trailing dot; `rrdatas` are in presentation form, host names
 * inside them absolute with their dot, TXT as quoted character-strings of at most 255 octets (an
 * unquoted value would be split at every space). A routing-policy record set carries its policy in
 * the `google/routing-policy` property (canonical JSON) and, as targets, every address it answers
 * with.
 */
import { normalizeDnsName, ValidationError, type Endpoint } from '@openova/dns-core';
import {
  fromPresentation,
  sortTargets,
  toPresentation,
  upperCased,
  withoutTrailingDot,
} from '@openova/dns-core/provider';
import {
  routingPolicySchema,
  type GoogleGeoItem,
  type GoogleHealthCheckedTargets,
  type GoogleRRSet,
  type GoogleRoutingPolicy,
  type GoogleWrrItem,
} from './schemas.js';

/** Provider-specific property names of this provider. */
export const GOOGLE_PROPERTIES = {
  /**
   * The record set's `routingPolicy` as JSON (`{"geo":{"items":[…]}}`, `{"wrr":{"items":[…]}}` or
   * `{"primaryBackup":{…}}`); build it with {@link routingPolicyProperty}.
   */
  routingPolicy: 'google/routing-policy',
} as const;

/** The record set name of an owner name: lower case, punycode, trailing dot. */
export function rrsetName(dnsName: string): string {
  return `${normalizeDnsName(dnsName)}.`;
}

/** The owner name of a record set name (without the trailing dot). */
export function ownerName(name: string): string {
  return normalizeDnsName(withoutTrailingDot(name));
}

/**
 * A target as one `rrdatas` entry: host names absolute (CNAME, NS, PTR, DNAME, MX, SRV), TXT quoted
 * and split into strings of at most 255 octets (`"a" "b"`), everything else canonical.
 */
export function toRrdata(recordType: string, target: string): string {
  return toPresentation(recordType, target);
}

/** The endpoint target of an `rrdatas` entry (host names without their dot, TXT unquoted when plain). */
export function fromRrdata(recordType: string, rrdata: string): string {
  return fromPresentation(recordType, rrdata);
}

/** The form `records()` returns a target in once written: what `adjustEndpoints` produces. */
export function canonicalTargetFor(recordType: string, target: string): string {
  return fromRrdata(recordType, toRrdata(recordType, target));
}

// ---- routing policies ---------------------------------------------------------------------------

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A value with object keys sorted, for canonical JSON. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort(byKey)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}

function canonicalTargets(targets: GoogleHealthCheckedTargets | undefined) {
  if (!targets) return undefined;
  return {
    ...targets,
    ...(targets.externalEndpoints ? { externalEndpoints: [...targets.externalEndpoints].sort(byKey) } : {}),
  };
}

function canonicalItem<T extends GoogleGeoItem | GoogleWrrItem>(type: string, item: T): T {
  const { rrdatas, healthCheckedTargets, ...rest } = item;
  return {
    ...rest,
    ...(rrdatas ? { rrdatas: [...new Set(rrdatas.map((r) => toRrdata(type, r)))].sort(byKey) } : {}),
    ...(healthCheckedTargets ? { healthCheckedTargets: canonicalTargets(healthCheckedTargets) } : {}),
  } as T;
}

function canonicalGeo(type: string, geo: NonNullable<GoogleRoutingPolicy['geo']>) {
  return {
    ...geo,
    items: geo.items.map((i) => canonicalItem(type, i)).sort((a, b) => byKey(a.location, b.location)),
  };
}

/**
 * A routing policy in canonical form: items sorted (geo by location, wrr by weight then answers),
 * answers in `rrdatas` form and sorted, object keys sorted.
 */
export function canonicalRoutingPolicy(type: string, policy: GoogleRoutingPolicy): GoogleRoutingPolicy {
  const out: GoogleRoutingPolicy = { ...policy };
  if (policy.geo) out.geo = canonicalGeo(type, policy.geo);
  if (policy.wrr)
    out.wrr = {
      ...policy.wrr,
      items: policy.wrr.items
        .map((i) => canonicalItem(type, i))
        .sort(
          (a, b) =>
            a.weight - b.weight || byKey(JSON.stringify(a.rrdatas ?? []), JSON.stringify(b.rrdatas ?? [])),
        ),
    };
  if (policy.primaryBackup) {
    const pb = policy.primaryBackup;
    out.primaryBackup = {
      ...pb,
      ...(pb.primaryTargets ? { primaryTargets: canonicalTargets(pb.primaryTargets) } : {}),
      ...(pb.backupGeoTargets ? { backupGeoTargets: canonicalGeo(type, pb.backupGeoTargets) } : {}),
    };
  }
  return sortedKeys(out) as GoogleRoutingPolicy;
}

/**
 * The `google/routing-policy` property value for a policy: its canonical JSON.
 * @example `{ name: GOOGLE_PROPERTIES.routingPolicy, value: routingPolicyProperty({ geo: { items: [{ location: 'us-east1', rrdatas: ['192.0.2.1'] }] } }) }`
 */
export function routingPolicyProperty(policy: GoogleRoutingPolicy, recordType = 'A'): string {
  return JSON.stringify(canonicalRoutingPolicy(recordType, policy));
}

/**
 * The routing policy an endpoint carries in `google/routing-policy`, or `undefined` without one.
 * TXT endpoints never carry one here: the TXT registry copies a record's properties to its
 * ownership marker, which must stay a plain TXT record set.
 * @throws `ValidationError` (issue `routing_policy_invalid`) when the property is not a policy.
 */
export function routingPolicyOf(ep: Endpoint): GoogleRoutingPolicy | undefined {
  // ownership markers copy their record's properties: a TXT stays plain
  if (upperCased(ep.recordType) === 'TXT') return undefined;
  const raw = ep.providerSpecific.find((p) => p.name === GOOGLE_PROPERTIES.routingPolicy)?.value;
  if (raw === undefined) return undefined;
  const issue = (message: string) =>
    new ValidationError([
      { path: ['providerSpecific'], code: 'routing_policy_invalid', message: `${ep.dnsName}: ${message}` },
    ]);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw issue(`${GOOGLE_PROPERTIES.routingPolicy} is not JSON`);
  }
  const parsed = routingPolicySchema.safeParse(json);
  if (!parsed.success) throw issue(`${GOOGLE_PROPERTIES.routingPolicy}: ${parsed.error.message}`);
  const kinds = ['geo', 'wrr', 'primaryBackup'].filter((k) => k in parsed.data);
  if (kinds.length !== 1)
    throw issue(`${GOOGLE_PROPERTIES.routingPolicy} needs exactly one of geo, wrr, primaryBackup`);
  return parsed.data;
}

/** Every answer a policy can give: its items' rrdatas and health-checked addresses. */
export function policyAnswers(policy: GoogleRoutingPolicy): string[] {
  const out: string[] = [];
  const addTargets = (t: GoogleHealthCheckedTargets | undefined) => {
    for (const lb of t?.internalLoadBalancers ?? []) if (lb.ipAddress) out.push(lb.ipAddress);
    for (const ip of t?.externalEndpoints ?? []) out.push(ip);
  };
  const addItem = (i: GoogleGeoItem | GoogleWrrItem) => {
    for (const r of i.rrdatas ?? []) out.push(r);
    addTargets(i.healthCheckedTargets);
  };
  policy.geo?.items.forEach(addItem);
  policy.wrr?.items.forEach(addItem);
  addTargets(policy.primaryBackup?.primaryTargets);
  policy.primaryBackup?.backupGeoTargets?.items.forEach(addItem);
  return out;
}

// ---- record sets ----------------------------------------------------------------------------------

/**
 * One endpoint for one record set: owner name without its dot, canonical targets sorted and
 * deduplicated, the routing policy (if any) as `google/routing-policy`.
 */
export function rrsetToEndpoint(rrset: GoogleRRSet): Endpoint {
  const type = upperCased(rrset.type);
  const policy = rrset.routingPolicy ? canonicalRoutingPolicy(type, rrset.routingPolicy) : undefined;
  const values = policy ? policyAnswers(policy) : (rrset.rrdatas ?? []);
  return {
    dnsName: ownerName(rrset.name),
    recordType: type,
    targets: sortTargets([...new Set(values.map((r) => fromRrdata(type, r)))]),
    recordTTL: rrset.ttl ?? 0,
    setIdentifier: '',
    labels: {},
    providerSpecific: policy
      ? [{ name: GOOGLE_PROPERTIES.routingPolicy, value: JSON.stringify(policy) }]
      : [],
  };
}

/** The record set to add for an endpoint (`ttl` already decided by the provider). */
export function endpointToRRSet(ep: Endpoint, ttl: number): GoogleRRSet {
  const type = upperCased(ep.recordType);
  const policy = routingPolicyOf(ep);
  const set: GoogleRRSet = { kind: 'dns#resourceRecordSet', name: rrsetName(ep.dnsName), type, ttl };
  if (policy) set.routingPolicy = canonicalRoutingPolicy(type, policy);
  else set.rrdatas = sortTargets([...new Set(ep.targets.map((t) => toRrdata(type, t)))]);
  return set;
}

/** Octets of rrdata a record set carries (what Google's 100,000-byte per-change limit counts). */
export function rrdataBytes(set: GoogleRRSet): number {
  let n = 0;
  for (const r of set.rrdatas ?? []) n += Buffer.byteLength(r, 'utf8');
  if (set.routingPolicy) for (const r of policyAnswers(set.routingPolicy)) n += Buffer.byteLength(r, 'utf8');
  return n;
}

/** True when two record sets are the same for Cloud DNS (name, type, TTL, answers, policy). */
export function sameRRSet(a: GoogleRRSet, b: GoogleRRSet): boolean {
  const norm = (s: GoogleRRSet) => {
    const type = upperCased(s.type);
    return JSON.stringify([
      s.name.toLowerCase(),
      type,
      s.ttl ?? 0,
      s.rrdatas ? [...new Set(s.rrdatas)].sort(byKey) : [],
      s.routingPolicy ? canonicalRoutingPolicy(type, s.routingPolicy) : null,
    ]);
  };
  return norm(a) === norm(b);
}
