import { HttpProviderError, type DnsErrorCode, type HttpFailureKind } from '@openova/dns-core';
import type { CloudflareErrorItem } from './schemas.js';

/**
 * Why a Cloudflare API call failed: `http` (an error envelope or status), `network` (no answer),
 * `timeout`, `invalid-response` (not the envelope the API promises), or `rate-limited` (our
 * limiter, or a 429 we may not wait out, refused to send the request).
 */
export type CloudflareFailureKind = HttpFailureKind;

/** Options of {@link CloudflareApiError}, filled in by the client. */
export interface CloudflareApiErrorOptions {
  /**
   * Why the call failed: `http`, `network`, `timeout`, `invalid-response`, `rate-limited` or `api` (HTTP
   * 200 with `success: false`).
   */
  kind: CloudflareFailureKind;
  /** HTTP method of the call. */
  method: string;
  /** Path below the API base, query included; never carries a credential. */
  path: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** The envelope's `errors`, each with its `error_chain`. */
  errors?: readonly CloudflareErrorItem[];
  /** True for connection failures, timeouts, 5xx and 429; false for 4xx. */
  retryable: boolean;
  /** Seconds Cloudflare (or our limiter) asked us to wait. */
  retryAfter?: number;
  /** Attempts made, retries included (default 1; 0 when the limiter refused to send). */
  attempts?: number;
  /** Cloudflare's `cf-ray` of the answer. */
  requestId?: string;
  /** Cloudflare's messages joined, secrets it echoed replaced by `[redacted]`. */
  serverMessage?: string;
  /**
   * Error code (the client sets it from status and Cloudflare's codes, e.g. `PROVIDER_AUTH`,
   * `PROVIDER_QUOTA_EXCEEDED`, `RECORD_REJECTED`).
   */
  code?: DnsErrorCode;
  /** The underlying error; shown as one line by `util.inspect`. */
  cause?: unknown;
}

/** Every Cloudflare error code in an error list, `error_chain` entries included, outermost first. */
export function flattenCloudflareCodes(errors: readonly CloudflareErrorItem[]): number[] {
  const out: number[] = [];
  const walk = (items: readonly CloudflareErrorItem[]) => {
    for (const item of items) {
      out.push(item.code);
      if (item.error_chain) walk(item.error_chain);
    }
  };
  walk(errors);
  return out;
}

/** `1004 DNS Validation Error: 9300 DNS record has 1 tags, exceeding the quota of 0.` */
export function describeCloudflareErrors(errors: readonly CloudflareErrorItem[]): string {
  return errors
    .map((e) => {
      const chain = e.error_chain?.length ? `: ${describeCloudflareErrors(e.error_chain)}` : '';
      return `${e.code} ${e.message}${chain}`;
    })
    .join('; ');
}

/**
 * A Cloudflare API call failed: core's `HttpProviderError` plus Cloudflare's error list. Carries the HTTP status and Cloudflare's numeric codes (the reason
 * of a DNS validation error is in `error_chain`, which this error keeps and prints). Never carries
 * the API token, key or e-mail: they are in no message, field or cause.
 *
 * `code` (the SDK-wide string code) is derived from Cloudflare's numeric codes:
 * `RECORD_REJECTED` for record content Cloudflare refuses (1004 and its chain, 81053, 81057,
 * 81058), `PROVIDER_AUTH` for authentication and permission failures (which Cloudflare also
 * answers with 400, so the status alone is not enough), `PROVIDER_RATE_LIMITED` for 429,
 * `PROVIDER_QUOTA_EXCEEDED` for 81045, `RECORD_CONFLICT` for 81044 (the record changed since it
 * was read), `UNKNOWN_ZONE` for a zone or route that does not exist.
 */
export class CloudflareApiError extends HttpProviderError<CloudflareFailureKind> {
  /** Cloudflare's `errors` array from the answer, `error_chain` included (`[]` when there was none). */
  readonly errors: readonly CloudflareErrorItem[];

  /** @param message Complete message, already free of any credential. */
  constructor(message: string, options: CloudflareApiErrorOptions) {
    super(message, { ...options, provider: 'cloudflare' });
    this.name = 'CloudflareApiError';
    this.errors = options.errors ?? [];
  }

  /** Every Cloudflare code in the answer, `error_chain` entries included. */
  get cloudflareCodes(): number[] {
    return flattenCloudflareCodes(this.errors);
  }

  /** True when the answer (or its `error_chain`) carries this Cloudflare code. */
  hasCode(code: number): boolean {
    return this.cloudflareCodes.includes(code);
  }
}

/** True for a {@link CloudflareApiError} from any copy of this package. */
export function isCloudflareApiError(value: unknown): value is CloudflareApiError {
  return (
    value instanceof Error && value.name === 'CloudflareApiError' && 'kind' in value && 'errors' in value
  );
}

/** Codes that mean "this record's content is refused" (see the table in the docs). */
export const RECORD_CONTENT_CODES: ReadonlySet<number> = new Set([1004, 9300, 81053, 81057, 81058]);
/** Codes that mean "the credential is wrong, revoked, lacks a scope or is used from the wrong IP". */
export const AUTH_CODES: ReadonlySet<number> = new Set([1000, 9103, 9106, 9109, 10000]);
export const RECORD_NOT_FOUND_CODE = 81044;
export const RECORD_QUOTA_CODE = 81045;

/** The SDK-wide code for a failed answer, from Cloudflare's codes first and the status second. */
export function codeForAnswer(status: number, errors: readonly CloudflareErrorItem[]): DnsErrorCode {
  const codes = flattenCloudflareCodes(errors);
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  if (codes.some((c) => AUTH_CODES.has(c)) || status === 401 || status === 403) return 'PROVIDER_AUTH';
  if (codes.includes(RECORD_QUOTA_CODE)) return 'PROVIDER_QUOTA_EXCEEDED';
  if (codes.includes(RECORD_NOT_FOUND_CODE)) return 'RECORD_CONFLICT';
  if (codes.some((c) => RECORD_CONTENT_CODES.has(c))) return 'RECORD_REJECTED';
  if (status === 404 || codes.includes(7003) || codes.includes(1001)) return 'UNKNOWN_ZONE';
  return 'PROVIDER';
}
