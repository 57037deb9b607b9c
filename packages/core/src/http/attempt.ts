// One HTTP attempt as every provider client makes it: the caller's signal and a timeout, the answer
// read as text, the outcome reported to a hook. Retry policies and the reading of answers stay with
// each client; this is the part that is the same everywhere.
import { request, type Dispatcher } from 'undici';
import { AbortedError } from '../errors.js';
import { describeNetworkFailure, isConnectionRefused } from './networkFailures.js';

/** What a client's `onRequest` hook hears of each attempt; never carries a credential. */
export interface HttpRequestEvent {
  method: string;
  /** Path below the API base, query included. */
  path: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** HTTP status, when the server answered. */
  status?: number;
  durationMs: number;
  /** Set when the attempt failed without an answer. */
  failure?: 'network' | 'timeout' | 'aborted';
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpAttempt {
  /** Provider name for messages, e.g. `pdns`. */
  provider: string;
  /** API base (origin and path prefix); `path` is appended to it. */
  base: URL;
  method: HttpMethod;
  /** Path below the base, query included. */
  path: string;
  attempt: number;
  /** Credentials included: they are sent, never reported. */
  headers: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  dispatcher?: Dispatcher | undefined;
  onRequest?: ((event: HttpRequestEvent) => void) | undefined;
  /** The client's own error for an attempt that got no answer, from the facts given. */
  unanswered: (failure: UnansweredAttempt) => Error;
}

/** An attempt that timed out or could not connect: always worth retrying. */
export interface UnansweredAttempt {
  /** `pdns: GET /servers/localhost/zones timed out after 30000 ms`, or `… failed: ECONNREFUSED …`. */
  message: string;
  kind: 'timeout' | 'network';
  method: HttpMethod;
  path: string;
  retryable: true;
  attempts: number;
  /** For a network failure: what failed, and `PROVIDER_UNREACHABLE` when the connection was refused. */
  cause?: unknown;
  code?: 'PROVIDER_UNREACHABLE' | 'PROVIDER';
}

/** What the server answered, read whole. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Sends one request and reads the whole answer, whatever its status. Throws {@link AbortedError}
 * when the caller's signal fires, and the client's `unanswered` error on a timeout or a failed
 * connection.
 */
export async function sendHttpAttempt(a: HttpAttempt): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(a.timeoutMs);
  const signal = a.signal ? AbortSignal.any([a.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...a.headers };
  let body: string | undefined;
  if (a.body !== undefined) {
    body = JSON.stringify(a.body);
    headers['content-type'] = 'application/json';
  }
  const started = performance.now();
  const report = (event: Pick<HttpRequestEvent, 'status' | 'failure'>) => {
    try {
      a.onRequest?.({
        method: a.method,
        path: a.path,
        attempt: a.attempt,
        durationMs: performance.now() - started,
        ...event,
      });
    } catch {
      // a logging hook must never break a call
    }
  };
  try {
    const response = await request(`${a.base.origin}${a.base.pathname}${a.path}`, {
      method: a.method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal,
      ...(a.dispatcher ? { dispatcher: a.dispatcher } : {}),
    });
    const text = await response.body.text();
    report({ status: response.statusCode });
    return { status: response.statusCode, headers: response.headers, text };
  } catch (cause) {
    if (a.signal?.aborted) {
      report({ failure: 'aborted' });
      throw new AbortedError(`${a.provider}: ${a.method} ${a.path} aborted`, { cause: a.signal.reason });
    }
    const facts = { method: a.method, path: a.path, retryable: true, attempts: a.attempt } as const;
    if (timeout.aborted) {
      report({ failure: 'timeout' });
      throw a.unanswered({
        ...facts,
        kind: 'timeout',
        message: `${a.provider}: ${a.method} ${a.path} timed out after ${a.timeoutMs} ms`,
      });
    }
    report({ failure: 'network' });
    throw a.unanswered({
      ...facts,
      kind: 'network',
      message: `${a.provider}: ${a.method} ${a.path} failed: ${describeNetworkFailure(cause)} (${a.base.origin})`,
      cause,
      code: isConnectionRefused(cause) ? 'PROVIDER_UNREACHABLE' : 'PROVIDER',
    });
  }
}

/** `path?query`, leaving out undefined values. */
export function pathWithQuery(
  path: string,
  query: Readonly<Record<string, string | number | boolean | undefined>> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
