import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

interface Fault {
  status: number;
  body: string;
  /** Only requests with this method fail. */
  method?: string;
  /** Let this many matching requests through first (forwarded as usual), then fail. */
  after?: number;
  /** Close the connection without an answer instead (`status` and `body` are ignored). */
  drop?: boolean;
  /** Answer only after this many ms (longer than the client's timeout: a timeout). */
  delayMs?: number;
  headers?: Record<string, string>;
  /**
   * Send the request to PowerDNS first (it runs), and only then fail as told: its answer is lost
   * (`drop`), replaced (`status`, `body`), or, with `status: 0`, an empty 204 after `delayMs`.
   */
  forward?: boolean;
}

/**
 * An HTTP proxy in front of a real PowerDNS API for tests: records every request, can answer with
 * injected errors instead of forwarding, can delay answers, and measures write concurrency.
 */
export async function startApiProxy(target: string) {
  const targetUrl = new URL(target);
  const seen: SeenRequest[] = [];
  const faults: Fault[] = [];
  let delayMs = 0;
  let inFlightWrites = 0;
  let maxInFlightWrites = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = req.method ?? 'GET';
      const entry: SeenRequest = { method, path: req.url ?? '', headers: req.headers, body, status: 0 };
      seen.push(entry);
      const isWrite = method !== 'GET';
      if (isWrite) maxInFlightWrites = Math.max(maxInFlightWrites, ++inFlightWrites);
      const done = () => {
        if (isWrite) inFlightWrites--;
      };
      const faultIndex = faults.findIndex((f) => f.method === undefined || f.method === method);
      const next = faultIndex >= 0 ? faults[faultIndex] : undefined;
      let fault: Fault | undefined;
      if (next?.after) next.after--;
      else if (next) fault = faults.splice(faultIndex, 1)[0];
      const forwarded = fault?.forward
        ? new Promise<void>((resolve) => {
            const upstream = request(
              {
                host: targetUrl.hostname,
                port: targetUrl.port,
                method,
                path: req.url,
                headers: { ...req.headers, host: targetUrl.host },
              },
              (up) => {
                up.resume();
                up.on('end', () => resolve());
              },
            );
            upstream.on('error', () => resolve());
            upstream.end(body);
          })
        : Promise.resolve();
      const later = (act: () => void, ms: number) => void forwarded.then(() => setTimeout(act, ms));
      later(() => {
        if (fault?.forward && !fault.drop && fault.status === 0) {
          // forwarded, and the answer is only late: an empty 204, as PowerDNS answers a PATCH
          entry.status = 204;
          if (!res.destroyed) res.writeHead(204).end();
          done();
          return;
        }
        if (fault?.drop) {
          entry.status = 0;
          req.socket.destroy();
          done();
          return;
        }
        if (fault) {
          entry.status = fault.status;
          if (!res.destroyed)
            res
              .writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers })
              .end(fault.body);
          done();
          return;
        }
        const upstream = request(
          {
            host: targetUrl.hostname,
            port: targetUrl.port,
            method,
            path: req.url,
            headers: { ...req.headers, host: targetUrl.host },
          },
          (up) => {
            entry.status = up.statusCode ?? 0;
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            up.on('end', done);
          },
        );
        upstream.on('error', (error) => {
          entry.status = 502;
          res.writeHead(502).end(String(error));
          done();
        });
        upstream.end(body);
      }, fault?.delayMs ?? delayMs);
    });
  });
  let connections = 0;
  let openConnections = 0;
  let maxOpenConnections = 0;
  server.on('connection', (socket: Socket) => {
    connections++;
    maxOpenConnections = Math.max(maxOpenConnections, ++openConnections);
    socket.on('close', () => openConnections--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** The next `count` requests (of `method`, when given) get this answer instead of forwarding. */
    fail(count: number, fault: Fault) {
      // `after` counts once, before the first of them
      for (let i = 0; i < count; i++) faults.push({ ...fault, after: i === 0 ? (fault.after ?? 0) : 0 });
    },
    /** Drops the injected faults not yet used. */
    clearFaults() {
      faults.length = 0;
    },
    setDelay(ms: number) {
      delayMs = ms;
    },
    get maxInFlightWrites() {
      return maxInFlightWrites;
    },
    /** TCP connections clients opened to the proxy since it started. */
    get connections() {
      return connections;
    },
    /** Most TCP connections open to the proxy at the same time since it started. */
    get maxOpenConnections() {
      return maxOpenConnections;
    },
    reset() {
      seen.length = 0;
      faults.length = 0;
      maxInFlightWrites = 0;
      delayMs = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type ApiProxy = Awaited<ReturnType<typeof startApiProxy>>;
