import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, DomainFilter, InMemoryProvider, type Provider } from '@openova/dns-core';
import {
  AzureDnsProvider,
  azureCredentialFromConfig,
  fileTokenCredential,
  parseAzureConfigFile,
  type AzureConfigFile,
} from '@openova/dns-provider-azure';
import { CloudflareProvider } from '@openova/dns-provider-cloudflare';
import { GoogleCloudDnsProvider } from '@openova/dns-provider-google';
import { HetznerProvider } from '@openova/dns-provider-hetzner';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { Route53Provider } from '@openova/dns-provider-route53';
import type { HttpRequestEvent } from '@openova/dns-core/http';
import type { HealthCheck } from '../server/healthHandler.js';
import type { RateLimitBudget } from '../server/metrics.js';
import type { WebhookConfig } from './config.js';

/** A provider built from the command's settings, with the check that proves it answers. */
export interface ConfiguredProvider {
  provider: Provider;
  healthCheck: HealthCheck;
  /** Values never to show in answers or logs. */
  secrets: string[];
  /** The provider API's rate-limit budget, for providers that report or enforce one. */
  rateLimit?: () => RateLimitBudget | undefined;
  close(): Promise<void>;
}

/** A PEM file named by a variable; a file that cannot be read is a `ConfigError` naming it. */
function pem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    throw new ConfigError(
      `${variable}: cannot read ${JSON.stringify(path)}${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  }
}

/** TLS settings of the PowerDNS client, from the files the variables name. */
function pdnsTls(tls: NonNullable<WebhookConfig['pdns']>['tls']) {
  return {
    ...(tls.caFile ? { ca: pem('PDNS_TLS_CA_FILE', tls.caFile) } : {}),
    ...(tls.certFile ? { cert: pem('PDNS_TLS_CLIENT_CERT_FILE', tls.certFile) } : {}),
    ...(tls.keyFile ? { key: pem('PDNS_TLS_CLIENT_KEY_FILE', tls.keyFile) } : {}),
    ...(tls.skipVerify ? { rejectUnauthorized: false } : {}),
  };
}

/**
 * Builds the provider named by `DNS_PROVIDER`.
 * @throws ConfigError when a file named by a variable (TLS) cannot be read.
 */
export function createConfiguredProvider(
  config: WebhookConfig,
  hooks: { onRequest?: (event: HttpRequestEvent) => void } = {},
): ConfiguredProvider {
  const onRequest = hooks.onRequest ? { onRequest: hooks.onRequest } : {};
  const domainFilter = new DomainFilter(config.domainFilter);
  switch (config.provider) {
    case 'pdns': {
      const pdns = config.pdns;
      if (!pdns) throw new Error('unreachable: pdns settings are validated with the configuration');
      const provider = new PowerDnsProvider({
        apiUrl: pdns.apiUrl,
        apiKey: pdns.apiKey,
        serverId: pdns.serverId,
        tls: pdnsTls(pdns.tls),
        ...onRequest,
        domainFilter,
        // ExternalDNS reads records every minute: see zones created by others within that time
        zoneCacheTtlMs: 30_000,
        // ...but never make a request wait for the zone list: an old one is used while it refreshes
        zoneCacheStaleMs: 10 * 60_000,
      });
      return {
        provider,
        // an authenticated API call (the cached zone list would not show an outage)
        healthCheck: (signal) => provider.client.serverInfo({ signal, timeoutMs: 5000 }),
        secrets: [pdns.apiKey],
        close: () => provider.client.close(),
      };
    }
    case 'cloudflare': {
      const cf = config.cloudflare;
      if (!cf) throw new Error('unreachable: cloudflare settings are validated with the configuration');
      const { baseUrl, proxiedByDefault, ...auth } = cf;
      const provider = new CloudflareProvider({
        ...auth,
        ...(baseUrl === undefined ? {} : { baseUrl }),
        proxiedByDefault,
        ...onRequest,
        domainFilter,
        zoneCacheTtlMs: 30_000,
      });
      return {
        provider,
        // an authenticated call that proves the token works (zones are what the provider reads)
        healthCheck: (signal) => provider.client.listZones({ signal, timeoutMs: 5000 }),
        secrets: 'apiToken' in auth ? [auth.apiToken] : [auth.apiKey],
        rateLimit: () => {
          const limiter = provider.client.rateLimiter;
          return limiter ? { waitSeconds: limiter.waitMs() / 1000 } : undefined;
        },
        close: () => Promise.resolve(),
      };
    }
    case 'hetzner': {
      const hz = config.hetzner;
      if (!hz) throw new Error('unreachable: hetzner settings are validated with the configuration');
      const provider = new HetznerProvider({
        token: hz.token,
        ...(hz.baseUrl === undefined ? {} : { baseUrl: hz.baseUrl }),
        ...onRequest,
        domainFilter,
        zoneCacheTtlMs: 30_000,
      });
      return {
        provider,
        // an authenticated call that proves the token works
        healthCheck: (signal) => provider.client.listZones({ signal, timeoutMs: 5000 }),
        secrets: [hz.token],
        rateLimit: () => {
          const reported = provider.client.rateLimit;
          const limiter = provider.client.rateLimiter;
          return {
            ...(reported ? { remaining: reported.remaining, limit: reported.limit } : {}),
            ...(limiter ? { waitSeconds: limiter.waitMs() / 1000 } : {}),
          };
        },
        close: () => provider.client.close(),
      };
    }
    case 'route53': {
      const r = config.route53;
      if (!r) throw new Error('unreachable: route53 settings are validated with the configuration');
      const provider = new Route53Provider({
        ...(r.region ? { region: r.region } : {}),
        ...(r.endpoint ? { endpoint: r.endpoint } : {}),
        ...(r.profile ? { profile: r.profile } : {}),
        ...(r.zoneType ? { zoneType: r.zoneType } : {}),
        ...(Object.keys(r.zoneTags).length ? { zoneTags: r.zoneTags } : {}),
        ...(r.assumeRole ? { assumeRole: r.assumeRole } : {}),
        evaluateTargetHealth: r.evaluateTargetHealth,
        preferCname: r.preferCname,
        maxAttempts: r.maxAttempts,
        // per attempt, from an AWS SDK middleware: the same upstream metrics as the other providers
        ...onRequest,
        domainFilter,
        zoneCacheTtlMs: 30_000,
      });
      return {
        provider,
        // an authenticated call: the credentials resolve and the account answers
        healthCheck: (signal) => provider.api.listHostedZones({ signal }),
        // credentials come from the SDK's chain and never pass through the configuration
        secrets: [],
        close: () => Promise.resolve(provider.api.sdk.destroy()),
      };
    }
    case 'azure':
    case 'azure-private-dns': {
      const az = config.azure;
      if (!az) throw new Error('unreachable: azure settings are validated with the configuration');
      // ExternalDNS reads azure.json when it is there; without it, DefaultAzureCredential's chain
      const file: AzureConfigFile = existsSync(az.configFile)
        ? parseAzureConfigFile(readFileSync(az.configFile, 'utf8'), az.configFile)
        : {};
      const identityId = az.userAssignedIdentityId ?? file.userAssignedIdentityID;
      const credential = az.accessTokenFile
        ? fileTokenCredential(az.accessTokenFile)
        : azureCredentialFromConfig(
            { ...file, ...(identityId ? { userAssignedIdentityID: identityId } : {}) },
            { fallback: 'default' },
          );
      const resourceGroup = az.resourceGroup ?? file.resourceGroup;
      const provider = new AzureDnsProvider({
        subscriptionId: az.subscriptionId ?? file.subscriptionId ?? '',
        credential,
        ...(file.resourceManagerEndpoint ? { endpoint: file.resourceManagerEndpoint } : {}),
        zoneType: az.zoneType,
        ...(resourceGroup ? { resourceGroup } : {}),
        ...(az.zoneIds.length ? { zoneIds: az.zoneIds } : {}),
        retry: { retries: az.maxRetries },
        ...onRequest,
        domainFilter,
        zoneCacheTtlMs: az.zonesCacheDurationMs ?? 30_000,
      });
      return {
        provider,
        // an authenticated call: the credential yields a token and the subscription answers
        healthCheck: (signal) => provider.client.listZones(az.zoneType, { signal, timeoutMs: 5000 }),
        // the credential's secrets stay inside @azure/identity; the client redacts every token
        secrets: file.aadClientSecret ? [file.aadClientSecret] : [],
        close: () => provider.client.close(),
      };
    }
    case 'google': {
      const g = config.google;
      if (!g) throw new Error('unreachable: google settings are validated with the configuration');
      const token = g.accessToken;
      const provider = new GoogleCloudDnsProvider({
        ...(g.project ? { project: g.project } : {}),
        ...(g.baseUrl ? { baseUrl: g.baseUrl } : {}),
        // a ready token (GOOGLE_OAUTH_ACCESS_TOKEN), else Application Default Credentials
        ...(token ? { tokenSource: { getAccessToken: () => Promise.resolve(token) } } : {}),
        ...(g.zoneVisibility ? { zoneVisibility: g.zoneVisibility } : {}),
        ...(g.zoneIds.length ? { zoneIds: g.zoneIds } : {}),
        batchChangeSize: g.batchChangeSize,
        batchChangeIntervalMs: g.batchChangeIntervalMs,
        ...onRequest,
        domainFilter,
        zoneCacheTtlMs: 30_000,
      });
      return {
        provider,
        // an authenticated call: the credentials resolve and the project answers
        healthCheck: (signal) => provider.client.listManagedZones({ signal, timeoutMs: 5000 }),
        secrets: token ? [token] : [],
        close: () => provider.client.close(),
      };
    }
    case 'inmemory': {
      // each DOMAIN_FILTER entry is a zone (`.example.org` means the zone example.org)
      const zones = config.domainFilter.include.map((entry) => entry.replace(/^\./, ''));
      const provider = new InMemoryProvider({ zones, domainFilter });
      return { provider, healthCheck: () => provider.zones(), secrets: [], close: () => Promise.resolve() };
    }
  }
}
