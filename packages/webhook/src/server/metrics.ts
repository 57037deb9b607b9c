/**
 * The sidecar's Prometheus metrics, with `prom-client`: Node.js and process defaults, the webhook
 * API's requests, the provider's upstream API calls, rate-limit budgets and the last successful
 * apply. Names follow ExternalDNS's own metrics where the meaning is the same
 * (`external_dns_build_info`, `external_dns_controller_last_sync_timestamp_seconds`,
 * `external_dns_http_request_duration_seconds`), under the `openova_dns_webhook_` prefix.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; the upper bounds of the request latency histograms. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Media type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Why a request was answered with an error (the `reason` label of `…_errors_total`). */
export type ErrorReason =
  | 'bad_request'
  | 'invalid_records'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'method_not_allowed'
  | 'not_found'
  | 'busy'
  | 'provider';

/** One upstream API attempt, as core's transport reports it (`HttpRequestEvent`). */
export interface UpstreamAttempt {
  /** The provider client that made the call (`pdns`, `cloudflare`, …): the `provider` label. */
  provider: string;
  /** HTTP method of the call, e.g. `PATCH`: the `method` label. */
  method: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** HTTP status of the answer; absent when none came (then `failure` says why). */
  status?: number;
  /** Why no answer came; the `status` label then reads `network`, `timeout` or `aborted`. */
  failure?: 'network' | 'timeout' | 'aborted';
  /** Duration of the attempt in ms (recorded in seconds in the histogram). */
  durationMs: number;
}

/** A provider's rate-limit budget, read at scrape time. */
export interface RateLimitBudget {
  /** Requests left in the current window (from the API's headers), when reported. */
  remaining?: number;
  /** Requests per window, when reported. */
  limit?: number;
  /** Seconds until the client's own limiter lets the next request go (0 = now). */
  waitSeconds?: number;
}

const P = 'openova_dns_webhook_';

/** Labels in name order: prom-client writes them in the order given, and stable text is easier to match. */
function sorted<T extends Record<string, string>>(labels: T): T {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))) as T;
}

/** The metrics of one webhook server, in their own registry; {@link WebhookMetrics.render} writes them. */
export class WebhookMetrics {
  /** The `prom-client` registry holding these metrics only (not the global one); register your own in it. */
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #errors: Counter<'route' | 'reason'>;
  readonly #latency: Histogram<'route' | 'method'>;
  readonly #records: Gauge;
  readonly #changes: Counter<'change'>;
  readonly #invalid: Counter<'route' | 'reason'>;
  readonly #lastSync: Gauge;
  readonly #providerUp: Gauge;
  readonly #upstreamRequests: Counter<'provider' | 'method' | 'status'>;
  readonly #upstreamDuration: Histogram<'provider' | 'method' | 'status'>;
  readonly #upstreamRetries: Counter<'provider' | 'method'>;
  readonly #budgets = new Map<string, () => RateLimitBudget | undefined>();

  /**
   * @param options.version Shown in `openova_dns_webhook_build_info`.
   * @param options.defaultMetrics Node.js and process metrics (`process_resident_memory_bytes`, …;
   *   default true).
   */
  constructor(options: { version?: string; defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: `${P}build_info`,
      help: 'Always 1; labelled with the version, Node.js version, OS and architecture (as external_dns_build_info).',
      labelNames: ['arch', 'node_version', 'os', 'version'],
      registers,
    }).set(
      {
        arch: process.arch,
        node_version: process.version,
        os: process.platform,
        version: options.version ?? 'unknown',
      },
      1,
    );
    new Gauge({ name: `${P}start_time_seconds`, help: 'Unix time the server was created.', registers }).set(
      Date.now() / 1000,
    );
    this.#requests = new Counter({
      name: `${P}requests_total`,
      help: 'Webhook API requests answered, by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.#errors = new Counter({
      name: `${P}errors_total`,
      help: 'Webhook API requests answered with an error, by route and reason.',
      labelNames: ['route', 'reason'],
      registers,
    });
    this.#latency = new Histogram({
      name: `${P}request_duration_seconds`,
      help: 'Time from request start to the end of the answer, by route and method.',
      labelNames: ['route', 'method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#records = new Gauge({
      name: `${P}records`,
      help: 'Record sets returned by the last GET /records.',
      registers,
    });
    this.#changes = new Counter({
      name: `${P}changes_applied_total`,
      help: 'Record sets written by applies, by change kind (an update counts once).',
      labelNames: ['change'],
      registers,
    });
    for (const change of ['create', 'update', 'delete']) this.#changes.inc({ change }, 0);
    this.#invalid = new Counter({
      name: `${P}invalid_endpoints_total`,
      help: 'Records left out of a request (a name and type each; an ownership TXT record is one too, an update one), as the 500 answer counts them: dropped by /adjustendpoints or not applied by /records, by route and reason.',
      labelNames: ['route', 'reason'],
      registers,
    });
    this.#lastSync = new Gauge({
      name: `${P}last_sync_timestamp_seconds`,
      help: 'Unix time of the last apply that wrote every change it was sent (as external_dns_controller_last_sync_timestamp_seconds).',
      registers,
    });
    this.#providerUp = new Gauge({
      name: `${P}provider_up`,
      help: '1 when the last readiness check reached the provider, else 0.',
      registers,
    });
    this.#upstreamRequests = new Counter({
      name: `${P}http_requests_total`,
      help: 'Attempts of calls to the provider API, by provider, method and status (network, timeout or aborted when there was no answer).',
      labelNames: ['provider', 'method', 'status'],
      registers,
    });
    this.#upstreamDuration = new Histogram({
      name: `${P}http_request_duration_seconds`,
      help: 'Duration of each attempt of a call to the provider API (as external_dns_http_request_duration_seconds).',
      labelNames: ['provider', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#upstreamRetries = new Counter({
      name: `${P}http_retries_total`,
      help: 'Attempts of calls to the provider API that were retries of a failed attempt.',
      labelNames: ['provider', 'method'],
      registers,
    });
    const budgets = this.#budgets;
    const gauge = (name: string, help: string, pick: (b: RateLimitBudget) => number | undefined) =>
      new Gauge({
        name: `${P}${name}`,
        help,
        labelNames: ['provider'],
        registers,
        collect() {
          this.reset();
          for (const [provider, read] of budgets) {
            const value = read();
            const picked = value ? pick(value) : undefined;
            if (picked !== undefined && Number.isFinite(picked)) this.set({ provider }, picked);
          }
        },
      });
    gauge(
      'rate_limit_remaining',
      'Requests left in the provider API rate-limit window, as its last answer reported.',
      (b) => b.remaining,
    );
    gauge(
      'rate_limit_limit',
      'Requests per provider API rate-limit window, as its last answer reported.',
      (b) => b.limit,
    );
    gauge(
      'rate_limit_wait_seconds',
      "Seconds until the client's own rate limiter lets the next provider API request go.",
      (b) => b.waitSeconds,
    );
  }

  /** Counts one answered request and its latency. `route` is a fixed route name, never a raw path. */
  observeRequest(input: { route: string; method: string; status: number; seconds: number }): void {
    // methods are client input: any other than HTTP's own are counted together
    const method = /^(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH)$/.test(input.method) ? input.method : 'other';
    this.#requests.inc(sorted({ route: input.route, method, status: String(input.status) }));
    this.#latency.observe(sorted({ route: input.route, method }), input.seconds);
  }

  /** Counts one error answer by route and reason. */
  observeError(route: string, reason: ErrorReason): void {
    this.#errors.inc(sorted({ route, reason }));
  }

  /** Records how many record sets the last `GET /records` returned. */
  setRecords(count: number): void {
    this.#records.set(count);
  }

  /** Counts record sets written by an apply (an update counts once). */
  observeApplied(counts: { create: number; update: number; delete: number }): void {
    for (const change of ['create', 'update', 'delete'] as const)
      if (counts[change] > 0) this.#changes.inc({ change }, counts[change]);
  }

  /**
   * Counts records left out of a request (dropped or not applied), by route and reason: a name and
   * type each, an ownership TXT record being one too, as the 500 answer of `/records` counts them.
   */
  observeInvalid(route: string, reason: string, count: number): void {
    this.#invalid.inc(sorted({ route, reason }), count);
  }

  /** Records the time of an apply that wrote everything it was sent. */
  setLastApply(seconds: number = Date.now() / 1000): void {
    this.#lastSync.set(seconds);
  }

  /** Records the outcome of the last readiness check. */
  setProviderUp(up: boolean): void {
    this.#providerUp.set(up ? 1 : 0);
  }

  /** Counts one attempt of an upstream API call (hook it to the provider client's `onRequest`). */
  observeUpstream(event: UpstreamAttempt): void {
    const labels = sorted({
      provider: event.provider,
      method: event.method,
      status: event.status === undefined ? (event.failure ?? 'network') : String(event.status),
    });
    this.#upstreamRequests.inc(labels);
    this.#upstreamDuration.observe(labels, event.durationMs / 1000);
    if (event.attempt > 1)
      this.#upstreamRetries.inc(sorted({ provider: event.provider, method: event.method }));
  }

  /** Reports a provider's rate-limit budget at every scrape. */
  addRateLimitBudget(provider: string, read: () => RateLimitBudget | undefined): void {
    this.#budgets.set(provider, read);
  }

  /** Every metric in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
