import {
  HttpProviderError,
  InterruptedApplyError,
  type DnsErrorCode,
  type HttpFailureKind,
} from '@openova/dns-core';

/**
 * Why a PowerDNS API call failed: `http` (an error status), `network` (no answer), `timeout`,
 * `invalid-response` (a body that is not what the API promises). `rate-limited` is never produced:
 * PowerDNS has no request budget.
 */
export type PowerDnsFailureKind = HttpFailureKind;

/** Options of {@link PowerDnsApiError}, filled in by the client. */
export interface PowerDnsApiErrorOptions {
  /** Why the call failed: `http`, `network`, `timeout`, `invalid-response` or `rate-limited`. */
  kind: PowerDnsFailureKind;
  /** HTTP method of the call, e.g. `PATCH`. */
  method: string;
  /** Request path below the API base, query included (never carries the API key). */
  path: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** The `error` field of PowerDNS's JSON error body, or its plain-text body. */
  serverMessage?: string;
  /** The `errors` array PowerDNS 5.1+ adds when it found several problems. */
  serverErrors?: readonly string[];
  /** True for connection failures, timeouts and 5xx (PowerDNS rolls a failed PATCH back); false for 4xx. */
  retryable: boolean;
  /** Attempts made, retries included (default 1). */
  attempts?: number;
  /** Seconds to wait before retrying, when the server said. */
  retryAfter?: number;
  /** Request id of the answer, when a proxy in front of PowerDNS sets one. */
  requestId?: string;
  /**
   * Error code (default from the status: `PROVIDER_AUTH` for 401/403, `UNKNOWN_ZONE` for a missing zone,
   * `RECORD_REJECTED` for 422, else `PROVIDER`).
   */
  code?: DnsErrorCode;
  /** The underlying error (a network failure); shown as one line by `util.inspect`. */
  cause?: unknown;
}

/**
 * A PowerDNS HTTP API call failed: core's {@link HttpProviderError} (status, method, path,
 * attempts, serverMessage, retryable) plus the `errors` list PowerDNS 5.1+ sends. Never carries the
 * API key (it is neither in the message, nor in any field, nor in the cause).
 *
 * `retryable` is true for connection failures, timeouts and 5xx answers (PowerDNS rolls a failed
 * PATCH back, so retrying is safe) and false for 4xx answers, which will fail the same way again.
 */
export class PowerDnsApiError extends HttpProviderError<PowerDnsFailureKind> {
  /** The `errors` list PowerDNS 5.1+ sends when it found several problems (`[]` otherwise). */
  readonly serverErrors: readonly string[];

  /** @param message Complete message, already free of the API key. */
  constructor(message: string, options: PowerDnsApiErrorOptions) {
    super(message, { ...options, provider: 'pdns' });
    this.name = 'PowerDnsApiError';
    this.serverErrors = options.serverErrors ?? [];
  }

  /** True for a PowerDNS "database is locked" answer (sqlite backend with parallel writers). */
  get isDatabaseLocked(): boolean {
    return this.status === 500 && /database is locked/i.test(this.serverMessage ?? '');
  }
}

/** True for a {@link PowerDnsApiError} from any copy of this package. */
export function isPowerDnsApiError(value: unknown): value is PowerDnsApiError {
  return value instanceof Error && value.name === 'PowerDnsApiError' && 'kind' in value && 'method' in value;
}

/**
 * An apply that wrote some zones and failed in others (each zone's PATCH is one transaction): the
 * records written (`applied`) and those not (`notApplied`), as `describeEndpoint` strings without
 * their ownership markers. Its `cause` is the failed zone's {@link PowerDnsApiError} (or a
 * `ProviderError` naming every failed zone), and its `code`, `retryable` and `status` are the
 * cause's. The next run reads the zones again and converges.
 */
export class PowerDnsApplyError extends InterruptedApplyError {
  /**
   * @param cause the failed zone's error.
   * @param applied records written (in the zones that were applied).
   * @param notApplied records not written (in the zones that failed).
   */
  constructor(cause: unknown, applied: readonly string[], notApplied: readonly string[]) {
    super('pdns', cause, { applied, notApplied });
    this.name = 'PowerDnsApplyError';
  }
}
