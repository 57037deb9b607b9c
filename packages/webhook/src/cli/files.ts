import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '@openova/dns-core';
import { apiBaseUrl } from '@openova/dns-core/http';
import { appendAll } from '@openova/dns-core/provider';
import { parseAzureConfigFile, type AzureConfigFile } from '@openova/dns-provider-azure';

/** A PEM file named by a variable; a file that cannot be read is a `ConfigError` naming it. */
export function pem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    throw new ConfigError(
      `${variable}: cannot read ${JSON.stringify(path)}${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The certificates of a PEM file named by a variable. Node.js takes a `ca` that holds no PEM
 * certificate without a word (and then trusts nothing), so a DER or otherwise wrong file is a
 * `ConfigError` naming the variable, before start.
 */
export function pemCertificates(variable: string, path: string): X509Certificate[] {
  const text = pem(variable, path).toString('latin1');
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0)
    throw new ConfigError(
      `${variable}: ${JSON.stringify(path)} is not a PEM file of certificates (no "-----BEGIN CERTIFICATE-----" block); a DER file converts with \`openssl x509 -inform der -in FILE -out FILE.pem\``,
    );
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new ConfigError(
        `${variable}: certificate ${i + 1} of ${JSON.stringify(path)} cannot be read (its PEM block is damaged)`,
      );
    }
  });
}

/** The private key of a PEM file named by a variable (its content is never shown). */
export function pemPrivateKey(variable: string, path: string): KeyObject {
  const data = pem(variable, path);
  try {
    return createPrivateKey(data);
  } catch (cause) {
    const encrypted =
      /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(data.toString('latin1')) ||
      (cause as { code?: unknown }).code === 'ERR_MISSING_PASSPHRASE';
    throw new ConfigError(
      `${variable}: ${JSON.stringify(path)} ${encrypted ? 'is an encrypted private key; the command takes an unencrypted one' : 'is not a PEM private key'}`,
    );
  }
}

/**
 * Reads azure.json (`EXTERNAL_DNS_AZURE_CONFIG_FILE`, default `/etc/kubernetes/azure.json`) when it
 * is there; a file named by the variable must be there. `{}` when there is none.
 * @throws ConfigError naming `EXTERNAL_DNS_AZURE_CONFIG_FILE`.
 */
export function readAzureConfigFile(configFile: string, named: boolean): AzureConfigFile {
  // A file named by the variable must be there: otherwise the setting would silently not apply.
  if (named && !existsSync(configFile))
    throw new ConfigError(
      `EXTERNAL_DNS_AZURE_CONFIG_FILE: ${JSON.stringify(configFile)} does not exist (unset the variable to use DefaultAzureCredential's chain)`,
    );
  if (!existsSync(configFile)) return {};
  try {
    return parseAzureConfigFile(
      pem('EXTERNAL_DNS_AZURE_CONFIG_FILE', configFile).toString('utf8'),
      configFile,
    );
  } catch (error) {
    if (!(error instanceof ConfigError) || error.message.startsWith('EXTERNAL_DNS_')) throw error;
    throw new ConfigError(`EXTERNAL_DNS_AZURE_CONFIG_FILE: ${error.message.replace(/^azure: /, '')}`, {
      cause: error,
    });
  }
}

/** The lines of a check that throws `ConfigError`s: none when it passes. */
function linesOf(check: () => void): string[] {
  try {
    check();
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.split('\n');
  }
}

/**
 * What is wrong with the files the variables name (TLS files, `NODE_EXTRA_CA_CERTS`, azure.json,
 * `AZURE_ACCESS_TOKEN_FILE`), one line each naming its variable, so that they are reported with
 * the other configuration problems in one run.
 */
export function fileIssues(env: Readonly<Record<string, string | undefined>>): string[] {
  const issues: string[] = [];
  const value = (name: string) => env[name]?.trim() ?? '';
  const extraCa = value('NODE_EXTRA_CA_CERTS');
  if (extraCa)
    appendAll(
      issues,
      linesOf(() => pemCertificates('NODE_EXTRA_CA_CERTS', extraCa)),
    );
  const provider = value('DNS_PROVIDER').toLowerCase();
  if (provider === 'pdns') {
    const ca = value('PDNS_TLS_CA_FILE');
    if (ca)
      appendAll(
        issues,
        linesOf(() => pemCertificates('PDNS_TLS_CA_FILE', ca)),
      );
    const certFile = value('PDNS_TLS_CLIENT_CERT_FILE');
    const keyFile = value('PDNS_TLS_CLIENT_KEY_FILE');
    let certificate: X509Certificate | undefined;
    let key: KeyObject | undefined;
    if (certFile)
      appendAll(
        issues,
        linesOf(() => ([certificate] = pemCertificates('PDNS_TLS_CLIENT_CERT_FILE', certFile))),
      );
    if (keyFile)
      appendAll(
        issues,
        linesOf(() => (key = pemPrivateKey('PDNS_TLS_CLIENT_KEY_FILE', keyFile))),
      );
    if (certificate && key && !certificate.checkPrivateKey(key))
      issues.push(
        'PDNS_TLS_CLIENT_KEY_FILE: is not the private key of the certificate in PDNS_TLS_CLIENT_CERT_FILE',
      );
  }
  if (provider === 'azure' || provider === 'azure-private-dns') {
    const configFile = value('EXTERNAL_DNS_AZURE_CONFIG_FILE') || '/etc/kubernetes/azure.json';
    let file: AzureConfigFile | undefined;
    appendAll(
      issues,
      linesOf(() => (file = readAzureConfigFile(configFile, value('EXTERNAL_DNS_AZURE_CONFIG_FILE') !== ''))),
    );
    // the provider client checks it too, but only once the other problems are fixed
    const endpoint = file?.resourceManagerEndpoint;
    if (endpoint)
      appendAll(
        issues,
        linesOf(() => {
          try {
            apiBaseUrl('azure', 'resourceManagerEndpoint', endpoint);
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            // the value is never echoed: a secret may sit in the URL
            throw new ConfigError(
              `EXTERNAL_DNS_AZURE_CONFIG_FILE: ${error.message.replace(/^azure: /, '').replace(/ is not a valid URL: .*/, ' is not a valid URL')}`,
            );
          }
        }),
      );
    const tokenFile = value('AZURE_ACCESS_TOKEN_FILE');
    if (tokenFile)
      appendAll(
        issues,
        linesOf(() => pem('AZURE_ACCESS_TOKEN_FILE', tokenFile)),
      );
    // a file that cannot be read was reported above; its subscription is not known
    if (file && !value('EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID') && !file.subscriptionId)
      issues.push(
        `EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID: is required with DNS_PROVIDER=${provider} (or subscriptionId in ${configFile}, EXTERNAL_DNS_AZURE_CONFIG_FILE)`,
      );
  }
  return issues;
}
