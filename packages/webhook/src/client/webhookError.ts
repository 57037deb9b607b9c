import { HttpProviderError, type DnsErrorCode, type HttpFailureKind } from '@openova/dns-core';
import { isConnectionRefused } from '@openova/dns-core/http';

/** Why a webhook call failed. */
export type WebhookFailureKind =
  /** The server answered with a status the protocol does not allow for this call. */
  | 'status'
  /** No answer: connection refused or reset, DNS failure. */
  | 'network'
  /** The per-request timeout fired. */
  | 'timeout'
  /** The answer had the wrong media type, was not JSON, was too large or did not validate. */
  | 'invalid-response';

/** Options of {@link WebhookError}: the facts of the failed call. */
export interface WebhookErrorOptions {
  /** Why the call failed; see {@link WebhookFailureKind}. */
  kind: WebhookFailureKind;
  /** HTTP method of the call (`GET`, `POST`). */
  method: string;
  /** Path of the call (`/`, `/records`, `/adjustendpoints`). */
  path: string;
  /** HTTP status of the answer; absent when none came. */
  status?: number;
  /** The start of the server's error body, when it sent one. */
  serverMessage?: string;
  /** Whether a later attempt may succeed (500–510, timeouts, connection failures). */
  retryable: boolean;
  /** Attempts made (negotiation retries; 1 for every other call). */
  attempts?: number;
  /** The request id the server gave the answer, when it sent one, for support tickets. */
  requestId?: string;
  /** The underlying error (network or parse failure); not shown by `toJSON()` or `util.inspect`. */
  cause?: unknown;
}

/**
 * A call to an ExternalDNS webhook provider failed: core's `HttpProviderError` with the webhook's
 * own `kind` and core's codes, the same as every other provider's for the same cause
 * (`PROVIDER_AUTH` for 401/403, `PROVIDER_RATE_LIMITED` for 429, `PROVIDER_UNREACHABLE` for a
 * refused connection, `PROVIDER` otherwise). `retryable` follows ExternalDNS's rules: a 500–510 answer is a soft
 * error worth retrying at the next run; timeouts and connection failures are also marked retryable
 * (ExternalDNS would exit on them; a controller should rather try again). Every other unexpected
 * status or body is not retryable.
 */
export class WebhookError extends HttpProviderError<WebhookFailureKind> {
  /** @param message Complete message, already free of any credential. */
  constructor(message: string, options: WebhookErrorOptions) {
    super(message, {
      ...options,
      provider: 'webhook',
      code: webhookErrorCode(options),
    });
    this.name = 'WebhookError';
  }
}

/** The webhook's kind for a transport failure kind: an error status is `status`. */
export function webhookFailureKind(kind: HttpFailureKind): WebhookFailureKind {
  return kind === 'http' || kind === 'rate-limited' ? 'status' : kind;
}

/** ExternalDNS's soft-error range: statuses it retries at the next interval. */
export function isSoftErrorStatus(status: number): boolean {
  return status >= 500 && status <= 510;
}

function webhookErrorCode(options: WebhookErrorOptions): DnsErrorCode {
  if (options.kind === 'network' && isConnectionRefused(options.cause)) return 'PROVIDER_UNREACHABLE';
  if (options.kind !== 'status') return 'PROVIDER';
  if (options.status === 401 || options.status === 403) return 'PROVIDER_AUTH';
  if (options.status === 429) return 'PROVIDER_RATE_LIMITED';
  return 'PROVIDER';
}
