// Raw HTTP for tests: exact headers and bytes, as ExternalDNS's Go client sends them.
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

export const MEDIA_TYPE = 'application/external.dns.webhook+json;version=1';

export function rawRequest(
  url: string,
  options: {
    method?: string;
    path?: string;
    /** The request target sent as is (`//records`), instead of `path` resolved against `url`. */
    target?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(options.path ?? '/', url);
    const req = request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        path: options.target ?? `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as unknown,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What ExternalDNS's webhook client sends with a body (Go net/http adds the rest). */
export function externalDnsPost(url: string, path: string, body: string): Promise<RawResponse> {
  return rawRequest(url, {
    method: 'POST',
    path,
    headers: {
      'content-type': MEDIA_TYPE,
      accept: MEDIA_TYPE,
      'user-agent': 'Go-http-client/1.1',
      'content-length': String(Buffer.byteLength(body)),
      'accept-encoding': 'gzip',
    },
    body,
  });
}

export function externalDnsGet(url: string, path: string): Promise<RawResponse> {
  return rawRequest(url, {
    path,
    headers: { accept: MEDIA_TYPE, 'user-agent': 'Go-http-client/1.1', 'accept-encoding': 'gzip' },
  });
}
