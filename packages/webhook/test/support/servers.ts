import { DomainFilter, InMemoryProvider, type EndpointInit, type Provider } from '@openova/dns-core';
import { createWebhookServer, type WebhookServer, type WebhookServerOptions } from '@openova/dns-webhook';

export interface Running {
  server: WebhookServer;
  url: string;
  healthUrl: string;
}

const started: WebhookServer[] = [];

/** Starts a webhook server on free loopback ports. */
export async function startServer(
  provider: Provider,
  options: Omit<WebhookServerOptions, 'provider'> = {},
): Promise<Running> {
  const server = createWebhookServer({
    api: { host: '127.0.0.1', port: 0 },
    health: { host: '127.0.0.1', port: 0 },
    shutdownTimeoutMs: 5000,
    ...options,
    provider,
  });
  const addresses = await server.start();
  started.push(server);
  return { server, url: addresses.api.url, healthUrl: addresses.health?.url ?? '' };
}

export async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((s) => s.stop()));
}

export function memoryProvider(records: EndpointInit[] = []): InMemoryProvider {
  return new InMemoryProvider({
    zones: ['example.com', 'example.org'],
    records,
    domainFilter: new DomainFilter({
      include: ['example.com', 'example.org'],
      exclude: ['private.example.com'],
    }),
  });
}
