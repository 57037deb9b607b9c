// The operations surface: upstream API metrics hooked to core's transport (count, duration, status,
// retries), the rate-limit budget, upstream request ids in the logs, pino JSON logs with stack and
// cause, and readiness that costs no API budget.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '@openova/dns-core';
import { startFakeHetzner, type FakeHetzner } from '@openova/dns-provider-hetzner/testing';
import { createStructuredLogger } from '@openova/dns-webhook';
import { externalDnsGet, externalDnsPost, rawRequest } from './support/rawHttp.js';
import { spawnCli, type CliProcess } from './support/cli.js';
import { memoryProvider, startServer, stopAll } from './support/servers.js';

const TOKEN = 'hz-operations-token-0123456789';
let fake: FakeHetzner;
let proxyUrl: string;
let closeProxy: () => Promise<void>;
let failNext = 0;
const running: CliProcess[] = [];

beforeAll(async () => {
  fake = await startFakeHetzner({ tokens: [TOKEN] });
  fake.addZone({ name: 'example.com' });
  // in front of the fake: every answer carries a request id, and `failNext` GETs are answered 503
  let id = 0;
  const upstream = new URL(fake.url);
  const proxy = createServer((req, res) => {
    const requestId = `req-${++id}`;
    if (req.method === 'GET' && failNext > 0) {
      failNext--;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json', 'x-request-id': requestId });
      return void res.end(JSON.stringify({ error: { code: 'unavailable', message: 'try again' } }));
    }
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-request-id': requestId });
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  closeProxy = () =>
    new Promise<void>((resolve) => {
      proxy.closeAllConnections();
      proxy.close(() => resolve());
    });
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.kill();
    await cli.exited;
  }
  await stopAll();
});
afterAll(async () => {
  await closeProxy?.();
  await fake?.close();
});

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{${labels}}`) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('upstream API metrics and logs (DNS_PROVIDER=hetzner, through its transport)', () => {
  it('counts attempts by status, their duration and retries; logs the failed attempt with its request id; reports the rate-limit budget', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'hetzner',
      HETZNER_API_TOKEN: TOKEN,
      HETZNER_BASE_URL: `${proxyUrl}${new URL(fake.url).pathname}`.replace(/\/$/, ''),
      DOMAIN_FILTER: 'example.com',
    });
    running.push(cli);
    const { api, health } = await cli.ready();
    failNext = 1;
    expect((await externalDnsGet(api, '/records')).status).toBe(200);
    const metrics = (await rawRequest(health, { path: '/metrics' })).text;
    expect(
      sample(
        metrics,
        'openova_dns_webhook_http_requests_total',
        'method="GET",provider="hetzner",status="503"',
      ),
    ).toBe(1);
    expect(
      sample(
        metrics,
        'openova_dns_webhook_http_requests_total',
        'method="GET",provider="hetzner",status="200"',
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(metrics, 'openova_dns_webhook_http_retries_total', 'method="GET",provider="hetzner"')).toBe(
      1,
    );
    expect(
      sample(
        metrics,
        'openova_dns_webhook_http_request_duration_seconds_count',
        'method="GET",provider="hetzner",status="200"',
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(metrics, 'openova_dns_webhook_rate_limit_limit', 'provider="hetzner"')).toBeGreaterThan(0);
    expect(sample(metrics, 'openova_dns_webhook_rate_limit_remaining', 'provider="hetzner"')).toBeGreaterThan(
      0,
    );
    expect(sample(metrics, 'openova_dns_webhook_rate_limit_wait_seconds', 'provider="hetzner"')).toBe(0);
    const failed = cli.logs().find((l) => l['msg'] === 'provider API call failed');
    expect(failed).toMatchObject({
      level: 'warn',
      provider: 'hetzner',
      method: 'GET',
      status: 503,
      attempt: 1,
    });
    expect(String(failed?.['requestId'])).toMatch(/^req-\d+$/);
    expect(cli.stdout()).not.toContain(TOKEN);
  });
});

describe('readiness without API budget', () => {
  it('answers from the last provider answer within healthCacheMs, stating its age; checks once when it is older', async () => {
    let checks = 0;
    const { url, healthUrl } = await startServer(memoryProvider(), {
      healthCacheMs: 60_000,
      healthCheck: () => {
        checks++;
        return Promise.resolve();
      },
    });
    // a burst of probes: one check
    const burst = await Promise.all([1, 2, 3].map(() => rawRequest(healthUrl, { path: '/healthz' })));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(checks).toBe(1);
    for (let i = 0; i < 5; i++) {
      const probe = await rawRequest(healthUrl, { path: '/healthz' });
      expect(probe.status).toBe(200);
      expect(probe.text).toMatch(/^ok \(provider answered \d+ s ago\)$/m);
      expect(probe.headers['x-provider-answered-age-seconds']).toMatch(/^\d+$/);
    }
    expect(checks).toBe(1);
    // ExternalDNS's own reads count as answers too
    const fresh = await startServer(memoryProvider(), {
      healthCheck: () => {
        checks++;
        return Promise.resolve();
      },
    });
    expect((await externalDnsGet(fresh.url, '/records')).status).toBe(200);
    expect((await rawRequest(fresh.healthUrl, { path: '/healthz' })).status).toBe(200);
    expect(checks).toBe(1);
    expect((await externalDnsGet(url, '/')).status).toBe(200);
  });

  it('with the command, probes cost no Hetzner request while ExternalDNS reads records', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'hetzner',
      HETZNER_API_TOKEN: TOKEN,
      HETZNER_BASE_URL: fake.url,
      DOMAIN_FILTER: 'example.com',
    });
    running.push(cli);
    const { api, health } = await cli.ready();
    expect((await externalDnsGet(api, '/records')).status).toBe(200);
    const before = fake.requests.length;
    for (let i = 0; i < 10; i++) expect((await rawRequest(health, { path: '/healthz' })).status).toBe(200);
    expect(fake.requests.length).toBe(before);
  });

  it('with the command and a wrong token, a series of probes costs one Hetzner request, the answer stating its age', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'hetzner',
      HETZNER_API_TOKEN: 'hz-wrong-token-0123456789',
      HETZNER_BASE_URL: fake.url,
      DOMAIN_FILTER: 'example.com',
    });
    running.push(cli);
    const { health } = await cli.ready();
    const before = fake.requests.length;
    const probes = [];
    for (let i = 0; i < 10; i++) probes.push(await rawRequest(health, { path: '/healthz' }));
    expect(probes.map((p) => p.status)).toEqual(Array(10).fill(503));
    expect(probes[0]?.text).toMatch(/^provider unavailable \(checked just now\): /);
    expect(probes[9]?.text).toMatch(/^provider unavailable \(checked \d+ s ago\): /);
    expect(fake.requests.length - before).toBe(1);
    expect(cli.logs().filter((l) => l['msg'] === 'health check failed')).toEqual([
      expect.objectContaining({ level: 'warn', cachedSeconds: 30 }),
    ]);
    expect(cli.stdout()).not.toContain('hz-wrong-token-0123456789');
  });
});

describe('pino logs', () => {
  it('JSON lines with errors as type, message, code, status, request id, stack and cause; secrets redacted', () => {
    const lines: string[] = [];
    const logger = createStructuredLogger({
      write: (l) => lines.push(l),
      secrets: ['sekret-token-42'],
      base: { component: 'x' },
    });
    const cause = new Error('socket hang up (token sekret-token-42)');
    const error = Object.assign(
      new ProviderError('pdns: PATCH failed', { provider: 'pdns', retryable: true, cause }),
      {
        status: 502,
        requestId: 'req-9',
      },
    );
    logger.error?.('apply failed', { error, route: 'records' });
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, Record<string, unknown>>;
    expect(line).toMatchObject({ level: 'error', msg: 'apply failed', component: 'x', route: 'records' });
    expect(line['time']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(line['error']).toMatchObject({
      type: 'ProviderError',
      message: 'pdns: PATCH failed',
      code: 'PROVIDER',
      status: 502,
      requestId: 'req-9',
      provider: 'pdns',
    });
    expect(line['error']?.['stack']).toMatch(/ProviderError: pdns: PATCH failed\n\s+at /);
    expect(line['error']?.['cause']).toMatchObject({
      type: 'Error',
      message: 'socket hang up (token [redacted])',
    });
    expect(lines.join('')).not.toContain('sekret-token-42');
  });

  it('text format and levels: warning and above only at LOG_LEVEL=warn', () => {
    const lines: string[] = [];
    const logger = createStructuredLogger({ write: (l) => lines.push(l), level: 'warn', format: 'text' });
    logger.info?.('hidden');
    logger.warn?.('shown', { n: 1, note: 'a b' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+ WARN {2}shown n=1 note="a b"\n$/);
  });
});

describe('lines logged at every level', () => {
  it('alwaysLogged messages (info and warn) are written above the level; other lines are not, nor debug ones', () => {
    const lines: string[] = [];
    const logger = createStructuredLogger({
      write: (l) => lines.push(l),
      level: 'error',
      alwaysLogged: ['webhook server listening', 'apply cut at shutdown'],
    });
    logger.info?.('webhook server listening', { api: 'http://127.0.0.1:8888' });
    logger.info?.('request');
    logger.debug?.('webhook server listening');
    logger.warn?.('apply cut at shutdown', { notWrittenCount: 2 });
    logger.warn?.('provider API call failed');
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'webhook server listening',
        api: 'http://127.0.0.1:8888',
      }),
      expect.objectContaining({ level: 'warn', msg: 'apply cut at shutdown', notWrittenCount: 2 }),
    ]);
  });
});

describe('apply counters', () => {
  it('sets the last-sync time only when an apply wrote everything', async () => {
    const { url, server } = await startServer(memoryProvider());
    const body = (ip: string) =>
      JSON.stringify({ create: [{ dnsName: 'a.example.com', recordType: 'A', targets: [ip] }] });
    expect((await externalDnsPost(url, '/records', body('300.1.1.1'))).status).toBe(500);
    expect(sample(await server.metrics.render(), 'openova_dns_webhook_last_sync_timestamp_seconds', '')).toBe(
      0,
    );
    expect((await externalDnsPost(url, '/records', body('192.0.2.1'))).status).toBe(204);
    expect(
      sample(await server.metrics.render(), 'openova_dns_webhook_last_sync_timestamp_seconds', ''),
    ).toBeGreaterThan(1.7e9);
  });
});
