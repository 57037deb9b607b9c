/**
 * Credentials from ExternalDNS's Azure configuration file (`azure.json`, the AKS cloud-provider
 * format; `--azure-config-file`, default `/etc/kubernetes/azure.json`), with ExternalDNS's
 * precedence: a client id and secret (unless either is the placeholder `msi`), then workload
 * identity, then managed identity. Source: ExternalDNS `provider/azure/config.go`.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '@openova/dns-core';
import { z } from 'zod';
import type * as AzureIdentity from '@azure/identity';
import type { AzureAccessToken, AzureTokenCredential } from './client.js';

type Identity = typeof AzureIdentity;

/** The fields of `azure.json` this package reads (ExternalDNS's names). */
export interface AzureConfigFile {
  /**
   * The cloud's name (`AzurePublicCloud`, `AzureChinaCloud`, …). Read, not used: a sovereign cloud
   * is chosen by `resourceManagerEndpoint` and `activeDirectoryAuthorityHost`.
   */
  cloud?: string | undefined;
  /** The Microsoft Entra tenant (directory) id; required with `aadClientId` and `aadClientSecret`. */
  tenantId?: string | undefined;
  /** The subscription holding the zones (the provider's `subscriptionId`). */
  subscriptionId?: string | undefined;
  /** The resource group of the zones (the provider's `resourceGroup`). */
  resourceGroup?: string | undefined;
  /** A service principal's client id; `msi` means "no service principal" (ExternalDNS's placeholder). */
  aadClientId?: string | undefined;
  /** The service principal's secret (never logged, never in an error); `msi` as for `aadClientId`. */
  aadClientSecret?: string | undefined;
  /** Use a managed identity (user-assigned with `userAssignedIdentityID`, else system-assigned). */
  useManagedIdentityExtension?: boolean | undefined;
  /** Use AKS workload identity (the federated token file the webhook mounts). */
  useWorkloadIdentityExtension?: boolean | undefined;
  /** Client id of a user-assigned managed identity, or of the workload identity to use. */
  userAssignedIdentityID?: string | undefined;
  /** Microsoft Entra authority of a sovereign cloud (default `https://login.microsoftonline.com`). */
  activeDirectoryAuthorityHost?: string | undefined;
  /** ARM endpoint of a sovereign cloud or Azure Stack (default: the public cloud's). */
  resourceManagerEndpoint?: string | undefined;
}

const configSchema: z.ZodType<AzureConfigFile> = z.looseObject({
  cloud: z.string().optional(),
  tenantId: z.string().optional(),
  subscriptionId: z.string().optional(),
  resourceGroup: z.string().optional(),
  aadClientId: z.string().optional(),
  aadClientSecret: z.string().optional(),
  useManagedIdentityExtension: z.boolean().optional(),
  useWorkloadIdentityExtension: z.boolean().optional(),
  userAssignedIdentityID: z.string().optional(),
  activeDirectoryAuthorityHost: z.string().optional(),
  resourceManagerEndpoint: z.string().optional(),
});

/**
 * Reads and checks an `azure.json` (ExternalDNS's `--azure-config-file`).
 * @throws `ConfigError` naming the file when it cannot be read or is not such a file.
 */
export async function readAzureConfigFile(path: string): Promise<AzureConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`azure: cannot read the Azure config file ${path}`, { cause });
  }
  return parseAzureConfigFile(text, path);
}

/**
 * Checks the text of an `azure.json`.
 * @throws `ConfigError` naming `path` (never echoing the content: it may hold a client secret).
 */
export function parseAzureConfigFile(text: string, path = 'azure.json'): AzureConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`azure: the Azure config file ${path} is not JSON`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success)
    throw new ConfigError(
      `azure: the Azure config file ${path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/**
 * A credential reading a bearer token from a file on every renewal (each token is used for at most
 * `refreshMs`, default 300 000): for a token that another process keeps fresh (a sidecar, a
 * projected volume), and for tests against a fake. The token is never logged.
 */
export function fileTokenCredential(path: string, refreshMs = 300_000): AzureTokenCredential {
  return {
    async getToken(): Promise<AzureAccessToken> {
      const token = (await readFile(path, 'utf8')).trim();
      if (!token) throw new ConfigError(`azure: the token file ${path} is empty`);
      return { token, expiresOnTimestamp: Date.now() + refreshMs };
    },
  };
}

/**
 * A `TokenCredential` from `@azure/identity` (4.13.1, the last line supporting Node 20) for an
 * `azure.json`, chosen now and loaded on the first token request:
 * - `ClientSecretCredential` for `aadClientId` + `aadClientSecret` (unless either is `msi`);
 * - `WorkloadIdentityCredential` for `useWorkloadIdentityExtension` (AKS workload identity:
 *   `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_FEDERATED_TOKEN_FILE` from the webhook; the client
 *   id overridable by `userAssignedIdentityID`);
 * - `ManagedIdentityCredential` for `useManagedIdentityExtension` (user-assigned by
 *   `userAssignedIdentityID`, else system-assigned);
 * - otherwise, with `fallback: 'default'`, `DefaultAzureCredential` (environment, workload
 *   identity, managed identity, developer tools).
 * @throws `ConfigError` "no credentials provided for Azure API" when none applies and `fallback` is
 *   `error` (the default, as ExternalDNS).
 */
export function azureCredentialFromConfig(
  config: AzureConfigFile,
  options: { fallback?: 'error' | 'default' } = {},
): AzureTokenCredential {
  const authorityHost = config.activeDirectoryAuthorityHost
    ? { authorityHost: config.activeDirectoryAuthorityHost }
    : {};
  const { aadClientId: id, aadClientSecret: secret, userAssignedIdentityID: clientId } = config;
  let make: (identity: Identity) => AzureTokenCredential;
  if (id && secret && id !== 'msi' && secret !== 'msi') {
    const tenant = config.tenantId;
    if (!tenant) throw new ConfigError('azure: tenantId is required with aadClientId and aadClientSecret');
    make = (identity) => new identity.ClientSecretCredential(tenant, id, secret, authorityHost);
  } else if (config.useWorkloadIdentityExtension)
    make = (identity) =>
      new identity.WorkloadIdentityCredential({
        ...authorityHost,
        ...(config.tenantId ? { tenantId: config.tenantId } : {}),
        ...(clientId ? { clientId } : {}),
      });
  else if (config.useManagedIdentityExtension)
    make = (identity) =>
      clientId
        ? new identity.ManagedIdentityCredential({ clientId })
        : new identity.ManagedIdentityCredential();
  else if (options.fallback === 'default')
    make = (identity) =>
      new identity.DefaultAzureCredential(
        clientId ? { managedIdentityClientId: clientId, workloadIdentityClientId: clientId } : {},
      );
  else
    throw new ConfigError(
      'azure: no credentials provided for Azure API (azure.json has no client secret, workload identity or managed identity)',
    );
  let loaded: Promise<AzureTokenCredential> | undefined;
  return {
    async getToken(scopes, getTokenOptions) {
      loaded ??= import('@azure/identity').then(make);
      return (await loaded).getToken(scopes, getTokenOptions);
    },
  };
}
