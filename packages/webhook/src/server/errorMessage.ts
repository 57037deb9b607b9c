import { isDnsError, ValidationError } from '@openova/dns-core';

const MAX_MESSAGE_LENGTH = 300;

/**
 * A message safe to send to a client: one line, at most `maxLength` characters (default 300), and every configured
 * secret (API keys) replaced by `[redacted]` in case a provider ever echoed one.
 */
export function safeMessage(
  message: string,
  secrets: readonly string[],
  maxLength: number = MAX_MESSAGE_LENGTH,
): string {
  let text = message;
  for (const secret of secrets) if (secret.length > 0) text = text.split(secret).join('[redacted]');
  text = text.replace(/\s*\n\s*/g, '; ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** The short description of a provider failure: the SDK error code and message, never the cause. */
export function describeFailure(error: unknown): string {
  if (error instanceof ValidationError) return error.message;
  if (isDnsError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : 'unexpected failure';
}
