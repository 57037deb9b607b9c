// Environment configuration: defaults, and a message naming the variable for every bad setting.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@openova/dns-core';
import { parseWebhookConfig } from '@openova/dns-webhook';
import { externalDnsGet, MEDIA_TYPE } from './support/rawHttp.js';
import { spawnCli, type CliProcess } from './support/cli.js';

const running: CliProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

function problem(env: Record<string, string>): string {
  try {
    parseWebhookConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('parseWebhookConfig', () => {
  it('applies the documented defaults', () => {
    expect(
      parseWebhookConfig({ DNS_PROVIDER: 'pdns', PDNS_API_URL: 'http://127.0.0.1:8081', PDNS_API_KEY: 'k' }),
    ).toEqual({
      provider: 'pdns',
      pdns: {
        apiUrl: 'http://127.0.0.1:8081',
        apiKey: 'k',
        serverId: 'localhost',
        tls: { skipVerify: false },
      },
      domainFilter: { include: [], exclude: [] },
      api: { host: '127.0.0.1', port: 8888 },
      health: { host: '0.0.0.0', port: 8080 },
      limits: { maxBodyBytes: 33_554_432, requestDeadlineMs: 10_000, maxConcurrentBodies: 1 },
      shutdownTimeoutMs: 25_000,
      log: { level: 'info', format: 'json' },
      warnings: [],
    });
  });

  it('reads every variable; lists are comma-separated with spaces trimmed', () => {
    const config = parseWebhookConfig({
      DNS_PROVIDER: 'inmemory',
      DOMAIN_FILTER: 'example.com, example.org,',
      EXCLUDE_DOMAINS: 'private.example.com',
      WEBHOOK_HOST: '0.0.0.0',
      WEBHOOK_PORT: '9999',
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: '0',
      LOG_LEVEL: 'DEBUG',
      LOG_FORMAT: 'text',
      PDNS_SERVER_ID: 'ignored',
    });
    expect(config).toMatchObject({
      provider: 'inmemory',
      pdns: undefined,
      domainFilter: { include: ['example.com', 'example.org'], exclude: ['private.example.com'] },
      api: { host: '0.0.0.0', port: 9999 },
      health: { host: '127.0.0.1', port: 0 },
      log: { level: 'debug', format: 'text' },
    });
  });

  it.each([
    [
      {},
      /DNS_PROVIDER: is required; one of pdns, cloudflare, hetzner, route53, azure, azure-private-dns, google, inmemory/,
    ],
    [
      { DNS_PROVIDER: 'gcp' },
      /DNS_PROVIDER: must be one of pdns, cloudflare, hetzner, route53, azure, azure-private-dns, google, inmemory, got "gcp"/,
    ],
    [{ DNS_PROVIDER: 'pdns', PDNS_API_KEY: 'k' }, /PDNS_API_URL: is required with DNS_PROVIDER=pdns/],
    [{ DNS_PROVIDER: 'pdns', PDNS_API_URL: 'ftp://x', PDNS_API_KEY: 'k' }, /PDNS_API_URL: must be an http/],
    [{ DNS_PROVIDER: 'pdns', PDNS_API_URL: 'http://127.0.0.1:8081' }, /PDNS_API_KEY: is required/],
    [{ DNS_PROVIDER: 'inmemory' }, /DOMAIN_FILTER: is required with DNS_PROVIDER=inmemory/],
    [
      { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'a.com', WEBHOOK_PORT: 'http' },
      /WEBHOOK_PORT: must be a port number/,
    ],
    [
      { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'a.com', HEALTH_PORT: '70000' },
      /HEALTH_PORT: must be a port number/,
    ],
    [
      { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'a.com', LOG_LEVEL: 'loud' },
      /LOG_LEVEL: must be one of debug, info, warn, error/,
    ],
    [
      { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'a.com', LOG_FORMAT: 'xml' },
      /LOG_FORMAT: must be one of json, text/,
    ],
  ])('%j → %s', (env, message) => {
    expect(problem(env)).toMatch(message);
  });

  it('WEBHOOK_SHUTDOWN_TIMEOUT_MS: a whole number of ms; 30000 or more warns (Kubernetes kills at 30 s)', () => {
    const memory = { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'a.com' };
    expect(parseWebhookConfig({ ...memory, WEBHOOK_SHUTDOWN_TIMEOUT_MS: '5000' })).toMatchObject({
      shutdownTimeoutMs: 5000,
      warnings: [],
    });
    expect(parseWebhookConfig({ ...memory, WEBHOOK_SHUTDOWN_TIMEOUT_MS: '45000' }).warnings).toEqual([
      expect.stringMatching(/^WEBHOOK_SHUTDOWN_TIMEOUT_MS: 45000 ms is not below Kubernetes' default 30 s/),
    ]);
    expect(problem({ ...memory, WEBHOOK_SHUTDOWN_TIMEOUT_MS: '25s' })).toMatch(
      /WEBHOOK_SHUTDOWN_TIMEOUT_MS: must be a whole number from 1000 to 3600000, got "25s"/,
    );
  });

  it('WEBHOOK_SHUTDOWN_TIMEOUT_MS: at least 1000 (time to drain, abort, log the cut and close)', () => {
    const memory = { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'a.com' };
    for (const value of ['1', '999'])
      expect(problem({ ...memory, WEBHOOK_SHUTDOWN_TIMEOUT_MS: value })).toBe(
        `invalid configuration:\nWEBHOOK_SHUTDOWN_TIMEOUT_MS: must be a whole number from 1000 to 3600000, got "${value}"`,
      );
    expect(parseWebhookConfig({ ...memory, WEBHOOK_SHUTDOWN_TIMEOUT_MS: '1000' }).shutdownTimeoutMs).toBe(
      1000,
    );
  });

  it('domain list entries that can never match are errors naming the variable and the entry', () => {
    const memory = { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'a.com' };
    expect(
      problem({
        ...memory,
        DOMAIN_FILTER: 'a.com, exa mple.com, *.x',
        EXCLUDE_DOMAINS: 'b..a.com',
        EXCLUDE_DOMAIN_FILTER: '..a.com,a.com..',
      }).split('\n'),
    ).toEqual([
      'invalid configuration:',
      'DOMAIN_FILTER: entry "exa mple.com" contains a space, so it can never match',
      expect.stringMatching(
        /^DOMAIN_FILTER: entry "\*\.x" contains "\*": the lists take domains, not patterns/,
      ),
      'EXCLUDE_DOMAINS: entry "b..a.com" has an empty label, so it can never match',
      'EXCLUDE_DOMAIN_FILTER: entry "..a.com" has an empty label, so it can never match',
      'EXCLUDE_DOMAIN_FILTER: entry "a.com.." has an empty label, so it can never match',
    ]);
    expect(problem({ ...memory, DOMAIN_FILTER: 'a.*.com' })).toMatch(
      /DOMAIN_FILTER: entry "a\.\*\.com" contains "\*"/,
    );
    // what ExternalDNS accepts and means: a leading dot (subdomains), a trailing dot, upper case
    expect(
      parseWebhookConfig({
        ...memory,
        DOMAIN_FILTER: '.a.com, b.com., C.Example.COM',
        EXCLUDE_DOMAINS: '.x.a.com',
      }).domainFilter,
    ).toEqual({ include: ['.a.com', 'b.com.', 'C.Example.COM'], exclude: ['.x.a.com'] });
  });

  it('reports every problem at once and never echoes the API key', () => {
    const message = problem({
      DNS_PROVIDER: 'pdns',
      PDNS_API_URL: 'nope',
      PDNS_API_KEY: 'sekret-key',
      WEBHOOK_PORT: '-1',
    });
    expect(message).toMatch(/PDNS_API_URL/);
    expect(message).toMatch(/WEBHOOK_PORT/);
    expect(message).not.toContain('sekret-key');
  });
});

describe('the command', () => {
  it('stops at start with exit code 2 and a message naming the variable', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'pdns',
      PDNS_API_URL: 'http://127.0.0.1:1',
      WEBHOOK_PORT: 'eighty',
    });
    running.push(cli);
    const { code } = await cli.exited;
    expect(code).toBe(2);
    expect(cli.stderr()).toMatch(/^openova-dns-webhook: invalid configuration:/);
    expect(cli.stderr()).toMatch(/PDNS_API_KEY: is required with DNS_PROVIDER=pdns/);
    expect(cli.stderr()).toMatch(/WEBHOOK_PORT: must be a port number from 0 to 65535, got "eighty"/);
    expect(cli.stdout()).toBe('');
  });

  it('exits 1 with a structured log line when its port is taken', async () => {
    const first = spawnCli({ DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'example.com' });
    running.push(first);
    const { api } = await first.ready();
    const second = spawnCli({
      DNS_PROVIDER: 'inmemory',
      DOMAIN_FILTER: 'example.com',
      WEBHOOK_PORT: new URL(api).port,
    });
    running.push(second);
    expect((await second.exited).code).toBe(1);
    expect(second.logs().find((l) => l['level'] === 'error')).toMatchObject({
      msg: 'could not start',
      error: { code: 'EADDRINUSE' },
      variables: 'WEBHOOK_HOST, WEBHOOK_PORT',
    });
  });

  it('runs through its bin from a clone (built or not), logs JSON or text, and exits 0 on SIGTERM', async () => {
    const cli = spawnCli({ DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'example.com' }, { bin: true });
    running.push(cli);
    const { api, health } = await cli.ready();
    const negotiation = await externalDnsGet(api, '/');
    expect(negotiation.headers['content-type']).toBe(MEDIA_TYPE);
    expect(negotiation.json()).toEqual({ include: ['example.com'] });
    expect((await externalDnsGet(health, '/healthz')).status).toBe(200);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.logs().map((l) => l['msg'])).toEqual(
      expect.arrayContaining([
        'webhook server listening',
        'signal received, finishing requests in flight',
        'stopped',
      ]),
    );

    const text = spawnCli({ DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'example.com', LOG_FORMAT: 'text' });
    running.push(text);
    await expect
      .poll(() => text.stdout(), { timeout: 20_000 })
      .toMatch(/ INFO {2}webhook server listening .*api=http/);
    text.child.kill('SIGTERM');
    expect((await text.exited).code).toBe(0);
  });
});
