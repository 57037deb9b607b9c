// The tools every conformance case uses: a registry over the harness's provider, "apply then plan
// again" (DNSControl's integration-test step), and reads of what the server stores.
import {
  endpoint,
  nameKey,
  type Endpoint,
  type EndpointInit,
  type RecordType,
} from '../endpoint/endpoint.js';
import { normalizeDnsName } from '../endpoint/names.js';
import { isDnsError } from '../errors.js';
import { reconcile, type ReconcileResult } from '../reconcile/reconcile.js';
import { TxtRegistry, type TxtRegistryOptions } from '../registry/txtRegistry.js';
import { renderPlanText } from '../render/text.js';
import type { ConformanceHarness } from './harness.js';

/** The owner ID the suite writes with, and the one its "other owner" records name. */
export const CONFORMANCE_OWNER = 'conformance';
/** The owner ID the suite's "another tool's record" markers name. */
export const OTHER_OWNER = 'someone-else';

/** A case's expectation did not hold; the message says what was expected and what was found. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceFailure';
  }
}

/** Options of `CaseContext.converge`: one run that must change something, then one that must not. */
export interface ConvergeOptions {
  /** Record types managed (default: the desired records' types, plus A, AAAA and CNAME). */
  managedRecordTypes?: readonly RecordType[];
  /** The first run must report changes (default true). */
  expectChanges?: boolean;
  /** Policy of the runs (default `sync`). */
  policy?: 'sync' | 'upsert-only' | 'create-only';
}

/** What a case works with; made by the runner for each case. */
export class CaseContext {
  /** The harness of this case: provider, zone, seeding and faults. */
  readonly harness: ConformanceHarness;

  constructor(harness: ConformanceHarness) {
    this.harness = harness;
  }

  /** `www` → `www.<zone>`, `''` → the zone apex. */
  name(relative: string): string {
    return relative === '' ? this.harness.zone : `${relative}.${this.harness.zone}`;
  }

  /** A TXT registry over the provider: owner `conformance`, prefix `_externaldns.%{record_type}.` unless given. */
  registry(options: Partial<TxtRegistryOptions> = {}): TxtRegistry {
    const affix = options.prefix !== undefined || options.suffix !== undefined;
    return new TxtRegistry(this.harness.provider, {
      ownerId: CONFORMANCE_OWNER,
      ...(affix ? {} : { prefix: '_externaldns.%{record_type}.' }),
      ...options,
    });
  }

  /** Throws {@link ConformanceFailure} with `message` unless `condition` holds. */
  check(condition: unknown, message: string): asserts condition {
    if (!condition) throw new ConformanceFailure(message);
  }

  /** Everything the provider stores in the zone, as it returns it (markers included). */
  async stored(): Promise<Endpoint[]> {
    return this.harness.provider.records();
  }

  /** The stored record set at `name` with `type`, if any. */
  async storedAt(name: string, type: string): Promise<Endpoint | undefined> {
    const key = nameKey(name, '');
    return (await this.stored()).find((e) => nameKey(e.dnsName, '') === key && e.recordType === type);
  }

  /**
   * One run of the controller loop and the check that defines convergence: apply `desired`
   * (`sync` by default), which must report changes; then plan again, which must report none.
   * Every desired record that the first run did not skip must then be stored in the form
   * `adjustEndpoints` predicted. Returns the first run's result.
   */
  async converge(
    registry: TxtRegistry,
    desired: readonly EndpointInit[],
    options: ConvergeOptions = {},
  ): Promise<ReconcileResult> {
    const managedRecordTypes = options.managedRecordTypes ?? [
      ...new Set<RecordType>(['A', 'AAAA', 'CNAME', ...desired.map((d) => d.recordType.toUpperCase())]),
    ];
    const run = (dryRun: boolean) =>
      reconcile({
        registry,
        desired,
        policy: options.policy ?? 'sync',
        managedRecordTypes,
        dryRun,
        safety: false,
      });
    const first = await run(false);
    if (options.expectChanges !== false)
      this.check(
        first.plan.hasChanges && first.applied,
        `the first run reported no changes:\n${renderPlanText(first.plan)}`,
      );
    const second = await run(true);
    this.check(
      !second.plan.hasChanges,
      `a second plan is not empty (the provider does not round-trip what it wrote):\n${renderPlanText(second.plan)}`,
    );
    const skipped = new Set(first.skipped.map((s) => nameKey(s.record.dnsName, s.record.setIdentifier)));
    const expected = await this.harness.provider.adjustEndpoints(
      desired.map(endpoint).filter((e) => !skipped.has(nameKey(e.dnsName, e.setIdentifier))),
    );
    const now = await registry.records();
    for (const want of expected) {
      const key = nameKey(want.dnsName, want.setIdentifier);
      const got = now.find(
        (e) => nameKey(e.dnsName, e.setIdentifier) === key && e.recordType === want.recordType,
      );
      this.check(got, `${want.dnsName} ${want.recordType} was not stored`);
      this.check(
        JSON.stringify([...got.targets].sort()) === JSON.stringify([...want.targets].sort()),
        `${want.dnsName} ${want.recordType}: stored ${JSON.stringify(got.targets)}, expected ${JSON.stringify(want.targets)}`,
      );
      if (want.recordTTL > 0)
        this.check(
          got.recordTTL === want.recordTTL,
          `${want.dnsName} ${want.recordType}: stored TTL ${got.recordTTL}, expected ${want.recordTTL}`,
        );
      this.check(
        got.labels['owner'] === CONFORMANCE_OWNER,
        `${want.dnsName} ${want.recordType} is stored without our ownership marker`,
      );
    }
    return first;
  }

  /**
   * Every record of ours has its ownership TXT and every TXT of ours has its record: what a fault
   * must never break. Checks the records at `names` (relative or absolute) of the given types.
   */
  async checkPairs(registry: TxtRegistry, records: readonly { name: string; type: string }[]): Promise<void> {
    const stored = await this.stored();
    const has = (name: string, type: string) =>
      stored.some((e) => normalizeDnsName(e.dnsName) === normalizeDnsName(name) && e.recordType === type);
    for (const r of records) {
      const record = has(r.name, r.type);
      const marker = has(registry.txtNameOf({ dnsName: r.name, recordType: r.type }), 'TXT');
      this.check(
        record === marker,
        `${r.name} ${r.type}: ${record ? 'the record is stored without its ownership TXT' : 'an ownership TXT is stored without its record'}`,
      );
    }
  }

  /** Runs `body`, which must fail with a typed SDK error (a `DnsError`); returns it. */
  async rejects(body: () => Promise<unknown>, what: string): Promise<Error> {
    let result: unknown;
    try {
      result = await body();
    } catch (error) {
      this.check(
        isDnsError(error),
        `${what}: failed with an untyped error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
      return error;
    }
    throw new ConformanceFailure(
      `${what}: expected a typed error, got ${JSON.stringify(result)?.slice(0, 200)}`,
    );
  }
}
