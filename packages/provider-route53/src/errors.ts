import { HttpProviderError, type DnsErrorCode, type HttpFailureKind } from '@openova/dns-core';

/** Options of {@link Route53ApiError}, built from the AWS SDK's exception. */
export interface Route53ApiErrorOptions {
  /** Why the call failed: `http`, `network`, `timeout`, `invalid-response` or `rate-limited`. */
  kind: HttpFailureKind;
  /** The Route53 operation, e.g. `ChangeResourceRecordSets`. */
  operation: string;
  /** HTTP method of the call (`GET` or `POST`). */
  method: string;
  /** Request path below `https://route53.amazonaws.com`, e.g. `/2013-04-01/hostedzone/Z123/rrset`. */
  path: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** Route53's error code (`InvalidChangeBatch`, `Throttling`, `NoSuchHostedZone`, …). */
  awsCode?: string;
  /** Every message of the answer (an InvalidChangeBatch may carry several). */
  messages?: readonly string[];
  /**
   * True when the same call may succeed later (`Throttling`, `PriorRequestNotComplete`, 5xx, network
   * failures).
   */
  retryable: boolean;
  /** Attempts made, retries included (default 1). */
  attempts?: number;
  /** The `x-amzn-requestid` of the answer, for AWS support. */
  requestId?: string;
  /**
   * Error code (default from `awsCode`: `RECORD_REJECTED`, `PROVIDER_RATE_LIMITED`, `PROVIDER_AUTH`,
   * `UNKNOWN_ZONE`, else `PROVIDER`).
   */
  code?: DnsErrorCode;
  /** The AWS SDK's exception, kept as `cause` (one line in `util.inspect`). */
  cause?: unknown;
}

/**
 * A Route53 API call failed: core's `HttpProviderError` plus Route53's error code and messages.
 * Built from the AWS SDK's exception; never carries credentials (the SDK's exception is kept only as
 * a one-line `cause` in `util.inspect`, and it holds no credential either).
 *
 * `code`: `RECORD_REJECTED` for `InvalidChangeBatch` (and `InvalidInput` on a change),
 * `PROVIDER_RATE_LIMITED` for `Throttling` and `PriorRequestNotComplete`, `PROVIDER_AUTH` for
 * 401/403 and signature or credential problems, `UNKNOWN_ZONE` for `NoSuchHostedZone`, else `PROVIDER`.
 */
export class Route53ApiError extends HttpProviderError {
  /** The Route53 operation that failed, e.g. `ChangeResourceRecordSets`. */
  readonly operation: string;
  /**
   * Route53's error code, e.g. `InvalidChangeBatch`, `Throttling`, `NoSuchHostedZone`; `undefined` for
   * network failures.
   */
  readonly awsCode: string | undefined;
  /**
   * Every message of the answer (an `InvalidChangeBatch` carries one per rejected change); `[]` when none.
   */
  readonly messages: readonly string[];

  constructor(message: string, options: Route53ApiErrorOptions) {
    super(message, {
      ...options,
      provider: 'route53',
      ...(options.messages?.length ? { serverMessage: options.messages.join('; ') } : {}),
    });
    this.name = 'Route53ApiError';
    this.operation = options.operation;
    this.awsCode = options.awsCode;
    this.messages = options.messages ?? [];
  }
}

/** True for a {@link Route53ApiError} from any copy of this package. */
export function isRoute53ApiError(value: unknown): value is Route53ApiError {
  return value instanceof Error && value.name === 'Route53ApiError' && 'awsCode' in value;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'PriorRequestNotComplete',
  'TooManyRequestsException',
]);
const AUTH = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'UnrecognizedClientException',
  'ExpiredToken',
  'CredentialsProviderError',
]);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'socket hang up',
]);

/** The SDK-wide code for a Route53 error code and HTTP status. */
export function codeForAws(awsCode: string | undefined, status: number | undefined): DnsErrorCode {
  if (awsCode && THROTTLING.has(awsCode)) return 'PROVIDER_RATE_LIMITED';
  if ((awsCode && AUTH.has(awsCode)) || status === 401 || status === 403) return 'PROVIDER_AUTH';
  if (awsCode === 'InvalidChangeBatch' || awsCode === 'InvalidInput') return 'RECORD_REJECTED';
  if (awsCode === 'NoSuchHostedZone') return 'UNKNOWN_ZONE';
  return 'PROVIDER';
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  messages?: { Message?: string }[] | string[];
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  $retryable?: { throttling?: boolean };
  $fault?: string;
  RequestId?: string;
}

/**
 * Maps anything the AWS SDK threw onto a {@link Route53ApiError}. The message names the operation,
 * the status and Route53's code and messages; nothing else from the request goes into it.
 */
export function toRoute53Error(
  error: unknown,
  call: {
    operation: string;
    method: string;
    path: string;
    /**
     * Hides the credentials in server text (a proxy may echo the session token): messages and
     * request id go through it, and the SDK's exception is then kept only as a plain `cause` with
     * its name and hidden message.
     */
    redact?: (text: string) => string;
  },
): Route53ApiError {
  if (isRoute53ApiError(error)) return error;
  const raw = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape & Error;
  const redact = call.redact ?? ((text: string) => text);
  const bareRaw = (raw as { Messages?: { Message?: unknown } }).Messages;
  const e: SdkErrorShape & Error = call.redact
    ? Object.assign(Object.create(raw) as SdkErrorShape & Error, {
        message: redact(raw.message ?? ''),
        ...(raw.messages
          ? {
              messages: raw.messages.map((m) =>
                typeof m === 'string' ? redact(m) : { Message: redact(m.Message ?? '') },
              ),
            }
          : {}),
        ...(raw.$metadata?.requestId
          ? { $metadata: { ...raw.$metadata, requestId: redact(raw.$metadata.requestId) } }
          : {}),
        ...(raw.RequestId ? { RequestId: redact(String(raw.RequestId)) } : {}),
        ...(bareRaw
          ? {
              Messages: {
                Message: ([] as unknown[]).concat(bareRaw.Message ?? []).map((m) => redact(String(m))),
              },
            }
          : {}),
      })
    : raw;
  const cause = call.redact ? Object.assign(new Error(e.message), { name: raw.name ?? 'Error' }) : error;
  const status = e.$metadata?.httpStatusCode;
  // The SDK does not recognise the `<InvalidChangeBatch><Messages>…` document (the second error
  // shape): it throws `Unknown` with the parsed `Messages` and `RequestId`. Read it here.
  const bare = (e as { Messages?: { Message?: unknown } }).Messages;
  const bareMessages = bare ? ([] as unknown[]).concat(bare.Message ?? []).map(String) : undefined;
  const awsCode = bareMessages ? 'InvalidChangeBatch' : (e.Code ?? e.code ?? e.name);
  const list = bareMessages
    ? bareMessages
    : Array.isArray(e.messages)
      ? e.messages.map((m) => (typeof m === 'string' ? m : (m.Message ?? ''))).filter(Boolean)
      : [];
  const messages = list.length ? list : e.message ? [e.message] : [];
  let kind: HttpFailureKind = 'http';
  if (status === undefined) {
    if (awsCode === 'TimeoutError' || /timed? ?out/i.test(e.message ?? '')) kind = 'timeout';
    else if (
      (awsCode && NETWORK.has(awsCode)) ||
      NETWORK.has(e.message ?? '') ||
      awsCode === 'CredentialsProviderError'
    )
      kind = awsCode === 'CredentialsProviderError' ? 'http' : 'network';
    else kind = 'invalid-response';
  }
  const code = codeForAws(awsCode, status);
  const retryable =
    code === 'PROVIDER_RATE_LIMITED' ||
    kind === 'network' ||
    kind === 'timeout' ||
    (status !== undefined && status >= 500) ||
    e.$fault === 'server';
  const what =
    status !== undefined ? `answered ${status} ${awsCode ?? ''}`.trim() : `failed (${awsCode ?? kind})`;
  return new Route53ApiError(
    `route53: ${call.operation} ${what}${messages.length ? `: ${messages.join('; ')}` : ''}`,
    {
      kind,
      operation: call.operation,
      method: call.method,
      path: call.path,
      ...(status !== undefined ? { status } : {}),
      ...(awsCode !== undefined ? { awsCode } : {}),
      messages,
      retryable,
      attempts: e.$metadata?.attempts ?? 1,
      ...(e.$metadata?.requestId || e.RequestId
        ? { requestId: e.$metadata?.requestId ?? String(e.RequestId) }
        : {}),
      code,
      cause,
    },
  );
}
