import type { ServerResponse } from 'node:http';
import { WEBHOOK_MEDIA_TYPE } from '../mediaType.js';

/** Sends a JSON body with the webhook media type (exactly, without charset). */
export function sendWebhookJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': WEBHOOK_MEDIA_TYPE,
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Sends a short plain-text answer (errors, probes). */
export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = `${text}\n`;
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

/** Sends a status without a body (`204 No Content`). */
export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status);
  response.end();
}
