import type { IncomingMessage } from 'node:http';

/** The outcome of reading a request body: the parsed JSON, or why it was refused. */
export type BodyResult =
  | { ok: true; value: unknown }
  | { ok: false; status: 400 | 413; reason: 'bad_request' | 'payload_too_large'; message: string };

/**
 * Reads and parses a JSON request body of at most `maxBytes` bytes.
 *
 * A declared `Content-Length` over the limit is refused before reading; a body that grows past it
 * while streaming stops being buffered and the rest is discarded, so memory use stays bounded.
 */
export function readJsonBody(request: IncomingMessage, options: { maxBytes: number }): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    status: 413,
    reason: 'payload_too_large',
    message: `request body is larger than ${options.maxBytes} bytes`,
  };
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    request.resume(); // discard; the answer is sent with Connection: close
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBytes) overflow = true;
      if (!overflow) chunks.push(chunk);
    });
    request.once('error', reject);
    request.once('end', () => {
      if (overflow) return resolve(tooLarge);
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve({ ok: true, value: JSON.parse(text) as unknown });
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        resolve({
          ok: false,
          status: 400,
          reason: 'bad_request',
          message: `malformed JSON body: ${detail}`.slice(0, 300),
        });
      }
    });
  });
}
