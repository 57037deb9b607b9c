import { describe, expect, it } from 'vitest';
import {
  AbortedApplyError,
  AbortedError,
  DnsError,
  InMemoryProvider,
  reconcile,
  TxtRegistry,
  type Changes,
  type CallOptions,
} from '@openova/dns-core';

// An abort during an apply split into several calls: the calls before it stay applied, and the
// error (still ABORTED, still an AbortedError) says which, and that the call in flight may or may
// not have been written.
const hosts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    dnsName: `h${i}.example.com`,
    recordType: 'A',
    targets: ['192.0.2.1'],
  }));

/**
 * Two records with their markers per call; `onCall(n)` runs before the n-th call (1-based) is
 * answered, `afterCall(n)` once it was applied.
 */
class StepProvider extends InMemoryProvider {
  n = 0;
  constructor(
    readonly onCall: (n: number, options: CallOptions) => void,
    readonly afterCall: (n: number) => void = () => undefined,
  ) {
    super({ zones: ['example.com'], maxChangesPerApply: 4 });
  }
  override async applyChanges(changes: Changes, options: CallOptions = {}): Promise<void> {
    this.onCall(++this.n, options);
    await super.applyChanges(changes, options);
    this.afterCall(this.n);
  }
}

async function run(provider: StepProvider, controller: AbortController): Promise<unknown> {
  const registry = new TxtRegistry(provider, { ownerId: 'me' });
  return reconcile({ registry, desired: hosts(5), policy: 'sync', signal: controller.signal }).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('an abort during a split apply', () => {
  it('in flight after a first call was applied: names what was applied and that the call in flight is unknown', async () => {
    const controller = new AbortController();
    const provider = new StepProvider((n, options) => {
      if (n !== 2) return;
      // the signal fires while the second call is out: the server may or may not have applied it
      controller.abort();
      const reason: unknown = options.signal?.reason;
      throw new AbortedError(undefined, { cause: reason });
    });
    const error = await run(provider, controller);
    expect(error).toBeInstanceOf(AbortedApplyError);
    expect(error).toBeInstanceOf(AbortedError);
    expect(error).toBeInstanceOf(DnsError);
    const aborted = error as AbortedApplyError;
    expect(aborted.code).toBe('ABORTED');
    expect(aborted.applied).toEqual(['h0.example.com A', 'h1.example.com A']);
    expect(aborted.inFlight).toEqual(['h2.example.com A', 'h3.example.com A']);
    expect(aborted.notApplied).toEqual(['h2.example.com A', 'h3.example.com A', 'h4.example.com A']);
    expect(aborted.provider).toBe('inmemory');
    expect(aborted.cause).toBeInstanceOf(AbortedError);
    expect(aborted.message).toBe(
      'inmemory: aborted after 2 record set change(s) were applied (h0.example.com A, h1.example.com A); 3 not applied (h2.example.com A, h3.example.com A, h4.example.com A); the 2 in the call in flight when the signal fired may or may not have been applied (h2.example.com A, h3.example.com A)',
    );
    // what the error says is what is stored
    const stored = (await provider.records()).filter((ep) => ep.recordType === 'A').map((ep) => ep.dnsName);
    expect(stored).toEqual(['h0.example.com', 'h1.example.com']);
  });

  it('between calls: nothing was in flight, and the error says so by naming none', async () => {
    const controller = new AbortController();
    // the first call is answered, then the signal fires before the second is sent
    const provider = new StepProvider(
      () => undefined,
      (n) => {
        if (n === 1) controller.abort();
      },
    );
    const error = (await run(provider, controller)) as AbortedApplyError;
    expect(error).toBeInstanceOf(AbortedApplyError);
    expect(error.code).toBe('ABORTED');
    expect(provider.n).toBe(1);
    expect(error.applied).toEqual(['h0.example.com A', 'h1.example.com A']);
    expect(error.inFlight).toEqual([]);
    expect(error.notApplied).toEqual(['h2.example.com A', 'h3.example.com A', 'h4.example.com A']);
    expect(error.message).toBe(
      'inmemory: aborted after 2 record set change(s) were applied (h0.example.com A, h1.example.com A); 3 not applied (h2.example.com A, h3.example.com A, h4.example.com A)',
    );
  });

  it('in the first call: a plain AbortedError, nothing known to be written', async () => {
    const controller = new AbortController();
    const provider = new StepProvider((n) => {
      if (n !== 1) return;
      controller.abort();
      throw new AbortedError();
    });
    const error = await run(provider, controller);
    expect(error).toBeInstanceOf(AbortedError);
    expect(error).not.toBeInstanceOf(AbortedApplyError);
  });
});
