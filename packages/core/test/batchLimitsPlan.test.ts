// A record set larger than one applyChanges call may carry is refused by the dry run as by the run:
// the plan says what will happen (issue 11's rule, extended to batch limits).
import { describe, expect, it } from 'vitest';
import {
  InMemoryProvider,
  reconcile,
  TxtRegistry,
  ValidationError,
  type BatchChange,
  type EndpointInit,
} from '../src/index.js';

const values = { name: 'values', max: 10, cost: (change: BatchChange) => change.endpoint.targets.length };

function setup() {
  const provider = new InMemoryProvider({ zones: ['example.com'], batchLimits: [values] });
  let calls = 0;
  const apply = provider.applyChanges.bind(provider);
  provider.applyChanges = (changes, options) => {
    calls++;
    return apply(changes, options);
  };
  const registry = new TxtRegistry(provider, { ownerId: 'me' });
  return { provider, registry, calls: () => calls };
}

const desired: EndpointInit[] = [
  { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] },
  {
    dnsName: 'wide.example.com',
    recordType: 'A',
    targets: Array.from({ length: 12 }, (_, i) => `198.51.100.${i + 1}`),
  },
];

describe('a record set larger than one call may carry', () => {
  it('the dry run refuses it with the same ValidationError as the run, naming desired[i]', async () => {
    const dry = setup();
    const dryError = await reconcile({ registry: dry.registry, desired, policy: 'sync', dryRun: true }).catch(
      (e: unknown) => e,
    );
    expect(dryError).toBeInstanceOf(ValidationError);
    const run = setup();
    const runError = await reconcile({ registry: run.registry, desired, policy: 'sync' }).catch(
      (e: unknown) => e,
    );
    expect(runError).toBeInstanceOf(ValidationError);
    for (const error of [dryError, runError] as ValidationError[]) {
      // 12 values and the record's ownership TXT, which travels with it
      expect(error.issues).toEqual([
        {
          path: ['desired', 1],
          code: 'batch_limit_exceeded',
          message: expect.stringContaining('wide.example.com A: costs 13 values, more than the 10') as string,
        },
      ]);
    }
    // nothing was sent, nothing stored
    expect(run.calls()).toBe(0);
    expect(await run.provider.records()).toEqual([]);
  });

  it('a plan that fits is applied in the batches the preview computed, and a second plan is empty', async () => {
    const { registry, calls } = setup();
    const fits = desired.map((ep) => ({ ...ep, targets: (ep.targets ?? []).slice(0, 4) }));
    const result = await reconcile({ registry, desired: fits, policy: 'sync' });
    expect(result.applied).toBe(true);
    // 1 + 4 values and two one-value markers: 7 of 10, one call
    expect(calls()).toBe(1);
    const again = await reconcile({ registry, desired: fits, policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
  });
});
