// A saved plan is the caller's input too: what is wrong with a file is named by its path in the
// file, every problem at once, and a plan applied twice is refused the second time without a write.
import { describe, expect, it } from 'vitest';
import {
  applyPlan,
  createPlan,
  endpoint,
  InMemoryProvider,
  PlanConflictError,
  planFromJSON,
  reconcile,
  renderPlanJSON,
  TxtRegistry,
  ValidationError,
  type PlanJSON,
} from '@openova/dns-core';

/** A field set to a value of the wrong type, as a hand-edited file may have. */
const poke = (target: object, key: string, value: unknown) => Reflect.set(target, key, value);

const setup = () => {
  const provider = new InMemoryProvider({ zones: ['example.com'] });
  const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
  return { provider, registry };
};
const hosts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    dnsName: `h${i}.example.com`,
    recordType: 'A',
    targets: ['192.0.2.1'],
  }));

async function savedText(): Promise<string> {
  const { registry } = setup();
  const { plan } = await reconcile({
    registry,
    desired: [...hosts(2), { dnsName: 'm.example.com', recordType: 'MX', targets: ['10 mx.example.net'] }],
    policy: 'sync',
    dryRun: true,
  });
  return renderPlanJSON(plan);
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('saved plan input', () => {
  it('names every bad endpoint by its path in the file: changes, ownership changes and skipped records', async () => {
    const json = JSON.parse(await savedText()) as PlanJSON;
    poke(json.changes.create[1]!, 'recordTTL', 'soon');
    poke(json.ownershipChanges.create[0]!, 'targets', [7]);
    poke(json.skipped[0]!.record, 'dnsName', 5);
    const error = thrown(() => planFromJSON(json));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      ['changes', 'create', 1, 'recordTTL'],
      ['ownershipChanges', 'create', 0, 'targets', 0],
      ['skipped', 0, 'record', 'dnsName'],
    ]);
    expect((error as ValidationError).message).toContain('changes.create[1].recordTTL');
  });

  it('a TTL no provider can store (1e400 reads as Infinity) is named at its path, not hashed', async () => {
    const text = (await savedText()).replace(
      '"dnsName": "h0.example.com",',
      '"dnsName": "h0.example.com", "recordTTL": 1e400,',
    );
    const error = thrown(() => planFromJSON(text));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toEqual(['changes', 'create', 0, 'recordTTL']);
  });

  it('a reordered list or another format version is refused with the path of what is wrong', async () => {
    const json = JSON.parse(await savedText()) as PlanJSON;
    json.changes.create.reverse();
    expect((thrown(() => planFromJSON(json)) as ValidationError).issues[0]?.path).toEqual(['checksum']);
    const other = JSON.parse(await savedText()) as PlanJSON;
    poke(other, 'version', 2);
    const error = thrown(() => planFromJSON(other)) as ValidationError;
    expect(error.issues.map((i) => i.path)).toEqual([['version']]);
    expect(error.message).toContain('this SDK reads version 1');
  });

  it('applied twice: the second apply is a conflict naming the records, and writes nothing', async () => {
    const { provider, registry } = setup();
    const { plan } = await reconcile({ registry, desired: hosts(2), policy: 'sync', dryRun: true });
    const saved = planFromJSON(renderPlanJSON(plan));
    await applyPlan({ registry, plan: saved });
    const writes = provider.calls.applyChanges;
    const error = await applyPlan({ registry, plan: saved }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanConflictError);
    expect((error as PlanConflictError).conflicts).toEqual([
      { record: 'h0.example.com A', reason: 'appeared' },
      { record: 'h1.example.com A', reason: 'appeared' },
    ]);
    expect(provider.calls.applyChanges).toBe(writes);
  });

  it('content the provider refuses in a saved plan is named at its path in the plan; nothing is written', async () => {
    const { provider, registry } = setup();
    await registry.records();
    const changes = {
      create: [
        endpoint({ dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] }),
        endpoint({ dnsName: 'x.example.com', recordType: 'A', targets: ['300.1.1.1'] }),
      ],
      updateOld: [],
      updateNew: [],
      delete: [],
    };
    // a plan file edited by hand (its checksum recomputed): planFromJSON checks shape, not content
    const plan = createPlan({
      policy: 'sync',
      ownerId: 'me',
      recordTypes: ['A', 'AAAA', 'CNAME'],
      changes,
      ownershipChanges: registry.preview(changes).ownershipChanges,
      hasChanges: true,
      current: [],
    });
    const error = await applyPlan({ registry, plan: planFromJSON(renderPlanJSON(plan)) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      ['changes', 'create', 1, 'targets', 0],
    ]);
    expect(await provider.records()).toEqual([]);
  });
});
