/**
 * The `openova-dns-webhook` command: an ExternalDNS webhook sidecar configured by environment
 * variables (see docs/webhook.md). Run from source without a build:
 *
 *   node --conditions=@openova/source --import tsx packages/webhook/src/cli.ts
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@openova/dns-core';
import { parseWebhookConfig } from './cli/config.js';
import { createConfiguredProvider } from './cli/createProvider.js';
import { createStructuredLogger } from './logger.js';
import { createWebhookServer } from './server/webhookServer.js';

const COMMAND = 'openova-dns-webhook';

/** Starts the sidecar and stops it on SIGTERM/SIGINT; resolves once it is listening. @internal */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config;
  try {
    config = parseWebhookConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${COMMAND}: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  // a closed stdout (a log shipper going away) must not crash the server
  process.stdout.on('error', () => {});
  const logger = createStructuredLogger({ ...config.log, base: { component: COMMAND } });
  const configured = createConfiguredProvider(config);
  const server = createWebhookServer({
    provider: configured.provider,
    api: config.api,
    health: config.health,
    ...config.limits,
    healthCheck: configured.healthCheck,
    secrets: configured.secrets,
    logger,
  });

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn?.('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    shuttingDown = true;
    logger.info?.('signal received, finishing requests in flight', { signal });
    server
      .stop()
      .then(() => configured.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error?.('shutdown failed', { error });
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  try {
    await server.start();
  } catch (error) {
    logger.error?.('could not start', { error });
    await configured.close();
    process.exit(1);
  }
  logger.info?.('configuration', {
    provider: config.provider,
    ...(config.pdns ? { pdnsApiUrl: config.pdns.apiUrl, pdnsServerId: config.pdns.serverId } : {}),
    domainFilter: config.domainFilter.include,
    excludeDomains: config.domainFilter.exclude,
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
