// Configuration as ExternalDNS users write it: the filter variables other webhooks use, typos named
// with the closest known variable, ExternalDNS's log level names, PowerDNS TLS, --help/--version,
// and a start-up log that never shows more of a URL than its origin and path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, DomainFilter } from '@openova/dns-core';
import { CLI_PROVIDERS, KNOWN_VARIABLES, parseWebhookConfig } from '@openova/dns-webhook';
import { externalDnsGet, rawRequest } from './support/rawHttp.js';
import { spawnCli, type CliProcess } from './support/cli.js';

const running: CliProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

function problems(env: Record<string, string>): string {
  try {
    parseWebhookConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

const MEMORY = { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'example.com' };

describe('domain filter variables of other ExternalDNS webhooks', () => {
  it('reads EXCLUDE_DOMAIN_FILTER, REGEXP_DOMAIN_FILTER and REGEXP_DOMAIN_FILTER_EXCLUSION', () => {
    const config = parseWebhookConfig({
      ...MEMORY,
      EXCLUDE_DOMAINS: 'a.example.com',
      EXCLUDE_DOMAIN_FILTER: 'b.example.com, c.example.com',
      REGEXP_DOMAIN_FILTER: '(?i)\\.example\\.com$',
      REGEXP_DOMAIN_FILTER_EXCLUSION: '^internal\\.',
    });
    expect(config.domainFilter).toEqual({
      include: ['example.com'],
      exclude: ['a.example.com', 'b.example.com', 'c.example.com'],
      regexInclude: '(?i)\\.example\\.com$',
      regexExclude: '^internal\\.',
    });
    const filter = new DomainFilter(config.domainFilter);
    expect(filter.matches('API.example.com')).toBe(true);
    expect(filter.matches('internal.example.com')).toBe(false);
  });

  it('excluded names are neither read nor written by the running command', async () => {
    const cli = spawnCli({ ...MEMORY, EXCLUDE_DOMAIN_FILTER: 'private.example.com' });
    running.push(cli);
    const { api } = await cli.ready();
    expect((await externalDnsGet(api, '/')).json()).toEqual({
      include: ['example.com'],
      exclude: ['private.example.com'],
    });
  });

  it('names a regex that does not compile', () => {
    expect(problems({ ...MEMORY, REGEXP_DOMAIN_FILTER: '(' })).toMatch(
      /REGEXP_DOMAIN_FILTER: is not a valid regular expression: "\("/,
    );
  });
});

describe('unknown variables with our prefixes', () => {
  it.each([
    ['PDNS_API_UR', 'PDNS_API_URL'],
    ['WEBHOOK_PROT', 'WEBHOOK_PORT'],
    ['DOMAIN_FILTERS', 'DOMAIN_FILTER'],
    ['EXCLUDE_DOMAIN', 'EXCLUDE_DOMAINS'],
    ['LOG_LEVELS', 'LOG_LEVEL'],
    ['CF_API_TOKN', 'CF_API_TOKEN'],
    ['REGEX_DOMAIN_FILTER', 'REGEXP_DOMAIN_FILTER'],
  ])('%s is an error naming %s', (typo, known) => {
    expect(problems({ ...MEMORY, [typo]: 'x' })).toContain(
      `${typo}: is not a variable of this command; did you mean ${known}?`,
    );
  });

  it('other variables, and the ones Kubernetes adds for Services, are not', () => {
    expect(() =>
      parseWebhookConfig({
        ...MEMORY,
        HOME: '/root',
        AWS_ACCESS_KEY_ID: 'x',
        WEBHOOK_SERVICE_HOST: '10.0.0.1',
        WEBHOOK_SERVICE_PORT: '8888',
        WEBHOOK_SERVICE_PORT_HTTP: '8888',
        DNS_PORT_53_UDP_ADDR: '10.0.0.2',
        DNS_PORT_53_UDP: 'udp://10.0.0.2:53',
        // the bare form, for Services named dns, pdns and pdns-api
        DNS_PORT: 'udp://10.0.0.2:53',
        PDNS_PORT: 'tcp://10.0.0.1:8081',
        PDNS_API_PORT: 'tcp://10.0.0.3:8081',
      }),
    ).not.toThrow();
    // a value that is no Service address is still named
    expect(() => parseWebhookConfig({ ...MEMORY, PDNS_PORT: '8081' })).toThrow(/PDNS_PORT/);
  });
});

describe('LOG_LEVEL as ExternalDNS spells it', () => {
  it.each([
    ['warning', 'warn'],
    ['WARNING', 'warn'],
    ['trace', 'debug'],
    ['fatal', 'error'],
    ['panic', 'error'],
    ['info', 'info'],
  ])('%s → %s', (value, level) => {
    expect(parseWebhookConfig({ ...MEMORY, LOG_LEVEL: value }).log.level).toBe(level);
  });
});

describe('the start-up line at every LOG_LEVEL', () => {
  it.each(['warning', 'error'])(
    'LOG_LEVEL=%s still logs the version and listen addresses at start and the stop, nothing else at info',
    async (level) => {
      const cli = spawnCli({ ...MEMORY, LOG_LEVEL: level });
      running.push(cli);
      const { api, health } = await cli.ready();
      expect((await externalDnsGet(api, '/records')).status).toBe(200);
      const listening = cli.logs().find((l) => l['msg'] === 'webhook server listening');
      expect(listening).toMatchObject({ level: 'info', api, health, provider: 'inmemory' });
      expect(listening?.['version']).toMatch(/^\d+\.\d+\.\d+/);
      await expect
        .poll(() => cli.logs().find((l) => l['msg'] === 'configuration'), { timeout: 10_000 })
        .toMatchObject({ version: listening?.['version'], domainFilter: ['example.com'] });
      cli.child.kill('SIGTERM');
      expect((await cli.exited).code).toBe(0);
      const infos = cli
        .logs()
        .filter((l) => l['level'] === 'info')
        .map((l) => l['msg']);
      // only the lifecycle lines: `shutting down` and request lines stay below the level
      expect(infos).toEqual([
        'webhook server listening',
        'configuration',
        'signal received, finishing requests in flight',
        'stopped',
      ]);
    },
  );
});

describe("boolean variables as Go's strconv.ParseBool reads them", () => {
  const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
  const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
  const PDNS = { DNS_PROVIDER: 'pdns', PDNS_API_URL: 'https://127.0.0.1:8081', PDNS_API_KEY: 'k' };
  const R53 = { DNS_PROVIDER: 'route53' };
  const CF = { DNS_PROVIDER: 'cloudflare', CF_API_TOKEN: 'cf-token-0123456789' };
  // every boolean variable of the command, with what it sets
  const cases: [string, Record<string, string>, (env: Record<string, string>) => boolean | undefined][] = [
    ['PDNS_TLS_SKIP_VERIFY', PDNS, (env) => parseWebhookConfig(env).pdns?.tls.skipVerify],
    ['CF_PROXIED', CF, (env) => parseWebhookConfig(env).cloudflare?.proxiedByDefault],
    [
      'EXTERNAL_DNS_AWS_EVALUATE_TARGET_HEALTH',
      R53,
      (env) => parseWebhookConfig(env).route53?.evaluateTargetHealth,
    ],
    ['EXTERNAL_DNS_AWS_PREFER_CNAME', R53, (env) => parseWebhookConfig(env).route53?.preferCname],
  ];

  it.each(cases)(
    '%s accepts 1, t, T, TRUE, true, True and 0, f, F, FALSE, false, False',
    (name, base, read) => {
      for (const value of TRUE) expect(read({ ...base, [name]: value }), value).toBe(true);
      for (const value of FALSE) expect(read({ ...base, [name]: value }), value).toBe(false);
    },
  );

  it.each(cases)('%s: anything else is a ConfigError naming it and the accepted values', (name, base) => {
    for (const value of ['yes', 'on', 'tRuE', '2']) {
      const message = problems({ ...base, [name]: value });
      expect(message).toContain(
        `${name}: must be a boolean: one of 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False, got ${JSON.stringify(value)}`,
      );
    }
  });

  it('the list covers every boolean variable the command reads', () => {
    const booleans = KNOWN_VARIABLES.filter((name) => {
      try {
        parseWebhookConfig({ ...PDNS, [name]: 'not-a-boolean-value' });
        return false;
      } catch (error) {
        return (error as Error).message.includes(`${name}: must be a boolean`);
      }
    });
    expect(booleans.sort()).toEqual(cases.map(([name]) => name).sort());
  });
});

describe("WEBHOOK_REQUEST_DEADLINE_MS against ExternalDNS's 15 s client timeout", () => {
  it('15000 or more is accepted with a warning naming the variable; below it, none', () => {
    expect(parseWebhookConfig({ ...MEMORY, WEBHOOK_REQUEST_DEADLINE_MS: '14000' }).warnings).toEqual([]);
    for (const value of ['15000', '20000', '60000']) {
      const { warnings, limits } = parseWebhookConfig({ ...MEMORY, WEBHOOK_REQUEST_DEADLINE_MS: value });
      expect(limits.requestDeadlineMs).toBe(Number(value));
      expect(warnings).toEqual([
        expect.stringMatching(
          new RegExp(
            `^WEBHOOK_REQUEST_DEADLINE_MS: ${value} ms is not below ExternalDNS's 15 s client timeout: .*fatal.*14000 or less$`,
          ),
        ),
      ]);
    }
  });

  it('the command logs the warning at start-up, at LOG_LEVEL=warning too', async () => {
    const cli = spawnCli({ ...MEMORY, WEBHOOK_REQUEST_DEADLINE_MS: '20000', LOG_LEVEL: 'warning' });
    running.push(cli);
    await cli.ready();
    await expect
      .poll(() => cli.logs().find((l) => l['msg'] === 'configuration warning'), { timeout: 10_000 })
      .toMatchObject({
        level: 'warn',
        warning: expect.stringMatching(/^WEBHOOK_REQUEST_DEADLINE_MS: 20000 ms/),
      });
  });
});

describe('URLs in errors and logs', () => {
  it('an unparsable URL value is not echoed (a key pasted into PDNS_API_URL stays secret)', () => {
    const message = problems({
      DNS_PROVIDER: 'pdns',
      PDNS_API_URL: 'sk-live-abcdef123456',
      PDNS_API_KEY: 'k',
    });
    expect(message).toMatch(
      /PDNS_API_URL: must be an http:\/\/ or https:\/\/ URL \(the value is not shown\)/,
    );
    expect(message).not.toContain('sk-live-abcdef123456');
  });

  it('the start-up log shows the PowerDNS URL by origin and path only, and the version', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'pdns',
      PDNS_API_URL: 'http://127.0.0.1:1/pdns?token=abc#frag',
      PDNS_API_KEY: 'the-key',
    });
    running.push(cli);
    await cli.ready();
    const deadline = Date.now() + 10_000;
    while (!cli.logs().some((l) => l['msg'] === 'configuration') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const line = cli.logs().find((l) => l['msg'] === 'configuration');
    expect(line?.['pdnsApiUrl']).toBe('http://127.0.0.1:1/pdns');
    expect(line?.['version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(cli.stdout()).not.toMatch(/token=abc|frag|the-key/);
    const listening = cli.logs().find((l) => l['msg'] === 'webhook server listening');
    expect(listening?.['version']).toBe(line?.['version']);
  });
});

describe('--help and --version', () => {
  it('--version prints the package version; the build_info metric carries it', async () => {
    const version = spawnCli({}, { args: ['--version'] });
    running.push(version);
    expect((await version.exited).code).toBe(0);
    const printed = /^openova-dns-webhook (\S+)\n$/.exec(version.stdout())?.[1];
    expect(printed).toMatch(/^\d+\.\d+\.\d+/);
    const cli = spawnCli(MEMORY);
    running.push(cli);
    const { health } = await cli.ready();
    const metrics = (await rawRequest(health, { path: '/metrics' })).text;
    expect(metrics).toContain(`openova_dns_webhook_build_info{arch="${process.arch}",node_version="`);
    expect(metrics).toMatch(new RegExp(`version="${printed?.replace(/\./g, '\\.')}"\\} 1`));
  });

  it('--help lists the variables; an unknown argument exits 2', async () => {
    const help = spawnCli({}, { args: ['--help'] });
    running.push(help);
    expect((await help.exited).code).toBe(0);
    expect(help.stdout()).toMatch(/^Usage: openova-dns-webhook/);
    for (const name of ['DNS_PROVIDER', 'REGEXP_DOMAIN_FILTER', 'PDNS_TLS_CA_FILE', 'WEBHOOK_MAX_BODY_BYTES'])
      expect(help.stdout()).toContain(name);
    for (const provider of CLI_PROVIDERS) expect(help.stdout()).toContain(provider);
    const bad = spawnCli(MEMORY, { args: ['--provider=pdns'] });
    running.push(bad);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toMatch(/unknown argument "--provider=pdns"/);
  });
});

describe('PowerDNS over TLS', () => {
  /** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
  function certificates() {
    const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=test-ca',
    );
    for (const name of ['server', 'client']) {
      ssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      );
      writeFileSync(
        join(dir, `${name}.ext`),
        name === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n',
      );
      ssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      );
    }
    return dir;
  }

  it(
    'trusts PDNS_TLS_CA_FILE, presents the client certificate, and PDNS_TLS_SKIP_VERIFY skips the check',
    { timeout: 60_000 },
    async () => {
      const dir = certificates();
      const read = (f: string) => execFileSync('cat', [join(dir, f)]);
      // a PowerDNS API stand-in that requires a client certificate signed by the CA
      const seenClients: string[] = [];
      const server = createServer(
        {
          key: read('server.key'),
          cert: read('server.pem'),
          ca: read('ca.pem'),
          requestCert: true,
          rejectUnauthorized: true,
        },
        (req, res) => {
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          seenClients.push(String(peer.subject?.CN ?? ''));
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify(
              req.url?.endsWith('/zones')
                ? []
                : {
                    id: 'localhost',
                    type: 'Server',
                    version: '4.9.0',
                    url: '/api/v1/servers/localhost',
                    daemon_type: 'authoritative',
                  },
            ),
          );
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const base = { DNS_PROVIDER: 'pdns', PDNS_API_URL: url, PDNS_API_KEY: 'tls-test-api-key' };
        const healthOf = async (env: Record<string, string>) => {
          const cli = spawnCli({ ...base, ...env });
          running.push(cli);
          const { health } = await cli.ready();
          return (await rawRequest(health, { path: '/healthz' })).status;
        };
        const client = {
          PDNS_TLS_CLIENT_CERT_FILE: join(dir, 'client.pem'),
          PDNS_TLS_CLIENT_KEY_FILE: join(dir, 'client.key'),
        };
        expect(await healthOf({ PDNS_TLS_CA_FILE: join(dir, 'ca.pem'), ...client })).toBe(200);
        expect(seenClients).toContain('client');
        // without the CA the server certificate is not trusted; without the client certificate the server refuses
        expect(await healthOf(client)).toBe(503);
        expect(await healthOf({ PDNS_TLS_CA_FILE: join(dir, 'ca.pem') })).toBe(503);
        expect(await healthOf({ PDNS_TLS_SKIP_VERIFY: 'true', ...client })).toBe(200);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  );

  it('a TLS file that cannot be read, or a certificate without its key, stops the command with exit code 2', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'pdns',
      PDNS_API_URL: 'https://127.0.0.1:1',
      PDNS_API_KEY: 'k',
      PDNS_TLS_CA_FILE: '/nonexistent/ca.pem',
    });
    running.push(cli);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toMatch(/PDNS_TLS_CA_FILE: cannot read "\/nonexistent\/ca\.pem" \(ENOENT\)/);
    expect(
      problems({
        DNS_PROVIDER: 'pdns',
        PDNS_API_URL: 'https://x',
        PDNS_API_KEY: 'k',
        PDNS_TLS_CLIENT_CERT_FILE: '/c.pem',
      }),
    ).toMatch(/PDNS_TLS_CLIENT_KEY_FILE: mutual TLS needs both/);
  });
});
