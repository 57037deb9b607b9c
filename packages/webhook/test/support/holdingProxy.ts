// An HTTP proxy in front of PowerDNS's API that can hold PATCH requests, to have an apply in flight.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  url: string;
  /** Resolves when the next PATCH arrived (and is being held). */
  nextPatch(): Promise<void>;
  /** Hold each PATCH this long before forwarding it (0 = forward at once). */
  holdMs: number;
  /** Hold every request (any method) this long before forwarding it (0 = forward at once). */
  holdAllMs: number;
  /** Requests forwarded so far, as `METHOD path`. */
  seen: string[];
  /** Held requests whose client hung up before they were forwarded (aborted calls), as `METHOD path`. */
  abandoned: string[];
  close(): Promise<void>;
}

export async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const waiters: (() => void)[] = [];
  const state = { holdMs: 0, holdAllMs: 0 };
  const seen: string[] = [];
  const abandoned: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forward = () => {
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    };
    seen.push(`${req.method} ${req.url}`);
    // a held request is dropped when its client hangs up first (as an aborted call does)
    const hold = (ms: number) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        forward();
      }, ms);
      timers.add(timer);
      res.once('close', () => {
        if (!timers.has(timer)) return;
        clearTimeout(timer);
        timers.delete(timer);
        abandoned.push(`${req.method} ${req.url}`);
      });
    };
    if (state.holdAllMs > 0) return hold(state.holdAllMs);
    if (req.method === 'PATCH') {
      waiters.splice(0).forEach((w) => w());
      if (state.holdMs > 0) return hold(state.holdMs);
    }
    forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    nextPatch: () => new Promise<void>((resolve) => waiters.push(resolve)),
    get holdMs() {
      return state.holdMs;
    },
    set holdMs(value: number) {
      state.holdMs = value;
    },
    get holdAllMs() {
      return state.holdAllMs;
    },
    set holdAllMs(value: number) {
      state.holdAllMs = value;
    },
    seen,
    abandoned,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
