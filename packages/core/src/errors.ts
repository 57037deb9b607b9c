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

/**
 * Every code an SDK error can carry: one closed list, the same code for the same cause in every
 * provider (docs/errors.md describes each; a test keeps the list, the code and the doc in step).
 */
export const DNS_ERROR_CODES = [
  'VALIDATION',
  'CONFIG',
  'PROVIDER',
  'PROVIDER_UNREACHABLE',
  'PROVIDER_AUTH',
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_QUOTA_EXCEEDED',
  'UNKNOWN_ZONE',
  'RECORD_CONFLICT',
  'RECORD_REJECTED',
  'OWNERSHIP_CONFLICT',
  'PLAN_CONFLICT',
  'UNSAFE_PLAN',
  'ABORTED',
  'PARTIAL_APPLY',
] as const;

/** See {@link DNS_ERROR_CODES}. */
export type DnsErrorCode = (typeof DNS_ERROR_CODES)[number];

/** Options every {@link DnsError} constructor accepts. */
export interface DnsErrorOptions {
  /** The underlying error, kept as the standard `Error.cause` (shown as one line by `util.inspect`). */
  cause?: unknown;
}

/** Base class of every error the SDK throws on purpose. */
export class DnsError extends Error {
  /**
   * Stable machine-readable cause, one of `DNS_ERROR_CODES` (see docs/errors.md); branch on this, not on
   * the message.
   */
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
  /**
   * Where the problem is in the caller's input: object keys and array indexes, e.g. `['desired', 3,
   * 'recordTTL']`; empty for the input as a whole.
   */
  readonly path: IssuePath;
  /** One line saying what is wrong with the value at `path`, e.g. `"300.1.1.1" is not an IPv4 address`. */
  readonly message: string;
  /** Machine-readable reason, e.g. `invalid_ipv4`, `label_too_long`. */
  readonly code: string;
  /**
   * Where the other value the problem involves is in the caller's input (the record this one
   * disagrees with), when there is one. The message names it as `formatIssuePath(related)` (its
   * last such occurrence); reconcile, the registry and batching rebase both into their caller's
   * input, the message's mention included, so message and paths agree.
   */
  readonly related?: IssuePath;
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
  /**
   * Every problem found, each with its `path` into the caller's input (e.g. `[3, 'targets', 0]`) and a
   * message.
   */
  readonly issues: readonly Issue[];
  /** The first line of the message, e.g. `the desired records are invalid (nothing was applied)`. */
  readonly summary: string;

  constructor(issues: readonly Issue[], options: DnsErrorOptions & { summary?: string } = {}) {
    const head = options.summary ?? `${issues.length} validation issue${issues.length === 1 ? '' : 's'}`;
    super('VALIDATION', `${head}:\n${formatIssues(issues)}`, options);
    this.name = 'ValidationError';
    this.issues = issues;
    this.summary = head;
  }
}

/**
 * The same error with each issue's path (and `related` path, with the message's mention of it)
 * rewritten by `rebase` (kept where it returns `undefined`).
 * Each layer that hands a change set it built to the next one (batches, the registry, reconcile)
 * uses it, so an issue found by a provider points into the caller's own input.
 */
export function rebaseIssues(
  error: ValidationError,
  rebase: (path: IssuePath) => IssuePath | undefined,
): ValidationError {
  let changed = false;
  const issues = error.issues.map((issue): Issue => {
    const path = rebase(issue.path);
    const related = issue.related === undefined ? undefined : rebase(issue.related);
    if (path === undefined && related === undefined) return issue;
    changed = true;
    if (related === undefined || issue.related === undefined) return { ...issue, path: path ?? issue.path };
    // the message names the other value as its path did: name it as the caller's input now does
    const before = formatIssuePath(issue.related);
    const at = issue.message.lastIndexOf(before);
    const message =
      at < 0
        ? issue.message
        : `${issue.message.slice(0, at)}${formatIssuePath(related)}${issue.message.slice(at + before.length)}`;
    return { ...issue, path: path ?? issue.path, related, message };
  });
  return changed ? new ValidationError(issues, { summary: error.summary, cause: error.cause }) : error;
}

/** Invalid SDK or provider configuration (a missing owner ID, a bad AES key, …). */
export class ConfigError extends DnsError {
  constructor(message: string, options: DnsErrorOptions = {}) {
    super('CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/** Options of {@link ProviderError}: who failed, and whether and when to retry. */
export interface ProviderErrorOptions extends DnsErrorOptions {
  /** Provider name, e.g. `pdns`, `inmemory`. */
  provider: string;
  /** HTTP status when the failure came from an API answer. */
  status?: number;
  /** True when retrying the same call later may succeed (5xx, timeouts, rate limits). */
  retryable?: boolean;
  /** Seconds the provider asked us to wait, when it said so. */
  retryAfter?: number;
  /**
   * Error code (default `PROVIDER`); use a more precise one where it applies, e.g. `PROVIDER_AUTH`,
   * `PROVIDER_RATE_LIMITED`.
   */
  code?: DnsErrorCode;
}

/** A provider refused or failed a call. `retryable` tells a controller whether to try again later. */
export class ProviderError extends DnsError {
  /** Name of the provider that failed, e.g. `pdns`, `cloudflare`, `inmemory`. */
  readonly provider: string;
  /**
   * HTTP status of the API answer when the failure came from one; `undefined` for network failures and
   * non-HTTP providers.
   */
  readonly status: number | undefined;
  /**
   * True when trying the same call again later may succeed (5xx, timeouts, refused connections, 429);
   * false for 4xx, bad credentials and bad input.
   */
  readonly retryable: boolean;
  /**
   * Seconds the server asked us to wait before retrying (`Retry-After`, rate-limit headers); `undefined`
   * when it did not say.
   */
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

/** Why an HTTP provider call failed. */
export type HttpFailureKind =
  /** The server answered with an error status (or an error body). */
  | 'http'
  /** No answer: connection refused or reset, DNS failure, TLS failure. */
  | 'network'
  /** The per-attempt timeout fired. */
  | 'timeout'
  /** The server answered, but not with what the API promises (not JSON, wrong shape, too large). */
  | 'invalid-response'
  /** Nothing was sent: the rate limit (ours, or a 429's `Retry-After`) asks for a longer wait than allowed. */
  | 'rate-limited';

/** Options of {@link HttpProviderError}, filled in by core's HTTP transport (`@openova/dns-core/http`). */
export interface HttpProviderErrorOptions<
  TKind extends string = HttpFailureKind,
> extends ProviderErrorOptions {
  /** Why the call failed; see {@link HttpFailureKind}. */
  kind: TKind;
  /** HTTP method of the call, e.g. `GET`. */
  method: string;
  /** Path below the API base, query included; never carries a credential. */
  path: string;
  /** Attempts made, retries included (0 when nothing was sent). Default 1. */
  attempts?: number;
  /** The server's own error text (with any secret it echoed replaced by `[redacted]`). */
  serverMessage?: string;
  /** The request id the server gave the answer (e.g. Cloudflare's `cf-ray`), for support tickets. */
  requestId?: string;
  retryable: boolean;
}

/**
 * The shared base of every HTTP provider client's error (`PowerDnsApiError`, `CloudflareApiError`,
 * `WebhookError`): what was called, how often, what the server said and whether trying again later
 * may help. Built by core's HTTP transport, so the fields mean the same for every provider.
 *
 * Never carries a credential: messages and `serverMessage` are redacted before the error is built,
 * and `toJSON()` / `util.inspect` show only the fields below (no `cause` object).
 */
export class HttpProviderError<TKind extends string = HttpFailureKind> extends ProviderError {
  /**
   * Why the call failed: `http` (error status), `network`, `timeout`, `invalid-response` or `rate-limited`
   * (nothing was sent).
   */
  readonly kind: TKind;
  /** HTTP method of the failed call, e.g. `PATCH`. */
  readonly method: string;
  /**
   * Path below the API base URL, query included, e.g. `/servers/localhost/zones/example.com.`; never
   * carries a credential.
   */
  readonly path: string;
  /** Attempts made, retries included; 0 when nothing was sent. */
  readonly attempts: number;
  /**
   * The server's own error text, with any secret it echoed replaced by `[redacted]`; `undefined` when the
   * answer had none.
   */
  readonly serverMessage: string | undefined;
  /**
   * The request id the server gave the answer (e.g. Cloudflare's `cf-ray`), for support tickets;
   * `undefined` when absent.
   */
  readonly requestId: string | undefined;

  /**
   * @param message Complete, already redacted message (`pdns: GET /zones answered 500: …`).
   * @param options The call's facts; `provider` names the client (`pdns`, `cloudflare`, `webhook`).
   */
  constructor(message: string, options: HttpProviderErrorOptions<TKind>) {
    super(message, options);
    this.name = 'HttpProviderError';
    this.kind = options.kind;
    this.method = options.method;
    this.path = options.path;
    this.attempts = options.attempts ?? 1;
    this.serverMessage = options.serverMessage;
    this.requestId = options.requestId;
  }

  /**
   * The error's facts as plain data, for structured logs: `name`, `message` and every field
   * (a subclass's own fields included, such as Cloudflare's `errors`); never the `cause` object.
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) if (value !== undefined) out[key] = value;
    return out;
  }

  /** `util.inspect` shows the stack and the facts of {@link toJSON}; the cause only as one line. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const { name: _name, message: _message, ...facts } = this.toJSON();
    const cause = this.cause instanceof Error ? `\n  [cause]: ${this.cause.name}: ${this.cause.message}` : '';
    return `${this.stack ?? `${this.name}: ${this.message}`} ${JSON.stringify(facts)}${cause}`;
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

/**
 * Options of {@link OwnershipConflictError}: the record that could not be written and the owners that hold
 * it.
 */
export interface OwnershipConflictErrorOptions extends DnsErrorOptions {
  /** The record that could not be written. */
  dnsName: string;
  /** Type of the record that could not be written, e.g. `A`. */
  recordType: string;
  /** Set identifier of the record (default `''`). */
  setIdentifier?: string;
  /** The owner IDs the existing ownership TXT names (several when it is ambiguous). */
  ownerIds: readonly string[];
}

/** A record cannot be written because its ownership TXT is held by another owner (or is ambiguous). */
export class OwnershipConflictError extends DnsError {
  /** Name of the record that could not be written. */
  readonly dnsName: string;
  /** Type of the record that could not be written, e.g. `A`. */
  readonly recordType: string;
  /** Set identifier of the record (`''` when none). */
  readonly setIdentifier: string;
  /** The owner IDs the existing ownership TXT names, sorted (several when the markers disagree). */
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
