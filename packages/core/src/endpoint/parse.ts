import { z } from 'zod';
import { ValidationError, type Issue, type IssuePath } from '../errors.js';
import { endpoint, KNOWN_RECORD_TYPES, type Endpoint } from './endpoint.js';
import { checkDnsName } from './names.js';
import { targetValidators, type TargetValidator } from './rdata.js';

/** Largest TTL DNS allows (RFC 2181 §8). */
export const MAX_TTL = 2_147_483_647;

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
];
const wireKeyByLower = new Map(wireKeys.map((k) => [k.toLowerCase(), k]));

// Go decodes JSON object keys case-insensitively; so do we (`DNSName`, `RecordTTL`, …).
function canonicalKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[wireKeyByLower.get(k.toLowerCase()) ?? k] = v;
  return out;
}

const providerSpecificSchema = z.object({ name: z.string().nullish(), value: z.string().nullish() });

const endpointShape = z.preprocess(
  canonicalKeys,
  z.object({
    dnsName: z.string({ error: 'dnsName must be a string' }),
    targets: z.array(z.string()).nullish(),
    recordType: z.string({ error: 'recordType must be a string' }),
    setIdentifier: z.string().nullish(),
    recordTTL: z
      .number()
      .int('recordTTL must be an integer')
      .min(0, 'recordTTL must not be negative')
      .max(MAX_TTL, `recordTTL must be at most ${MAX_TTL}`)
      .nullish(),
    labels: z.record(z.string(), z.string()).nullish(),
    providerSpecific: z.array(providerSpecificSchema).nullish(),
  }),
);

function fromZod(error: z.ZodError, base: IssuePath): Issue[] {
  return error.issues.map((i) => ({
    path: [...base, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    code: i.code,
    message: i.message,
  }));
}

/**
 * Checks an endpoint's content: its name, record type, every target against its type's rules and
 * the uniqueness of provider-specific names. Returns all issues; an empty list means valid.
 */
export function validateEndpoint(
  ep: Endpoint,
  path: IssuePath = [],
  options: EndpointParseOptions = {},
): Issue[] {
  const issues: Issue[] = [];
  issues.push(...checkDnsName(ep.dnsName, [...path, 'dnsName'], { what: 'dnsName' }));
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
  if (validator) ep.targets.forEach((t, i) => issues.push(...validator(t, [...path, 'targets', i])));
  if (type === 'CNAME' && ep.targets.length > 1) {
    issues.push({
      path: [...path, 'targets'],
      code: 'cname_multiple',
      message: `a CNAME has exactly one target; got ${ep.targets.length}`,
    });
  }
  const seen = new Set<string>();
  ep.providerSpecific.forEach((p, i) => {
    if (seen.has(p.name)) {
      issues.push({
        path: [...path, 'providerSpecific', i, 'name'],
        code: 'duplicate_property',
        message: `provider-specific property ${JSON.stringify(p.name)} is set twice`,
      });
    }
    seen.add(p.name);
  });
  return issues;
}

export type SafeParseResult<T> = { success: true; data: T } | { success: false; error: ValidationError };

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

/** Like {@link safeParseEndpoints} but throws the {@link ValidationError}. */
export function parseEndpoints(input: unknown, options: EndpointParseOptions = {}): Endpoint[] {
  const result = safeParseEndpoints(input, options);
  if (!result.success) throw result.error;
  return result.data;
}

/** Parses and validates one endpoint; throws {@link ValidationError}. */
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
    issues.push(...fromZod(shape.error, path));
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
  if (options.validateContent !== false) issues.push(...validateEndpoint(ep, path, options));
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
