// The second port: readiness, liveness and Prometheus metrics.
import { afterEach, describe, expect, it } from 'vitest';
import { externalDnsGet, externalDnsPost, rawRequest } from './support/rawHttp.js';
import { memoryProvider, startServer, stopAll } from './support/servers.js';

afterEach(stopAll);

describe('GET /healthz', () => {
  it('is 200 when the provider answers and 503 with a short reason when it does not', async () => {
    let up = true;
    const { healthUrl, server } = await startServer(memoryProvider(), {
      healthCacheMs: 0,
      healthCheck: () =>
        up ? Promise.resolve() : Promise.reject(new Error('connection refused to 127.0.0.1:1')),
    });
    const ok = await rawRequest(healthUrl, { path: '/healthz' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('ok (provider answered just now)\n');
    up = false;
    const down = await rawRequest(healthUrl, { path: '/healthz' });
    expect(down.status).toBe(503);
    expect(down.text).toMatch(/provider unavailable \(checked just now\): connection refused/);
    expect(await server.metrics.render()).toMatch(/^openova_dns_webhook_provider_up 0$/m);
  });

  it('a failed check is answered again without an API call for healthFailureCacheMs, stating its age', async () => {
    let checks = 0;
    const { healthUrl, server } = await startServer(memoryProvider(), {
      healthCheck: () => {
        checks++;
        return Promise.reject(new Error('401 unauthorized: wrong API key'));
      },
    });
    // a burst and a series of probes with a wrong key: one upstream call (default: 30 s)
    const burst = await Promise.all([1, 2, 3].map(() => rawRequest(healthUrl, { path: '/healthz' })));
    expect(burst.map((r) => r.status)).toEqual([503, 503, 503]);
    for (let i = 0; i < 5; i++) {
      const probe = await rawRequest(healthUrl, { path: '/healthz' });
      expect(probe.status).toBe(503);
      expect(probe.text).toMatch(
        /^provider unavailable \(checked \d+ s ago\): 401 unauthorized: wrong API key$/m,
      );
      expect(probe.headers['x-provider-checked-age-seconds']).toMatch(/^\d+$/);
    }
    expect(checks).toBe(1);
    expect(await server.metrics.render()).toMatch(/^openova_dns_webhook_provider_up 0$/m);
    // an answer of the provider (ExternalDNS's own calls) ends the failure at once, still no call
    server.providerAnswered();
    const up = await rawRequest(healthUrl, { path: '/healthz' });
    expect(up.status).toBe(200);
    expect(checks).toBe(1);

    // 0 turns the failure cache off: every probe checks
    let uncached = 0;
    const each = await startServer(memoryProvider(), {
      healthFailureCacheMs: 0,
      healthCheck: () => {
        uncached++;
        return Promise.reject(new Error('down'));
      },
    });
    for (let i = 0; i < 3; i++) await rawRequest(each.healthUrl, { path: '/healthz' });
    expect(uncached).toBe(3);
  });

  it('a failed check expires after healthFailureCacheMs, then one check runs', async () => {
    let checks = 0;
    let up = false;
    const { healthUrl } = await startServer(memoryProvider(), {
      healthFailureCacheMs: 200,
      healthCheck: () => {
        checks++;
        return up ? Promise.resolve() : Promise.reject(new Error('down'));
      },
    });
    expect((await rawRequest(healthUrl, { path: '/healthz' })).status).toBe(503);
    up = true;
    expect((await rawRequest(healthUrl, { path: '/healthz' })).status).toBe(503);
    expect(checks).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect((await rawRequest(healthUrl, { path: '/healthz' })).status).toBe(200);
    expect(checks).toBe(2);
  });

  it('uses the provider by default and times out a hanging check', async () => {
    const provider = memoryProvider();
    const { healthUrl } = await startServer(provider);
    expect((await rawRequest(healthUrl, { path: '/healthz' })).status).toBe(200);
    const hanging = await startServer(memoryProvider(), {
      healthTimeoutMs: 100,
      healthCheck: (signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('timed out'))),
        ),
    });
    expect((await rawRequest(hanging.healthUrl, { path: '/healthz' })).status).toBe(503);
  });

  it('/livez is 200 even when the provider is down; unknown paths 404, other methods 405', async () => {
    const { healthUrl } = await startServer(memoryProvider(), {
      healthCheck: () => Promise.reject(new Error('down')),
    });
    expect((await rawRequest(healthUrl, { path: '/livez' })).status).toBe(200);
    expect((await rawRequest(healthUrl, { path: '/nope' })).status).toBe(404);
    expect((await rawRequest(healthUrl, { path: '/healthz', method: 'POST' })).status).toBe(405);
  });

  it('the health port can be turned off', async () => {
    const { server, healthUrl } = await startServer(memoryProvider(), { health: false });
    expect(healthUrl).toBe('');
    expect(server.addresses?.health).toBeUndefined();
  });
});

describe('GET /metrics', () => {
  it('counts requests, errors, latency, records and applied changes in Prometheus text format', async () => {
    const provider = memoryProvider([{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }]);
    const { url, healthUrl } = await startServer(provider);
    await externalDnsGet(url, '/');
    await externalDnsGet(url, '/records');
    await externalDnsPost(
      url,
      '/records',
      JSON.stringify({
        create: [{ dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.2'] }],
        updateOld: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
        updateNew: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.3'] }],
      }),
    );
    await externalDnsPost(url, '/records', '{broken');
    const res = await rawRequest(healthUrl, { path: '/metrics' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.text;
    expect(text).toMatch(/^# TYPE openova_dns_webhook_requests_total counter$/m);
    expect(text).toMatch(
      /^openova_dns_webhook_requests_total\{method="GET",route="negotiate",status="200"\} 1$/m,
    );
    expect(text).toMatch(
      /^openova_dns_webhook_requests_total\{method="POST",route="records",status="204"\} 1$/m,
    );
    expect(text).toMatch(
      /^openova_dns_webhook_requests_total\{method="POST",route="records",status="400"\} 1$/m,
    );
    expect(text).toMatch(/^openova_dns_webhook_errors_total\{reason="bad_request",route="records"\} 1$/m);
    expect(text).toMatch(
      /^openova_dns_webhook_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="records"\} 2$/m,
    );
    expect(text).toMatch(
      /^openova_dns_webhook_request_duration_seconds_count\{method="GET",route="records"\} 1$/m,
    );
    expect(text).toMatch(/^openova_dns_webhook_records 1$/m);
    expect(text).toMatch(/^openova_dns_webhook_changes_applied_total\{change="create"\} 1$/m);
    expect(text).toMatch(/^openova_dns_webhook_changes_applied_total\{change="update"\} 1$/m);
    expect(text).toMatch(/^openova_dns_webhook_changes_applied_total\{change="delete"\} 0$/m);
    // the apply wrote everything: the last-sync time is set; Node.js and process defaults are there
    expect(text).toMatch(/^openova_dns_webhook_last_sync_timestamp_seconds \d+(\.\d+)?(e\+\d+)?$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    expect(text).toMatch(
      /^openova_dns_webhook_build_info\{arch="[^"]+",node_version="v[^"]+",os="[^"]+",version="unknown"\} 1$/m,
    );
    // every sample line is `name{labels} value`
    for (const line of text
      .trimEnd()
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#')))
      expect(line).toMatch(/^[a-z_0-9]+(\{[^}]*\})? ([0-9.e+-]+|NaN|Nan)$/); // prom-client writes NaN as `Nan`; Prometheus reads both
  });
});
