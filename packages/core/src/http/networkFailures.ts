// Helpers every HTTP-based provider client needs to report transport failures the same way.

/** True when the failure (or any error in its `cause` chain) is a refused TCP connection. */
export function isConnectionRefused(error: unknown): boolean {
  return hasCode(error, (code) => code === 'ECONNREFUSED');
}

// Failures that happen before a connection exists: the request cannot have been written.
const UNSENT_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * True when the failure proves the server never received the request: no connection could be made
 * (refused, connect timeout, name not resolved, no route). A reset or timeout after connecting
 * proves nothing: the request may have been written and run.
 */
export function isUnsentFailure(error: unknown): boolean {
  return hasCode(error, (code) => UNSENT_CODES.has(code));
}

function hasCode(error: unknown, test: (code: string) => boolean): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && test(code)) return true;
  }
  return false;
}

/** One line naming a transport failure and its causes: `ECONNREFUSED: connect … ← …`. */
export function describeNetworkFailure(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 3; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}: ${e.message}` : e.message);
  }
  return parts.join(' ← ') || String(error);
}

/** Seconds from a `Retry-After` header (delta seconds or an HTTP date), rounded up. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.ceil(Number(raw.trim()));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
