/**
 * The sidecar's Prometheus metrics, written in the text exposition format (version 0.0.4) by hand:
 * a handful of counters, gauges and one histogram do not justify a metrics library.
 */

/** Seconds; the upper bounds of the request latency histogram. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Media type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}="${escapeLabelValue(labels[name] ?? '')}"`)
    .join(',');
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function sample(name: string, key: string, value: number): string {
  return `${name}${key ? `{${key}}` : ''} ${Number.isFinite(value) ? value : 'NaN'}`;
}

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

/** Counters and gauges of one webhook server; {@link WebhookMetrics.render} produces the text format. */
export class WebhookMetrics {
  readonly #requests = new Map<string, { labels: string; value: number }>();
  readonly #errors = new Map<string, { labels: string; value: number }>();
  readonly #changes = new Map<string, { labels: string; value: number }>();
  readonly #invalid = new Map<string, { labels: string; value: number }>();
  #lastApply: number | undefined;
  readonly #latency = new Map<string, { labels: string; buckets: number[]; sum: number; count: number }>();
  #records: number | undefined;
  #providerUp: number | undefined;
  readonly #startedAt = Date.now() / 1000;
  readonly #version: string;

  constructor(options: { version?: string } = {}) {
    this.#version = options.version ?? 'unknown';
  }

  /** Counts one answered request and its latency. `route` is a fixed route name, never a raw path. */
  observeRequest(input: { route: string; method: string; status: number; seconds: number }): void {
    add(this.#requests, { route: input.route, method: input.method, status: String(input.status) }, 1);
    const key = labelKey({ route: input.route, method: input.method });
    let entry = this.#latency.get(key);
    if (!entry)
      this.#latency.set(
        key,
        (entry = { labels: key, buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }),
      );
    LATENCY_BUCKETS.forEach((bound, i) => {
      if (input.seconds <= bound && entry) entry.buckets[i] = (entry.buckets[i] ?? 0) + 1;
    });
    entry.sum += input.seconds;
    entry.count += 1;
  }

  /** Counts one error answer by route and reason. */
  observeError(route: string, reason: ErrorReason): void {
    add(this.#errors, { route, reason }, 1);
  }

  /** Records how many record sets the last `GET /records` returned. */
  setRecords(count: number): void {
    this.#records = count;
  }

  /** Counts record sets written by a successful apply (an update counts once). */
  observeApplied(counts: { create: number; update: number; delete: number }): void {
    for (const change of ['create', 'update', 'delete'] as const)
      add(this.#changes, { change }, counts[change]);
  }

  /** Counts records left out of a request (dropped or not applied), by route and reason. */
  observeInvalid(route: string, reason: string, count: number): void {
    add(this.#invalid, { route, reason }, count);
  }

  /** Records the time of an apply that wrote everything it was sent. */
  setLastApply(seconds: number = Date.now() / 1000): void {
    this.#lastApply = seconds;
  }

  /** Records the outcome of the last health check. */
  setProviderUp(up: boolean): void {
    this.#providerUp = up ? 1 : 0;
  }

  /** Every metric in the Prometheus text format. */
  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    family(
      'openova_dns_webhook_requests_total',
      'counter',
      'Webhook API requests answered, by route, method and status.',
    );
    for (const { labels, value } of this.#requests.values())
      lines.push(sample('openova_dns_webhook_requests_total', labels, value));

    family(
      'openova_dns_webhook_errors_total',
      'counter',
      'Webhook API requests answered with an error, by route and reason.',
    );
    for (const { labels, value } of this.#errors.values())
      lines.push(sample('openova_dns_webhook_errors_total', labels, value));

    family(
      'openova_dns_webhook_request_duration_seconds',
      'histogram',
      'Time from request start to the end of the answer, by route and method.',
    );
    for (const entry of this.#latency.values()) {
      const name = 'openova_dns_webhook_request_duration_seconds';
      LATENCY_BUCKETS.forEach((bound, i) =>
        lines.push(sample(`${name}_bucket`, `${entry.labels},le="${bound}"`, entry.buckets[i] ?? 0)),
      );
      lines.push(sample(`${name}_bucket`, `${entry.labels},le="+Inf"`, entry.count));
      lines.push(sample(`${name}_sum`, entry.labels, entry.sum));
      lines.push(sample(`${name}_count`, entry.labels, entry.count));
    }

    family('openova_dns_webhook_records', 'gauge', 'Record sets returned by the last GET /records.');
    if (this.#records !== undefined) lines.push(sample('openova_dns_webhook_records', '', this.#records));

    family(
      'openova_dns_webhook_changes_applied_total',
      'counter',
      'Record sets written by successful applies, by change kind (an update counts once).',
    );
    for (const change of ['create', 'update', 'delete'])
      lines.push(
        sample(
          'openova_dns_webhook_changes_applied_total',
          labelKey({ change }),
          this.#changes.get(labelKey({ change }))?.value ?? 0,
        ),
      );

    family(
      'openova_dns_webhook_invalid_endpoints_total',
      'counter',
      'Records left out of a request: dropped by /adjustendpoints or not applied by /records, by route and reason.',
    );
    for (const { labels, value } of this.#invalid.values())
      lines.push(sample('openova_dns_webhook_invalid_endpoints_total', labels, value));

    family(
      'openova_dns_webhook_last_apply_success_timestamp_seconds',
      'gauge',
      'Unix time of the last apply that wrote every change it was sent.',
    );
    if (this.#lastApply !== undefined)
      lines.push(sample('openova_dns_webhook_last_apply_success_timestamp_seconds', '', this.#lastApply));

    family(
      'openova_dns_webhook_provider_up',
      'gauge',
      '1 when the last health check reached the provider, else 0.',
    );
    if (this.#providerUp !== undefined)
      lines.push(sample('openova_dns_webhook_provider_up', '', this.#providerUp));

    family(
      'openova_dns_webhook_build_info',
      'gauge',
      'Always 1; the labels name the version, Node.js version, OS and architecture (as external_dns_build_info).',
    );
    lines.push(
      sample(
        'openova_dns_webhook_build_info',
        labelKey({
          version: this.#version,
          node_version: process.version,
          os: process.platform,
          arch: process.arch,
        }),
        1,
      ),
    );

    family('openova_dns_webhook_start_time_seconds', 'gauge', 'Unix time the server was created.');
    lines.push(sample('openova_dns_webhook_start_time_seconds', '', this.#startedAt));
    return `${lines.join('\n')}\n`;
  }
}

function add(map: Map<string, { labels: string; value: number }>, labels: Labels, amount: number): void {
  const key = labelKey(labels);
  const entry = map.get(key);
  if (entry) entry.value += amount;
  else map.set(key, { labels: key, value: amount });
}
