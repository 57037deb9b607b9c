/**
 * The `openova-dns-webhook` command: an ExternalDNS webhook sidecar configured by environment
 * variables (see docs/webhook.md). Run from source without a build:
 *
 *   node --conditions=@openova/source --import tsx packages/webhook/src/cli.ts
 */
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError, type Logger } from '@openova/dns-core';
import type { HttpRequestEvent } from '@openova/dns-core/http';
import { parseWebhookConfig } from './cli/config.js';
import { createConfiguredProvider } from './cli/createProvider.js';
import { createStructuredLogger } from './logger.js';
import { WebhookMetrics } from './server/metrics.js';
import { createWebhookServer, ListenError, type WebhookServer } from './server/webhookServer.js';

const COMMAND = 'openova-dns-webhook';
/** The first line of every configuration error the command stops with. */
const CONFIG_HEADER = 'invalid configuration:\n';

/** The package version (from its package.json, beside `src/` and `dist/`). @internal */
export function commandVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const HELP = `Usage: ${COMMAND} [--help] [--version]

An ExternalDNS webhook provider (protocol v1) for the OpenOva DNS SDK, configured by environment
variables. The main ones:

  DNS_PROVIDER        pdns, cloudflare, hetzner, route53, azure, azure-private-dns, google
                      or inmemory (required)
  DOMAIN_FILTER       domains to manage, comma-separated (ExternalDNS --domain-filter)
  EXCLUDE_DOMAINS     domains to leave alone (also EXCLUDE_DOMAIN_FILTER)
  REGEXP_DOMAIN_FILTER, REGEXP_DOMAIN_FILTER_EXCLUSION   regex filters (replace the lists)
  PDNS_API_URL, PDNS_API_KEY, PDNS_SERVER_ID, PDNS_TLS_CA_FILE, PDNS_TLS_CLIENT_CERT_FILE,
  PDNS_TLS_CLIENT_KEY_FILE, PDNS_TLS_SKIP_VERIFY
  CF_API_TOKEN (or CF_API_KEY + CF_API_EMAIL), CF_PROXIED
  HETZNER_API_TOKEN (or HCLOUD_TOKEN)
  AWS_REGION, EXTERNAL_DNS_AWS_* (ExternalDNS's Route53 settings; credentials from the AWS chain)
  WEBHOOK_HOST, WEBHOOK_PORT  webhook API (default 127.0.0.1:8888)
  HEALTH_HOST, HEALTH_PORT    /healthz, /livez, /metrics (default 0.0.0.0:8080)
  WEBHOOK_MAX_BODY_BYTES, WEBHOOK_REQUEST_DEADLINE_MS, WEBHOOK_MAX_CONCURRENT_BODIES,
  WEBHOOK_SHUTDOWN_TIMEOUT_MS (on SIGTERM, exit within it; default 25000)
  LOG_LEVEL (debug, info, warn|warning, error), LOG_FORMAT (json, text)

Booleans take 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False (as Go's ParseBool).

Every variable, its default and the sizing rules: docs/webhook.md.
`;

/** Lines written whatever `LOG_LEVEL` is: what an operator needs to see at `warning` or `error` too. */
const LIFECYCLE_MESSAGES = [
  'webhook server listening',
  'configuration',
  'signal received, finishing requests in flight',
  // what a shutdown cut, and why: at every level too
  'shutdown drain deadline reached: aborting provider calls in flight',
  'request cut at shutdown',
  'apply cut at shutdown',
  'requests still in flight at shutdown timeout',
  'provider client not closed within the shutdown bound',
  'shutdown bound reached: exiting',
  'stopped',
];

/**
 * The part of the command's shutdown bound kept for closing the provider client after the server
 * stopped: `min(1000, bound / 5)` ms.
 */
function clientCloseBudgetMs(boundMs: number): number {
  return Math.min(1000, Math.floor(boundMs / 5));
}

/** The message the child sends the bin once its signal handlers are in place. */
const SIGNALS_HANDLED = 'openova-dns-webhook:signals-handled';

/** A signal the bin received and passed on: `{ type, signal, count }` (count: signals so far). */
function forwardedSignal(message: unknown): { signal: NodeJS.Signals; count: number } | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, signal, count } = message as Record<string, unknown>;
  if (type !== 'openova-dns-webhook:signal' || (signal !== 'SIGTERM' && signal !== 'SIGINT'))
    return undefined;
  return { signal, count: typeof count === 'number' ? count : 1 };
}

/** Shows a URL by origin and path only: no credentials, query or fragment reach the log. */
export function displayUrl(value: string): string {
  if (!URL.canParse(value)) return '(not a URL)';
  const url = new URL(value);
  return `${url.origin}${url.pathname}`;
}

/**
 * Starts the sidecar and stops it on SIGTERM/SIGINT; resolves once it is listening. `--help` and
 * `--version` print and return. @internal
 */
export async function main(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const version = commandVersion();
  if (argv.includes('--help') || argv.includes('-h')) return void process.stdout.write(HELP);
  if (argv.includes('--version') || argv.includes('-v'))
    return void process.stdout.write(`${COMMAND} ${version}\n`);
  const unknownArgument = argv.find((arg) => arg !== '');
  if (unknownArgument !== undefined) {
    process.stderr.write(
      `${COMMAND}: unknown argument ${JSON.stringify(unknownArgument)}; settings are environment variables (see --help)\n`,
    );
    process.exitCode = 2;
    return;
  }
  const metrics = new WebhookMetrics({ version });
  // bound once the logger and server exist (the provider client is built before them)
  let logger: Logger = {};
  const late: { server?: WebhookServer } = {};
  const onRequest = (event: HttpRequestEvent) => {
    metrics.observeUpstream(event);
    if (event.status !== undefined && event.status < 300) late.server?.providerAnswered();
    const fields = {
      provider: event.provider,
      method: event.method,
      path: event.path,
      attempt: event.attempt,
      ...(event.status === undefined ? { failure: event.failure } : { status: event.status }),
      ms: Math.round(event.durationMs),
      ...(event.requestId ? { requestId: event.requestId } : {}),
    };
    if (event.status === undefined || event.status >= 400) logger.warn?.('provider API call failed', fields);
    else logger.debug?.('provider API call', fields);
  };
  let config;
  let configured;
  try {
    // checks NODE_EXTRA_CA_CERTS and the other files named with the variables
    config = parseWebhookConfig(env);
    configured = createConfiguredProvider(config, { onRequest });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // one header, whichever step found the problem (docs/webhook.md)
    const message = error.message.startsWith(CONFIG_HEADER)
      ? error.message
      : `${CONFIG_HEADER}${error.message}`;
    process.stderr.write(`${COMMAND}: ${message}\n`);
    process.exitCode = 2;
    return;
  }
  // a closed stdout (a log shipper going away) must not crash the server
  process.stdout.on('error', () => {});
  logger = createStructuredLogger({
    ...config.log,
    base: { component: COMMAND },
    secrets: configured.secrets,
    // the version and listen addresses, start and stop: at LOG_LEVEL=warning or error too
    alwaysLogged: LIFECYCLE_MESSAGES,
  });
  for (const warning of config.warnings) logger.warn?.('configuration warning', { warning });
  if (configured.rateLimit) metrics.addRateLimitBudget(config.provider, configured.rateLimit);
  const webhook = createWebhookServer({
    provider: configured.provider,
    api: config.api,
    health: config.health,
    ...config.limits,
    // the server's own bound leaves time to close the provider client within the command's
    shutdownTimeoutMs: config.shutdownTimeoutMs - clientCloseBudgetMs(config.shutdownTimeoutMs),
    healthCheck: configured.healthCheck,
    secrets: configured.secrets,
    version,
    metrics,
    logger,
  });
  late.server = webhook;

  // One shutdown, however many ways the request arrives: a signal to this process, and the same
  // signal passed on by the bin (which runs us as its child from source). A process-group signal
  // (Ctrl-C, `kill -TERM -<pgid>`) reaches both, so the bin passes signals on as messages, which
  // never count as a second signal; only a second signal to this process exits at once.
  let signals = 0;
  let shutdown: Promise<void> | undefined;
  const beginShutdown = (signal: NodeJS.Signals, from: 'signal' | 'parent' | 'parent exited') => {
    if (shutdown) return void logger.debug?.('already shutting down', { signal, from });
    logger.info?.('signal received, finishing requests in flight', {
      signal,
      ...(from === 'signal' ? {} : { from }),
    });
    const bound = config.shutdownTimeoutMs;
    const signalled = performance.now();
    // The documented bound holds whatever hangs: past it the process exits (1) regardless.
    setTimeout(() => {
      logger.warn?.('shutdown bound reached: exiting', { boundMs: bound });
      process.exit(1);
    }, bound).unref();
    shutdown = webhook
      .stop()
      .then(async () => {
        // the provider calls are aborted by now; a pool still busy (a background zone refresh)
        // is not waited for past the bound
        const left = Math.max(0, bound - (performance.now() - signalled) - 50);
        let timer: NodeJS.Timeout | undefined;
        const closed = await Promise.race([
          configured.close().then(() => true),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), left))),
        ]).finally(() => clearTimeout(timer));
        if (!closed)
          logger.warn?.('provider client not closed within the shutdown bound', { boundMs: bound });
      })
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error?.('shutdown failed', { error });
        process.exit(1);
      });
  };
  const exitAtOnce = (signal: NodeJS.Signals) => {
    logger.warn?.('second signal: exiting without waiting', { signal });
    process.exit(1);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) return exitAtOnce(signal);
    beginShutdown(signal, 'signal');
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (process.send) {
    // run by the bin: it passes its signals on as messages (see bin/openova-dns-webhook.js)
    process.on('message', (message: unknown) => {
      const forwarded = forwardedSignal(message);
      if (forwarded === undefined) return;
      if (forwarded.count > 1) return exitAtOnce(forwarded.signal);
      beginShutdown(forwarded.signal, 'parent');
    });
    // the bin went away without a signal (killed): nobody would stop us otherwise
    process.on('disconnect', () => beginShutdown('SIGTERM', 'parent exited'));
    process.send({ type: SIGNALS_HANDLED });
  }

  try {
    await webhook.start();
  } catch (error) {
    // the variables to fix (a port taken, a host that does not resolve)
    const listener = error instanceof ListenError ? error.listener : undefined;
    logger.error?.('could not start', {
      error,
      ...(listener
        ? { variables: listener === 'api' ? 'WEBHOOK_HOST, WEBHOOK_PORT' : 'HEALTH_HOST, HEALTH_PORT' }
        : {}),
    });
    await configured.close();
    process.exit(1);
  }
  const urls = {
    ...(config.pdns
      ? { pdnsApiUrl: displayUrl(config.pdns.apiUrl), pdnsServerId: config.pdns.serverId }
      : {}),
    ...(config.cloudflare?.baseUrl ? { cloudflareBaseUrl: displayUrl(config.cloudflare.baseUrl) } : {}),
    ...(config.hetzner?.baseUrl ? { hetznerBaseUrl: displayUrl(config.hetzner.baseUrl) } : {}),
    ...(config.route53?.endpoint ? { route53Endpoint: displayUrl(config.route53.endpoint) } : {}),
  };
  logger.info?.('configuration', {
    version,
    node: process.version,
    provider: config.provider,
    ...urls,
    domainFilter: config.domainFilter.include,
    excludeDomains: config.domainFilter.exclude,
    ...(config.domainFilter.regexInclude ? { regexDomainFilter: config.domainFilter.regexInclude } : {}),
    ...(config.domainFilter.regexExclude ? { regexDomainExclusion: config.domainFilter.regexExclude } : {}),
    limits: config.limits,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  });
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((error: unknown) => {
    process.stderr.write(`${COMMAND}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
