import { ProviderError, type DnsErrorCode } from '@openova/dns-core';

/** Why a PowerDNS API call failed. */
export type PowerDnsFailureKind =
  /** The server answered with an error status. */
  | 'http'
  /** No answer: connection refused or reset, DNS failure, TLS failure. */
  | 'network'
  /** The per-request timeout fired. */
  | 'timeout'
  /** The server answered, but the body was not what the API promises. */
  | 'invalid-response';

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
  /** Attempts made, retries included. */
  attempts?: number;
  code?: DnsErrorCode;
  cause?: unknown;
}

/**
 * A PowerDNS HTTP API call failed. Carries the HTTP status and the server's own message; never the
 * API key (it is neither in the message, nor in any field, nor in the cause).
 *
 * `retryable` is true for connection failures, timeouts and 5xx answers (PowerDNS rolls a failed
 * PATCH back, so retrying is safe) and false for 4xx answers, which will fail the same way again.
 */
export class PowerDnsApiError extends ProviderError {
  readonly kind: PowerDnsFailureKind;
  readonly method: string;
  readonly path: string;
  readonly serverMessage: string | undefined;
  readonly serverErrors: readonly string[];
  readonly attempts: number;

  constructor(message: string, options: PowerDnsApiErrorOptions) {
    super(message, {
      provider: 'pdns',
      retryable: options.retryable,
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.code === undefined ? {} : { code: options.code }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'PowerDnsApiError';
    this.kind = options.kind;
    this.method = options.method;
    this.path = options.path;
    this.serverMessage = options.serverMessage;
    this.serverErrors = options.serverErrors ?? [];
    this.attempts = options.attempts ?? 1;
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
