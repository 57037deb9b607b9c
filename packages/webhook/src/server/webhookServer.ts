import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setMaxListeners } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { ConfigError, toLogger, type DomainFilter, type Logger, type Provider } from '@openova/dns-core';
import { handleApiRequest, routeOf, type ApiContext } from './apiHandler.js';
import { handleHealthRequest, ProviderSeen, type HealthCheck, type HealthContext } from './healthHandler.js';
import { Gate, ShuttingDown } from './limits.js';
import { WebhookMetrics } from './metrics.js';
import { requestPath } from './requestPath.js';
import { sendText } from './respond.js';

/** ExternalDNS's own limit for webhook bodies (`--webhook-provider-max-body-size`). */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Time budget of one webhook API request (ms): ExternalDNS's client gives up after 15 s. */
export const DEFAULT_REQUEST_DEADLINE_MS = 10_000;

/** Request bodies read and parsed at once by default (each costs memory; see docs/webhook.md). */
export const DEFAULT_MAX_CONCURRENT_BODIES = 1;

/**
 * Time limit of one readiness check in ms, by default: a probe's `timeoutSeconds` must be longer
 * (deploy/ sets 7 s).
 */
export const DEFAULT_HEALTH_TIMEOUT_MS = 5000;

/** Open connections per listener, by default (ExternalDNS keeps one or two). */
export const DEFAULT_MAX_CONNECTIONS = 64;

/**
 * Bound of a graceful stop in ms, by default: below Kubernetes' default 30 s
 * `terminationGracePeriodSeconds`, after which the kubelet kills the container.
 */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * Time between aborting the provider calls still running at shutdown and closing what is left
 * open: `min(2000, shutdownTimeoutMs / 4)` ms (an aborted call settles within milliseconds).
 */
export function shutdownAbortGraceMs(shutdownTimeoutMs: number): number {
  return Math.min(2000, Math.floor(shutdownTimeoutMs / 4));
}

/** Where one listener is bound. */
export interface BoundAddress {
  /** The address bound, as the kernel reports it (e.g. `127.0.0.1`, `::1`). */
  host: string;
  /** The port bound (the one the kernel picked when `0` was asked). */
  port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  url: string;
}

/** The addresses {@link WebhookServer.start} bound. */
export interface WebhookServerAddresses {
  /** The webhook API listener (`/`, `/records`, `/adjustendpoints`). */
  api: BoundAddress;
  /** Absent when the health port is turned off. */
  health: BoundAddress | undefined;
}

/** A host and port to listen on; port `0` lets the kernel pick a free one. */
export interface ListenOptions {
  /** Address to bind: an IPv4 or IPv6 literal or a host name (default per listener). */
  host?: string;
  /** Port from 0 to 65535 (default per listener; `0` picks a free one). */
  port?: number;
}

/**
 * Options of {@link createWebhookServer}: the provider served, the two listeners, and the limits
 * that keep one request (or one slow client) from taking the sidecar down. Times are in ms.
 */
export interface WebhookServerOptions {
  /** The provider every request is served by. */
  provider: Provider;
  /** The webhook API listener (default `127.0.0.1:8888`, ExternalDNS's convention). */
  api?: ListenOptions;
  /** The health and metrics listener (default `0.0.0.0:8080`), or `false` for none. */
  health?: ListenOptions | false;
  /** The filter announced at negotiation (default the provider's own). */
  domainFilter?: DomainFilter;
  /**
   * Largest request body accepted; larger ones get 500 naming the setting (not 413: ExternalDNS's
   * client exits on every 4xx). Default 32 MiB.
   */
  maxBodyBytes?: number;
  /**
   * Time budget of one API request in ms (default 10 000): an answer not ready by then is 503 with
   * `Retry-After` (a write in flight goes on, unless a shutdown's drain deadline aborts it). Keep it below ExternalDNS's 15 s.
   */
  requestDeadlineMs?: number;
  /**
   * Request bodies read and parsed at once (default 1); up to `maxQueuedBodies` (default 16) more
   * wait for their turn within the deadline, and further ones get 503 with `Retry-After`.
   */
  maxConcurrentBodies?: number;
  /** Requests waiting for a body slot beyond `maxConcurrentBodies` (default 16); further ones get 503. */
  maxQueuedBodies?: number;
  /**
   * Open connections per listener (default 64). A connection beyond it closes the oldest idle one
   * (no request being answered on it), so probes get through a flood of idle connections; when
   * every open connection has a request in flight, the new one is closed.
   */
  maxConnections?: number;
  /**
   * Slow-client limits of the API port in ms: the request head must arrive within `headersMs`
   * (default 5000) and the whole request within `requestMs` (default 60 000); an idle keep-alive
   * connection is closed after `keepAliveMs` (default 30 000). They are checked every second.
   * The health port uses 5000 and 10 000.
   */
  timeouts?: { headersMs?: number; requestMs?: number; keepAliveMs?: number };
  /** Readiness check (default: list the provider's zones, or read its records). */
  healthCheck?: HealthCheck;
  /** Time limit of one health check in ms (default 5000). */
  healthTimeoutMs?: number;
  /**
   * How long (ms) a provider answer keeps readiness green without an API call (default 60 000): a
   * readiness check, or any successful provider API call noted with `WebhookServer.providerAnswered`
   * (the command hooks it to the client's request events). 0 checks on every probe.
   */
  healthCacheMs?: number;
  /**
   * How long (ms) a failed readiness check is answered again without an API call (default 30 000),
   * stating its age (`provider unavailable (checked 12 s ago): …`): a wrong key or an outage costs
   * at most one check per this time. A provider answer (see `healthCacheMs`) ends it at once.
   * 0 checks on every probe.
   */
  healthFailureCacheMs?: number;
  /** The metrics to write to (default: a new {@link WebhookMetrics}); lets the caller hook the provider client to it. */
  metrics?: WebhookMetrics;
  /**
   * The bound of {@link WebhookServer.stop} in ms (default 25 000, below Kubernetes' 30 s
   * `terminationGracePeriodSeconds`): requests in flight, and the provider calls they started
   * (a write past its request's deadline too), are waited for until `shutdownTimeoutMs` minus
   * `min(2000, shutdownTimeoutMs / 4)`; then every provider call still running is aborted through
   * its `AbortSignal` and logged (`apply cut at shutdown`, `request cut at shutdown`), and what is
   * still open at `shutdownTimeoutMs` is closed.
   */
  shutdownTimeoutMs?: number;
  /** The version shown in the start-up log and the `openova_dns_webhook_build_info` metric. */
  version?: string;
  /** Values that must never appear in an answer or log line (API keys); they are replaced. */
  secrets?: readonly string[];
  /**
   * Where start-up, shutdown, request (`debug`) and failure lines go: a core `Logger`, e.g. from
   * {@link createStructuredLogger} (default: none).
   */
  logger?: Logger;
}

/** A webhook sidecar: the ExternalDNS webhook API plus a health and metrics port. */
export interface WebhookServer {
  /**
   * Starts listening; resolves with the bound addresses.
   * @throws {@link ListenError} when a listener cannot listen (its `code`: `EADDRINUSE`, `ENOTFOUND`…).
   */
  start(): Promise<WebhookServerAddresses>;
  /**
   * Stops accepting connections, fails readiness, lets requests in flight and their provider calls
   * finish until the drain deadline, aborts the provider calls still running then (logging what
   * was cut), and resolves within `shutdownTimeoutMs` with everything closed. Calling it again
   * returns the same shutdown (it is logged and run once).
   */
  stop(): Promise<void>;
  /** The bound addresses once started. */
  readonly addresses: WebhookServerAddresses | undefined;
  /** Requests being handled right now. */
  readonly inFlight: number;
  /** The metrics the server writes to (`options.metrics`, or its own), served at `/metrics`. */
  readonly metrics: WebhookMetrics;
  /** Notes that the provider API answered (keeps readiness green without a check; see `healthCacheMs`). */
  providerAnswered(): void;
}

function boundAddress(server: Server): BoundAddress {
  const address = server.address() as AddressInfo;
  const host = address.address;
  return {
    host,
    port: address.port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
  };
}

/** A listener that could not listen: which one (`api` or `health`), where, and Node's `code`. */
export class ListenError extends Error {
  /** `api` (the webhook API) or `health`. */
  readonly listener: 'api' | 'health';
  /** The address it tried (`WEBHOOK_HOST` or `HEALTH_HOST` for the command). */
  readonly host: string;
  /** The port it tried. */
  readonly port: number;
  /** Node's error code: `EADDRINUSE`, `EACCES`, `ENOTFOUND`… */
  readonly code: string | undefined;

  constructor(where: { listener: 'api' | 'health'; host: string; port: number }, cause: unknown) {
    super(
      `the ${where.listener === 'api' ? 'webhook API' : 'health'} listener cannot listen on ${where.host}:${where.port}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'ListenError';
    this.listener = where.listener;
    this.host = where.host;
    this.port = where.port;
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

function listen(
  server: Server,
  options: Required<ListenOptions>,
  listener: 'api' | 'health',
): Promise<BoundAddress> {
  return new Promise((resolve, reject) => {
    const failed = (error: unknown) => reject(new ListenError({ listener, ...options }, error));
    server.once('error', failed);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', failed);
      resolve(boundAddress(server));
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Bounds a listener to `max` open connections without locking anyone out: a connection beyond it
 * closes the oldest idle one (no request being answered on it: connected and silent, a head still
 * arriving, or kept alive between requests), so a flood of idle connections cannot keep the
 * kubelet's probes or ExternalDNS out. A connection with a request in flight is never closed for
 * this; when every open one has one, the new connection is closed instead.
 */
function boundConnections(server: Server, max: number): void {
  const open = new Set<Socket>(); // in arrival order: the oldest first
  const answering = new Map<Socket, number>(); // requests in flight per connection
  const drop = (socket: Socket) => {
    open.delete(socket);
    socket.destroy();
  };
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      answering.delete(socket);
    });
    if (open.size <= max) return;
    for (const older of open) {
      if (older === socket) break;
      if (!answering.get(older)) return drop(older);
    }
    drop(socket);
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    answering.set(socket, (answering.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (answering.get(socket) ?? 1) - 1;
      if (left > 0) answering.set(socket, left);
      else answering.delete(socket);
    });
  });
}

function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ConfigError(`${what} port must be an integer from 0 to 65535, got ${port}`);
}

function defaultHealthCheck(provider: Provider): HealthCheck {
  return (signal) => (provider.zones ? provider.zones({ signal }) : provider.records({ signal }));
}

/**
 * Creates the webhook sidecar around a provider. Nothing listens until {@link WebhookServer.start}.
 *
 * ```ts
 * const server = createWebhookServer({ provider: new PowerDnsProvider({ apiUrl, apiKey }) });
 * const { api, health } = await server.start();
 * ```
 */
export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const apiListen = { host: options.api?.host ?? '127.0.0.1', port: options.api?.port ?? 8888 };
  const healthListen =
    options.health === false
      ? undefined
      : { host: options.health?.host ?? '0.0.0.0', port: options.health?.port ?? 8080 };
  checkPort(apiListen.port, 'webhook API');
  if (healthListen) checkPort(healthListen.port, 'health');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0)
    throw new ConfigError(`maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  const logger = toLogger(options.logger);
  const metrics = options.metrics ?? new WebhookMetrics({ version: options.version ?? 'unknown' });
  const seen = new ProviderSeen(options.healthCacheMs ?? 60_000, options.healthFailureCacheMs ?? 30_000);
  const secrets = options.secrets ?? [];
  const positive = (value: number, name: string) => {
    if (!Number.isInteger(value) || value <= 0)
      throw new ConfigError(`${name} must be a positive integer, got ${value}`);
    return value;
  };
  const deadlineMs = positive(options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS, 'requestDeadlineMs');
  const maxConnections = positive(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, 'maxConnections');
  const shutdownTimeoutMs = positive(
    options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    'shutdownTimeoutMs',
  );
  const bodyGate = new Gate(
    'request bodies',
    positive(options.maxConcurrentBodies ?? DEFAULT_MAX_CONCURRENT_BODIES, 'maxConcurrentBodies'),
    options.maxQueuedBodies ?? 16,
  );
  let stopping = false;
  let stopped: Promise<void> | undefined;
  let addresses: WebhookServerAddresses | undefined;
  // Answers not fully sent yet, and the work of each request (which may outlive its answer: a
  // write past the deadline); shutdown waits until both are empty, up to its drain deadline.
  const inFlight = new Set<ServerResponse>();
  const works = new Set<Promise<unknown>>();
  let drained: (() => void) | undefined;
  const checkDrained = () => {
    if (inFlight.size === 0 && works.size === 0) drained?.();
  };
  // fired at the drain deadline: aborts every provider call still running
  const shutdown = new AbortController();
  // one listener per request in flight (and per provider call): no leak warning for many
  setMaxListeners(0, shutdown.signal);

  const apiContext: ApiContext = {
    provider: options.provider,
    domainFilter: options.domainFilter ?? options.provider.domainFilter,
    maxBodyBytes,
    deadlineMs,
    bodyGate,
    applyGate: new Gate('applies', 1, 4),
    metrics,
    logger,
    secrets,
    onApplied: () => metrics.setLastApply(),
    shutdown: shutdown.signal,
    track: (work) => {
      works.add(work);
      const done = () => {
        works.delete(work);
        checkDrained();
      };
      work.then(done, done);
    },
  };
  const healthContext: HealthContext = {
    healthCheck: options.healthCheck ?? defaultHealthCheck(options.provider),
    seen,
    timeoutMs: options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
    metrics,
    logger,
    secrets,
    isStopping: () => stopping,
  };

  const onApiRequest = (request: IncomingMessage, response: ServerResponse) => {
    // nothing thrown here may escape: an uncaught exception would end the process
    try {
      acceptApiRequest(request, response);
    } catch (error) {
      logger.error?.('request handler failed', { error });
      if (!response.headersSent) sendText(response, 500, 'internal error', { connection: 'close' });
      else response.destroy();
    }
  };

  const acceptApiRequest = (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    // cleaned as Go's ServeMux does: `//records` is `/records`, never the negotiation endpoint
    const path = requestPath(request.url);
    const route = path === undefined ? 'unknown' : routeOf(path);
    const method = request.method ?? 'GET';
    response.once('finish', () => {
      // the provider just answered (records read, or changes written)
      if (route === 'records' && (response.statusCode === 200 || response.statusCode === 204))
        seen.answered();
      const seconds = (performance.now() - started) / 1000;
      metrics.observeRequest({ route, method, status: response.statusCode, seconds });
      logger.debug?.('request', {
        method,
        route,
        status: response.statusCode,
        ms: Math.round(seconds * 1000),
      });
    });
    if (path === undefined) {
      request.resume();
      metrics.observeError(route, 'bad_request');
      return sendText(
        response,
        400,
        'bad request target; the webhook API serves /, /records and /adjustendpoints',
        {
          connection: 'close',
        },
      );
    }
    if (stopping) {
      // a keep-alive connection may still send one after close(): refuse it and hang up
      request.resume();
      return sendText(response, 503, 'shutting down', { connection: 'close' });
    }
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      checkDrained();
    });
    handleApiRequest(apiContext, { request, response, route }).catch((error: unknown) => {
      logger.error?.('request handler failed', { error });
      if (!response.headersSent) sendText(response, 500, 'internal error');
      else response.destroy();
    });
  };

  const onHealthRequest = (request: IncomingMessage, response: ServerResponse) => {
    const failed = (error: unknown) => {
      logger.error?.('health handler failed', { error });
      if (!response.headersSent) sendText(response, 500, 'internal error', { connection: 'close' });
      else response.destroy();
    };
    try {
      handleHealthRequest(healthContext, { request, response }).catch(failed);
    } catch (error) {
      failed(error);
    }
  };

  // Timeouts like ExternalDNS's in-tree server: headers 5 s, idle keep-alive 30 s. Node checks the
  // headers and request timeouts only every `connectionsCheckingInterval` (30 s by default), so a
  // slow client would hold a connection up to 35 s past `headersTimeout`: check every second.
  const apiServer = createServer(
    {
      headersTimeout: options.timeouts?.headersMs ?? 5000,
      requestTimeout: options.timeouts?.requestMs ?? 60_000,
      keepAliveTimeout: options.timeouts?.keepAliveMs ?? 30_000,
      connectionsCheckingInterval: 1000,
    },
    onApiRequest,
  );
  boundConnections(apiServer, maxConnections);
  const healthServer = healthListen
    ? createServer(
        { headersTimeout: 5000, requestTimeout: 10_000, connectionsCheckingInterval: 1000 },
        onHealthRequest,
      )
    : undefined;
  if (healthServer) boundConnections(healthServer, maxConnections);

  return {
    get addresses() {
      return addresses;
    },
    get inFlight() {
      return inFlight.size;
    },
    metrics,
    providerAnswered: () => seen.answered(),
    async start() {
      if (addresses) return addresses;
      const api = await listen(apiServer, apiListen, 'api');
      let health: BoundAddress | undefined;
      try {
        health =
          healthServer && healthListen ? await listen(healthServer, healthListen, 'health') : undefined;
      } catch (error) {
        await close(apiServer);
        throw error;
      }
      addresses = { api, health };
      logger.info?.('webhook server listening', {
        api: api.url,
        ...(health ? { health: health.url } : {}),
        provider: options.provider.name,
        version: options.version ?? 'unknown',
      });
      return addresses;
    },
    stop() {
      // a second call (a second signal, a test's cleanup) waits for the same shutdown
      stopped ??= stopOnce();
      return stopped;
    },
  };

  async function stopOnce(): Promise<void> {
    const started = performance.now();
    stopping = true;
    logger.info?.('shutting down', { inFlight: inFlight.size });
    const apiClosed = close(apiServer);
    let resolveDrained!: () => void;
    const allDone = new Promise<'done'>((resolve) => (resolveDrained = () => resolve('done')));
    drained = resolveDrained;
    checkDrained();
    const until = (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      const wait = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, ms - (performance.now() - started)));
      });
      return Promise.race([allDone, wait]).finally(() => clearTimeout(timer));
    };
    // requests in flight and the provider calls they started finish, up to the drain deadline…
    if ((await until(shutdownTimeoutMs - shutdownAbortGraceMs(shutdownTimeoutMs))) === 'timeout') {
      // …then every provider call still running is aborted, so the stop stays within its bound
      // (a PowerDNS answering in 40 s would otherwise hold the process past Kubernetes' 30 s)
      logger.warn?.('shutdown drain deadline reached: aborting provider calls in flight', {
        requests: inFlight.size,
        providerWork: works.size,
        afterMs: Math.round(performance.now() - started),
      });
      shutdown.abort(new ShuttingDown());
      if ((await until(shutdownTimeoutMs)) === 'timeout')
        logger.warn?.('requests still in flight at shutdown timeout', {
          requests: inFlight.size,
          providerWork: works.size,
        });
    }
    apiServer.closeAllConnections();
    await apiClosed;
    if (healthServer) {
      const healthClosed = close(healthServer);
      healthServer.closeAllConnections();
      await healthClosed;
    }
    logger.info?.('stopped', { ms: Math.round(performance.now() - started) });
  }
}
