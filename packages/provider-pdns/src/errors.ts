import { HttpProviderError, type DnsErrorCode, type HttpFailureKind } from '@openova/dns-core';

/**
 * Why a PowerDNS API call failed: `http` (an error status), `network` (no answer), `timeout`,
 * `invalid-response` (a body that is not what the API promises). `rate-limited` is never produced:
 * PowerDNS has no request budget.
 */
export type PowerDnsFailureKind = HttpFailureKind;

export interface PowerDnsApiErrorOptions {
  kind: PowerDnsFailureKind;
  method: string;
  /** Request path below the API base, query included (never carries the API key). */
  path: string;
  status?: number;
  /** The `error` field of PowerDNS's JSON error body, or its plain-text body. */
  serverMessage?: string;
  /** The `errors` array PowerDNS 5.1+ adds when it found several problems. */
  serverErrors?: readonly string[];
  retryable: boolean;
  /** Attempts made, retries included (default 1). */
  attempts?: number;
  retryAfter?: number;
  requestId?: string;
  code?: DnsErrorCode;
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
