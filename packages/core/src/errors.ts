/**
 * One error hierarchy for the whole SDK. Every error thrown on purpose is a {@link DnsError} with a
 * stable string `code`; subclasses exist only where callers need extra fields.
 *
 * `instanceof` works across duplicate copies of the package (two versions installed side by side)
 * because identity is a `Symbol.for` brand, not the class object.
 */

const brand = Symbol.for('@openova/dns-core/DnsError');
// Names of the classes an error was constructed from (`['ValidationError', 'DnsError']`), so that
// `instanceof ValidationError` also works for an instance made by another copy of the package.
const lineageBrand = Symbol.for('@openova/dns-core/DnsError.lineage');

/** Every code an SDK error can carry. Providers may add their own as `PROVIDER_*` strings. */
export type DnsErrorCode =
  | 'VALIDATION'
  | 'CONFIG'
  | 'PROVIDER'
  | 'UNKNOWN_ZONE'
  | 'RECORD_CONFLICT'
  | 'OWNERSHIP_CONFLICT'
  | 'PLAN_CONFLICT'
  | 'UNSAFE_PLAN'
  | 'ABORTED'
  | 'RECORD_REJECTED'
  | 'PARTIAL_APPLY'
  | (string & {});

export interface DnsErrorOptions {
  cause?: unknown;
}

/** Base class of every error the SDK throws on purpose. */
export class DnsError extends Error {
  readonly code: DnsErrorCode;

  constructor(code: DnsErrorCode, message: string, options: DnsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = 'DnsError';
    const lineage: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c))
      lineage.push(c.name);
    Object.defineProperty(this, brand, { value: true });
    Object.defineProperty(this, lineageBrand, { value: Object.freeze(lineage) });
  }

  /**
   * `instanceof` by brand rather than prototype: an error from a second copy of this package (two
   * versions installed side by side) is still recognised, for `DnsError` and for each subclass.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isDnsError(value)) return false;
    if (this === DnsError) return true;
    const lineage = (value as unknown as Record<symbol, unknown>)[lineageBrand];
    return Array.isArray(lineage) && lineage.includes(this.name);
  }
}

/** True for any error thrown by any copy of this SDK. */
export function isDnsError(value: unknown): value is DnsError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** A path into the input, as zod and JSON pointer-like tools use: `[3, 'targets', 0]`. */
export type IssuePath = readonly (string | number)[];

/** One problem found in the input. Validation collects all of them before failing. */
export interface Issue {
  readonly path: IssuePath;
  readonly message: string;
  /** Machine-readable reason, e.g. `invalid_ipv4`, `label_too_long`. */
  readonly code: string;
}

/** Renders `[3, 'targets', 0]` as `[3].targets[0]`. */
export function formatIssuePath(path: IssuePath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** One line per issue: `[3].targets[0]: "300.1.1.1" is not an IPv4 address`. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues
    .map((i) => (i.path.length ? `${formatIssuePath(i.path)}: ${i.message}` : i.message))
    .join('\n');
}

/** Bad input: lists every problem found, each with its path. Thrown before anything is written. */
export class ValidationError extends DnsError {
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[], options: DnsErrorOptions & { summary?: string } = {}) {
    const head = options.summary ?? `${issues.length} validation issue${issues.length === 1 ? '' : 's'}`;
    super('VALIDATION', `${head}:\n${formatIssues(issues)}`, options);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** Invalid SDK or provider configuration (a missing owner ID, a bad AES key, …). */
export class ConfigError extends DnsError {
  constructor(message: string, options: DnsErrorOptions = {}) {
    super('CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

export interface ProviderErrorOptions extends DnsErrorOptions {
  /** Provider name, e.g. `pdns`, `inmemory`. */
  provider: string;
  /** HTTP status when the failure came from an API answer. */
  status?: number;
  /** True when retrying the same call later may succeed (5xx, timeouts, rate limits). */
  retryable?: boolean;
  /** Seconds the provider asked us to wait, when it said so. */
  retryAfter?: number;
  code?: DnsErrorCode;
}

/** A provider refused or failed a call. `retryable` tells a controller whether to try again later. */
export class ProviderError extends DnsError {
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfter: number | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    super(options.code ?? 'PROVIDER', message, options);
    this.name = 'ProviderError';
    this.provider = options.provider;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.retryAfter = options.retryAfter;
  }
}

/** The operation was cancelled through its `AbortSignal`. */
export class AbortedError extends DnsError {
  constructor(message = 'The operation was aborted', options: DnsErrorOptions = {}) {
    super('ABORTED', message, options);
    this.name = 'AbortedError';
  }
}

/** Throws {@link AbortedError} when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
}

export interface OwnershipConflictErrorOptions extends DnsErrorOptions {
  /** The record that could not be written. */
  dnsName: string;
  recordType: string;
  setIdentifier?: string;
  /** The owner IDs the existing ownership TXT names (several when it is ambiguous). */
  ownerIds: readonly string[];
}

/** A record cannot be written because its ownership TXT is held by another owner (or is ambiguous). */
export class OwnershipConflictError extends DnsError {
  readonly dnsName: string;
  readonly recordType: string;
  readonly setIdentifier: string;
  readonly ownerIds: readonly string[];

  constructor(message: string, options: OwnershipConflictErrorOptions) {
    super('OWNERSHIP_CONFLICT', message, options);
    this.name = 'OwnershipConflictError';
    this.dnsName = options.dnsName;
    this.recordType = options.recordType;
    this.setIdentifier = options.setIdentifier ?? '';
    this.ownerIds = options.ownerIds;
  }
}
