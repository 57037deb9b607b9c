import { ConfigError, DomainFilter } from '@openova/dns-core';
import { z } from 'zod';
import { fileIssues } from './files.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../logger.js';

/** Providers the command can serve (cloud providers join as they land). */
export const CLI_PROVIDERS = [
  'pdns',
  'cloudflare',
  'hetzner',
  'route53',
  'azure',
  'azure-private-dns',
  'google',
  'inmemory',
] as const;
/** A value of `DNS_PROVIDER`: one of {@link CLI_PROVIDERS}. */
export type CliProviderName = (typeof CLI_PROVIDERS)[number];

/** The command's settings, read from environment variables by {@link parseWebhookConfig}. */
export interface WebhookConfig {
  /** `DNS_PROVIDER` (required): the provider served. */
  provider: CliProviderName;
  /**
   * `PDNS_API_URL`, `PDNS_API_KEY`, `PDNS_SERVER_ID`; TLS to the API: `PDNS_TLS_CA_FILE` (PEM CA
   * bundle replacing the system list), `PDNS_TLS_CLIENT_CERT_FILE` + `PDNS_TLS_CLIENT_KEY_FILE`
   * (mutual TLS), `PDNS_TLS_SKIP_VERIFY=true` (test setups only). ExternalDNS's `--tls-ca`,
   * `--tls-client-cert`, `--tls-client-cert-key` and `--pdns-skip-tls-verify`.
   */
  pdns:
    | {
        apiUrl: string;
        apiKey: string;
        serverId: string;
        tls: { caFile?: string; certFile?: string; keyFile?: string; skipVerify: boolean };
      }
    | undefined;
  /** ExternalDNS's variable names: `CF_API_TOKEN`, or the legacy `CF_API_KEY` + `CF_API_EMAIL`. */
  cloudflare:
    | (({ apiToken: string } | { apiKey: string; apiEmail: string }) & {
        baseUrl: string | undefined;
        proxiedByDefault: boolean;
      })
    | undefined;
  /**
   * The Hetzner Cloud project token: `HETZNER_API_TOKEN` (the name the ExternalDNS Hetzner webhook
   * uses) or `HCLOUD_TOKEN` (Hetzner's own tools); `HETZNER_BASE_URL` for tests.
   */
  hetzner: { token: string; baseUrl: string | undefined } | undefined;
  /**
   * ExternalDNS's own variables (`EXTERNAL_DNS_AWS_*`, its flags as environment variables). The
   * credentials come from the AWS SDK's chain: `AWS_ACCESS_KEY_ID`…, `AWS_PROFILE`, IRSA
   * (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`), EKS Pod Identity, ECS, IMDSv2.
   */
  route53:
    | {
        region: string | undefined;
        endpoint: string | undefined;
        zoneType: 'public' | 'private' | undefined;
        zoneTags: Record<string, string>;
        assumeRole: { roleArn: string; externalId?: string } | undefined;
        evaluateTargetHealth: boolean;
        preferCname: boolean;
        maxAttempts: number;
        profile: string | undefined;
      }
    | undefined;
  /**
   * ExternalDNS's Azure settings (`azure` and `azure-private-dns`): `EXTERNAL_DNS_AZURE_CONFIG_FILE`
   * (default `/etc/kubernetes/azure.json`, read when present), `EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID`,
   * `EXTERNAL_DNS_AZURE_RESOURCE_GROUP`, `EXTERNAL_DNS_AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID`,
   * `EXTERNAL_DNS_AZURE_ZONES_CACHE_DURATION`, `EXTERNAL_DNS_AZURE_MAXRETRIES_COUNT`,
   * `EXTERNAL_DNS_ZONE_ID_FILTER`; plus `AZURE_ACCESS_TOKEN_FILE` (a bearer token kept fresh by
   * another process, for tests against a fake). Without a config file's credentials, the chain of
   * `DefaultAzureCredential` applies (environment, AKS workload identity, managed identity).
   */
  azure:
    | {
        zoneType: 'public' | 'private';
        configFile: string;
        /** True when `EXTERNAL_DNS_AZURE_CONFIG_FILE` names the file (it must then exist). */
        configFileSet: boolean;
        subscriptionId: string | undefined;
        resourceGroup: string | undefined;
        userAssignedIdentityId: string | undefined;
        zonesCacheDurationMs: number | undefined;
        maxRetries: number;
        zoneIds: string[];
        accessTokenFile: string | undefined;
      }
    | undefined;
  /**
   * ExternalDNS's own variables (`EXTERNAL_DNS_GOOGLE_*`, `EXTERNAL_DNS_ZONE_ID_FILTER`). Credentials
   * come from Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, GKE Workload
   * Identity through the metadata server), or a ready access token in `GOOGLE_OAUTH_ACCESS_TOKEN`;
   * `GOOGLE_DNS_BASE_URL` for tests.
   */
  google:
    | {
        project: string | undefined;
        zoneVisibility: 'public' | 'private' | undefined;
        zoneIds: string[];
        batchChangeSize: number;
        batchChangeIntervalMs: number;
        accessToken: string | undefined;
        baseUrl: string | undefined;
      }
    | undefined;
  /**
   * `DOMAIN_FILTER`, `EXCLUDE_DOMAINS` (or `EXCLUDE_DOMAIN_FILTER`, as other webhooks spell it),
   * `REGEXP_DOMAIN_FILTER` and `REGEXP_DOMAIN_FILTER_EXCLUSION` (ExternalDNS's `--domain-filter`,
   * `--exclude-domains`, `--regex-domain-filter`, `--regex-domain-exclusion`). A regex replaces the
   * lists, as in ExternalDNS.
   */
  domainFilter: { include: string[]; exclude: string[]; regexInclude?: string; regexExclude?: string };
  /** `WEBHOOK_HOST` (default `127.0.0.1`) and `WEBHOOK_PORT` (default 8888): the webhook API listener. */
  api: { host: string; port: number };
  /** `HEALTH_HOST` (default `0.0.0.0`) and `HEALTH_PORT` (default 8080): `/healthz`, `/livez`, `/metrics`. */
  health: { host: string; port: number };
  /**
   * `WEBHOOK_MAX_BODY_BYTES` (default 32 MiB, ExternalDNS's limit), `WEBHOOK_REQUEST_DEADLINE_MS`
   * (default 10 000), `WEBHOOK_MAX_CONCURRENT_BODIES` (default 1): see docs/webhook.md, sizing.
   */
  limits: { maxBodyBytes: number; requestDeadlineMs: number; maxConcurrentBodies: number };
  /**
   * `WEBHOOK_SHUTDOWN_TIMEOUT_MS` (default 25 000, from 1000 to 3 600 000): on SIGTERM the command exits within this many
   * ms, aborting the provider calls still running shortly before (see docs/webhook.md). Keep it
   * below the pod's `terminationGracePeriodSeconds` (30 s by default).
   */
  shutdownTimeoutMs: number;
  /**
   * `LOG_LEVEL` (default `info`; ExternalDNS's `trace`, `warning`, `fatal` and `panic` are mapped to
   * ours) and `LOG_FORMAT` (default `json`).
   */
  log: { level: LogLevel; format: LogFormat };
  /**
   * Settings that are accepted but probably wrong, one line each naming its variable; the command
   * logs them at `warn` when it starts: `WEBHOOK_REQUEST_DEADLINE_MS` of 15 000
   * (`EXTERNAL_DNS_CLIENT_TIMEOUT_MS`) or more, `WEBHOOK_SHUTDOWN_TIMEOUT_MS` of 30 000 or more,
   * `PDNS_TLS_*` with an `http://` `PDNS_API_URL` (no TLS to apply them to),
   * `PDNS_TLS_CA_FILE` with `PDNS_TLS_SKIP_VERIFY`, an API URL with a query or fragment (ignored).
   */
  warnings: string[];
}

/**
 * ExternalDNS's webhook client gives up on a request after 15 s, and treats that as fatal (the
 * controller exits). A deadline this long or longer answers 503 only after the client left.
 */
export const EXTERNAL_DNS_CLIENT_TIMEOUT_MS = 15_000;

/** The smallest `WEBHOOK_SHUTDOWN_TIMEOUT_MS` accepted: time to drain, abort, log the cut and close. */
export const MIN_SHUTDOWN_TIMEOUT_MS = 1000;

const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  );

const port = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      const number = Number(value);
      if (!/^\d+$/.test(value.trim()) || number > 65_535) {
        context.addIssue({
          code: 'custom',
          message: `must be a port number from 0 to 65535, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return number;
    });

const positiveInt = (fallback: number, max: number, min = 1) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      const number = Number(value.trim());
      if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
        context.addIssue({
          code: 'custom',
          message: `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return number;
    });

const host = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? fallback : value.trim()));

const oneOf = <T extends string>(values: readonly [T, ...T[]], fallback: T | undefined) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      const v = value?.trim().toLowerCase();
      if ((v === undefined || v === '') && fallback !== undefined) return fallback;
      const found = values.find((candidate) => candidate === v);
      if (found === undefined) {
        context.addIssue({
          code: 'custom',
          message:
            v === undefined || v === ''
              ? `is required; one of ${values.join(', ')}`
              : `must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return found;
    });

/** What Go's `strconv.ParseBool` accepts (ExternalDNS users write booleans so), true ones first. */
export const BOOLEAN_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'] as const;
/** The false spellings of Go's `strconv.ParseBool`. */
export const BOOLEAN_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'] as const;

/** A boolean variable, spelt as Go's `strconv.ParseBool` accepts it; empty or unset is `fallback`. */
const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      const v = value?.trim() ?? '';
      if (v === '') return fallback;
      if ((BOOLEAN_TRUE as readonly string[]).includes(v)) return true;
      if ((BOOLEAN_FALSE as readonly string[]).includes(v)) return false;
      context.addIssue({
        code: 'custom',
        message: `must be a boolean: one of ${[...BOOLEAN_TRUE, ...BOOLEAN_FALSE].join(', ')}, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    });

/** ExternalDNS's log levels (logrus) mapped onto ours. */
const LOG_LEVEL_ALIASES: Readonly<Record<string, LogLevel>> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'error',
  panic: 'error',
};

const logLevel = z
  .string()
  .optional()
  .transform((value, context): LogLevel => {
    const v = value?.trim().toLowerCase() ?? '';
    if (v === '') return 'info';
    const level = LOG_LEVEL_ALIASES[v];
    if (level === undefined) {
      context.addIssue({
        code: 'custom',
        message: `must be one of ${LOG_LEVELS.join(', ')} (or ExternalDNS's trace, warning, fatal, panic), got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return level;
  });

const envSchema = z.object({
  DNS_PROVIDER: oneOf(CLI_PROVIDERS, undefined),
  PDNS_API_URL: z.string().optional(),
  PDNS_API_KEY: z.string().optional(),
  PDNS_SERVER_ID: host('localhost'),
  PDNS_TLS_CA_FILE: z.string().optional(),
  PDNS_TLS_CLIENT_CERT_FILE: z.string().optional(),
  PDNS_TLS_CLIENT_KEY_FILE: z.string().optional(),
  PDNS_TLS_SKIP_VERIFY: bool(false),
  CF_API_TOKEN: z.string().optional(),
  CF_API_KEY: z.string().optional(),
  CF_API_EMAIL: z.string().optional(),
  CF_BASE_URL: z.string().optional(),
  CF_PROXIED: bool(false),
  HETZNER_API_TOKEN: z.string().optional(),
  HCLOUD_TOKEN: z.string().optional(),
  HETZNER_BASE_URL: z.string().optional(),
  AWS_REGION: z.string().optional(),
  AWS_ENDPOINT_URL_ROUTE_53: z.string().optional(),
  EXTERNAL_DNS_AWS_ZONE_TYPE: z.string().optional(),
  EXTERNAL_DNS_AWS_ZONE_TAGS: commaList,
  EXTERNAL_DNS_AWS_ASSUME_ROLE: z.string().optional(),
  EXTERNAL_DNS_AWS_ASSUME_ROLE_EXTERNAL_ID: z.string().optional(),
  EXTERNAL_DNS_AWS_EVALUATE_TARGET_HEALTH: bool(true),
  EXTERNAL_DNS_AWS_PREFER_CNAME: bool(false),
  EXTERNAL_DNS_AWS_API_RETRIES: z.string().optional(),
  EXTERNAL_DNS_AWS_PROFILE: z.string().optional(),
  EXTERNAL_DNS_AZURE_CONFIG_FILE: z.string().optional(),
  EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID: z.string().optional(),
  EXTERNAL_DNS_AZURE_RESOURCE_GROUP: z.string().optional(),
  EXTERNAL_DNS_AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID: z.string().optional(),
  EXTERNAL_DNS_AZURE_ZONES_CACHE_DURATION: z.string().optional(),
  EXTERNAL_DNS_AZURE_MAXRETRIES_COUNT: z.string().optional(),
  EXTERNAL_DNS_ZONE_ID_FILTER: commaList,
  AZURE_ACCESS_TOKEN_FILE: z.string().optional(),
  EXTERNAL_DNS_GOOGLE_PROJECT: z.string().optional(),
  EXTERNAL_DNS_GOOGLE_ZONE_VISIBILITY: z.string().optional(),
  EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_SIZE: z.string().optional(),
  EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL: z.string().optional(),
  GOOGLE_OAUTH_ACCESS_TOKEN: z.string().optional(),
  GOOGLE_DNS_BASE_URL: z.string().optional(),
  DOMAIN_FILTER: commaList,
  EXCLUDE_DOMAINS: commaList,
  EXCLUDE_DOMAIN_FILTER: commaList,
  REGEXP_DOMAIN_FILTER: z.string().optional(),
  REGEXP_DOMAIN_FILTER_EXCLUSION: z.string().optional(),
  WEBHOOK_HOST: host('127.0.0.1'),
  WEBHOOK_PORT: port(8888),
  HEALTH_HOST: host('0.0.0.0'),
  HEALTH_PORT: port(8080),
  WEBHOOK_MAX_BODY_BYTES: positiveInt(32 * 1024 * 1024, 1024 * 1024 * 1024),
  WEBHOOK_REQUEST_DEADLINE_MS: positiveInt(10_000, 60_000),
  WEBHOOK_MAX_CONCURRENT_BODIES: positiveInt(1, 64),
  // below 1 s the drain, the abort and the client's close have no time left: the command would
  // exit 1 before the cut is logged
  WEBHOOK_SHUTDOWN_TIMEOUT_MS: positiveInt(25_000, 3_600_000, MIN_SHUTDOWN_TIMEOUT_MS),
  LOG_LEVEL: logLevel,
  LOG_FORMAT: oneOf(LOG_FORMATS, 'json'),
});

/**
 * What is wrong with an API URL variable, naming it, or `undefined`: it must be an http(s) URL
 * without credentials (the key goes in its own variable, and a URL is shown in the start-up log).
 * The value is never echoed: a key pasted into the wrong variable must not reach the log.
 */
function urlIssue(variable: string, value: string, keyVariable: string | undefined): string | undefined {
  if (!/^https?:\/\/[^/]/i.test(value) || !URL.canParse(value))
    return `${variable}: must be an http:// or https:// URL (the value is not shown)`;
  const url = new URL(value);
  if (url.username !== '' || url.password !== '')
    return `${variable}: must not contain credentials (user:password@ before the host)${keyVariable ? `; the API key goes in ${keyVariable}` : ''} (the value is not shown)`;
  return undefined;
}

/** The API URL variables of each provider mode, with the variable their key goes in. */
const URL_VARIABLES: Readonly<Record<string, readonly (readonly [string, string | undefined])[]>> = {
  pdns: [['PDNS_API_URL', 'PDNS_API_KEY']],
  cloudflare: [['CF_BASE_URL', 'CF_API_TOKEN']],
  hetzner: [['HETZNER_BASE_URL', 'HETZNER_API_TOKEN']],
  route53: [['AWS_ENDPOINT_URL_ROUTE_53', undefined]],
  google: [['GOOGLE_DNS_BASE_URL', 'GOOGLE_OAUTH_ACCESS_TOKEN']],
};

/** Settings that depend on the provider, checked even when other variables are bad (all problems at once). */
function providerIssues(env: Readonly<Record<string, string | undefined>>): string[] {
  const issues: string[] = [];
  const provider = env['DNS_PROVIDER']?.trim().toLowerCase();
  for (const [variable, keyVariable] of URL_VARIABLES[provider ?? ''] ?? []) {
    const value = env[variable]?.trim() ?? '';
    const issue = value === '' ? undefined : urlIssue(variable, value, keyVariable);
    if (issue) issues.push(issue);
  }
  if (provider === 'pdns') {
    const url = env['PDNS_API_URL']?.trim() ?? '';
    if (url === '') issues.push('PDNS_API_URL: is required with DNS_PROVIDER=pdns');
    // a path segment of every API call (PowerDNS's own check)
    const serverId = env['PDNS_SERVER_ID']?.trim() ?? '';
    if (serverId !== '' && (!/^[A-Za-z0-9_.-]+$/.test(serverId) || /^\.+$/.test(serverId)))
      issues.push(
        `PDNS_SERVER_ID: must be a server id such as "localhost" (letters, digits, "_", ".", "-"), got ${JSON.stringify(serverId)}`,
      );
    // the key's value is never echoed
    if ((env['PDNS_API_KEY']?.trim() ?? '') === '')
      issues.push('PDNS_API_KEY: is required with DNS_PROVIDER=pdns');
    const cert = env['PDNS_TLS_CLIENT_CERT_FILE']?.trim() ?? '';
    const key = env['PDNS_TLS_CLIENT_KEY_FILE']?.trim() ?? '';
    if ((cert === '') !== (key === ''))
      issues.push(
        `${cert === '' ? 'PDNS_TLS_CLIENT_CERT_FILE' : 'PDNS_TLS_CLIENT_KEY_FILE'}: mutual TLS needs both PDNS_TLS_CLIENT_CERT_FILE and PDNS_TLS_CLIENT_KEY_FILE`,
      );
  }
  if (provider === 'cloudflare') {
    const token = env['CF_API_TOKEN']?.trim() ?? '';
    const key = env['CF_API_KEY']?.trim() ?? '';
    const email = env['CF_API_EMAIL']?.trim() ?? '';
    // values are never echoed: they are secrets
    // the half of the legacy pair that is missing, when the other half is there
    if (token === '' && key !== '' && email === '')
      issues.push(
        'CF_API_EMAIL: is required with CF_API_KEY (the legacy global API key); or use CF_API_TOKEN',
      );
    else if (token === '' && key === '' && email !== '')
      issues.push(
        'CF_API_KEY: is required with CF_API_EMAIL (the legacy global API key); or use CF_API_TOKEN',
      );
    else if (token === '' && key === '')
      issues.push('CF_API_TOKEN: is required with DNS_PROVIDER=cloudflare (or CF_API_KEY with CF_API_EMAIL)');
    if (token !== '' && key !== '')
      issues.push('CF_API_KEY: set either CF_API_TOKEN or CF_API_KEY, not both');
  }
  if (provider === 'hetzner') {
    const token = env['HETZNER_API_TOKEN']?.trim() || env['HCLOUD_TOKEN']?.trim() || '';
    // the token's value is never echoed
    if (token === '')
      issues.push('HETZNER_API_TOKEN: is required with DNS_PROVIDER=hetzner (or HCLOUD_TOKEN)');
  }
  if (provider === 'route53') {
    const type = env['EXTERNAL_DNS_AWS_ZONE_TYPE']?.trim().toLowerCase() ?? '';
    if (!['', 'public', 'private'].includes(type))
      issues.push(
        `EXTERNAL_DNS_AWS_ZONE_TYPE: must be public, private or empty, got ${JSON.stringify(type)}`,
      );
    const retries = env['EXTERNAL_DNS_AWS_API_RETRIES']?.trim() ?? '';
    if (retries !== '' && !/^\d+$/.test(retries))
      issues.push(
        `EXTERNAL_DNS_AWS_API_RETRIES: must be a non-negative whole number (0 or more), got ${JSON.stringify(retries)}`,
      );
  }
  for (const name of ['REGEXP_DOMAIN_FILTER', 'REGEXP_DOMAIN_FILTER_EXCLUSION'] as const) {
    const value = env[name] ?? '';
    if (value.trim() === '') continue;
    try {
      new DomainFilter({ regexInclude: value });
    } catch {
      issues.push(`${name}: is not a valid regular expression: ${JSON.stringify(value)}`);
    }
  }
  if (provider === 'azure' || provider === 'azure-private-dns') {
    const duration = env['EXTERNAL_DNS_AZURE_ZONES_CACHE_DURATION']?.trim() ?? '';
    if (duration !== '' && goDurationMs(duration) === undefined)
      issues.push(
        `EXTERNAL_DNS_AZURE_ZONES_CACHE_DURATION: must be a duration such as 0s, 30s, 5m or 1h, got ${JSON.stringify(duration)}`,
      );
    const retries = env['EXTERNAL_DNS_AZURE_MAXRETRIES_COUNT']?.trim() ?? '';
    if (retries !== '' && !/^-?\d+$/.test(retries))
      issues.push(
        `EXTERNAL_DNS_AZURE_MAXRETRIES_COUNT: must be a whole number, got ${JSON.stringify(retries)}`,
      );
  }
  if (provider === 'google') {
    const visibility = env['EXTERNAL_DNS_GOOGLE_ZONE_VISIBILITY']?.trim().toLowerCase() ?? '';
    if (!['', 'public', 'private'].includes(visibility))
      issues.push(
        `EXTERNAL_DNS_GOOGLE_ZONE_VISIBILITY: must be public, private or empty, got ${JSON.stringify(visibility)}`,
      );
    const size = env['EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_SIZE']?.trim() ?? '';
    if (size !== '' && !(/^\d+$/.test(size) && Number(size) >= 2))
      issues.push(
        `EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_SIZE: must be a whole number of 2 or more, got ${JSON.stringify(size)}`,
      );
    const interval = env['EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL']?.trim() ?? '';
    if (interval !== '' && goDurationMs(interval) === undefined)
      issues.push(
        `EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL: must be a duration such as 1s or 500ms, got ${JSON.stringify(interval)}`,
      );
  }
  if (
    provider === 'inmemory' &&
    (env['DOMAIN_FILTER'] ?? '').split(',').every((entry) => entry.trim() === '')
  )
    issues.push(
      'DOMAIN_FILTER: is required with DNS_PROVIDER=inmemory (its entries are the in-memory zones)',
    );
  return issues;
}

/** The domain list variables (ExternalDNS's `--domain-filter`, `--exclude-domains`). */
const DOMAIN_LIST_VARIABLES = ['DOMAIN_FILTER', 'EXCLUDE_DOMAINS', 'EXCLUDE_DOMAIN_FILTER'] as const;

/**
 * Why a domain list entry can never match a name, or `undefined`. ExternalDNS takes a leading dot
 * (`.example.com`: subdomains only), a trailing dot and any case; a space, a `*` (the lists are
 * not patterns: `REGEXP_DOMAIN_FILTER` is) or an empty label matches nothing, so it is a typo.
 */
function domainEntryIssue(entry: string): string | undefined {
  if (/\s/.test(entry)) return 'contains a space';
  if (entry.includes('*'))
    return 'contains "*": the lists take domains, not patterns (".example.com" means its subdomains; REGEXP_DOMAIN_FILTER takes a regex)';
  const labels = entry.replace(/^\./, '').replace(/\.$/, '');
  // a lone "." is left to the filter (as ExternalDNS does): it names no label to be empty
  if (labels !== '' && labels.split('.').some((label) => label === '')) return 'has an empty label';
  return undefined;
}

/** Domain list entries that can never match, one line each naming the variable and the entry. */
function domainListIssues(env: Readonly<Record<string, string | undefined>>): string[] {
  const issues: string[] = [];
  for (const variable of DOMAIN_LIST_VARIABLES)
    for (const entry of (env[variable] ?? '').split(',').map((e) => e.trim())) {
      if (entry === '') continue;
      const issue = domainEntryIssue(entry);
      if (issue) issues.push(`${variable}: entry ${JSON.stringify(entry)} ${issue}, so it can never match`);
    }
  return issues;
}

/** Prefixes of the variables this command reads: another variable with one of them is a typo. */
const OWN_PREFIXES = [
  'DNS_',
  'PDNS_',
  'CF_',
  'HETZNER_',
  'HCLOUD_',
  'WEBHOOK_',
  'HEALTH_',
  'LOG_',
  'DOMAIN_',
  'EXCLUDE_',
  'REGEXP_',
  'REGEX_',
  'EXTERNAL_DNS_AWS_',
  'EXTERNAL_DNS_AZURE_',
  'EXTERNAL_DNS_GOOGLE_',
  'EXTERNAL_DNS_ZONE_',
];

/** Every variable the command reads. */
export const KNOWN_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

// Kubernetes adds `<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT_8888_TCP_ADDR`… for every Service of the
// namespace (unless `enableServiceLinks: false`): a Service named `webhook` is not a typo of ours.
const SERVICE_LINK =
  /(_SERVICE_HOST|_SERVICE_PORT(_[A-Z0-9_]+)?|_PORT_\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)$/;

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The known variable nearest to `name` (edit distance). */
export function closestVariable(name: string): string {
  let best = KNOWN_VARIABLES[0] as string;
  let bestDistance = Infinity;
  for (const known of KNOWN_VARIABLES) {
    const d = distance(name, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

function unknownVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  const known = new Set(KNOWN_VARIABLES);
  return Object.keys(env)
    .filter(
      (name) =>
        !known.has(name) &&
        OWN_PREFIXES.some((prefix) => name.startsWith(prefix)) &&
        !SERVICE_LINK.test(name) &&
        // `<SERVICE>_PORT=tcp://10.0.0.1:8081`: the bare form of a Service link
        !(name.endsWith('_PORT') && /^(tcp|udp|sctp):\/\//.test(env[name] ?? '')),
    )
    .sort()
    .map((name) => `${name}: is not a variable of this command; did you mean ${closestVariable(name)}?`);
}

/**
 * Reads the command's settings from environment variables, and checks the files they name (TLS
 * files, `NODE_EXTRA_CA_CERTS`, azure.json, `AZURE_ACCESS_TOKEN_FILE`). Every problem is reported
 * at once, each line naming its variable: `WEBHOOK_PORT: must be a port number from 0 to 65535,
 * got "http"`.
 * @throws ConfigError (from `@openova/dns-core`) naming every bad variable.
 */
export function parseWebhookConfig(env: Readonly<Record<string, string | undefined>>): WebhookConfig {
  const result = envSchema.safeParse(env);
  const lines = [
    ...(result.success
      ? []
      : result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`)),
    ...providerIssues(env),
    ...domainListIssues(env),
    // the files the variables name, in the same run (not one problem per start)
    ...fileIssues(env),
    ...unknownVariables(env),
  ];
  if (!result.success || lines.length) throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  const e = result.data;
  return {
    provider: e.DNS_PROVIDER,
    pdns:
      e.DNS_PROVIDER === 'pdns'
        ? {
            apiUrl: (e.PDNS_API_URL ?? '').trim(),
            apiKey: (e.PDNS_API_KEY ?? '').trim(),
            serverId: e.PDNS_SERVER_ID,
            tls: {
              ...(e.PDNS_TLS_CA_FILE?.trim() ? { caFile: e.PDNS_TLS_CA_FILE.trim() } : {}),
              ...(e.PDNS_TLS_CLIENT_CERT_FILE?.trim()
                ? { certFile: e.PDNS_TLS_CLIENT_CERT_FILE.trim() }
                : {}),
              ...(e.PDNS_TLS_CLIENT_KEY_FILE?.trim() ? { keyFile: e.PDNS_TLS_CLIENT_KEY_FILE.trim() } : {}),
              skipVerify: e.PDNS_TLS_SKIP_VERIFY,
            },
          }
        : undefined,
    cloudflare: e.DNS_PROVIDER === 'cloudflare' ? cloudflareSettings(e) : undefined,
    hetzner:
      e.DNS_PROVIDER === 'hetzner'
        ? {
            token: e.HETZNER_API_TOKEN?.trim() || (e.HCLOUD_TOKEN ?? '').trim(),
            baseUrl: e.HETZNER_BASE_URL?.trim() || undefined,
          }
        : undefined,
    route53: e.DNS_PROVIDER === 'route53' ? route53Settings(e) : undefined,
    azure:
      e.DNS_PROVIDER === 'azure' || e.DNS_PROVIDER === 'azure-private-dns' ? azureSettings(e) : undefined,
    google: e.DNS_PROVIDER === 'google' ? googleSettings(e) : undefined,
    domainFilter: {
      include: e.DOMAIN_FILTER,
      exclude: [...e.EXCLUDE_DOMAINS, ...e.EXCLUDE_DOMAIN_FILTER],
      ...(e.REGEXP_DOMAIN_FILTER?.trim() ? { regexInclude: e.REGEXP_DOMAIN_FILTER.trim() } : {}),
      ...(e.REGEXP_DOMAIN_FILTER_EXCLUSION?.trim()
        ? { regexExclude: e.REGEXP_DOMAIN_FILTER_EXCLUSION.trim() }
        : {}),
    },
    api: { host: e.WEBHOOK_HOST, port: e.WEBHOOK_PORT },
    health: { host: e.HEALTH_HOST, port: e.HEALTH_PORT },
    limits: {
      maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
      requestDeadlineMs: e.WEBHOOK_REQUEST_DEADLINE_MS,
      maxConcurrentBodies: e.WEBHOOK_MAX_CONCURRENT_BODIES,
    },
    shutdownTimeoutMs: e.WEBHOOK_SHUTDOWN_TIMEOUT_MS,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    warnings: configWarnings(e),
  };
}

/** Accepted settings that defeat their purpose with a stock ExternalDNS (see `WebhookConfig.warnings`). */
function configWarnings(e: z.infer<typeof envSchema>): string[] {
  const warnings: string[] = [];
  // A warning, not an error: a client other than ExternalDNS (`WebhookProvider` with a longer
  // timeout) may wait longer, and a sidecar that refused to start would be an outage of its own.
  if (e.WEBHOOK_REQUEST_DEADLINE_MS >= EXTERNAL_DNS_CLIENT_TIMEOUT_MS)
    warnings.push(
      `WEBHOOK_REQUEST_DEADLINE_MS: ${e.WEBHOOK_REQUEST_DEADLINE_MS} ms is not below ExternalDNS's 15 s client timeout: a slow request's 503 would come after ExternalDNS gave up, which it treats as fatal (the controller exits); keep it at 14000 or less`,
    );
  for (const [variable] of URL_VARIABLES[e.DNS_PROVIDER] ?? []) {
    const value = (e as Record<string, unknown>)[variable];
    if (typeof value !== 'string' || !URL.canParse(value.trim())) continue;
    const url = new URL(value.trim());
    if (url.search !== '' || url.hash !== '')
      warnings.push(
        `${variable}: what follows "?" or "#" in it is ignored (API paths are appended to its path)`,
      );
  }
  if (e.DNS_PROVIDER === 'pdns') {
    // TLS settings that cannot apply: the user meant something that is not happening
    const plain = /^http:/i.test((e.PDNS_API_URL ?? '').trim());
    const tlsSet = [
      ['PDNS_TLS_CA_FILE', e.PDNS_TLS_CA_FILE],
      ['PDNS_TLS_CLIENT_CERT_FILE', e.PDNS_TLS_CLIENT_CERT_FILE],
      ['PDNS_TLS_CLIENT_KEY_FILE', e.PDNS_TLS_CLIENT_KEY_FILE],
      ['PDNS_TLS_SKIP_VERIFY', e.PDNS_TLS_SKIP_VERIFY ? 'true' : undefined],
    ].filter(([, value]) => value?.trim());
    if (plain)
      for (const [variable] of tlsSet)
        warnings.push(
          `${variable}: has no effect: PDNS_API_URL is http://, so there is no TLS (and the API key goes in clear); use an https:// URL or unset it`,
        );
    else if (e.PDNS_TLS_SKIP_VERIFY && e.PDNS_TLS_CA_FILE?.trim())
      warnings.push(
        'PDNS_TLS_CA_FILE: has no effect: PDNS_TLS_SKIP_VERIFY=true accepts any server certificate; unset one of them',
      );
  }
  if (e.WEBHOOK_SHUTDOWN_TIMEOUT_MS >= KUBERNETES_GRACE_PERIOD_MS)
    warnings.push(
      `WEBHOOK_SHUTDOWN_TIMEOUT_MS: ${e.WEBHOOK_SHUTDOWN_TIMEOUT_MS} ms is not below Kubernetes' default 30 s terminationGracePeriodSeconds: the kubelet may kill the container before it finishes; raise the pod's terminationGracePeriodSeconds above it`,
    );
  return warnings;
}

/** Kubernetes' default `terminationGracePeriodSeconds` (30 s), after which SIGKILL follows SIGTERM. */
export const KUBERNETES_GRACE_PERIOD_MS = 30_000;

function cloudflareSettings(e: z.infer<typeof envSchema>): NonNullable<WebhookConfig['cloudflare']> {
  const common = { baseUrl: e.CF_BASE_URL?.trim() || undefined, proxiedByDefault: e.CF_PROXIED };
  const token = e.CF_API_TOKEN?.trim() ?? '';
  return token !== ''
    ? { apiToken: token, ...common }
    : { apiKey: (e.CF_API_KEY ?? '').trim(), apiEmail: (e.CF_API_EMAIL ?? '').trim(), ...common };
}

function route53Settings(e: z.infer<typeof envSchema>): NonNullable<WebhookConfig['route53']> {
  const type = e.EXTERNAL_DNS_AWS_ZONE_TYPE?.trim().toLowerCase();
  const role = e.EXTERNAL_DNS_AWS_ASSUME_ROLE?.trim() ?? '';
  const externalId = e.EXTERNAL_DNS_AWS_ASSUME_ROLE_EXTERNAL_ID?.trim() ?? '';
  const retries = e.EXTERNAL_DNS_AWS_API_RETRIES?.trim() ?? '';
  return {
    region: e.AWS_REGION?.trim() || undefined,
    endpoint: e.AWS_ENDPOINT_URL_ROUTE_53?.trim() || undefined,
    zoneType: type === 'public' || type === 'private' ? type : undefined,
    // ExternalDNS's `key=value` or `key` (any value)
    zoneTags: Object.fromEntries(
      e.EXTERNAL_DNS_AWS_ZONE_TAGS.map((tag) => {
        const at = tag.indexOf('=');
        return at < 0 ? [tag, ''] : [tag.slice(0, at), tag.slice(at + 1)];
      }),
    ),
    assumeRole: role ? { roleArn: role, ...(externalId ? { externalId } : {}) } : undefined,
    evaluateTargetHealth: e.EXTERNAL_DNS_AWS_EVALUATE_TARGET_HEALTH,
    preferCname: e.EXTERNAL_DNS_AWS_PREFER_CNAME,
    // ExternalDNS counts retries (default 3); the SDK counts attempts
    maxAttempts: (retries === '' ? 3 : Number(retries)) + 1,
    profile: e.EXTERNAL_DNS_AWS_PROFILE?.trim() || undefined,
  };
}

/** A Go duration as ExternalDNS's flags take it (`90s`, `5m`, `1h30m`, `500ms`), in ms. */
export function goDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (units[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return text === '' ? undefined : Math.round(total);
}

function azureSettings(e: z.infer<typeof envSchema>): NonNullable<WebhookConfig['azure']> {
  const retries = e.EXTERNAL_DNS_AZURE_MAXRETRIES_COUNT?.trim() ?? '';
  const duration = e.EXTERNAL_DNS_AZURE_ZONES_CACHE_DURATION?.trim() ?? '';
  return {
    zoneType: e.DNS_PROVIDER === 'azure-private-dns' ? 'private' : 'public',
    configFile: e.EXTERNAL_DNS_AZURE_CONFIG_FILE?.trim() || '/etc/kubernetes/azure.json',
    configFileSet: Boolean(e.EXTERNAL_DNS_AZURE_CONFIG_FILE?.trim()),
    subscriptionId: e.EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID?.trim() || undefined,
    resourceGroup: e.EXTERNAL_DNS_AZURE_RESOURCE_GROUP?.trim() || undefined,
    userAssignedIdentityId: e.EXTERNAL_DNS_AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID?.trim() || undefined,
    zonesCacheDurationMs: duration === '' ? undefined : goDurationMs(duration),
    // ExternalDNS's default is 3; a negative count turns retries off
    maxRetries: retries === '' ? 3 : Math.max(0, Number(retries)),
    zoneIds: e.EXTERNAL_DNS_ZONE_ID_FILTER,
    accessTokenFile: e.AZURE_ACCESS_TOKEN_FILE?.trim() || undefined,
  };
}

function googleSettings(e: z.infer<typeof envSchema>): NonNullable<WebhookConfig['google']> {
  const visibility = e.EXTERNAL_DNS_GOOGLE_ZONE_VISIBILITY?.trim().toLowerCase();
  const size = e.EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_SIZE?.trim() ?? '';
  const interval = e.EXTERNAL_DNS_GOOGLE_BATCH_CHANGE_INTERVAL?.trim() ?? '';
  return {
    project: e.EXTERNAL_DNS_GOOGLE_PROJECT?.trim() || undefined,
    zoneVisibility: visibility === 'public' || visibility === 'private' ? visibility : undefined,
    zoneIds: e.EXTERNAL_DNS_ZONE_ID_FILTER,
    // ExternalDNS's defaults: 1,000 per change, 1 s between changes
    batchChangeSize: size === '' ? 1000 : Number(size),
    batchChangeIntervalMs: interval === '' ? 1000 : (goDurationMs(interval) ?? 1000),
    accessToken: e.GOOGLE_OAUTH_ACCESS_TOKEN?.trim() || undefined,
    baseUrl: e.GOOGLE_DNS_BASE_URL?.trim() || undefined,
  };
}
