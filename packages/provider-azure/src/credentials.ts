/**
 * Credentials from ExternalDNS's Azure configuration file (`azure.json`, the AKS cloud-provider
 * format; `--azure-config-file`, default `/etc/kubernetes/azure.json`), with ExternalDNS's
 * precedence: a client id and secret (unless either is the placeholder `msi`), then workload
 * identity, then managed identity. Source: ExternalDNS `provider/azure/config.go`.
 */
import { ConfigError } from '@openova/dns-core';
import type { AzureTokenCredential } from './client.js';

/** The fields of `azure.json` this package reads (ExternalDNS's names). */
export interface AzureConfigFile {
  cloud?: string;
  tenantId?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  aadClientId?: string;
  aadClientSecret?: string;
  useManagedIdentityExtension?: boolean;
  useWorkloadIdentityExtension?: boolean;
  userAssignedIdentityID?: string;
  activeDirectoryAuthorityHost?: string;
}

/**
 * A `TokenCredential` from `@azure/identity` (4.13.1, the last line supporting Node 20) for an
 * `azure.json`: `ClientSecretCredential`, `WorkloadIdentityCredential` (AKS workload identity:
 * `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_FEDERATED_TOKEN_FILE` from the webhook, the client
 * id overridable by `userAssignedIdentityID`) or `ManagedIdentityCredential` (user-assigned by
 * `userAssignedIdentityID`, else system-assigned).
 * @throws `ConfigError` "no credentials provided for Azure API" when none applies (as ExternalDNS).
 */
export async function azureCredentialFromConfig(config: AzureConfigFile): Promise<AzureTokenCredential> {
  const identity = await import('@azure/identity');
  const authorityHost = config.activeDirectoryAuthorityHost
    ? { authorityHost: config.activeDirectoryAuthorityHost }
    : {};
  const { aadClientId: id, aadClientSecret: secret } = config;
  if (id && secret && id !== 'msi' && secret !== 'msi') {
    if (!config.tenantId)
      throw new ConfigError('azure: tenantId is required with aadClientId and aadClientSecret');
    return new identity.ClientSecretCredential(config.tenantId, id, secret, authorityHost);
  }
  if (config.useWorkloadIdentityExtension)
    return new identity.WorkloadIdentityCredential({
      ...authorityHost,
      ...(config.tenantId ? { tenantId: config.tenantId } : {}),
      ...(config.userAssignedIdentityID ? { clientId: config.userAssignedIdentityID } : {}),
    });
  if (config.useManagedIdentityExtension)
    return config.userAssignedIdentityID
      ? new identity.ManagedIdentityCredential({ clientId: config.userAssignedIdentityID })
      : new identity.ManagedIdentityCredential();
  throw new ConfigError(
    'azure: no credentials provided for Azure API (azure.json has no client secret, workload identity or managed identity)',
  );
}
