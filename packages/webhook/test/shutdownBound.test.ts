// The shutdown bound: on SIGTERM the command exits within WEBHOOK_SHUTDOWN_TIMEOUT_MS (25 s by
// default, below Kubernetes' 30 s terminationGracePeriodSeconds) even while a provider write hangs:
// the provider calls still running at the drain deadline are aborted through their AbortSignal,
// and what was cut is logged. The slow upstream is a loopback proxy that holds PowerDNS's PATCH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, InMemoryProvider, type CallOptions, type Changes } from '@openova/dns-core';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { createWebhookServer } from '@openova/dns-webhook';
import { spawnCli } from './support/cli.js';
import { startHoldingProxy, type HoldingProxy } from './support/holdingProxy.js';
import { externalDnsPost } from './support/rawHttp.js';

const CREATE = (...names: string[]) =>
  JSON.stringify({ create: names.map((dnsName) => ({ dnsName, recordType: 'A', targets: ['192.0.2.77'] })) });

function captureLog() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      lines.push({ level, msg, fields });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('WebhookServer.stop() with provider work in flight', () => {
  it('waits for a write that outlived its 503 (the deadline), without cutting it', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const apply = provider.applyChanges.bind(provider);
    let signalSeen: AbortSignal | undefined;
    provider.applyChanges = async (changes: Changes, options?: CallOptions) => {
      signalSeen = options?.signal;
      await new Promise((r) => setTimeout(r, 800));
      return apply(changes);
    };
    const { lines, logger } = captureLog();
    const server = createWebhookServer({
      provider,
      api: { host: '127.0.0.1', port: 0 },
      health: false,
      requestDeadlineMs: 200,
      shutdownTimeoutMs: 5000,
      logger,
    });
    const { api } = await server.start();
    const answer = await externalDnsPost(api.url, '/records', CREATE('late.example.com'));
    expect(answer.status).toBe(503); // the deadline answered; the write goes on
    // no promise that it completes: a shutdown may abort it
    expect(answer.text).toMatch(/a write under way goes on unless the webhook shuts down first/);
    expect(answer.text).not.toMatch(/completes/);
    expect(server.inFlight).toBe(0);
    await server.stop();
    // the write finished before the server stopped, and nothing was cut
    expect((await provider.records()).map((r) => r.dnsName)).toEqual(['late.example.com']);
    expect(signalSeen?.aborted).toBe(false);
    expect(lines.map((l) => l.msg)).not.toContain('apply cut at shutdown');
  });

  it('aborts the write still running at the drain deadline, logs what was cut, and stops within shutdownTimeoutMs', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const apply = provider.applyChanges.bind(provider);
    let calls = 0;
    // the first batch is written at once; the second hangs until its signal fires
    provider.applyChanges = (changes: Changes, options?: CallOptions) => {
      if (++calls === 1) return apply(changes);
      return new Promise<void>((_, reject) => {
        const signal = options?.signal;
        if (!signal) return; // without a signal it would hang for ever
        signal.addEventListener(
          'abort',
          () => reject(new AbortedError(undefined, { cause: signal.reason })),
          {
            once: true,
          },
        );
      });
    };
    // one change per call: two batches
    Object.defineProperty(provider, 'capabilities', {
      value: { ...provider.capabilities, maxChangesPerApply: 1 },
    });
    const { lines, logger } = captureLog();
    const server = createWebhookServer({
      provider,
      api: { host: '127.0.0.1', port: 0 },
      health: false,
      requestDeadlineMs: 60_000,
      shutdownTimeoutMs: 1200,
      logger,
    });
    const { api } = await server.start();
    const answer = externalDnsPost(
      api.url,
      '/records',
      CREATE('first.example.com', 'second.example.com', 'third.example.com'),
    );
    await expect.poll(() => calls).toBe(2);
    const started = performance.now();
    await server.stop();
    const took = performance.now() - started;
    expect(took).toBeLessThan(1200);
    // aborted at 1200 - min(2000, 1200 / 4) = 900 ms
    expect(took).toBeGreaterThanOrEqual(850);
    const answered = await answer;
    expect(answered.status).toBe(503);
    expect(answered.text).toMatch(/shutting down/);
    const cut = lines.find((l) => l.msg === 'apply cut at shutdown');
    expect(cut).toMatchObject({
      level: 'warn',
      fields: {
        written: { create: 1, update: 0, delete: 0 },
        // sent, outcome unknown; and never sent: each record in one list only
        abortedCall: ['second.example.com A'],
        abortedCallCount: 1,
        notWritten: ['third.example.com A'],
        notWrittenCount: 1,
      },
    });
    expect(lines.map((l) => l.msg)).toContain(
      'shutdown drain deadline reached: aborting provider calls in flight',
    );
    expect(lines.find((l) => l.msg === 'request cut at shutdown')?.fields).toMatchObject({
      route: 'records',
      method: 'POST',
    });
    expect((await provider.records()).map((r) => r.dnsName)).toEqual(['first.example.com']);
  });
});

describe('the command on SIGTERM while PowerDNS takes 40 s to answer a write', () => {
  let pdns: RunningPowerDns;
  let proxy: HoldingProxy;

  beforeAll(async () => {
    pdns = await startPowerDns();
    await pdns.client.createZone({ name: 'bound.test', kind: 'Native', nameservers: ['ns1.bound.test'] });
    proxy = await startHoldingProxy(pdns.apiUrl);
    proxy.holdMs = 40_000;
  });

  afterAll(async () => {
    await proxy?.close();
    await pdns?.stop();
  });

  async function run(env: Record<string, string>, name: string, bin = false) {
    const cli = spawnCli(
      {
        DNS_PROVIDER: 'pdns',
        PDNS_API_URL: proxy.url,
        PDNS_API_KEY: pdns.apiKey,
        DOMAIN_FILTER: 'bound.test',
        LOG_LEVEL: 'error', // the cut is logged at every level
        ...env,
      },
      // through the bin (the built dist/, as the image runs it) or from source
      { bin },
    );
    try {
      const { api } = await cli.ready();
      const patchSeen = proxy.nextPatch();
      const answer = externalDnsPost(api, '/records', CREATE(name));
      await patchSeen;
      const signalled = performance.now();
      cli.child.kill('SIGTERM');
      const exited = await cli.exited;
      const took = performance.now() - signalled;
      // the figure docs/webhook.md quotes
      console.info(
        `SIGTERM to exit with PowerDNS holding the PATCH 40 s (${JSON.stringify(env)}): ${Math.round(took)} ms`,
      );
      return { cli, exited, took, answer: await answer };
    } finally {
      cli.kill();
    }
  }

  it(
    'exits 0 within WEBHOOK_SHUTDOWN_TIMEOUT_MS, the PATCH aborted and named in the log',
    { timeout: 60_000 },
    async () => {
      const { cli, exited, took, answer } = await run(
        { WEBHOOK_SHUTDOWN_TIMEOUT_MS: '4000' },
        'short.bound.test',
        true,
      );
      expect(exited).toEqual({ code: 0, signal: null });
      expect(took).toBeLessThan(4000);
      // the request was still waiting for the write: answered when it was cut
      expect(answer.status).toBe(503);
      expect(answer.text).toMatch(/shutting down/);
      const messages = cli.logs().map((l) => l['msg']);
      expect(messages).toContain('shutdown drain deadline reached: aborting provider calls in flight');
      const cut = cli.logs().find((l) => l['msg'] === 'apply cut at shutdown');
      expect(cut?.['abortedCall']).toEqual(['short.bound.test A']);
      // sent and aborted, so not also among the records never sent
      expect(cut?.['notWritten']).toEqual([]);
      expect(messages.indexOf('apply cut at shutdown')).toBeLessThan(messages.indexOf('stopped'));
      // the client hung up on the held PATCH: it never reaches PowerDNS
      await expect.poll(() => proxy.abandoned).toContain('PATCH /api/v1/servers/localhost/zones/bound.test.');
      expect(cli.stdout()).not.toContain(pdns.apiKey);
    },
  );

  it(
    'at the smallest bound accepted (1000 ms) the cut is still logged and the exit is 0',
    { timeout: 30_000 },
    async () => {
      const { cli, exited } = await run({ WEBHOOK_SHUTDOWN_TIMEOUT_MS: '1000' }, 'min.bound.test');
      // exit 0: within the bound (past it the command exits 1)
      expect(exited).toEqual({ code: 0, signal: null });
      const messages = cli.logs().map((l) => l['msg']);
      expect(messages).toContain('shutdown drain deadline reached: aborting provider calls in flight');
      expect(cli.logs().find((l) => l['msg'] === 'apply cut at shutdown')?.['abortedCall']).toEqual([
        'min.bound.test A',
      ]);
      expect(messages).not.toContain('shutdown bound reached: exiting');
    },
  );

  it(
    'with the default bound: the 503 at the request deadline, then exit 0 within 25 s',
    { timeout: 90_000 },
    async () => {
      const { cli, exited, took, answer } = await run({}, 'default.bound.test');
      expect(answer.status).toBe(503); // WEBHOOK_REQUEST_DEADLINE_MS (10 s) answered first
      expect(exited).toEqual({ code: 0, signal: null });
      expect(took).toBeLessThan(25_000);
      // the write was given the drain time (up to 25 - 1 - 2 = 22 s) before it was cut
      expect(took).toBeGreaterThan(21_000);
      expect(cli.logs().find((l) => l['msg'] === 'apply cut at shutdown')?.['abortedCall']).toEqual([
        'default.bound.test A',
      ]);
    },
  );
});
