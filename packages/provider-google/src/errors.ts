import { HttpProviderError, type DnsErrorCode, type HttpFailureKind } from '@openova/dns-core';

/**
 * Why a Cloud DNS call failed: `http` (an error envelope or status), `network` (no answer),
 * `timeout`, `invalid-response` (not what the API promises), or `rate-limited` (our limiter refused
 * to send the request).
 */
export type GoogleFailureKind = HttpFailureKind;

/** Options of {@link GoogleApiError}, filled in by the client. */
export interface GoogleApiErrorOptions {
  /** Why the call failed: `http`, `network`, `timeout`, `invalid-response` or `rate-limited`. */
  kind: GoogleFailureKind;
  /** HTTP method of the call. */
  method: string;
  /** Path below the API base, query included; never carries a credential. */
  path: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** The reasons of the envelope's `errors[]` (`conditionNotMet`, `alreadyExists`, …), in order. */
  reasons?: readonly string[];
  /** The messages of the envelope's `errors[]`, in order. */
  messages?: readonly string[];
  /** True when sending the call again may succeed (connection failures, timeouts, 5xx, 429). */
  retryable: boolean;
  /** Seconds to wait before retrying (Google sends no `Retry-After`: the limiter's backoff). */
  retryAfter?: number;
  /** Attempts made, retries included (default 1). */
  attempts?: number;
  /** Request id of the answer (`x-guploader-uploadid` or `x-request-id`), for Google support. */
  requestId?: string;
  /** Google's message, secrets it echoed replaced by `[redacted]`. */
  serverMessage?: string;
  /**
   * Error code (the client sets it from status and reasons, e.g. `PROVIDER_AUTH`,
   * `PROVIDER_RATE_LIMITED`, `RECORD_CONFLICT`, `RECORD_REJECTED`; see {@link codeForGoogleError}).
   */
  code?: DnsErrorCode;
  /** The underlying error; shown as one line by `util.inspect`. */
  cause?: unknown;
}

/** Reasons that mean "too many requests": retried through core's limiter and backoff. */
export const RATE_LIMIT_REASONS: ReadonlySet<string> = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
]);

/**
 * Reasons of a refused change that mean "the zone is not what the change assumed": a deletion that
 * no longer matches the stored record set (412 `conditionNotMet`, 404 `notFound` of
 * `entity.change.deletions`), or an addition that exists (409 `alreadyExists`).
 */
export const CONFLICT_REASONS: ReadonlySet<string> = new Set(['conditionNotMet', 'alreadyExists']);

/** Reasons of a change refused for its content (bisected by core when a batch carries it). */
export const CONTENT_REASONS: ReadonlySet<string> = new Set([
  'invalid',
  'required',
  'cnameResourceRecordSetConflict',
  'peeringChangeDisallowed',
  'badRequest',
]);

/**
 * The SDK-wide code for a Cloud DNS error (source: the reasons of the Cloud DNS v1 API reference
 * and the error table of the Google provider research, §E.6):
 * - `PROVIDER_AUTH`: 401, 403 without a quota or rate reason (`forbidden`, `insufficientPermissions`);
 * - `PROVIDER_RATE_LIMITED`: 429, or `rateLimitExceeded` / `userRateLimitExceeded` (403 in older APIs);
 * - `PROVIDER_QUOTA_EXCEEDED`: 403 `quotaExceeded` (a change above the per-change limits, a full zone);
 * - `RECORD_CONFLICT`: 412 `conditionNotMet`, 409 `alreadyExists`, a 404 about `entity.change`;
 * - `RECORD_REJECTED`: 400 (`invalid`, `cnameResourceRecordSetConflict`, `peeringChangeDisallowed`, …);
 * - `UNKNOWN_ZONE`: any other 404 (the project or managed zone does not exist);
 * - otherwise `PROVIDER`.
 */
export function codeForGoogleError(status: number, reasons: readonly string[], message = ''): DnsErrorCode {
  if (status === 429 || reasons.some((r) => RATE_LIMIT_REASONS.has(r))) return 'PROVIDER_RATE_LIMITED';
  if (reasons.includes('quotaExceeded')) return 'PROVIDER_QUOTA_EXCEEDED';
  if (status === 401 || status === 403) return 'PROVIDER_AUTH';
  if (status === 409 || status === 412 || reasons.some((r) => CONFLICT_REASONS.has(r)))
    return 'RECORD_CONFLICT';
  if (status === 404) return /entity\.change/.test(message) ? 'RECORD_CONFLICT' : 'UNKNOWN_ZONE';
  if (status === 400) return 'RECORD_REJECTED';
  return 'PROVIDER';
}

/**
 * A Cloud DNS API call failed: core's `HttpProviderError` plus Google's reasons and messages. Never
 * carries the access token: it is in no message, field or cause.
 */
export class GoogleApiError extends HttpProviderError<GoogleFailureKind> {
  /** The envelope's `errors[].reason`, e.g. `['conditionNotMet']` (empty without an envelope). */
  readonly reasons: readonly string[];
  /** The envelope's `errors[].message`, in the same order. */
  readonly messages: readonly string[];

  /** @param message Complete message, already free of any credential. */
  constructor(message: string, options: GoogleApiErrorOptions) {
    super(message, { ...options, provider: 'google' });
    this.name = 'GoogleApiError';
    this.reasons = options.reasons ?? [];
    this.messages = options.messages ?? [];
  }
}

/** True for a {@link GoogleApiError} from any copy of this package. */
export function isGoogleApiError(value: unknown): value is GoogleApiError {
  return value instanceof Error && value.name === 'GoogleApiError' && 'reasons' in value;
}
