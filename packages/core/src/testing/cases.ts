// The provider conformance cases, in DNSControl's style: zone states applied one after another, each
// of which must report changes and then plan to nothing. Capability filters (`needs`) decide which
// cases run for which provider. docs/providers/testing.md lists them.
import { inspect } from 'node:util';
import {
  endpoint,
  type EndpointInit,
  type ProviderSpecificProperty,
  type RecordType,
} from '../endpoint/endpoint.js';
import { checkDnsName } from '../endpoint/names.js';
import { isDnsError, ValidationError } from '../errors.js';
import { appendAll } from '../lists.js';
import type { ProviderCapabilities } from '../provider/provider.js';
import { reconcile } from '../reconcile/reconcile.js';
import { renderPlanText } from '../render/text.js';
import type { CaseContext } from './context.js';
import { ConformanceFailure, CONFORMANCE_OWNER, OTHER_OWNER } from './context.js';
import type { ConformanceFault } from './harness.js';

/** The groups of the conformance suite's cases (the first part of a case id). */
export type ConformanceGroup =
  | 'record-types'
  | 'ownership'
  | 'ttl'
  | 'targets'
  | 'names'
  | 'markers'
  | 'txt'
  | 'faults'
  | 'set-identifiers'
  | 'bad-input';

/** What a case needs of a provider; a provider without it skips the case. */
export interface CaseNeeds {
  /** Record types the provider must store. */
  recordTypes?: readonly RecordType[];
  /** `true`: routing policies (set identifiers); `false`: a provider without them. */
  setIdentifiers?: boolean;
  /** Faults the harness must be able to inject. */
  faults?: readonly ConformanceFault[];
  /** The provider lists its zones (`Provider.zones`). */
  zones?: boolean;
  /** Provider-specific property names the provider declares in `capabilities.providerSpecific`. */
  providerSpecific?: readonly string[];
  /** The provider refuses a write planned on a read another writer overtook (`capabilities.conditionalWrites`). */
  conditionalWrites?: boolean;
}

/** One case of the provider conformance suite. */
export interface ProviderConformanceCase {
  /** Stable id, e.g. `names/idn`. */
  id: string;
  /** The group the case belongs to. */
  group: ConformanceGroup;
  /** One line: what the provider must do. */
  description: string;
  /** What the provider must support for the case to run; otherwise it is skipped with the reason. */
  needs?: CaseNeeds;
  /** Runs the case; throws {@link ConformanceFailure} when an expectation does not hold. */
  run(t: CaseContext): Promise<void>;
}

/**
 * A record to run through create → targets changed → TTL changed → (properties changed) → deleted.
 * The suite has samples for the common types, and for aliases and routing policies
 * ({@link ROUTING_RECORD_SAMPLES}); a provider adds its own types (PowerDNS `LUA`) and
 * provider-specific properties (Cloudflare `cloudflare-proxied`) with `ConformanceTarget.recordSamples`.
 */
export interface RecordSample {
  /** Record type of the sample. */
  type: RecordType;
  /** Name relative to the zone, e.g. `rt-a`; `''` is the zone apex. */
  name: string;
  /** Targets of the first version. */
  first: string[];
  /** Targets after the change (a different set). */
  second: string[];
  /**
   * Provider-specific properties set in an extra step after the TTL change; they replace
   * {@link RecordSample.createProperties} (so a routing policy can be switched for another).
   */
  properties?: ProviderSpecificProperty[];
  /**
   * The set identifier of every step: the record is one set of a routing policy. The sample runs
   * only where `capabilities.setIdentifiers` is true.
   */
  setIdentifier?: string;
  /** Provider-specific properties from the create on (an alias, a routing policy), kept until `properties`. */
  createProperties?: ProviderSpecificProperty[];
  /** The provider fixes the TTL (a Route53 alias reads back with 300): the TTL step is left out. */
  fixedTTL?: boolean;
  /** Names the case instead of a running number: `alias` → `record-types/a-alias`. */
  label?: string;
  /** What else the sample needs of the provider, e.g. the property names it uses. */
  needs?: Pick<CaseNeeds, 'providerSpecific'>;
}

/** The suite's own samples; types whose names need a special zone (PTR) have none. */
export const DEFAULT_RECORD_SAMPLES: readonly RecordSample[] = [
  { type: 'A', name: 'rt-a', first: ['192.0.2.1'], second: ['192.0.2.2', '192.0.2.3'] },
  { type: 'AAAA', name: 'rt-aaaa', first: ['2001:db8::1'], second: ['2001:db8::2'] },
  { type: 'CNAME', name: 'rt-cname', first: ['target.example.net'], second: ['other.example.net'] },
  { type: 'TXT', name: 'rt-txt', first: ['"hello world"'], second: ['"v=spf1 -all"', '"second value"'] },
  {
    type: 'MX',
    name: 'rt-mx',
    first: ['10 mx1.example.net'],
    second: ['10 mx1.example.net', '20 mx2.example.net'],
  },
  {
    type: 'SRV',
    name: '_sip._tcp',
    first: ['10 5 5060 sip.example.net'],
    second: ['20 5 5061 sip2.example.net'],
  },
  { type: 'NS', name: 'rt-ns', first: ['ns1.example.net'], second: ['ns1.example.net', 'ns2.example.net'] },
  { type: 'CAA', name: 'rt-caa', first: ['0 issue "letsencrypt.org"'], second: ['0 issuewild "pki.goog"'] },
  { type: 'DNAME', name: 'rt-dname', first: ['target.example.net'], second: ['other.example.net'] },
  {
    type: 'NAPTR',
    name: 'rt-naptr',
    first: ['100 10 "S" "SIP+D2U" "" _sip._udp.example.net.'],
    second: ['100 10 "S" "SIP+D2T" "" _sip._tcp.example.net.'],
  },
];

const prop = (name: string, value: string): ProviderSpecificProperty => ({ name, value });
const ALIAS = prop('alias', 'true');

/**
 * Aliases and routing policies, with ExternalDNS's property names (its AWS provider's, which the
 * webhook passes through unchanged): `alias` with `aws/evaluate-target-health`, and `aws/weight`,
 * `aws/region`, `aws/failover`, `aws/geolocation-*`, `aws/geoproximity-*`, `aws/multi-value-answer`
 * with a set identifier. Each runs only where the provider declares the properties it uses in
 * `capabilities.providerSpecific` (and, for routing policies, `capabilities.setIdentifiers`);
 * elsewhere it is reported as skipped. Alias targets are CloudFront names, whose canonical hosted
 * zone is fixed (`Z2FDTNDATAQYW2`).
 */
export const ROUTING_RECORD_SAMPLES: readonly RecordSample[] = [
  ...(['A', 'AAAA'] as const).map((type): RecordSample => ({
    type,
    label: 'alias',
    name: `rt-alias-${type.toLowerCase()}`,
    first: ['d111111abcdef8.cloudfront.net'],
    second: ['d222222abcdef8.cloudfront.net'],
    createProperties: [ALIAS],
    properties: [ALIAS, prop('aws/evaluate-target-health', 'false')],
    fixedTTL: true,
    needs: { providerSpecific: ['alias', 'aws/evaluate-target-health'] },
  })),
  {
    type: 'A',
    label: 'alias-apex',
    name: '',
    first: ['d111111abcdef8.cloudfront.net'],
    second: ['d333333abcdef8.cloudfront.net'],
    createProperties: [ALIAS],
    fixedTTL: true,
    needs: { providerSpecific: ['alias'] },
  },
  ...(
    [
      ['weighted', [prop('aws/weight', '10')], [prop('aws/weight', '90')]],
      ['latency', [prop('aws/region', 'eu-west-1')], [prop('aws/region', 'us-east-1')]],
      ['failover', [prop('aws/failover', 'PRIMARY')], [prop('aws/failover', 'SECONDARY')]],
      [
        'geolocation',
        [prop('aws/geolocation-country-code', 'DE')],
        [prop('aws/geolocation-continent-code', 'EU')],
      ],
      [
        'geoproximity',
        [prop('aws/geoproximity-region', 'eu-west-1')],
        [prop('aws/geoproximity-region', 'us-east-1'), prop('aws/geoproximity-bias', '10')],
      ],
      [
        'multivalue',
        [prop('aws/multi-value-answer', 'true')],
        [
          prop('aws/multi-value-answer', 'true'),
          prop('aws/health-check-id', '11111111-2222-3333-4444-555555555555'),
        ],
      ],
      // a set switched from one routing policy to another in the properties step
      ['policy-switch', [prop('aws/weight', '50')], [prop('aws/region', 'us-west-2')]],
    ] as const
  ).map(([label, createProperties, properties]): RecordSample => ({
    type: 'A',
    label,
    name: `rt-${label}`,
    first: ['192.0.2.1'],
    second: ['192.0.2.2', '192.0.2.3'],
    setIdentifier: `${label}-1`,
    createProperties: [...createProperties],
    properties: [...properties],
    needs: {
      providerSpecific: [...new Set([...createProperties, ...properties].map((p) => p.name))],
    },
  })),
];

/** One record-type case per sample; `id` suffixes tell several samples of one type apart. */
export function recordTypeCases(samples: readonly RecordSample[]): ProviderConformanceCase[] {
  const seen = new Map<string, number>();
  return samples.map((sample) => {
    const n = (seen.get(sample.type) ?? 0) + (sample.label === undefined ? 1 : 0);
    seen.set(sample.type, n);
    const suffix = sample.label !== undefined ? `-${sample.label}` : n > 1 ? `-${n}` : '';
    const id = `record-types/${sample.type.toLowerCase()}${suffix}`;
    const what = [
      sample.setIdentifier !== undefined ? `set identifier ${sample.setIdentifier}` : '',
      sample.createProperties ? sample.createProperties.map((p) => `${p.name}=${p.value}`).join(' ') : '',
    ]
      .filter(Boolean)
      .join(', ');
    const steps = [
      'created',
      'targets changed',
      ...(sample.fixedTTL ? [] : ['TTL changed']),
      ...(sample.properties ? ['provider-specific properties changed'] : []),
      'deleted',
    ];
    return {
      id,
      group: 'record-types' as const,
      description: `${sample.type}${sample.name === '' ? ' at the apex' : ''}${what ? ` (${what})` : ''}: ${steps.join(', ')}; an empty second plan after each step`,
      needs: {
        recordTypes: [sample.type],
        ...(sample.setIdentifier !== undefined ? { setIdentifiers: true } : {}),
        ...(sample.needs?.providerSpecific ? { providerSpecific: sample.needs.providerSpecific } : {}),
      },
      async run(t: CaseContext) {
        const registry = t.registry();
        const rt = sample.type;
        const at = (
          targets: string[],
          recordTTL: number,
          providerSpecific = sample.createProperties,
        ): EndpointInit => ({
          dnsName: t.name(sample.name),
          recordType: rt,
          targets,
          recordTTL,
          ...(sample.setIdentifier !== undefined ? { setIdentifier: sample.setIdentifier } : {}),
          ...(providerSpecific ? { providerSpecific } : {}),
        });
        const managedRecordTypes: RecordType[] = ['A', 'AAAA', 'CNAME', rt];
        await t.converge(registry, [at(sample.first, 300)], { managedRecordTypes });
        await t.converge(registry, [at(sample.second, 300)], { managedRecordTypes });
        const ttl = sample.fixedTTL ? 300 : 600;
        if (!sample.fixedTTL) await t.converge(registry, [at(sample.second, ttl)], { managedRecordTypes });
        if (sample.properties)
          await t.converge(registry, [at(sample.second, ttl, sample.properties)], { managedRecordTypes });
        await t.converge(registry, [], { managedRecordTypes });
        t.check(!(await t.storedAt(t.name(sample.name), rt)), `${sample.type} was not deleted`);
        await t.checkPairs(registry, [{ name: t.name(sample.name), type: rt }]);
      },
    };
  });
}

const ownership: ProviderConformanceCase = {
  id: 'ownership/foreign-unowned-unmanaged',
  group: 'ownership',
  description:
    "another owner's records, records without a marker and record types we do not manage are never touched",
  needs: { recordTypes: ['A', 'TXT', 'MX'] },
  async run(t: CaseContext) {
    const registry = t.registry();
    const foreign = t.name('foreign');
    const seeded: EndpointInit[] = [
      { dnsName: foreign, recordType: 'A', targets: ['198.51.100.1'], recordTTL: 300 },
      {
        dnsName: registry.txtNameOf({ dnsName: foreign, recordType: 'A' }),
        recordType: 'TXT',
        targets: [`"heritage=external-dns,external-dns/owner=${OTHER_OWNER}"`],
        recordTTL: 300,
      },
      { dnsName: t.name('unowned'), recordType: 'A', targets: ['198.51.100.2'], recordTTL: 300 },
      { dnsName: t.name('mail'), recordType: 'MX', targets: ['10 mx.example.net'], recordTTL: 300 },
    ];
    await t.harness.seed(seeded);
    const before = await t.stored();
    const mine: EndpointInit = { dnsName: t.name('mine'), recordType: 'A', targets: ['192.0.2.9'] };
    const first = await t.converge(registry, [mine]);
    t.check(first.plan.changes.delete.length === 0, 'sync planned deletes of records it does not own');
    // desired at their names with other targets: still not touched (and the plan is still empty)
    const claimed = await reconcile({
      registry,
      desired: [
        { dnsName: foreign, recordType: 'A', targets: ['192.0.2.1'] },
        { dnsName: t.name('unowned'), recordType: 'A', targets: ['192.0.2.2'] },
        mine,
      ],
      policy: 'sync',
      safety: false,
    });
    t.check(
      !claimed.plan.hasChanges && !claimed.applied,
      `a run planned changes at names held by another owner or by an unowned record:\n${renderPlanText(claimed.plan)}`,
    );
    // an empty desired set (sync) deletes only ours
    await reconcile({
      registry,
      desired: [],
      policy: 'sync',
      safety: false,
      managedRecordTypes: ['A', 'MX', 'TXT'],
    });
    const after = await t.stored();
    const sameAs = (a: { dnsName: string; recordType: string }, b: { dnsName: string; recordType: string }) =>
      a.dnsName === b.dnsName && a.recordType === b.recordType;
    for (const s of before.filter((b) => seeded.some((x) => sameAs(endpoint(x), b)))) {
      const kept = after.find((e) => sameAs(e, s));
      t.check(kept, `${s.dnsName} ${s.recordType} (not ours) was deleted`);
      t.check(
        JSON.stringify(kept.targets) === JSON.stringify(s.targets) && kept.recordTTL === s.recordTTL,
        `${s.dnsName} ${s.recordType} (not ours) was changed`,
      );
    }
    t.check(!(await t.storedAt(mine.dnsName, 'A')), 'our own record was not deleted by an empty sync');
  },
};

/**
 * Hand edits between two runs (ExternalDNS #443, #1502, #2310, #5850): a record of ours deleted by
 * hand while its marker stays is written again (the marker already there must not make the create
 * fail, as Google's 409 `alreadyExists` did); a value of ours changed by hand is put back; a record
 * whose marker was deleted by hand is no longer ours and is never changed or deleted.
 */
const handEdits: ProviderConformanceCase = {
  id: 'ownership/hand-edits',
  group: 'ownership',
  description:
    'a record of ours deleted or changed by hand is put back by the next run; one whose marker was deleted by hand is left alone',
  needs: { recordTypes: ['A', 'TXT'] },
  async run(t: CaseContext) {
    const registry = t.registry();
    const deleted = t.name('hand-deleted');
    const changed = t.name('hand-changed');
    const unmarked = t.name('hand-unmarked');
    const desired: EndpointInit[] = [
      { dnsName: deleted, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: changed, recordType: 'A', targets: ['192.0.2.2'] },
      { dnsName: unmarked, recordType: 'A', targets: ['192.0.2.3'] },
    ];
    await t.converge(registry, desired);
    const provider = t.harness.provider;
    const storedAt = async (name: string, type: string) => {
      const found = await t.storedAt(name, type);
      t.check(found, `${name} ${type} is not stored after the first run`);
      return found;
    };
    // another tool: deletes one record (not its marker), changes another, deletes a third one's marker
    const byHand = await storedAt(changed, 'A');
    await provider.applyChanges({
      create: [],
      updateOld: [byHand],
      updateNew: [endpoint({ ...byHand, targets: ['198.51.100.2'] })],
      delete: [
        await storedAt(deleted, 'A'),
        await storedAt(registry.txtNameOf({ dnsName: unmarked, recordType: 'A' }), 'TXT'),
      ],
    });
    const unmarkedBefore = await storedAt(unmarked, 'A');
    const next = desired.map((d) => (d.dnsName === unmarked ? { ...d, targets: ['192.0.2.33'] } : d));
    const repaired = await t.converge(registry, next);
    t.check(
      repaired.plan.changes.create.some((e) => e.dnsName === deleted && e.recordType === 'A'),
      `the record deleted by hand was not created again:\n${renderPlanText(repaired.plan)}`,
    );
    t.check(
      repaired.skipped.some((s) => s.record.dnsName === unmarked && s.code === 'exists-unowned'),
      `the record whose marker was deleted by hand is not reported as unowned:\n${renderPlanText(repaired.plan)}`,
    );
    await t.checkPairs(registry, [
      { name: deleted, type: 'A' },
      { name: changed, type: 'A' },
    ]);
    t.check(
      JSON.stringify((await storedAt(changed, 'A')).targets) === JSON.stringify(['192.0.2.2']),
      'the value changed by hand was not put back',
    );
    // an empty sync deletes ours and leaves the unmarked one exactly as it was
    await reconcile({
      registry,
      desired: [],
      policy: 'sync',
      safety: false,
      managedRecordTypes: ['A', 'TXT'],
    });
    const kept = await t.storedAt(unmarked, 'A');
    t.check(
      kept && JSON.stringify(kept.targets) === JSON.stringify(unmarkedBefore.targets),
      `the record whose marker was deleted by hand was ${kept ? 'changed' : 'deleted'}`,
    );
    t.check(!(await t.storedAt(deleted, 'A')), 'our record was not deleted by an empty sync');
    t.check(!(await t.storedAt(changed, 'A')), 'our record was not deleted by an empty sync');
  },
};

/**
 * Targets that name one value twice (ExternalDNS #1015, #1929: two Services sharing an address and
 * a host name; Route53 answered `Duplicate Resource Record` on every run, Hetzner and Google refuse
 * duplicate values, Cloudflare 81058). A reconcile refuses them with a `ValidationError` naming the
 * repeated target before anything is written; a provider called directly with them writes each
 * value once (or refuses with a typed error and writes nothing).
 */
const duplicateTargets: ProviderConformanceCase = {
  id: 'targets/duplicates',
  group: 'targets',
  description:
    'a value given twice (also in another spelling) is a ValidationError naming it before any write; applyChanges writes it once or refuses it',
  needs: { recordTypes: ['A', 'AAAA', 'TXT'] },
  async run(t: CaseContext) {
    const registry = t.registry();
    const desired: EndpointInit[] = [
      { dnsName: t.name('dup-ok'), recordType: 'A', targets: ['192.0.2.9'] },
      { dnsName: t.name('dup-a'), recordType: 'A', targets: ['192.0.2.1', '192.0.2.2', '192.0.2.1'] },
      { dnsName: t.name('dup-aaaa'), recordType: 'AAAA', targets: ['2001:db8::1', '2001:DB8:0:0::1'] },
    ];
    const before = zoneSnapshot(await t.stored());
    const error = await t.rejects(
      () => reconcile({ registry, desired, policy: 'sync', safety: false }),
      'repeated targets',
    );
    t.check(
      error instanceof ValidationError &&
        JSON.stringify(error.issues.map((i) => i.path.slice(0, 4))) ===
          JSON.stringify([
            ['desired', 1, 'targets', 2],
            ['desired', 2, 'targets', 1],
          ]),
      `repeated targets are not a ValidationError at desired[1].targets[2] and desired[2].targets[1]: ${error.message}`,
    );
    t.check(
      zoneSnapshot(await t.stored()) === before,
      'something was written although the input was refused',
    );
    // straight to the provider (a caller without core's planner): one value each, or a typed refusal
    const direct = [endpoint(desired[1] as EndpointInit), endpoint(desired[2] as EndpointInit)];
    let refused: unknown;
    try {
      await t.harness.provider.applyChanges({ create: direct, updateOld: [], updateNew: [], delete: [] });
    } catch (e) {
      refused = e;
    }
    if (refused !== undefined) {
      t.check(
        isDnsError(refused),
        `applyChanges failed with an untyped error: ${refused instanceof Error ? refused.message : inspect(refused)}`,
      );
      t.check(zoneSnapshot(await t.stored()) === before, 'a refused applyChanges wrote something');
      return;
    }
    const a = await t.storedAt(t.name('dup-a'), 'A');
    const aaaa = await t.storedAt(t.name('dup-aaaa'), 'AAAA');
    t.check(
      a && JSON.stringify([...a.targets].sort()) === JSON.stringify(['192.0.2.1', '192.0.2.2']),
      `dup-a A is stored as ${JSON.stringify(a?.targets)}, not once per value`,
    );
    t.check(
      aaaa && aaaa.targets.length === 1,
      `dup-aaaa AAAA is stored as ${JSON.stringify(aaaa?.targets)}, not once`,
    );
  },
};

const ttlKept: ProviderConformanceCase = {
  id: 'ttl/unset-keeps-stored',
  group: 'ttl',
  description:
    'a TTL that is not set keeps what is there: no update for it, and a target change keeps the stored TTL',
  async run(t: CaseContext) {
    const registry = t.registry();
    const app = t.name('app');
    await t.converge(registry, [{ dnsName: app, recordType: 'A', targets: ['192.0.2.1'], recordTTL: 3600 }]);
    await t.converge(registry, [{ dnsName: app, recordType: 'A', targets: ['192.0.2.1'] }], {
      expectChanges: false,
    });
    await t.converge(registry, [{ dnsName: app, recordType: 'A', targets: ['192.0.2.2'] }]);
    const stored = await t.storedAt(app, 'A');
    t.check(
      stored?.recordTTL === 3600,
      `a target change reset the TTL to ${stored?.recordTTL} (expected 3600)`,
    );
  },
};

function nameCases(): ProviderConformanceCase[] {
  const one = (
    id: string,
    description: string,
    make: (t: CaseContext) => EndpointInit[],
    alias?: (t: CaseContext) => EndpointInit[],
  ) =>
    ({
      id: `names/${id}`,
      group: 'names',
      description,
      async run(t: CaseContext) {
        const registry = t.registry({ wildcardReplacement: 'wildcard' });
        // written, not skipped: a skipped record is left out of converge's checks, so without
        // this a case passes with nothing written (found with Azure DNS, whose apex NS, read as an
        // unowned record, made the apex A skipped as exists-unowned when NS is a managed type)
        const first = await t.converge(registry, make(t));
        t.check(
          first.skipped.length === 0,
          `skipped instead of written: ${first.skipped.map((s) => s.reason).join('; ')}`,
        );
        if (alias) await t.converge(registry, alias(t), { expectChanges: false });
      },
    }) satisfies ProviderConformanceCase;
  return [
    one(
      'idn',
      'a Unicode name is stored in punycode with its marker; its punycode spelling plans nothing',
      (t) => [{ dnsName: t.name('bücher'), recordType: 'A', targets: ['192.0.2.1'] }],
      (t) => [{ dnsName: t.name('xn--bcher-kva'), recordType: 'A', targets: ['192.0.2.1'] }],
    ),
    one(
      'case-and-dot',
      'upper case and a trailing dot denote the same name',
      (t) => [{ dnsName: `${t.name('UPPER')}.`, recordType: 'A', targets: ['192.0.2.1'] }],
      (t) => [{ dnsName: t.name('upper'), recordType: 'A', targets: ['192.0.2.1'] }],
    ),
    one('wildcard', 'a wildcard (with wildcardReplacement)', (t) => [
      { dnsName: t.name('*.apps'), recordType: 'A', targets: ['192.0.2.1'] },
    ]),
    one('apex', 'the zone apex', (t) => [{ dnsName: t.name(''), recordType: 'A', targets: ['192.0.2.1'] }]),
    one(
      'long-label',
      'a label of 63 octets (the templated prefix keeps its marker labels within 63)',
      (t) => [{ dnsName: t.name('l'.repeat(63)), recordType: 'A', targets: ['192.0.2.1'] }],
    ),
    one('underscore', 'underscores in labels', (t) => [
      { dnsName: t.name('_under_score'), recordType: 'CNAME', targets: ['target.example.net'] },
    ]),
  ];
}

const MARKER_FORMS: { form: string; options: { prefix?: string; suffix?: string } }[] = [
  { form: 'templated prefix', options: { prefix: '_externaldns.%{record_type}.' } },
  { form: 'plain prefix', options: { prefix: '_externaldns.' } },
  { form: 'no affix', options: {} },
  { form: 'suffix', options: { suffix: '-txt' } },
  { form: 'templated suffix', options: { suffix: '-%{record_type}' } },
  { form: 'prefix without a dot', options: { prefix: 'txt-' } },
];

function markerCases(): ProviderConformanceCase[] {
  return MARKER_FORMS.map(({ form, options }) => ({
    id: `markers/${form.replaceAll(' ', '-')}`,
    group: 'markers',
    description: `${form}: every derived marker name is valid and inside the zone, or its record is reported (marker-not-writable) at plan time and in a dry run; the rest is applied`,
    async run(t: CaseContext) {
      const registry = t.registry(
        options.prefix === undefined && options.suffix === undefined ? { prefix: '' } : options,
      );
      const desired: EndpointInit[] = [
        { dnsName: t.name('www'), recordType: 'A', targets: ['192.0.2.11'] },
        { dnsName: t.name('*.apps'), recordType: 'A', targets: ['192.0.2.10'] },
        { dnsName: t.name(''), recordType: 'A', targets: ['192.0.2.12'] },
      ];
      const dry = await reconcile({ registry, desired, policy: 'sync', dryRun: true, safety: false });
      const result = await t.converge(registry, desired);
      const hostnames = t.harness.provider.capabilities.ownerNames === 'hostname';
      const zone = t.harness.zone;
      for (const d of desired) {
        const marker = registry.txtNameOf(d);
        const lower = marker.toLowerCase();
        const inZone = lower === zone || lower.endsWith(`.${zone}`);
        const storable = inZone && (!hostnames || checkDnsName(marker, []).length === 0);
        const skipped = result.skipped.find((s) => s.record.dnsName === endpoint(d).dnsName);
        const dried = dry.plan.skipped.find((s) => s.record.dnsName === endpoint(d).dnsName);
        if (storable) {
          t.check(
            !skipped,
            `${d.dnsName}: skipped although its marker ${marker} can be stored: ${skipped?.reason}`,
          );
        } else {
          if (skipped?.code !== 'marker-not-writable')
            throw new ConformanceFailure(
              `${d.dnsName}: its marker ${marker} cannot be stored, but it was not reported:\n${renderPlanText(result.plan)}`,
            );
          t.check(
            dried?.code === 'marker-not-writable',
            `${d.dnsName}: the dry run did not report its unwritable marker`,
          );
          t.check(
            skipped.reason.includes(marker),
            `${d.dnsName}: the reason does not name the marker: ${skipped.reason}`,
          );
          t.check(
            /wildcardReplacement|prefix/.test(skipped.reason),
            `${d.dnsName}: the reason names no option that fixes it: ${skipped.reason}`,
          );
          t.check(!(await t.storedAt(d.dnsName, 'A')), `${d.dnsName}: written without its marker`);
        }
      }
      // markers of distinct records never share a name
      const names = desired.map((d) => registry.txtNameOf(d).toLowerCase());
      t.check(new Set(names).size === names.length, `two records share a marker name: ${names.join(', ')}`);
      t.check(await t.storedAt(t.name('www'), 'A'), 'www was not written');
      await t.checkPairs(
        registry,
        desired.map((d) => ({ name: d.dnsName, type: d.recordType })),
      );
    },
  }));
}

const txtValues: ProviderConformanceCase = {
  id: 'txt/long-and-escaped',
  group: 'txt',
  description:
    'TXT values over 255 octets (a multi-byte character at the split) and with quotes and backslashes',
  needs: { recordTypes: ['TXT'] },
  async run(t: CaseContext) {
    const registry = t.registry();
    const long = `${'a'.repeat(254)}é${'b'.repeat(100)}`;
    await t.converge(
      registry,
      [
        { dnsName: t.name('long'), recordType: 'TXT', targets: [long] },
        { dnsName: t.name('escaped'), recordType: 'TXT', targets: ['say "hi" \\ ok'] },
      ],
      { managedRecordTypes: ['A', 'AAAA', 'CNAME', 'TXT'] },
    );
  },
};

/**
 * Host names inside targets given in Unicode (hetzner/external-dns-hetzner-webhook#160: a CNAME
 * target in Unicode went to the API as it was and was refused): written in punycode, the one
 * spelling DNS has, so the punycode spelling plans nothing.
 */
const idnTargets: ProviderConformanceCase = {
  id: 'targets/idn-hosts',
  group: 'targets',
  description:
    'CNAME, MX and SRV targets with a Unicode host name are written in punycode; the punycode spelling plans nothing',
  needs: { recordTypes: ['MX', 'SRV'] },
  async run(t: CaseContext) {
    const registry = t.registry();
    const managedRecordTypes: RecordType[] = ['A', 'AAAA', 'CNAME', 'MX', 'SRV'];
    const desired = (host: string): EndpointInit[] => [
      { dnsName: t.name('idn-cname'), recordType: 'CNAME', targets: [host] },
      { dnsName: t.name('idn-mx'), recordType: 'MX', targets: [`10 ${host}`] },
      { dnsName: t.name('_idn._tcp'), recordType: 'SRV', targets: [`10 5 443 ${host}`] },
    ];
    const first = await t.converge(registry, desired('bücher.example.net'), { managedRecordTypes });
    t.check(
      first.skipped.length === 0,
      `skipped instead of written: ${first.skipped.map((s) => s.reason).join('; ')}`,
    );
    const cname = await t.storedAt(t.name('idn-cname'), 'CNAME');
    t.check(
      cname?.targets[0] === 'xn--bcher-kva.example.net',
      `the CNAME target is stored as ${JSON.stringify(cname?.targets)}, not in punycode`,
    );
    await t.converge(registry, desired('xn--bcher-kva.example.net'), {
      managedRecordTypes,
      expectChanges: false,
    });
  },
};

/**
 * A TXT value longer than some APIs take in one value (Route53: a `Value` of at most 4,000
 * characters; Azure: 4,096 per record set): written and converging, or a `ValidationError` at the
 * record before anything is sent, never a batch the server refuses.
 */
const txtTooLong: ProviderConformanceCase = {
  id: 'txt/over-4000',
  group: 'txt',
  description:
    'a TXT value of 4,100 octets is written and converges, or is a ValidationError naming desired[0] with nothing written',
  needs: { recordTypes: ['TXT'] },
  async run(t: CaseContext) {
    const registry = t.registry();
    const managedRecordTypes: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT'];
    const desired: EndpointInit[] = [
      { dnsName: t.name('huge'), recordType: 'TXT', targets: ['x'.repeat(4100)] },
      { dnsName: t.name('fine'), recordType: 'A', targets: ['192.0.2.1'] },
    ];
    const before = zoneSnapshot(await t.stored());
    try {
      await t.converge(registry, desired, { managedRecordTypes });
      return;
    } catch (error) {
      if (error instanceof ConformanceFailure) throw error;
      t.check(
        error instanceof ValidationError,
        `refused with ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error)}, not a ValidationError before any write`,
      );
      t.check(
        error.issues.length > 0 && error.issues.every((i) => i.path[0] === 'desired' && i.path[1] === 0),
        `the issues do not name desired[0]: ${JSON.stringify(error.issues.map((i) => i.path))}`,
      );
    }
    const after = zoneSnapshot(await t.stored());
    t.check(after === before, `the zone changed:\nbefore:\n${before}\nafter:\n${after}`);
  },
};

function faultCases(): ProviderConformanceCase[] {
  const faults: ConformanceFault[] = ['server-error', 'timeout', 'connection-drop', 'rate-limit-storm'];
  return faults.map((fault) => ({
    id: `faults/${fault}`,
    group: 'faults',
    description: `${fault} in the middle of an apply: a typed error or a retried success, never a record without its marker or a marker without its record; the next run converges`,
    needs: { faults: [fault] },
    async run(t: CaseContext) {
      const registry = t.registry();
      const desired: EndpointInit[] = ['f1', 'f2', 'f3'].map((n, i) => ({
        dnsName: t.name(n),
        recordType: 'A',
        targets: [`192.0.2.${i + 1}`],
      }));
      await t.converge(registry, desired.slice(0, 1));
      t.harness.inject?.(fault);
      try {
        await reconcile({ registry, desired, policy: 'sync', safety: false });
      } catch (error) {
        // only typed errors may leave
        t.check(
          isDnsError(error),
          `reconcile during ${fault} failed with an untyped error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        );
      } finally {
        t.harness.clearFaults?.();
      }
      await t.checkPairs(
        registry,
        desired.map((d) => ({ name: d.dnsName, type: 'A' })),
      );
      await t.converge(registry, desired, { expectChanges: false });
    },
  }));
}

const setIdentifiersRefused: ProviderConformanceCase = {
  id: 'set-identifiers/refused',
  group: 'set-identifiers',
  description:
    'a provider without routing policies refuses a set identifier with a typed error, writing nothing',
  needs: { setIdentifiers: false },
  async run(t: CaseContext) {
    const registry = t.registry();
    const before = (await t.stored()).length;
    await t.rejects(
      () =>
        reconcile({
          registry,
          desired: [
            { dnsName: t.name('ok'), recordType: 'A', targets: ['192.0.2.1'] },
            { dnsName: t.name('weighted'), recordType: 'A', targets: ['192.0.2.2'], setIdentifier: 'blue' },
          ],
          policy: 'sync',
          safety: false,
        }),
      'a set identifier',
    );
    t.check(
      (await t.stored()).length === before,
      'something was written before the set identifier was refused',
    );
  },
};

const badInput: ProviderConformanceCase = {
  id: 'bad-input/rejected-before-write',
  group: 'bad-input',
  description: 'invalid desired records are a ValidationError naming desired[i], before anything is written',
  async run(t: CaseContext) {
    const registry = t.registry();
    const before = (await t.stored()).length;
    const error = await t.rejects(
      () =>
        reconcile({
          registry,
          desired: [
            { dnsName: t.name('ok'), recordType: 'A', targets: ['192.0.2.1'] },
            { dnsName: t.name('bad'), recordType: 'A', targets: ['300.1.1.1'] },
            { dnsName: t.name('bad-cname'), recordType: 'CNAME', targets: ['not a host'] },
          ],
          policy: 'sync',
          safety: false,
        }),
      'invalid desired records',
    );
    if (!(error instanceof ValidationError))
      throw new ConformanceFailure(`expected a ValidationError, got ${error.name}`);
    // paths are ['desired', i, …]
    const paths = error.issues.map((i) => (i.path[0] === 'desired' ? String(i.path[1]) : ''));
    t.check(
      paths.some((p) => p.startsWith('1')),
      `no issue names desired[1]: ${error.message}`,
    );
    t.check(
      paths.some((p) => p.startsWith('2')),
      `no issue names desired[2]: ${error.message}`,
    );
    t.check((await t.stored()).length === before, 'something was written although the input was invalid');
  },
};

/**
 * A plan made from a read that another writer overtook: the other owner creates the name after our
 * read and before our write. The write must not replace their record or marker (a typed error, or
 * the record left out), and our next plan leaves the name to them.
 */
const stalePlan: ProviderConformanceCase = {
  id: 'ownership/stale-plan',
  group: 'ownership',
  description:
    "a write planned before another owner created the same name never replaces that owner's record or marker; the next plan leaves it to them",
  needs: { recordTypes: ['A', 'TXT'], conditionalWrites: true },
  async run(t: CaseContext) {
    const name = t.name('contested');
    const mine: EndpointInit[] = [{ dnsName: name, recordType: 'A', targets: ['192.0.2.1'] }];
    const theirs: EndpointInit[] = [{ dnsName: name, recordType: 'A', targets: ['198.51.100.7'] }];
    let error: unknown;
    try {
      await reconcile({
        registry: t.registry(),
        desired: mine,
        policy: 'sync',
        hooks: {
          // planned on an empty name; the other owner writes it before our apply
          onPlan: async () => {
            await reconcile({
              registry: t.registry({ ownerId: OTHER_OWNER }),
              desired: theirs,
              policy: 'sync',
            });
          },
        },
      });
    } catch (e) {
      error = e;
    }
    t.check(
      error === undefined || isDnsError(error),
      `the overtaken write failed with an untyped error: ${String(error)}`,
    );
    const stored = await t.storedAt(name, 'A');
    t.check(
      stored !== undefined && stored.targets.length === 1 && stored.targets[0] === '198.51.100.7',
      `the other owner's record was replaced: ${stored ? stored.targets.join(' ') : 'gone'}`,
    );
    const owner = await reconcile({
      registry: t.registry({ ownerId: OTHER_OWNER }),
      desired: theirs,
      policy: 'sync',
      dryRun: true,
    });
    t.check(
      !owner.plan.hasChanges && owner.counts.ownedRecords === 1,
      `the other owner no longer owns its record alone:\n${renderPlanText(owner.plan)}`,
    );
    const again = await reconcile({ registry: t.registry(), desired: mine, policy: 'sync', dryRun: true });
    t.check(
      !again.plan.hasChanges && again.skipped.some((s) => s.code === 'owned-by-other'),
      `our next plan does not leave the name to its owner:\n${renderPlanText(again.plan)}`,
    );
  },
};

/** What the zone stores, as a sorted text: a case compares it before and after. */
function zoneSnapshot(
  records: readonly {
    dnsName: string;
    recordType: string;
    setIdentifier: string;
    targets: readonly string[];
    recordTTL: number;
  }[],
): string {
  return records
    .map(
      (e) =>
        `${e.dnsName} ${e.recordType} ${e.setIdentifier} ${e.recordTTL} ${[...e.targets].sort().join(' ')}`,
    )
    .sort()
    .join('\n');
}

/**
 * A CNAME at the apex collides with the zone's SOA and NS (RFC 1034 §3.6.2), which every server
 * keeps there: found with Azure DNS, where one such record stopped every other write with a 409.
 */
const apexCname: ProviderConformanceCase = {
  id: 'names/apex-cname',
  group: 'names',
  description:
    'a CNAME at the zone apex is refused with a typed error or reported not written (in a dry run too), never half-applied: the zone is unchanged; where the provider stores one (capabilities.cnameAtApex), it is written and removed whole',
  needs: { recordTypes: ['CNAME'] },
  async run(t: CaseContext) {
    const registry = t.registry();
    const desired: EndpointInit[] = [
      { dnsName: t.name(''), recordType: 'CNAME', targets: ['target.example.net'] },
    ];
    const before = zoneSnapshot(await t.stored());
    if (t.harness.provider.capabilities.cnameAtApex) {
      // stored whole (record and marker), and gone whole again
      await t.converge(registry, desired);
      await t.converge(registry, []);
      const after = zoneSnapshot(await t.stored());
      t.check(after === before, `the zone is not as before:\nbefore:\n${before}\nafter:\n${after}`);
      return;
    }
    for (const dryRun of [true, false]) {
      let result: Awaited<ReturnType<typeof reconcile>> | undefined;
      try {
        result = await reconcile({ registry, desired, policy: 'sync', dryRun, safety: false });
      } catch (error) {
        t.check(
          isDnsError(error),
          `${dryRun ? 'dry run' : 'apply'}: failed with an untyped error: ${error instanceof Error ? error.message : String(error)}`,
        );
        continue;
      }
      const key = t.name('').toLowerCase();
      const reported = result.skipped.some(
        (s) => s.record.recordType === 'CNAME' && s.record.dnsName.toLowerCase().replace(/\.$/, '') === key,
      );
      t.check(
        reported,
        `${dryRun ? 'dry run' : 'apply'}: the apex CNAME was neither refused nor reported not written:\n${renderPlanText(result.plan)}`,
      );
    }
    const after = zoneSnapshot(await t.stored());
    t.check(after === before, `the zone changed:\nbefore:\n${before}\nafter:\n${after}`);
  },
};

/** Every text an error shows: message, stack, `util.inspect`, JSON, and the same of its causes. */
function errorTexts(error: unknown, depth = 0): string[] {
  if (depth > 5 || error === undefined || error === null) return [];
  const texts = [inspect(error, { depth: 8, showHidden: true })];
  try {
    texts.push(JSON.stringify(error) ?? '');
  } catch {
    // a cycle: inspect shows it all
  }
  if (error instanceof Error) {
    texts.push(error.message, String(error.stack));
    appendAll(texts, errorTexts(error.cause, depth + 1));
    if (error instanceof AggregateError)
      for (const e of error.errors as unknown[]) appendAll(texts, errorTexts(e, depth + 1));
  }
  return texts;
}

/**
 * The rule Azure and Google had each: a server (or proxy) that repeats the credential in its answer
 * must not put it into our errors, logs or `util.inspect`.
 */
const credentialEcho: ProviderConformanceCase = {
  id: 'faults/echo-credential',
  group: 'faults',
  description:
    'a server or proxy that echoes the credential in its error: a typed error, and the credential is in no error text (message, stack, util.inspect, JSON, causes), no log line and no util.inspect of the provider',
  needs: { faults: ['echo-credential'] },
  async run(t: CaseContext) {
    const secret = t.harness.secret;
    t.check(
      secret !== undefined && secret.length >= 8,
      'the harness injects echo-credential but gives no secret (ConformanceHarness.secret) to look for',
    );
    const lines: string[] = [];
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      lines.push(`${level} ${message} ${inspect(fields, { depth: 8 })}`);
    const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    const registry = t.registry();
    t.harness.inject?.('echo-credential');
    let failure: unknown;
    try {
      await reconcile({
        registry,
        desired: [{ dnsName: t.name('echo'), recordType: 'A', targets: ['192.0.2.1'] }],
        policy: 'sync',
        safety: false,
        logger,
      });
    } catch (error) {
      failure = error;
    } finally {
      t.harness.clearFaults?.();
    }
    t.check(
      failure !== undefined,
      'the run succeeded although every answer was an error echoing the credential',
    );
    t.check(
      isDnsError(failure),
      `failed with an untyped error: ${failure instanceof Error ? failure.name : typeof failure}`,
    );
    const shown: [string, string[]][] = [
      ['the error', errorTexts(failure)],
      ['the log', lines],
      ['util.inspect of the provider', [inspect(t.harness.provider, { depth: 6, showHidden: true })]],
    ];
    for (const [where, texts] of shown) {
      const leak = texts.find((text) => text.includes(secret));
      // the failure message shows where, never the secret itself
      t.check(
        leak === undefined,
        `${where} repeats the credential: ${leak?.split(secret).join('<credential>').slice(0, 600)}`,
      );
    }
  },
};

/**
 * A provider object logged as JSON (`JSON.stringify(provider)`, a structured logger's fields):
 * no throw on a circular structure (an SDK client, a transport holding its provider), a plain
 * object naming the provider, and no credential, as `util.inspect` of it already shows none.
 */
const providerJson: ProviderConformanceCase = {
  id: 'faults/provider-json',
  group: 'faults',
  description:
    'JSON.stringify(provider) does not throw, gives an object with the provider name, and shows no credential (nor does util.inspect)',
  async run(t: CaseContext) {
    const provider = t.harness.provider;
    // after a read, so clients made lazily on the first request are held too
    await provider.records();
    let json: string | undefined;
    try {
      json = JSON.stringify(provider);
    } catch (error) {
      throw new ConformanceFailure(
        `JSON.stringify(provider) threw: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
    t.check(typeof json === 'string', 'JSON.stringify(provider) gave no JSON');
    const parsed: unknown = JSON.parse(json);
    t.check(
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed),
      `JSON.stringify(provider) is not an object: ${json.slice(0, 200)}`,
    );
    t.check(
      (parsed as Record<string, unknown>)['name'] === provider.name,
      `JSON.stringify(provider) does not name the provider (${JSON.stringify(provider.name)}): ${json.slice(0, 200)}`,
    );
    const secret = t.harness.secret;
    if (secret === undefined) return;
    const shown: [string, string][] = [
      ['JSON.stringify(provider)', json],
      ['util.inspect of the provider', inspect(provider, { depth: 6, showHidden: true })],
    ];
    for (const [where, text] of shown)
      t.check(
        !text.includes(secret),
        `${where} repeats the credential: ${text.split(secret).join('<credential>').slice(0, 600)}`,
      );
  },
};

/** Every case of the provider conformance suite, in a stable order. */
export const providerConformanceCases: readonly ProviderConformanceCase[] = [
  ...recordTypeCases(DEFAULT_RECORD_SAMPLES),
  ...recordTypeCases(ROUTING_RECORD_SAMPLES),
  ownership,
  stalePlan,
  handEdits,
  ttlKept,
  duplicateTargets,
  idnTargets,
  ...nameCases(),
  apexCname,
  ...markerCases(),
  txtValues,
  txtTooLong,
  ...faultCases(),
  credentialEcho,
  providerJson,
  setIdentifiersRefused,
  badInput,
];

/** Why `c` does not apply to a provider with these capabilities, or `undefined` when it does. */
export function skipReason(
  c: ProviderConformanceCase,
  provider: { capabilities: ProviderCapabilities; zones: boolean; faults: readonly ConformanceFault[] },
): string | undefined {
  const n = c.needs ?? {};
  const missingType = n.recordTypes?.find((type) => !provider.capabilities.recordTypes.includes(type));
  if (missingType) return `record type ${missingType} not supported`;
  if (n.setIdentifiers !== undefined && n.setIdentifiers !== provider.capabilities.setIdentifiers)
    return n.setIdentifiers ? 'no set identifiers' : 'has set identifiers';
  if (n.zones && !provider.zones) return 'does not list zones';
  const declared = provider.capabilities.providerSpecific ?? [];
  const property = n.providerSpecific?.find((p) => !declared.includes(p));
  if (property !== undefined) return `provider-specific property ${property} not declared`;
  if (n.conditionalWrites && !provider.capabilities.conditionalWrites)
    return 'writes are not conditional on what was read (capabilities.conditionalWrites)';
  const fault = n.faults?.find((f) => !provider.faults.includes(f));
  if (fault) return `cannot inject ${fault}`;
  return undefined;
}

export { CONFORMANCE_OWNER };
