// A fault loses nothing: whichever write of a run fails (record-by-record provider following core's
// write order, a batched apply failing in a later call, a timeout after everything was written, a
// refusal before anything was), the error is typed and the next run converges to what a run without
// the fault gives, with no record left without its ownership marker.
import { describe, expect, it } from 'vitest';
import {
  describeEndpoint,
  emptyChanges,
  InMemoryProvider,
  InterruptedApplyError,
  ProviderError,
  reconcile,
  TxtRegistry,
  type CallOptions,
  type Changes,
  type Endpoint,
  type EndpointInit,
  type Provider,
} from '@openova/dns-core';
import { markersToUndo, recordWritePhases } from '@openova/dns-core/provider';

const PREFIX = '_externaldns.%{record_type}.';

/** A provider writing record set by record set in core's order, failing at write `failAt` (0-based). */
class RecordWise implements Provider {
  readonly name = 'recordwise';
  readonly capabilities;
  readonly domainFilter;
  writes = 0;
  failAt = -1;
  /** When set, every change is written and then the call fails (a timeout after the server applied it). */
  failAfterAll = false;

  constructor(readonly inner: InMemoryProvider) {
    this.capabilities = { ...inner.capabilities, atomicity: 'record' as const };
    this.domainFilter = inner.domainFilter;
  }
  records(options?: CallOptions) {
    return this.inner.records(options);
  }
  zones() {
    return this.inner.zones();
  }
  adjustEndpoints(endpoints: Endpoint[]) {
    return this.inner.adjustEndpoints(endpoints);
  }
  async applyChanges(changes: Changes): Promise<void> {
    if (this.failAfterAll) {
      await this.inner.applyChanges(changes);
      throw new ProviderError('recordwise: timed out waiting for the answer', {
        provider: this.name,
        retryable: true,
      });
    }
    const applied = new Set<Endpoint>();
    const write = async (change: Changes, ep: Endpoint) => {
      if (this.writes++ === this.failAt)
        throw new ProviderError('recordwise: injected failure', { provider: this.name, retryable: true });
      await this.inner.applyChanges(change);
      applied.add(ep);
    };
    try {
      for (const phase of recordWritePhases(changes)) {
        for (const ep of phase.create) await write({ ...emptyChanges(), create: [ep] }, ep);
        for (const [i, ep] of phase.updateNew.entries())
          await write({ ...emptyChanges(), updateOld: [phase.updateOld[i]!], updateNew: [ep] }, ep);
        for (const ep of phase.delete) await write({ ...emptyChanges(), delete: [ep] }, ep);
      }
    } catch (cause) {
      const undo = markersToUndo(changes, applied);
      for (const marker of undo) await this.inner.applyChanges({ ...emptyChanges(), delete: [marker] });
      const all = [...changes.create, ...changes.updateNew, ...changes.delete];
      throw new InterruptedApplyError(this.name, cause, {
        applied: all.filter((ep) => applied.has(ep)).map(describeEndpoint),
        notApplied: all.filter((ep) => !applied.has(ep)).map(describeEndpoint),
        undone: undo.map(describeEndpoint),
      });
    }
  }
}

const A = (name: string, ip: string): EndpointInit => ({ dnsName: name, recordType: 'A', targets: [ip] });
const first: EndpointInit[] = [
  A('a.example.com', '192.0.2.1'),
  A('b.example.com', '192.0.2.2'),
  { dnsName: 'c.example.com', recordType: 'CNAME', targets: ['x.example.net'] },
  { dnsName: 'd.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] },
  A('d.example.com', '192.0.2.4'),
];
// an update, deletes (b; d's A), a CNAME replaced by an A, a create
const second: EndpointInit[] = [
  A('a.example.com', '192.0.2.9'),
  A('c.example.com', '192.0.2.3'),
  { dnsName: 'd.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] },
  A('e.example.com', '192.0.2.5'),
];

const shown = (records: Endpoint[]) =>
  records.map((r) => `${r.dnsName} ${r.recordType} ${r.targets.join(',')}`);

/** Every A, AAAA and CNAME in the zone has its marker: none was lost to ownership. */
function expectEveryRecordMarked(records: Endpoint[]) {
  const names = new Set(records.filter((r) => r.recordType === 'TXT').map((r) => r.dnsName));
  for (const r of records.filter((x) => x.recordType !== 'TXT'))
    expect(names.has(`_externaldns.${r.recordType.toLowerCase()}.${r.dnsName}`), describeEndpoint(r)).toBe(
      true,
    );
}

async function runs(failStep: number, failAt: number) {
  const inner = new InMemoryProvider({ zones: ['example.com'] });
  const provider = new RecordWise(inner);
  const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: PREFIX });
  let error: unknown;
  for (const [step, desired] of [first, second].entries()) {
    provider.writes = 0;
    provider.failAt = step === failStep ? failAt : -1;
    try {
      await reconcile({ registry, desired, policy: 'sync', safety: false });
    } catch (e) {
      error = e;
      expectEveryRecordMarked(await inner.records());
      provider.failAt = -1;
      await reconcile({ registry, desired, policy: 'sync', safety: false });
    }
  }
  const again = await reconcile({ registry, desired: second, policy: 'sync', dryRun: true });
  return {
    records: shown(await inner.records()),
    error,
    again: again.plan.hasChanges,
    writes: provider.writes,
  };
}

describe('a fault loses nothing', () => {
  it('a record-by-record apply failing at any one write converges on the next run', async () => {
    const clean = await runs(-1, -1);
    let faults = 0;
    for (const step of [0, 1])
      for (let k = 0; ; k++) {
        const run = await runs(step, k);
        if (run.error === undefined) break; // k is past the run's last write
        faults++;
        expect(run.error).toBeInstanceOf(InterruptedApplyError);
        expect((run.error as InterruptedApplyError).retryable).toBe(true);
        expect(run.records, `run ${step}, write ${k} failed`).toEqual(clean.records);
        expect(run.again).toBe(false);
      }
    expect(faults).toBeGreaterThan(15);
  });

  it('a timeout after everything was written: a retryable ProviderError, and the next plan is empty', async () => {
    const inner = new InMemoryProvider({ zones: ['example.com'] });
    const provider = new RecordWise(inner);
    provider.failAfterAll = true;
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: PREFIX });
    const error = await reconcile({ registry, desired: first, policy: 'sync' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(true);
    const next = await reconcile({ registry, desired: first, policy: 'sync', dryRun: true });
    expect(next.plan.hasChanges).toBe(false);
    expect(await inner.records()).toHaveLength(10);
  });

  it('a batched apply failing in its second call names what was applied; the next run writes the rest once', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'], maxChangesPerApply: 4 });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: PREFIX });
    const apply = provider.applyChanges.bind(provider);
    let calls = 0;
    provider.applyChanges = (changes, options) =>
      calls++ === 1
        ? Promise.reject(
            new ProviderError('inmemory: connection reset', { provider: 'inmemory', retryable: true }),
          )
        : apply(changes, options);
    const error = await reconcile({ registry, desired: first, policy: 'sync' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedApplyError);
    const { applied, notApplied } = error as InterruptedApplyError;
    expect([...applied, ...notApplied].sort()).toEqual(
      first.map((e) => `${e.dnsName} ${e.recordType}`).sort(),
    );
    expect(applied.length).toBeGreaterThan(0);
    expectEveryRecordMarked(await provider.records());
    provider.applyChanges = apply;
    const retry = await reconcile({ registry, desired: first, policy: 'sync' });
    expect(retry.counts.create).toBe(notApplied.length);
    expect(await provider.records()).toHaveLength(10);
    expect(
      (await reconcile({ registry, desired: first, policy: 'sync', dryRun: true })).plan.hasChanges,
    ).toBe(false);
  });
});
