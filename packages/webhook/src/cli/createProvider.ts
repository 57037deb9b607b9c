import { ConfigError, DomainFilter, InMemoryProvider, type Provider } from '@openova/dns-core';
import {
  AzureDnsProvider,
  azureCredentialFromConfig,
  fileTokenCredential,
} from '@openova/dns-provider-azure';
import { CloudflareProvider } from '@openova/dns-provider-cloudflare';
import { GoogleCloudDnsProvider } from '@openova/dns-provider-google';
import { HetznerProvider } from '@openova/dns-provider-hetzner';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { Route53Provider } from '@openova/dns-provider-route53';
import type { HttpRequestEvent } from '@openova/dns-core/http';
import type { HealthCheck } from '../server/healthHandler.js';
import type { RateLimitBudget } from '../server/metrics.js';
import type { CliProviderName, WebhookConfig } from './config.js';
import { pem, pemCertificates, pemPrivateKey, readAzureConfigFile } from './files.js';

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

/**
 * TLS settings of the PowerDNS client, from the files the variables name, each checked before
 * start: a CA file of PEM certificates, a client certificate and its own private key.
 * @throws ConfigError naming the variable.
 */
function pdnsTls(tls: NonNullable<WebhookConfig['pdns']>['tls']) {
  if (tls.caFile) pemCertificates('PDNS_TLS_CA_FILE', tls.caFile);
  if (tls.certFile && tls.keyFile) {
    const [certificate] = pemCertificates('PDNS_TLS_CLIENT_CERT_FILE', tls.certFile);
    const key = pemPrivateKey('PDNS_TLS_CLIENT_KEY_FILE', tls.keyFile);
    if (certificate && !certificate.checkPrivateKey(key))
      throw new ConfigError(
        'PDNS_TLS_CLIENT_KEY_FILE: is not the private key of the certificate in PDNS_TLS_CLIENT_CERT_FILE',
      );
  }
  return {
    ...(tls.caFile ? { ca: pem('PDNS_TLS_CA_FILE', tls.caFile) } : {}),
    ...(tls.certFile ? { cert: pem('PDNS_TLS_CLIENT_CERT_FILE', tls.certFile) } : {}),
    ...(tls.keyFile ? { key: pem('PDNS_TLS_CLIENT_KEY_FILE', tls.keyFile) } : {}),
    ...(tls.skipVerify ? { rejectUnauthorized: false } : {}),
  };
}

/**
 * The variables behind each provider option named in a provider's own `ConfigError` (it names its
 * options, `apiUrl`), so every configuration error names the environment variable to fix.
 */
const OPTION_VARIABLES: Readonly<Record<CliProviderName, readonly (readonly [RegExp, string])[]>> = {
  pdns: [
    [/\bapiUrl\b/, 'PDNS_API_URL'],
    [/\bapiKey\b/, 'PDNS_API_KEY'],
    [/\bserverId\b/, 'PDNS_SERVER_ID'],
  ],
  cloudflare: [
    [/\bbaseUrl\b/, 'CF_BASE_URL'],
    [/\bapiToken\b|\bapiKey\b/, 'CF_API_TOKEN'],
  ],
  hetzner: [
    [/\bbaseUrl\b/, 'HETZNER_BASE_URL'],
    [/\btoken\b/i, 'HETZNER_API_TOKEN'],
  ],
  route53: [
    [/\bendpoint\b/, 'AWS_ENDPOINT_URL_ROUTE_53'],
    [/\bmaxAttempts\b/, 'EXTERNAL_DNS_AWS_API_RETRIES'],
    [/\bregion\b/i, 'AWS_REGION'],
  ],
  azure: [
    [/subscription/i, 'EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID'],
    [/token file/, 'AZURE_ACCESS_TOKEN_FILE'],
    [/config file|\bendpoint\b|tenantId|aadClient/, 'EXTERNAL_DNS_AZURE_CONFIG_FILE'],
  ],
  'azure-private-dns': [],
  google: [
    [/\bbaseUrl\b/, 'GOOGLE_DNS_BASE_URL'],
    [/batchChangeSize/, 'EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_SIZE'],
    [/batchChangeIntervalMs/, 'EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL'],
    [/\bproject\b/, 'EXTERNAL_DNS_GOOGLE_PROJECT'],
  ],
  inmemory: [[/zone/i, 'DOMAIN_FILTER']],
};

/** A provider's `ConfigError` as a line naming the variable to fix (it names its option). */
function namingVariable(provider: CliProviderName, error: ConfigError): ConfigError {
  if (/^[A-Z][A-Z0-9_]*: /.test(error.message)) return error;
  const table = OPTION_VARIABLES[provider === 'azure-private-dns' ? 'azure' : provider];
  const variable = table.find(([pattern]) => pattern.test(error.message))?.[1] ?? 'DNS_PROVIDER';
  let detail = error.message.replace(/^[a-z0-9-]+: /, '');
  // the Azure client's `endpoint` is azure.json's resourceManagerEndpoint
  if (variable === 'EXTERNAL_DNS_AZURE_CONFIG_FILE')
    detail = detail.replace(/^endpoint\b/, 'resourceManagerEndpoint');
  return new ConfigError(
    `${variable}: ${detail}${variable === 'DNS_PROVIDER' ? ` (the ${provider} settings)` : ''}`,
    { cause: error },
  );
}

/**
 * Builds the provider named by `DNS_PROVIDER`.
 * @throws ConfigError when a file named by a variable (TLS) cannot be read.
 */
export function createConfiguredProvider(
  config: WebhookConfig,
  hooks: { onRequest?: (event: HttpRequestEvent) => void } = {},
): ConfiguredProvider {
  try {
    return buildProvider(config, hooks);
  } catch (error) {
    // every configuration error names the variable to fix, even one a provider package found
    if (error instanceof ConfigError) throw namingVariable(config.provider, error);
    throw error;
  }
}

function buildProvider(
  config: WebhookConfig,
  hooks: { onRequest?: (event: HttpRequestEvent) => void },
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
      // ExternalDNS reads azure.json when it is there; without it, DefaultAzureCredential's chain.
      const file = readAzureConfigFile(az.configFile, az.configFileSet);
      if (az.accessTokenFile) pem('AZURE_ACCESS_TOKEN_FILE', az.accessTokenFile);
      if (!(az.subscriptionId ?? file.subscriptionId))
        throw new ConfigError(
          `EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID: is required with DNS_PROVIDER=${config.provider} (or subscriptionId in ${az.configFile}, EXTERNAL_DNS_AZURE_CONFIG_FILE)`,
        );
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
