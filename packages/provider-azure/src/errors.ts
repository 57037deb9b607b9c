import { HttpProviderError, type DnsErrorCode, type HttpFailureKind } from '@openova/dns-core';

/**
 * Why an Azure call failed: `http` (an error answer), `network` (no answer), `timeout`,
 * `invalid-response` (not what the API promises), or `rate-limited` (a per-zone limiter or a 429
 * whose wait is too long refused to send the request).
 */
export type AzureFailureKind = HttpFailureKind;

/** Options of {@link AzureApiError}, filled in by the client. */
export interface AzureApiErrorOptions {
  /** Why the call failed: `http`, `network`, `timeout`, `invalid-response` or `rate-limited`. */
  kind: AzureFailureKind;
  /** HTTP method of the call. */
  method: string;
  /** Path below the ARM endpoint, query included; never carries a credential. */
  path: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** ARM's error code (`PreconditionFailed`, `Conflict`, `BadRequest`, …). */
  azureCode?: string;
  /** The error body's `target`, when it names one. */
  target?: string;
  /** The error body's nested `details`, as Azure sent them. */
  details?: unknown;
  /** True for connection failures, timeouts, 408, 429 and 5xx (but 501, 505); false for other 4xx. */
  retryable: boolean;
  /** Seconds to wait before retrying (from `Retry-After`). */
  retryAfter?: number;
  /** Attempts made, retries included (default 1). */
  attempts?: number;
  /** Request id of the answer (`x-ms-request-id` or `x-ms-correlation-request-id`), for Azure support. */
  requestId?: string;
  /** Azure's message, secrets it echoed replaced by `[redacted]`. */
  serverMessage?: string;
  /**
   * Error code (the client sets it from status and ARM's code, see {@link codeForAzureError}:
   * `RECORD_CONFLICT`, `PROVIDER_AUTH`, `PROVIDER_RATE_LIMITED`, `UNKNOWN_ZONE`, …).
   */
  code?: DnsErrorCode;
  /** The underlying error; shown as one line by `util.inspect`. */
  cause?: unknown;
}

/**
 * The SDK-wide code for an Azure answer:
 * - `RECORD_CONFLICT`: 412 `PreconditionFailed` (the record set's ETag changed since it was read,
 *   or it exists / is gone against `If-None-Match` / `If-Match`) and 409 `Conflict` (a CNAME
 *   beside another type, `CannotCreateRecordDueToCNameNamingRestriction`);
 * - `PROVIDER_AUTH`: 401, 403, `AuthenticationFailed`, `AuthorizationFailed`, `InvalidAuthenticationToken*`;
 * - `PROVIDER_RATE_LIMITED`: 429 (`TooManyRequests`, `Throttled`);
 * - `UNKNOWN_ZONE`: 404 `ResourceNotFound`, `ParentResourceNotFound`, `ResourceGroupNotFound`,
 *   `SubscriptionNotFound`;
 * - `PROVIDER_QUOTA_EXCEEDED`: `QuotaExceeded`, `RecordSetLimitExceeded`-like codes;
 * - `RECORD_REJECTED`: 400 (`BadRequest`, `InvalidRequestContent`, …);
 * - otherwise `PROVIDER`.
 */
export function codeForAzureError(status: number, azureCode: string | undefined): DnsErrorCode {
  const code = azureCode ?? '';
  if (status === 412 || code === 'PreconditionFailed') return 'RECORD_CONFLICT';
  if (status === 409 || code === 'Conflict' || code.startsWith('CannotCreateRecord'))
    return 'RECORD_CONFLICT';
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  if (
    status === 401 ||
    status === 403 ||
    code.startsWith('Authentication') ||
    code.startsWith('Authorization') ||
    code.startsWith('InvalidAuthenticationToken')
  )
    return 'PROVIDER_AUTH';
  if (/Quota|LimitExceeded/.test(code)) return 'PROVIDER_QUOTA_EXCEEDED';
  if (
    code === 'ParentResourceNotFound' ||
    code === 'ResourceGroupNotFound' ||
    code === 'SubscriptionNotFound' ||
    (status === 404 && code === 'ResourceNotFound')
  )
    return 'UNKNOWN_ZONE';
  if (status === 400) return 'RECORD_REJECTED';
  return 'PROVIDER';
}

/**
 * An Azure Resource Manager call failed: core's `HttpProviderError` plus ARM's error code, target and
 * details. Never carries the bearer token: it is in no message, field or cause.
 */
export class AzureApiError extends HttpProviderError<AzureFailureKind> {
  /** ARM's error code, e.g. `PreconditionFailed` (undefined without an error body). */
  readonly azureCode: string | undefined;
  /** The error body's `target`: the part of the request the error is about, when Azure names one. */
  readonly target: string | undefined;
  /** The error body's nested `details`, as Azure sent them (undefined without). */
  readonly details: unknown;

  /** @param message Complete message, already free of any credential. */
  constructor(message: string, options: AzureApiErrorOptions) {
    super(message, { ...options, provider: 'azure' });
    this.name = 'AzureApiError';
    this.azureCode = options.azureCode;
    this.target = options.target;
    this.details = options.details;
  }

  /** True for a 412: the record set changed under us (re-read before trying again). */
  get preconditionFailed(): boolean {
    return this.status === 412;
  }
}

/** True for an {@link AzureApiError} from any copy of this package. */
export function isAzureApiError(value: unknown): value is AzureApiError {
  return value instanceof Error && value.name === 'AzureApiError' && 'azureCode' in value;
}
