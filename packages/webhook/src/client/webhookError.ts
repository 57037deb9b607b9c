import { ProviderError } from '@openova/dns-core';

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

export interface WebhookErrorOptions {
  kind: WebhookFailureKind;
  method: string;
  /** Path of the call (`/`, `/records`, `/adjustendpoints`). */
  path: string;
  status?: number;
  /** The start of the server's error body, when it sent one. */
  serverMessage?: string;
  retryable: boolean;
  /** Attempts made (negotiation retries; 1 for every other call). */
  attempts?: number;
  cause?: unknown;
}

/**
 * A call to an ExternalDNS webhook provider failed. `retryable` follows ExternalDNS's rules: a 500–510
 * answer is a soft error worth retrying at the next run; timeouts and connection failures are also
 * marked retryable (ExternalDNS would exit on them; a controller should rather try again). Every
 * other unexpected status or body is not retryable.
 */
export class WebhookError extends ProviderError {
  readonly kind: WebhookFailureKind;
  readonly method: string;
  readonly path: string;
  readonly serverMessage: string | undefined;
  readonly attempts: number;

  constructor(message: string, options: WebhookErrorOptions) {
    super(message, {
      provider: 'webhook',
      retryable: options.retryable,
      code: `WEBHOOK_${options.kind.toUpperCase().replace('-', '_')}`,
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'WebhookError';
    this.kind = options.kind;
    this.method = options.method;
    this.path = options.path;
    this.serverMessage = options.serverMessage;
    this.attempts = options.attempts ?? 1;
  }
}

/** ExternalDNS's soft-error range: statuses it retries at the next interval. */
export function isSoftErrorStatus(status: number): boolean {
  return status >= 500 && status <= 510;
}
