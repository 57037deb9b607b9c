// A periodic controller loop — what ExternalDNS's `--interval` does — around `reconcile()`:
// a run every `intervalMs` with jitter, exponential backoff after errors that say `retryable`
// (honouring a server's `retryAfter`), one log line per run, and a clean stop on an AbortSignal.
//
//   node --conditions=@openova/source --import tsx examples/cookbook/controller-loop.ts
import { setTimeout as sleep } from 'node:timers/promises';
import {
  InMemoryProvider,
  ProviderError,
  TxtRegistry,
  isDnsError,
  reconcile,
  type EndpointInit,
  type ReconcileResult,
} from '@openova/dns-core';

export interface ControllerLoopOptions {
  /** One reconcile run; receives the loop's signal. */
  run: (signal: AbortSignal) => Promise<ReconcileResult>;
  /** Time between the end of one run and the start of the next, in ms (ExternalDNS: 60 000). */
  intervalMs: number;
  /** Up to this fraction of the interval is added at random, so replicas do not run in step (default 0.1). */
  jitter?: number;
  /** First delay after a retryable error, doubled per consecutive failure, in ms (default intervalMs / 10). */
  backoffMs?: number;
  /** Longest delay after errors, in ms (default 10 × intervalMs). */
  maxBackoffMs?: number;
  /** Stops the loop: the current run is cancelled and the loop returns. */
  signal: AbortSignal;
  /** One line per run (default console.log). */
  log?: (line: string) => void;
  /** Random numbers in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
}

/** Runs until `signal` aborts. Errors that are not `DnsError`s (bugs) are rethrown and end the loop. */
export async function controllerLoop(options: ControllerLoopOptions): Promise<void> {
  const { run, intervalMs, signal, log = console.log, random = Math.random } = options;
  const jitter = options.jitter ?? 0.1;
  const backoffMs = options.backoffMs ?? intervalMs / 10;
  const maxBackoffMs = options.maxBackoffMs ?? 10 * intervalMs;
  let failures = 0;
  for (let n = 1; !signal.aborted; n++) {
    const started = Date.now();
    let delay: number;
    try {
      const { plan, applied, counts, skipped } = await run(signal);
      failures = 0;
      const what = plan.hasChanges ? `${counts.create}+ ${counts.update}~ ${counts.delete}-` : 'up to date';
      log(
        `run ${n}: ${applied ? 'applied' : 'no changes'} (${what}; ${skipped.length} skipped) in ${Date.now() - started} ms`,
      );
      delay = intervalMs;
    } catch (error) {
      if (signal.aborted) break;
      if (!isDnsError(error)) throw error;
      const retryable = error instanceof ProviderError && error.retryable;
      if (retryable) {
        failures++;
        const exponential = Math.min(maxBackoffMs, backoffMs * 2 ** (failures - 1));
        const asked = (error.retryAfter ?? 0) * 1000;
        delay = Math.max(exponential, asked);
      } else {
        // Not retryable (bad input, a safety refusal, an ownership conflict): a person must act.
        // Keep reporting it every interval rather than hammering or exiting.
        delay = intervalMs;
      }
      log(
        `run ${n}: failed ${error.code}${retryable ? ` (retryable, attempt ${failures})` : ''}: ${error.message.split('\n')[0]}; next in ${delay} ms`,
      );
    }
    try {
      await sleep(delay + Math.floor(random() * jitter * intervalMs), undefined, { signal });
    } catch {
      break; // aborted while waiting
    }
  }
  log('stopped');
}

// The demonstration: a zone whose provider fails twice with a retryable error, then recovers.
{
  const provider = new InMemoryProvider({ zones: ['example.com'] });
  const registry = new TxtRegistry(provider, {
    ownerId: 'controller',
    prefix: '_externaldns.%{record_type}.',
  });
  let desired: EndpointInit[] = [
    { dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 60 },
  ];

  const stop = new AbortController();
  let runs = 0;
  provider.failNextApply(
    new ProviderError('connection refused', {
      provider: 'inmemory',
      retryable: true,
      code: 'PROVIDER_UNREACHABLE',
    }),
  );
  await controllerLoop({
    intervalMs: 20,
    signal: stop.signal,
    random: () => 0.5,
    run: async (signal) => {
      runs++;
      if (runs === 2)
        provider.failNextApply(
          new ProviderError('rate limited', {
            provider: 'inmemory',
            retryable: true,
            retryAfter: 0.05,
            code: 'PROVIDER_RATE_LIMITED',
          }),
        );
      if (runs === 4)
        desired = [
          ...desired,
          { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['api.example.com'] },
        ];
      if (runs === 6) stop.abort();
      return reconcile({ registry, desired, policy: 'sync', signal });
    },
  });
}
