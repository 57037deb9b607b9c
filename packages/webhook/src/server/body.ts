import type { IncomingMessage } from 'node:http';

/** The outcome of reading a request body: the parsed JSON, or why it was refused. */
export type BodyResult =
  | { ok: true; value: unknown }
  | {
      ok: false;
      status: 400 | 500 | 503;
      reason: 'bad_request' | 'payload_too_large' | 'busy';
      message: string;
    };

/**
 * Reads and parses a JSON request body of at most `maxBytes` bytes.
 *
 * A declared `Content-Length` over the limit is refused before reading; a body that grows past it
 * while streaming stops being buffered and the rest is discarded, so memory use stays bounded. A
 * declared length is read into one buffer of that size (no chunk list, no copy). When `signal`
 * fires before the body is complete, reading stops and the answer is 503 (the connection is then
 * closed by the caller).
 */
export function readJsonBody(
  request: IncomingMessage,
  options: { maxBytes: number; signal?: AbortSignal },
): Promise<BodyResult> {
  // 500, not 413: ExternalDNS's client exits on every 4xx, and a large sync is normal operation
  // (its next interval retries; the message says which setting to raise)
  const tooLarge: BodyResult = {
    ok: false,
    status: 500,
    reason: 'payload_too_large',
    message: `request body is larger than ${options.maxBytes} bytes (WEBHOOK_MAX_BODY_BYTES); raise it with the memory limit (see sizing in docs/webhook.md), or narrow the domain filter`,
  };
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    request.resume(); // discard; the answer is sent with Connection: close
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const known = Number.isInteger(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    const onAbort = () => {
      request.pause();
      cleanup();
      resolve({ ok: false, status: 503, reason: 'busy', message: 'the request body did not arrive in time' });
    };
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const onData = (chunk: Buffer) => {
      if (!overflow && known && size + chunk.length <= known.length) chunk.copy(known, size);
      else if (!overflow && !known) chunks.push(chunk);
      size += chunk.length;
      if (size > options.maxBytes || (known && size > known.length)) {
        overflow = true;
        chunks.length = 0;
      }
    };
    const onEnd = () => {
      cleanup();
      if (overflow) return resolve(tooLarge);
      const bytes = known ? known.subarray(0, size) : Buffer.concat(chunks);
      chunks.length = 0;
      try {
        resolve({ ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown });
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        resolve({
          ok: false,
          status: 400,
          reason: 'bad_request',
          message: `malformed JSON body: ${detail}`.slice(0, 300),
        });
      }
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', (error) => {
      cleanup();
      reject(error);
    });
  });
}
