// One HTTP attempt: send, read the answer as text, and classify a failure without an answer. Retry,
// rate limiting, events and errors are the transport's (see transport.ts).
import { request, type Dispatcher } from 'undici';
import { isUnsentFailure } from './networkFailures.js';

/** HTTP methods the transport sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Response headers as undici gives them: lower-case names. */
export type HttpHeaders = Record<string, string | string[] | undefined>;

/** One request to send once. */
export interface HttpAttempt {
  /** Absolute URL, query included. */
  url: string;
  /** HTTP method. */
  method: HttpMethod;
  /** Credentials included: they are sent, never reported. */
  headers: Readonly<Record<string, string>>;
  /** The body, already serialised. */
  body?: string | undefined;
  /** Time limit of the attempt in ms, answer body included. */
  timeoutMs: number;
  /** The caller's signal. */
  signal?: AbortSignal | undefined;
  /** The undici dispatcher (connection pool) that sends the attempt. */
  dispatcher: Dispatcher;
  /** Whether a status is a success (its body is read up to `maxBodyBytes`). */
  isSuccess: (status: number) => boolean;
  /** Largest success body read, in bytes (default: no limit). */
  maxBodyBytes?: number | undefined;
  /** Error bodies are read this far and cut there, in bytes. */
  maxErrorBodyBytes: number;
}

/** What the server answered, read whole (error bodies possibly cut). */
export interface HttpAnswer {
  /** HTTP status. */
  status: number;
  /** Answer headers, names in lower case. */
  headers: HttpHeaders;
  /** The body as text; an error body is read only up to the attempt's `maxErrorBodyBytes`. */
  text: string;
}

/** Why an attempt got no (usable) answer. */
export type HttpAttemptFailureKind = 'timeout' | 'network' | 'aborted' | 'too-large';

/** An attempt that got no usable answer; the transport turns it into the client's error. */
export class HttpAttemptFailure extends Error {
  /**
   * @param kind What happened.
   * @param unsent True when the failure proves the request never reached the server.
   */
  constructor(
    readonly kind: HttpAttemptFailureKind,
    readonly unsent: boolean,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(`HTTP attempt failed: ${kind}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpAttemptFailure';
    this.status = options.status;
  }

  /** The status, for a `too-large` answer. */
  readonly status: number | undefined;
}

/**
 * Sends one request and reads the whole answer, whatever its status.
 * @throws {@link HttpAttemptFailure} on a timeout (`timeout`), a failed connection or a broken answer
 * (`network`, with `unsent` when no connection was made), the caller's abort (`aborted`), or a success
 * body over `maxBodyBytes` (`too-large`).
 */
export async function sendHttpAttempt(a: HttpAttempt): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(a.timeoutMs);
  const signal = a.signal ? AbortSignal.any([a.signal, timeout]) : timeout;
  let status = 0;
  try {
    const response = await request(a.url, {
      method: a.method,
      headers: a.headers,
      ...(a.body === undefined ? {} : { body: a.body }),
      signal,
      dispatcher: a.dispatcher,
    });
    status = response.statusCode;
    const success = a.isSuccess(status);
    const text =
      success && a.maxBodyBytes === undefined
        ? await response.body.text()
        : await readLimited(
            response.body,
            success ? (a.maxBodyBytes as number) : a.maxErrorBodyBytes,
            !success,
          );
    return { status, headers: response.headers, text };
  } catch (cause) {
    if (a.signal?.aborted) throw new HttpAttemptFailure('aborted', false, { cause: a.signal.reason });
    if (cause instanceof BodyTooLarge) throw new HttpAttemptFailure('too-large', false, { status });
    if (timeout.aborted) throw new HttpAttemptFailure('timeout', false, { cause });
    throw new HttpAttemptFailure('network', status === 0 && isUnsentFailure(cause), { cause });
  }
}

class BodyTooLarge extends Error {}

/** Reads at most `limit` bytes; past it, either cuts the text there (error bodies) or fails. */
async function readLimited(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  cut: boolean,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      if (!cut) throw new BodyTooLarge();
      chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `path?query`, leaving out undefined values; values are URL-encoded.
 * @example pathWithQuery('/zones', { a: 'x y', b: undefined }) // '/zones?a=x+y'
 */
export function pathWithQuery(
  path: string,
  query: Readonly<Record<string, string | number | boolean | undefined>> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
