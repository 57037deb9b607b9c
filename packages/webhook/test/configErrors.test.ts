// Every configuration error names the environment variable to fix, for every provider mode, and
// never shows a secret: a URL with credentials (user:pass@), a non-http URL, a server id PowerDNS's
// client refuses, an azure.json that is missing, broken or points at a URL with credentials, TLS
// files that are not PEM or do not belong together. TLS settings that cannot apply (an http:// URL,
// a CA file beside PDNS_TLS_SKIP_VERIFY) and ignored URL parts are start-up warnings naming theirs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@openova/dns-core';
import { parseWebhookConfig } from '@openova/dns-webhook';
import { createConfiguredProvider } from '../src/cli/createProvider.js';
import { spawnCli, type CliProcess } from './support/cli.js';

const running: CliProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

const SECRET = 'p4ss-w0rd-secret';
let dir: string;
const file = (name: string, text: string | Buffer) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'webhook-config-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  for (const name of ['one', 'two'])
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    );
  ssl('x509', '-in', 'one.pem', '-outform', 'der', '-out', 'one.der');
  ssl('pkey', '-in', 'one.key', '-aes256', '-passout', 'pass:x', '-out', 'one.enc.key');
});

/** The lines of the configuration error the command would stop with (parse, then build). */
function configurationError(env: Record<string, string>): string[] {
  try {
    const configured = createConfiguredProvider(parseWebhookConfig(env));
    void configured.close();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.replace(/^invalid configuration:\n/, '').split('\n');
  }
  throw new Error(`expected a configuration error for ${JSON.stringify(env)}`);
}

const PDNS = { DNS_PROVIDER: 'pdns', PDNS_API_URL: 'https://127.0.0.1:8081', PDNS_API_KEY: 'k' };
const CREDENTIALS_URL = `http://admin:${SECRET}@127.0.0.1:1`;

describe('every configuration error names its variable (and shows no secret)', () => {
  const cases: [string, () => Record<string, string>, string, RegExp][] = [
    [
      'PowerDNS URL with credentials',
      () => ({ ...PDNS, PDNS_API_URL: CREDENTIALS_URL }),
      'PDNS_API_URL',
      /must not contain credentials.*PDNS_API_KEY/,
    ],
    [
      'PowerDNS URL not http(s)',
      () => ({ ...PDNS, PDNS_API_URL: `ftp://${SECRET}` }),
      'PDNS_API_URL',
      /must be an http/,
    ],
    [
      'PowerDNS server id with a slash',
      () => ({ ...PDNS, PDNS_SERVER_ID: 'a/b' }),
      'PDNS_SERVER_ID',
      /must be a server id/,
    ],
    [
      'Cloudflare base URL with credentials',
      () => ({ DNS_PROVIDER: 'cloudflare', CF_API_TOKEN: 't', CF_BASE_URL: CREDENTIALS_URL }),
      'CF_BASE_URL',
      /must not contain credentials/,
    ],
    [
      'Hetzner base URL with credentials',
      () => ({ DNS_PROVIDER: 'hetzner', HETZNER_API_TOKEN: 't', HETZNER_BASE_URL: CREDENTIALS_URL }),
      'HETZNER_BASE_URL',
      /must not contain credentials/,
    ],
    [
      'Route53 endpoint with credentials',
      () => ({ DNS_PROVIDER: 'route53', AWS_ENDPOINT_URL_ROUTE_53: CREDENTIALS_URL }),
      'AWS_ENDPOINT_URL_ROUTE_53',
      /must not contain credentials/,
    ],
    [
      'Route53 endpoint not http(s)',
      () => ({ DNS_PROVIDER: 'route53', AWS_ENDPOINT_URL_ROUTE_53: `file:///${SECRET}` }),
      'AWS_ENDPOINT_URL_ROUTE_53',
      /must be an http/,
    ],
    [
      'Google base URL with credentials',
      () => ({ DNS_PROVIDER: 'google', GOOGLE_DNS_BASE_URL: CREDENTIALS_URL }),
      'GOOGLE_DNS_BASE_URL',
      /must not contain credentials/,
    ],
    [
      'Google base URL not a URL',
      () => ({ DNS_PROVIDER: 'google', GOOGLE_DNS_BASE_URL: SECRET }),
      'GOOGLE_DNS_BASE_URL',
      /must be an http/,
    ],
    [
      'azure.json named but missing',
      () => ({ DNS_PROVIDER: 'azure', EXTERNAL_DNS_AZURE_CONFIG_FILE: join(dir, 'none.json') }),
      'EXTERNAL_DNS_AZURE_CONFIG_FILE',
      /does not exist/,
    ],
    [
      'azure.json not JSON',
      () => ({
        DNS_PROVIDER: 'azure',
        EXTERNAL_DNS_AZURE_CONFIG_FILE: file('bad.json', `{"aadClientSecret":"${SECRET}"`),
      }),
      'EXTERNAL_DNS_AZURE_CONFIG_FILE',
      /is not JSON/,
    ],
    [
      'azure.json endpoint with credentials',
      () => ({
        DNS_PROVIDER: 'azure',
        EXTERNAL_DNS_AZURE_CONFIG_FILE: file(
          'ep.json',
          JSON.stringify({ subscriptionId: 's', resourceManagerEndpoint: CREDENTIALS_URL }),
        ),
        AZURE_ACCESS_TOKEN_FILE: file('token', 't'),
      }),
      'EXTERNAL_DNS_AZURE_CONFIG_FILE',
      /resourceManagerEndpoint must not contain credentials/,
    ],
    [
      'Azure without a subscription',
      () => ({ DNS_PROVIDER: 'azure-private-dns', AZURE_ACCESS_TOKEN_FILE: file('token', 't') }),
      'EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID',
      /is required/,
    ],
    [
      'Azure token file missing',
      () => ({
        DNS_PROVIDER: 'azure',
        EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID: 's',
        AZURE_ACCESS_TOKEN_FILE: join(dir, 'no-token'),
      }),
      'AZURE_ACCESS_TOKEN_FILE',
      /cannot read/,
    ],
    [
      'a CA file in DER',
      () => ({ ...PDNS, PDNS_TLS_CA_FILE: join(dir, 'one.der') }),
      'PDNS_TLS_CA_FILE',
      /is not a PEM file of certificates.*openssl x509 -inform der/,
    ],
    [
      'a CA file that is a key',
      () => ({ ...PDNS, PDNS_TLS_CA_FILE: join(dir, 'one.key') }),
      'PDNS_TLS_CA_FILE',
      /is not a PEM file of certificates/,
    ],
    [
      'a damaged CA certificate',
      () => ({
        ...PDNS,
        PDNS_TLS_CA_FILE: file(
          'damaged.pem',
          '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        ),
      }),
      'PDNS_TLS_CA_FILE',
      /certificate 1 .* cannot be read/,
    ],
    [
      'a client certificate that is not PEM',
      () => ({
        ...PDNS,
        PDNS_TLS_CLIENT_CERT_FILE: join(dir, 'one.der'),
        PDNS_TLS_CLIENT_KEY_FILE: join(dir, 'one.key'),
      }),
      'PDNS_TLS_CLIENT_CERT_FILE',
      /is not a PEM file/,
    ],
    [
      'a client key that is not PEM',
      () => ({
        ...PDNS,
        PDNS_TLS_CLIENT_CERT_FILE: join(dir, 'one.pem'),
        PDNS_TLS_CLIENT_KEY_FILE: join(dir, 'one.pem'),
      }),
      'PDNS_TLS_CLIENT_KEY_FILE',
      /is not a PEM private key/,
    ],
    [
      'an encrypted client key',
      () => ({
        ...PDNS,
        PDNS_TLS_CLIENT_CERT_FILE: join(dir, 'one.pem'),
        PDNS_TLS_CLIENT_KEY_FILE: join(dir, 'one.enc.key'),
      }),
      'PDNS_TLS_CLIENT_KEY_FILE',
      /is an encrypted private key/,
    ],
    [
      "another certificate's key",
      () => ({
        ...PDNS,
        PDNS_TLS_CLIENT_CERT_FILE: join(dir, 'one.pem'),
        PDNS_TLS_CLIENT_KEY_FILE: join(dir, 'two.key'),
      }),
      'PDNS_TLS_CLIENT_KEY_FILE',
      /is not the private key of the certificate in PDNS_TLS_CLIENT_CERT_FILE/,
    ],
  ];

  it.each(cases)('%s', (_, env, variable, detail) => {
    const lines = configurationError(env());
    for (const line of lines) expect(line).toMatch(/^[A-Z][A-Z0-9_]*: /);
    const line = lines.find((l) => l.startsWith(`${variable}: `));
    expect(line, lines.join('\n')).toMatch(detail);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('the running command stops with exit code 2 on a CA file that is not PEM, naming the variable', async () => {
    const cli = spawnCli({ ...PDNS, PDNS_TLS_CA_FILE: join(dir, 'one.der') });
    running.push(cli);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toMatch(/PDNS_TLS_CA_FILE: ".*one\.der" is not a PEM file of certificates/);
    expect(cli.stdout()).not.toContain('webhook server listening');
  });

  it('NODE_EXTRA_CA_CERTS (the CA file of every other provider mode) that is not PEM stops the command, named', async () => {
    for (const [path, detail] of [
      [join(dir, 'one.der'), /NODE_EXTRA_CA_CERTS: ".*one\.der" is not a PEM file of certificates/],
      [join(dir, 'missing.pem'), /NODE_EXTRA_CA_CERTS: cannot read ".*missing\.pem" \(ENOENT\)/],
    ] as const) {
      const cli = spawnCli({
        DNS_PROVIDER: 'hetzner',
        HETZNER_API_TOKEN: 't',
        HETZNER_BASE_URL: 'https://127.0.0.1:1',
        NODE_EXTRA_CA_CERTS: path,
      });
      running.push(cli);
      expect((await cli.exited).code).toBe(2);
      expect(cli.stderr()).toMatch(detail);
    }
    // a PEM file is taken
    const cli = spawnCli({
      DNS_PROVIDER: 'hetzner',
      HETZNER_API_TOKEN: 't',
      HETZNER_BASE_URL: 'https://127.0.0.1:1',
      NODE_EXTRA_CA_CERTS: join(dir, 'one.pem'),
    });
    running.push(cli);
    await cli.ready();
  });

  it('the running command names PDNS_API_URL for a URL with credentials and never shows them', async () => {
    const cli = spawnCli({ ...PDNS, PDNS_API_URL: CREDENTIALS_URL });
    running.push(cli);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toMatch(/PDNS_API_URL: must not contain credentials/);
    expect(cli.stderr() + cli.stdout()).not.toContain(SECRET);
  });
});

describe('settings that cannot apply are start-up warnings naming their variable', () => {
  const warnings = (env: Record<string, string>) => parseWebhookConfig(env).warnings;

  it('PDNS_TLS_* with an http:// PDNS_API_URL', () => {
    const found = warnings({
      ...PDNS,
      PDNS_API_URL: 'http://127.0.0.1:8081',
      PDNS_TLS_SKIP_VERIFY: 'true',
      PDNS_TLS_CA_FILE: join(dir, 'one.pem'),
    });
    expect(found).toEqual([
      expect.stringMatching(/^PDNS_TLS_CA_FILE: has no effect: PDNS_API_URL is http:\/\//),
      expect.stringMatching(/^PDNS_TLS_SKIP_VERIFY: has no effect: PDNS_API_URL is http:\/\//),
    ]);
  });

  it('PDNS_TLS_CA_FILE beside PDNS_TLS_SKIP_VERIFY; a URL query that is ignored', () => {
    expect(warnings({ ...PDNS, PDNS_TLS_SKIP_VERIFY: '1', PDNS_TLS_CA_FILE: join(dir, 'one.pem') })).toEqual([
      expect.stringMatching(/^PDNS_TLS_CA_FILE: has no effect: PDNS_TLS_SKIP_VERIFY=true accepts any/),
    ]);
    expect(
      warnings({
        DNS_PROVIDER: 'hetzner',
        HETZNER_API_TOKEN: 't',
        HETZNER_BASE_URL: 'http://127.0.0.1:1/v1?x=1',
      }),
    ).toEqual([expect.stringMatching(/^HETZNER_BASE_URL: what follows "\?" or "#" in it is ignored/)]);
  });

  it('none for a consistent https setup', () => {
    expect(
      warnings({
        ...PDNS,
        PDNS_TLS_CA_FILE: join(dir, 'one.pem'),
        PDNS_TLS_CLIENT_CERT_FILE: join(dir, 'one.pem'),
        PDNS_TLS_CLIENT_KEY_FILE: join(dir, 'one.key'),
      }),
    ).toEqual([]);
  });

  it('the running command logs the warning at start', async () => {
    const cli = spawnCli({
      ...PDNS,
      PDNS_API_URL: 'http://127.0.0.1:1',
      PDNS_TLS_SKIP_VERIFY: 'true',
      LOG_LEVEL: 'warning',
    });
    running.push(cli);
    await cli.ready();
    await expect
      .poll(() => cli.logs().find((l) => l['msg'] === 'configuration warning'))
      .toMatchObject({
        level: 'warn',
        warning: expect.stringMatching(/^PDNS_TLS_SKIP_VERIFY: has no effect/),
      });
  });
});

describe('file problems are reported with the other configuration problems, in one run', () => {
  it('a damaged CA file and a bad WEBHOOK_PORT: both lines, under one header', async () => {
    const env = {
      ...PDNS,
      WEBHOOK_PORT: 'http',
      PDNS_TLS_CA_FILE: file('bad.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    };
    expect(() => parseWebhookConfig(env)).toThrow(ConfigError);
    const lines = configurationError(env);
    expect(lines).toEqual([
      expect.stringMatching(/^WEBHOOK_PORT: must be a port number/),
      expect.stringMatching(/^PDNS_TLS_CA_FILE: certificate 1 of ".*bad\.pem" cannot be read/),
    ]);
    const cli = spawnCli(env);
    running.push(cli);
    expect((await cli.exited).code).toBe(2);
    const stderr = cli.stderr().split('\n');
    expect(stderr[0]).toBe('openova-dns-webhook: invalid configuration:');
    expect(stderr.slice(1).filter(Boolean)).toEqual(lines);
  });

  it('every PowerDNS TLS file and NODE_EXTRA_CA_CERTS at once', () => {
    expect(
      configurationError({
        ...PDNS,
        PDNS_TLS_CA_FILE: join(dir, 'one.der'),
        PDNS_TLS_CLIENT_CERT_FILE: join(dir, 'missing.pem'),
        PDNS_TLS_CLIENT_KEY_FILE: join(dir, 'one.enc.key'),
        NODE_EXTRA_CA_CERTS: join(dir, 'one.key'),
      }).map((line) => line.replace(/:.*/, '')),
    ).toEqual([
      'NODE_EXTRA_CA_CERTS',
      'PDNS_TLS_CA_FILE',
      'PDNS_TLS_CLIENT_CERT_FILE',
      'PDNS_TLS_CLIENT_KEY_FILE',
    ]);
  });

  it('Azure: a missing config file, an unreadable token file and a bad variable at once', () => {
    expect(
      configurationError({
        DNS_PROVIDER: 'azure',
        EXTERNAL_DNS_AZURE_CONFIG_FILE: join(dir, 'no-azure.json'),
        AZURE_ACCESS_TOKEN_FILE: join(dir, 'no-token'),
        EXTERNAL_DNS_AZURE_MAXRETRIES_COUNT: 'x',
      }),
    ).toEqual([
      expect.stringMatching(/^EXTERNAL_DNS_AZURE_MAXRETRIES_COUNT: /),
      expect.stringMatching(/^EXTERNAL_DNS_AZURE_CONFIG_FILE: ".*no-azure\.json" does not exist/),
      expect.stringMatching(/^AZURE_ACCESS_TOKEN_FILE: cannot read/),
    ]);
    expect(
      configurationError({
        DNS_PROVIDER: 'azure',
        EXTERNAL_DNS_AZURE_CONFIG_FILE: file(
          'azure-ftp.json',
          JSON.stringify({ subscriptionId: 's', resourceManagerEndpoint: `ftp://${SECRET}@x` }),
        ),
        WEBHOOK_PORT: 'x',
      }),
    ).toEqual([
      expect.stringMatching(/^WEBHOOK_PORT: /),
      'EXTERNAL_DNS_AZURE_CONFIG_FILE: resourceManagerEndpoint must be an http:// or https:// URL, got ftp:',
    ]);
    expect(
      configurationError({
        DNS_PROVIDER: 'azure-private-dns',
        EXTERNAL_DNS_AZURE_CONFIG_FILE: file('azure.json', '{"tenantId": "t"}'),
        WEBHOOK_PORT: 'x',
      }),
    ).toEqual([
      expect.stringMatching(/^WEBHOOK_PORT: /),
      expect.stringMatching(/^EXTERNAL_DNS_AZURE_SUBSCRIPTION_ID: is required/),
    ]);
  });
});
