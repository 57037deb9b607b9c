import type { ServerResponse } from 'node:http';
import { endpointToJSON, type Endpoint } from '@openova/dns-core';
import { WEBHOOK_MEDIA_TYPE } from '../mediaType.js';

/** Endpoints serialised per write while streaming a list. */
const ENDPOINTS_PER_WRITE = 1000;

/**
 * Sends a list of endpoints as a JSON array, a slice at a time (chunked transfer encoding), waiting
 * for the socket to drain between slices: a zone of 100,000 record sets never exists as one string.
 */
export async function sendEndpoints(response: ServerResponse, endpoints: readonly Endpoint[]): Promise<void> {
  response.writeHead(200, { 'content-type': WEBHOOK_MEDIA_TYPE });
  let first = true;
  for (let start = 0; start < endpoints.length || first; start += ENDPOINTS_PER_WRITE) {
    let text = first ? '[' : ',';
    text += endpoints
      .slice(start, start + ENDPOINTS_PER_WRITE)
      .map((ep) => JSON.stringify(endpointToJSON(ep)))
      .join(',');
    first = false;
    if (response.destroyed) return;
    if (!response.write(text))
      await new Promise<void>((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
  }
  response.end(']');
}

/**
 * Sends the negotiation answer: a JSON body with the webhook media type (exactly, without charset)
 * and `Vary: Content-Type`, which ExternalDNS v0.13 requires (later releases ignore it).
 */
export function sendWebhookJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': WEBHOOK_MEDIA_TYPE,
    vary: 'Content-Type',
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
