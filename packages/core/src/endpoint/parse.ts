import { z } from 'zod';
import { ValidationError, type Issue, type IssuePath } from '../errors.js';
import { describeEndpoint, endpoint, KNOWN_RECORD_TYPES, type Endpoint } from './endpoint.js';
import { checkLabels } from './labels.js';
import { checkDnsName, isPlainValidName, normalizeDnsName } from './names.js';
import { isIPv4 } from 'node:net';
import { canonicalTarget } from './targets.js';
import { parseTxtStrings, targetValidators, type TargetValidator } from './rdata.js';
import { appendAll } from '../lists.js';

/**
 * True for the endpoints almost every run is made of (A, CNAME and simple TXT with one target, only
 * well-known labels, no properties), checked without allocating anything: validation runs
 * on every desired record of every run. Anything else gets the full check and its messages.
 */
function isPlainlyValid(ep: Endpoint): boolean {
  if (ep.targets.length !== 1 || ep.providerSpecific.length !== 0) return false;
  if (!Number.isInteger(ep.recordTTL) || ep.recordTTL < 0 || ep.recordTTL > MAX_TTL) return false;
  if (!isPlainValidName(ep.dnsName, true)) return false;
  for (const key in ep.labels) {
    if (key !== 'owner' && key !== 'resource' && key !== 'ownedRecord') return false;
    const value = ep.labels[key] as string;
    if (value.includes(',')) return false;
  }
  const target = ep.targets[0] as string;
  if (ep.recordType === 'A') return isIPv4(target);
  if (ep.recordType === 'CNAME')
    return isPlainValidName(target.endsWith('.') ? target.slice(0, -1) : target, false);
  if (ep.recordType === 'TXT')
    return target.startsWith('"')
      ? target.length <= 257 && simpleQuotedTxt.test(target) // one quoted string, as markers are stored
      : target.length > 0 && target.length <= 255 && printableAscii.test(target);
  return false;
}

const printableAscii = /^[\x20-\x7e]*$/;
/** One complete quoted TXT string of printable ASCII with nothing to unescape. */
const simpleQuotedTxt = /^"[\x20\x21\x23-\x5b\x5d-\x7e]*"$/;

/** Largest TTL DNS allows (RFC 2181 §8). */
export const MAX_TTL = 2_147_483_647;

/** Options of `parseEndpoints`, `safeParseEndpoints`, `parseEndpoint` and `validateEndpoint`. */
export interface EndpointParseOptions {
  /**
   * Record types accepted besides the known ones, with an optional validator for their targets
   * (e.g. PowerDNS's `LUA`). A type that is neither known nor listed here is an issue.
   */
  extraRecordTypes?: Readonly<Record<string, TargetValidator | null>>;
  /** Check names and targets, not only the JSON shape (default true). */
  validateContent?: boolean;
}

const wireKeys = [
  'dnsName',
  'targets',
  'recordType',
  'setIdentifier',
  'recordTTL',
  'labels',
  'providerSpecific',
  // keys of ProviderSpecificProperty
  'name',
  'value',
];
const wireKeyByLower = new Map(wireKeys.map((k) => [k.toLowerCase(), k]));

// Go decodes JSON object keys case-insensitively; so do we (`DNSName`, `RecordTTL`, `Name`, …).
// Keys that are not ours are dropped, as Go ignores unknown fields.
function canonicalKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = wireKeyByLower.get(k.toLowerCase());
    if (key !== undefined) out[key] = v;
  }
  return out;
}

// Messages name the JSON type received, as a Go decoder would: `expected a string, got number`.
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' && !Number.isFinite(value) ? 'non-finite number' : typeof value;
}
const expected =
  (what: string, options: { required?: boolean } = {}) =>
  (issue: { input: unknown }) =>
    issue.input === undefined && options.required
      ? `is required (${what})`
      : `expected ${what}, got ${jsonType(issue.input)}`;

const providerSpecificSchema = z.preprocess(
  canonicalKeys,
  z.object(
    {
      name: z.string({ error: expected('a string') }).nullish(),
      value: z.string({ error: expected('a string') }).nullish(),
    },
    { error: expected('a {name, value} object') },
  ),
);

const endpointShape = z.preprocess(
  canonicalKeys,
  z.object(
    {
      dnsName: z.string({ error: expected('a string', { required: true }) }),
      targets: z.array(z.string({ error: expected('a string') }), { error: expected('a list') }).nullish(),
      recordType: z.string({ error: expected('a string', { required: true }) }),
      setIdentifier: z.string({ error: expected('a string') }).nullish(),
      // range and integer checks are content checks (checkTtl), so they are reported with the others
      recordTTL: z.number({ error: expected('a number') }).nullish(),
      labels: z
        .record(z.string(), z.string({ error: expected('a string') }), { error: expected('an object') })
        .nullish(),
      providerSpecific: z.array(providerSpecificSchema, { error: expected('a list') }).nullish(),
    },
    { error: expected('an endpoint object') },
  ),
);

function fromZod(error: z.ZodError, base: IssuePath): Issue[] {
  return error.issues.map((i) => ({
    path: [...base, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    code: i.code,
    message: i.message,
  }));
}

/** TTL rules: a whole number of seconds from 0 (not set) to {@link MAX_TTL}. */
function checkTtl(ttl: number, path: IssuePath): Issue[] {
  if (Number.isInteger(ttl) && ttl >= 0 && ttl <= MAX_TTL) return [];
  const message = !Number.isInteger(ttl)
    ? `recordTTL ${ttl} is not a whole number of seconds`
    : ttl < 0
      ? `recordTTL ${ttl} is negative (0 means "not set")`
      : `recordTTL ${ttl} is larger than ${MAX_TTL}`;
  return [{ path, code: 'invalid_ttl', message }];
}

/** Types an `alias` property may be set on (its values are checked there). */
const ALIAS_TYPES: readonly string[] = ['A', 'AAAA', 'CNAME'];

/**
 * The `alias` values understood on an endpoint of `type`: `"true"` and `"false"` (ExternalDNS's AWS
 * provider compares exactly, provider/aws/aws.go `AdjustEndpoints`), `"A"` and `"AAAA"` (an alias
 * of that address family only), and `"CNAME"` on a CNAME.
 */
function aliasValuesOf(type: string): readonly string[] {
  return type === 'CNAME' ? ['true', 'false', 'A', 'AAAA', 'CNAME'] : ['true', 'false', 'A', 'AAAA'];
}

// ExternalDNS's `alias` property turns an A/AAAA endpoint into an alias to a host name.
function aliasTargetsAreHosts(ep: Endpoint): boolean {
  const alias = ep.providerSpecific.find((p) => p.name === 'alias')?.value;
  if (ep.recordType === 'A') return alias === 'true' || alias === 'A';
  if (ep.recordType === 'AAAA') return alias === 'true' || alias === 'AAAA';
  if (ep.recordType === 'CNAME') return alias === 'true' || alias === 'CNAME';
  return false;
}

/**
 * A cloud resource an alias points to instead of a host name: an absolute resource path such as
 * Azure's `targetResource.id` (`/subscriptions/…/publicIPAddresses/ip1`), without spaces or empty
 * segments.
 */
const RESOURCE_ID = /^(\/[^/\s]+)+$/;

const hostTarget: TargetValidator = (t, path) => {
  if (t.startsWith('/'))
    return RESOURCE_ID.test(t)
      ? []
      : [{ path, code: 'invalid_resource_id', message: `${JSON.stringify(t)} is not a valid resource id` }];
  const cname = targetValidators['CNAME'];
  return cname ? cname(t, path) : [];
};

function checkPtrName(ep: Endpoint, path: IssuePath): Issue[] {
  const name = normalizeDnsName(ep.dnsName);
  for (const suffix of ['.in-addr.arpa', '.ip6.arpa']) {
    if (name.endsWith(suffix) && name.length > suffix.length) return [];
  }
  return [
    {
      path: [...path, 'dnsName'],
      code: 'ptr_name',
      message: `a PTR record's name must lie below in-addr.arpa or ip6.arpa; got ${JSON.stringify(ep.dnsName)}`,
    },
  ];
}

/**
 * Checks an endpoint's content: its name, record type, TTL, every target against its type's rules
 * (an `alias` A/AAAA endpoint has host-name targets; an `alias` value other than `true`, `false`, `A`,
 * `AAAA` (or `CNAME` on a CNAME) is an `invalid_alias` issue), duplicate targets, CNAME cardinality, PTR names,
 * labels that would corrupt the ownership TXT, and unique provider-specific names. Returns all issues;
 * an empty list means valid.
 */
export function validateEndpoint(
  ep: Endpoint,
  path: IssuePath = [],
  options: EndpointParseOptions = {},
): Issue[] {
  if (isPlainlyValid(ep)) return [];
  const issues: Issue[] = [];
  appendAll(issues, checkDnsName(ep.dnsName, [...path, 'dnsName'], { what: 'dnsName' }));
  const type = ep.recordType;
  const extra = options.extraRecordTypes ?? {};
  let validator: TargetValidator | null | undefined;
  if ((KNOWN_RECORD_TYPES as readonly string[]).includes(type)) validator = targetValidators[type];
  else if (Object.hasOwn(extra, type)) validator = extra[type];
  else {
    issues.push({
      path: [...path, 'recordType'],
      code: 'unknown_record_type',
      message: `${JSON.stringify(type)} is not a supported record type (supported: ${[...KNOWN_RECORD_TYPES, ...Object.keys(extra)].join(', ')})`,
    });
  }
  appendAll(issues, checkTtl(ep.recordTTL, [...path, 'recordTTL']));
  if (aliasTargetsAreHosts(ep)) validator = hostTarget;
  // an `alias` value not understood says so; its targets' kind is then unknown and not checked
  const aliasAt = ep.providerSpecific.findIndex((p) => p.name === 'alias');
  const aliasValue = ep.providerSpecific[aliasAt]?.value;
  if (aliasValue !== undefined && ALIAS_TYPES.includes(type) && !aliasValuesOf(type).includes(aliasValue)) {
    issues.push({
      path: [...path, 'providerSpecific', aliasAt, 'value'],
      code: 'invalid_alias',
      message: `alias ${JSON.stringify(aliasValue)} is not understood: on ${type} it is one of ${aliasValuesOf(
        type,
      )
        .map((v) => JSON.stringify(v))
        .join(', ')}`,
    });
    validator = null;
  }
  if (validator) ep.targets.forEach((t, i) => appendAll(issues, validator(t, [...path, 'targets', i])));
  // one target cannot repeat another: skip the map (validation runs on every desired endpoint)
  const seenTargets = ep.targets.length > 1 ? new Map<string, number>() : undefined;
  if (seenTargets)
    ep.targets.forEach((t, i) => {
      // TXT values are case-sensitive; other targets compare as Targets.Same does
      const canonical = type === 'TXT' ? t : canonicalTarget(t);
      const first = seenTargets.get(canonical);
      if (first === undefined) seenTargets.set(canonical, i);
      else
        issues.push({
          path: [...path, 'targets', i],
          code: 'duplicate_target',
          message: `${JSON.stringify(t)} repeats targets[${first}] (${JSON.stringify(ep.targets[first])})`,
        });
    });
  appendAll(issues, checkWireSize(ep, path));
  if (type === 'CNAME' && ep.targets.length > 1) {
    issues.push({
      path: [...path, 'targets'],
      code: 'cname_multiple',
      message: `a CNAME has exactly one target; got ${ep.targets.length}`,
    });
  }
  if (type === 'PTR') appendAll(issues, checkPtrName(ep, path));
  appendAll(issues, checkLabels(ep.labels, [...path, 'labels']));
  const seen = new Set<string>();
  if (ep.providerSpecific.length)
    ep.providerSpecific.forEach((p, i) => {
      if (seen.has(p.name)) {
        issues.push({
          path: [...path, 'providerSpecific', i, 'name'],
          code: 'duplicate_property',
          message: `provider-specific property ${JSON.stringify(p.name)} is set twice`,
        });
      }
      seen.add(p.name);
      // TXT is exempt: the registry copies a record's properties, alias included, onto its TXT companion
      if (p.name === 'alias' && !['A', 'AAAA', 'CNAME', 'TXT'].includes(type)) {
        issues.push({
          path: [...path, 'providerSpecific', i, 'name'],
          code: 'alias_type',
          message: `the "alias" property is only allowed on A, AAAA and CNAME endpoints (and their registry TXT), not ${type}`,
        });
      }
    });
  return issues;
}

/** What the `safeParse…` functions return instead of throwing: the value, or the error with every issue. */
export type SafeParseResult<T> =
  | {
      /** The input was valid. */
      success: true;
      /** The parsed value. */
      data: T;
    }
  | {
      /** The input was invalid; nothing was parsed. */
      success: false;
      /** Every problem, each with its path into the input (`VALIDATION`). */
      error: ValidationError;
    };

/**
 * Parses a list of endpoints as ExternalDNS sends them (absent fields, `null` lists, any key casing)
 * and validates their content. Never throws: the error lists every issue with its path.
 */
export function safeParseEndpoints(
  input: unknown,
  options: EndpointParseOptions = {},
): SafeParseResult<Endpoint[]> {
  if (input === null) return { success: true, data: [] }; // Go encodes a nil slice as null
  if (!Array.isArray(input)) {
    return {
      success: false,
      error: new ValidationError([
        { path: [], code: 'invalid_type', message: 'expected a list of endpoints' },
      ]),
    };
  }
  const issues: Issue[] = [];
  const data: Endpoint[] = [];
  input.forEach((item, index) => {
    const result = parseOne(item, [index], options, issues);
    if (result) data.push(result);
  });
  return issues.length ? { success: false, error: new ValidationError(issues) } : { success: true, data };
}

/**
 * Like {@link safeParseEndpoints} but throws.
 * @throws `ValidationError` (`VALIDATION`) listing every problem with its path (`[3, 'recordTTL']`).
 */
export function parseEndpoints(input: unknown, options: EndpointParseOptions = {}): Endpoint[] {
  const result = safeParseEndpoints(input, options);
  if (!result.success) throw result.error;
  return result.data;
}

/**
 * Parses and validates one endpoint.
 * @throws `ValidationError` (`VALIDATION`) listing every problem with its path (`['targets', 0]`).
 */
export function parseEndpoint(input: unknown, options: EndpointParseOptions = {}): Endpoint {
  const issues: Issue[] = [];
  const result = parseOne(input, [], options, issues);
  if (!result || issues.length) throw new ValidationError(issues);
  return result;
}

function parseOne(
  item: unknown,
  path: IssuePath,
  options: EndpointParseOptions,
  issues: Issue[],
): Endpoint | undefined {
  const shape = endpointShape.safeParse(item);
  if (!shape.success) {
    appendAll(issues, fromZod(shape.error, path));
    return undefined;
  }
  const v = shape.data;
  const ep = endpoint({
    dnsName: v.dnsName,
    recordType: v.recordType,
    targets: v.targets ?? [],
    setIdentifier: v.setIdentifier ?? '',
    recordTTL: v.recordTTL ?? 0,
    labels: v.labels ?? {},
    providerSpecific: (v.providerSpecific ?? []).map((p) => ({ name: p.name ?? '', value: p.value ?? '' })),
  });
  // the TTL range is checked even without content validation: no provider can store a bad TTL
  if (options.validateContent === false) appendAll(issues, checkTtl(ep.recordTTL, [...path, 'recordTTL']));
  else appendAll(issues, validateEndpoint(ep, path, options));
  return ep;
}

/** Validates endpoints already in the model; throws {@link ValidationError} listing every issue. */
export function assertValidEndpoints(
  endpoints: readonly Endpoint[],
  options: EndpointParseOptions & { summary?: string } = {},
): void {
  const issues = endpoints.flatMap((ep, i) => validateEndpoint(ep, [i], options));
  if (issues.length)
    throw new ValidationError(issues, options.summary === undefined ? {} : { summary: options.summary });
}

/** Largest RDATA (RFC 1035 §3.2.1: RDLENGTH is 16 bits), and largest DNS message (over TCP). */
const MAX_RDATA_OCTETS = 65_535;
const MAX_MESSAGE_OCTETS = 65_535;

/** Octets of one target's RDATA on the wire (exact for A, AAAA and TXT; an upper estimate otherwise). */
function rdataOctets(type: string, target: string): number {
  if (type === 'A') return 4;
  if (type === 'AAAA') return 16;
  if (type === 'TXT') {
    const strings = target.startsWith('"') ? parseTxtStrings(target) : undefined;
    const bytes = Buffer.byteLength(strings ? strings.join('') : target);
    return bytes + Math.max(1, Math.ceil(bytes / 255)); // one length octet per 255-octet string
  }
  return Buffer.byteLength(target) + 2;
}

/**
 * What a server would store but could never answer: a target whose RDATA passes 65,535 octets, or a
 * record set whose answer cannot fit one DNS message (65,535 octets over TCP). Cheap for ordinary
 * record sets: the exact count runs only when a rough upper bound passes the limit.
 */
function checkWireSize(ep: Endpoint, path: IssuePath): Issue[] {
  let chars = 0;
  for (const t of ep.targets) chars += t.length;
  // header, question, and per answer a compressed name, type, class, TTL and RDLENGTH (12 octets)
  const fixed = 12 + Buffer.byteLength(ep.dnsName) + 6;
  if (fixed + ep.targets.length * 30 + chars * 3 <= MAX_MESSAGE_OCTETS) return [];
  const issues: Issue[] = [];
  let total = fixed;
  ep.targets.forEach((t, i) => {
    const rdata = rdataOctets(ep.recordType, t);
    total += 12 + rdata;
    if (rdata > MAX_RDATA_OCTETS)
      issues.push({
        path: [...path, 'targets', i],
        code: 'rdata_too_long',
        message: `${describeEndpoint(ep)}: this value is ${rdata} octets of RDATA; DNS allows at most ${MAX_RDATA_OCTETS}`,
      });
  });
  if (issues.length === 0 && total > MAX_MESSAGE_OCTETS)
    issues.push({
      path: [...path, 'targets'],
      code: 'record_set_too_large',
      message: `${describeEndpoint(ep)}: ${ep.targets.length} values make an answer of about ${total} octets; one DNS message holds at most ${MAX_MESSAGE_OCTETS}, so no server could answer this name`,
    });
  return issues;
}
