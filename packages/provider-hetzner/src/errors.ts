import { HttpProviderError, ProviderError, type DnsErrorCode, type HttpFailureKind } from '@openova/dns-core';
import type { HetznerAction, HetznerInvalidField } from './schemas.js';

/**
 * Why a Hetzner API call failed: `http` (an error envelope or status), `network` (no answer),
 * `timeout`, `invalid-response` (not what the API promises), or `rate-limited` (our limiter, or a
 * 429 whose wait is too long, refused to send the request).
 */
export type HetznerFailureKind = HttpFailureKind;

/** Options of {@link HetznerApiError}, filled in by the client. */
export interface HetznerApiErrorOptions {
  /** Why the call failed: `http`, `network`, `timeout`, `invalid-response` or `rate-limited`. */
  kind: HetznerFailureKind;
  /** HTTP method of the call. */
  method: string;
  /** Path below the API base, query included; never carries a credential. */
  path: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** Hetzner's error code (`invalid_input`, `locked`, …) from the envelope. */
  hetznerCode?: string;
  /** The envelope's `details` (for `invalid_input`: `fields`). */
  details?: unknown;
  /** True for connection failures, timeouts, 5xx and 429; false for other 4xx. */
  retryable: boolean;
  /** Seconds to wait before retrying (from `Retry-After` or the rate-limit reset). */
  retryAfter?: number;
  /** Attempts made, retries included (default 1). */
  attempts?: number;
  /** Request id of the answer, for Hetzner support. */
  requestId?: string;
  /** Hetzner's message, secrets it echoed replaced by `[redacted]`. */
  serverMessage?: string;
  /**
   * Error code (the client sets it from status and Hetzner's code, e.g. `PROVIDER_AUTH`,
   * `PROVIDER_RATE_LIMITED`, `RECORD_REJECTED`).
   */
  code?: DnsErrorCode;
  /** The underlying error; shown as one line by `util.inspect`. */
  cause?: unknown;
}

/** Codes Hetzner documents as "try again": the resource was busy or changed, or the API was. */
export const RETRYABLE_HETZNER_CODES: ReadonlySet<string> = new Set([
  'locked',
  'conflict',
  'rate_limit_exceeded',
  'timeout',
  'bad_gateway',
  'server_error',
  'service_error',
  'unavailable',
  'maintenance',
]);

/** Codes that prove the request was not carried out, so even a write may be sent again. */
export const NOT_EXECUTED_HETZNER_CODES: ReadonlySet<string> = new Set([
  'locked',
  'conflict',
  'rate_limit_exceeded',
]);

/**
 * The SDK-wide code for a Hetzner error code (and the HTTP status when there is no code):
 * `PROVIDER_AUTH` (`unauthorized`, `forbidden`, `token_readonly`), `PROVIDER_RATE_LIMITED`
 * (`rate_limit_exceeded`), `RECORD_REJECTED` (`invalid_input`, `json_error`, `protected`),
 * `RECORD_CONFLICT` (`uniqueness_error`, `conflict`), `UNKNOWN_ZONE` (`not_found`,
 * `dns_zone_not_found`), `PROVIDER_QUOTA_EXCEEDED` (`resource_limit_exceeded`), otherwise `PROVIDER`.
 */
export function codeForHetznerError(status: number, hetznerCode: string | undefined): DnsErrorCode {
  switch (hetznerCode) {
    case 'unauthorized':
    case 'forbidden':
    case 'token_readonly':
      return 'PROVIDER_AUTH';
    case 'rate_limit_exceeded':
      return 'PROVIDER_RATE_LIMITED';
    case 'invalid_input':
    case 'json_error':
    case 'protected':
      return 'RECORD_REJECTED';
    case 'uniqueness_error':
    case 'conflict':
      return 'RECORD_CONFLICT';
    case 'not_found':
    case 'dns_zone_not_found':
      return 'UNKNOWN_ZONE';
    case 'resource_limit_exceeded':
      return 'PROVIDER_QUOTA_EXCEEDED';
    case undefined:
      break;
    default:
      return 'PROVIDER';
  }
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  if (status === 401 || status === 403) return 'PROVIDER_AUTH';
  return 'PROVIDER';
}

/**
 * A Hetzner Cloud API call failed: core's `HttpProviderError` plus Hetzner's error code and details.
 * Never carries the API token: it is in no message, field or cause.
 */
export class HetznerApiError extends HttpProviderError<HetznerFailureKind> {
  /** Hetzner's own error code, e.g. `uniqueness_error` (undefined without an envelope). */
  readonly hetznerCode: string | undefined;
  /** Hetzner's `error.details` (e.g. the invalid fields), as sent. */
  readonly details: unknown;

  /** @param message Complete message, already free of any credential. */
  constructor(message: string, options: HetznerApiErrorOptions) {
    super(message, { ...options, provider: 'hetzner' });
    this.name = 'HetznerApiError';
    this.hetznerCode = options.hetznerCode;
    this.details = options.details;
  }

  /** The per-field messages of an `invalid_input` error (empty otherwise). */
  get invalidFields(): HetznerInvalidField[] {
    return invalidFieldsOf(this.details);
  }
}

/** `details.fields` of an `invalid_input` error, as `{name, messages}` pairs. */
export function invalidFieldsOf(details: unknown): HetznerInvalidField[] {
  const fields = (details as { fields?: unknown } | undefined)?.fields;
  if (!Array.isArray(fields)) return [];
  return fields.flatMap((f: unknown) => {
    const { name, messages } = (f ?? {}) as { name?: unknown; messages?: unknown };
    if (typeof name !== 'string') return [];
    return [{ name, messages: Array.isArray(messages) ? messages.map(String) : [] }];
  });
}

/** True for a {@link HetznerApiError} from any copy of this package. */
export function isHetznerApiError(value: unknown): value is HetznerApiError {
  return value instanceof Error && value.name === 'HetznerApiError' && 'hetznerCode' in value;
}

/**
 * An asynchronous action ended in `error`: the write it stands for did not happen. Carries the
 * action and Hetzner's error code (`action.error.code`).
 */
export class HetznerActionError extends ProviderError {
  /** The action that ended in `error`, with its `error.code` and `error.message`. */
  readonly action: HetznerAction;
  /** Hetzner's code from `action.error`, e.g. `action_failed`. */
  readonly hetznerCode: string;

  constructor(action: HetznerAction, what: string) {
    const code = action.error?.code ?? 'unknown';
    super(
      `hetzner: action ${action.id} (${action.command}${what ? ` of ${what}` : ''}) failed: ${code}: ${action.error?.message ?? 'no message'}`,
      {
        provider: 'hetzner',
        code: codeForHetznerError(422, code),
        retryable: RETRYABLE_HETZNER_CODES.has(code),
      },
    );
    this.name = 'HetznerActionError';
    this.action = action;
    this.hetznerCode = code;
  }
}

/** True for a {@link HetznerActionError} from any copy of this package. */
export function isHetznerActionError(value: unknown): value is HetznerActionError {
  return value instanceof Error && value.name === 'HetznerActionError' && 'action' in value;
}
