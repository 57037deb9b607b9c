import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SafetyViolation } from './safety.js';
import {
  endpointToJSON,
  nameKey,
  sortEndpoints,
  type Endpoint,
  type EndpointJSON,
} from '../endpoint/endpoint.js';
import { safeParseEndpoints } from '../endpoint/parse.js';
import { ValidationError, type Issue, type IssuePath } from '../errors.js';
import { CHANGE_LISTS, type Changes, type ChangesJSON } from '../provider/changes.js';
import { POLICIES, type Policy } from './policy.js';

/** Version of the saved-plan format ({@link PlanJSON}); {@link planFromJSON} refuses other versions. */
export const PLAN_FORMAT_VERSION = 1 as const;

/**
 * A reviewed-before-applied unit of work: the record changes, the current records they were computed
 * from, and a checksum over both. It serialises to JSON and back ({@link planToJSON},
 * {@link planFromJSON}), so a plan can be saved, reviewed and applied later with `applyPlan`, which
 * refuses when the records it touches changed in the meantime.
 */
export interface Plan {
  /** Format version, {@link PLAN_FORMAT_VERSION}. */
  readonly version: typeof PLAN_FORMAT_VERSION;
  /** ISO 8601 time the plan was computed. */
  readonly createdAt: string;
  /** The policy the plan was computed under: `sync`, `upsert-only` or `create-only`. */
  readonly policy: Policy;
  /** The registry owner ID the plan writes as; `applyPlan` refuses a registry with another. */
  readonly ownerId: string;
  /** Record types the plan manages (managed minus excluded); other types at its names are ignored. */
  readonly recordTypes: readonly string[];
  /** Record changes as the planner computed them (ownership TXT records are added at apply time). */
  readonly changes: Changes;
  /**
   * The ownership TXT records that travel with the changes, as the registry will send them.
   * Informational (rendered under their record); regenerated when the plan is applied.
   */
  readonly ownershipChanges: Changes;
  /** ExternalDNS `HasChanges()`, widened by owner migrations that must rewrite markers. */
  readonly hasChanges: boolean;
  /** Current records (through the registry, with ownership labels) at the names the plan touches. */
  readonly current: readonly Endpoint[];
  /**
   * Desired records the plan leaves out, each with a reason code and a one-line reason. Informational:
   * not part of the checksum, and a plan that only skips has no changes.
   */
  readonly skipped: readonly SkippedChange[];
  /** The safety limits `force` overrode to make this plan applicable (empty when none). */
  readonly overriddenSafetyViolations: readonly SafetyViolation[];
  /**
   * SHA-256 over everything above but `createdAt`, `skipped` and `overriddenSafetyViolations`;
   * detects edited plan files.
   */
  readonly checksum: string;
}

/**
 * Why a desired record is not written:
 * - `not-managed-type`: its type is not in `managedRecordTypes` (or is excluded);
 * - `outside-domain-filter`: its name is outside the domain filter;
 * - `owned-by-other`: a record of another owner is at its name (`owner` names it), or another
 *   owner's marker holds its TXT name (deviation D2);
 * - `exists-unowned`: a record without an ownership marker is at its name;
 * - `ambiguous-owner`: the markers at its name disagree (deviation D4);
 * - `conflict-loser`: another desired record won conflict resolution (a CNAME beside other data);
 * - `kept-by-policy`: `create-only` does not update existing records;
 * - `unsatisfiable`: a CNAME would share its name with other data that stays (RFC 1034 §3.6.2);
 * - `owned-by-other`: another owner's (or an ambiguous) ownership TXT holds its TXT name (deviation D2);
 * - `marker-not-writable`: its ownership TXT name cannot be stored (a `*` inside the name on a
 *   provider that takes only hostnames, or a name outside the record's zone).
 */
export type SkipReason =
  | 'not-managed-type'
  | 'outside-domain-filter'
  | 'owned-by-other'
  | 'exists-unowned'
  | 'ambiguous-owner'
  | 'conflict-loser'
  | 'kept-by-policy'
  | 'unsatisfiable'
  | 'marker-not-writable';

/** Every {@link SkipReason}, in the order above. */
export const SKIP_REASONS: readonly SkipReason[] = [
  'not-managed-type',
  'outside-domain-filter',
  'owned-by-other',
  'exists-unowned',
  'ambiguous-owner',
  'conflict-loser',
  'kept-by-policy',
  'unsatisfiable',
  'marker-not-writable',
];

/** A desired record left out of a plan, and why. */
export interface SkippedChange {
  /** The desired record that is not written. */
  record: Endpoint;
  /** Why, as a stable code; see {@link SkipReason}. */
  code: SkipReason;
  /** One line naming the record, the cause and, where one exists, the option that fixes it. */
  reason: string;
  /** Where the record is in the caller's input, e.g. `['desired', 12]` (when known). */
  path?: (string | number)[];
  /** For `owned-by-other`: the other owner. */
  owner?: string;
}

/**
 * What {@link createPlan} builds a {@link Plan} from: the planner's output and the records it was computed
 * from.
 */
export interface PlanInit {
  /** The policy the changes were computed under. */
  policy: Policy;
  /** The owner ID the changes will be written as. */
  ownerId: string;
  /** Record types the plan manages (managed minus excluded). */
  recordTypes: readonly string[];
  /** Record changes as the planner computed them. */
  changes: Changes;
  /** The ownership TXT changes that travel with them, as the registry will send them (default none). */
  ownershipChanges?: Changes;
  /** Whether applying the plan writes anything (ExternalDNS `HasChanges()`, widened by owner migrations). */
  hasChanges: boolean;
  /** All current records the plan was computed from; only those at touched names are kept. */
  current: readonly Endpoint[];
  /** Desired records left out, and why (default none). */
  skipped?: readonly SkippedChange[];
  /** When the plan was computed (default now). */
  createdAt?: Date;
}

/** The row identity a change touches: normalised name plus set identifier. */
export function rowKey(ep: Pick<Endpoint, 'dnsName' | 'setIdentifier'>): string {
  return nameKey(ep.dnsName, ep.setIdentifier);
}

/** Every (name, set identifier) a change set touches. */
export function touchedRows(changes: Changes): Set<string> {
  const rows = new Set<string>();
  for (const list of CHANGE_LISTS) for (const ep of changes[list]) rows.add(rowKey(ep));
  return rows;
}

/** Builds a {@link Plan}, keeping only the current records at the names the changes touch. */
export function createPlan(init: PlanInit): Plan {
  let current: Endpoint[] = [];
  if (init.current.length > 0) {
    const rows = touchedRows(init.changes);
    if (rows.size > 0) current = sortEndpoints(init.current.filter((ep) => rows.has(rowKey(ep))));
  }
  const ownershipChanges = init.ownershipChanges ?? { create: [], updateOld: [], updateNew: [], delete: [] };
  const body = {
    version: PLAN_FORMAT_VERSION,
    policy: init.policy,
    ownerId: init.ownerId,
    recordTypes: [...init.recordTypes].sort(),
    changes: init.changes,
    ownershipChanges,
    hasChanges: init.hasChanges,
    current,
  };
  return withLazyChecksum({
    ...body,
    skipped: init.skipped ?? [],
    overriddenSafetyViolations: [],
    createdAt: (init.createdAt ?? new Date()).toISOString(),
  });
}

/** Records on a plan the safety violations `force` overrode (reconcile does, before its hooks see it). @internal */
export function recordOverriddenViolations(plan: Plan, violations: readonly SafetyViolation[]): void {
  (plan as { overriddenSafetyViolations: readonly SafetyViolation[] }).overriddenSafetyViolations =
    violations;
}

/**
 * Adds `checksum` as an enumerable property computed on first read: hashing a large plan takes tens
 * of milliseconds, and a reconcile that never saves or logs its plan does not need it.
 */
function withLazyChecksum(plan: Omit<Plan, 'checksum'>): Plan {
  let checksum: string | undefined;
  return Object.defineProperty(plan, 'checksum', {
    enumerable: true,
    get: () => (checksum ??= checksumOf(plan)),
  }) as Plan;
}

function checksumOf(body: {
  version: number;
  policy: Policy;
  ownerId: string;
  recordTypes: readonly string[];
  changes: Changes;
  ownershipChanges: Changes;
  hasChanges: boolean;
  current: readonly Endpoint[];
}): string {
  // Streamed endpoint by endpoint: a plan of 20,000 records would otherwise be copied and joined
  // into one multi-megabyte string first. Lists are delimited so no two plans hash alike.
  const hash = createHash('sha256');
  hash.update(JSON.stringify([body.version, body.policy, body.ownerId, body.recordTypes, body.hasChanges]));
  const lists: [string, readonly Endpoint[]][] = [
    ...CHANGE_LISTS.map((l): [string, readonly Endpoint[]] => [`changes.${l}`, body.changes[l]]),
    ...CHANGE_LISTS.map((l): [string, readonly Endpoint[]] => [`ownership.${l}`, body.ownershipChanges[l]]),
    ['current', body.current],
  ];
  for (const [name, endpoints] of lists) {
    hash.update(`\n${name}:${endpoints.length}\n`);
    for (const ep of endpoints) {
      hash.update(
        JSON.stringify([
          ep.dnsName,
          ep.targets,
          ep.recordType,
          ep.setIdentifier,
          ep.recordTTL,
          ep.labels,
          ep.providerSpecific,
        ]),
      );
    }
  }
  return hash.digest('hex');
}

function fullChanges(changes: Changes): Required<ChangesJSON> {
  return {
    create: changes.create.map(endpointToJSON),
    updateOld: changes.updateOld.map(endpointToJSON),
    updateNew: changes.updateNew.map(endpointToJSON),
    delete: changes.delete.map(endpointToJSON),
  };
}

/** The JSON form of a plan (every list present, endpoints in ExternalDNS wire form). */
export interface PlanJSON {
  /** Format version, {@link PLAN_FORMAT_VERSION}. */
  version: typeof PLAN_FORMAT_VERSION;
  /** ISO 8601 time the plan was computed. */
  createdAt: string;
  /** The policy the plan was computed under. */
  policy: Policy;
  /** The owner ID the plan writes as. */
  ownerId: string;
  /** Record types the plan manages. */
  recordTypes: string[];
  /** Whether applying the plan writes anything. */
  hasChanges: boolean;
  /**
   * SHA-256 (hex) over the plan without `createdAt`, `skipped` and `overriddenSafetyViolations`; checked
   * by {@link planFromJSON}.
   */
  checksum: string;
  /** Record changes, every list present (`create`, `updateOld`, `updateNew`, `delete`). */
  changes: Required<ChangesJSON>;
  /** Ownership TXT changes that travel with the records, every list present. */
  ownershipChanges: Required<ChangesJSON>;
  /**
   * Current records at the names the plan touches; `applyPlan` compares them with the zone before writing.
   */
  current: EndpointJSON[];
  /**
   * Desired records left out, with reason code, one-line reason, input path and (for `owned-by-other`) the
   * other owner.
   */
  skipped: {
    record: EndpointJSON;
    code: SkipReason;
    reason: string;
    path?: (string | number)[];
    owner?: string;
  }[];
  /** The safety limits `force` overrode to make the plan applicable. */
  overriddenSafetyViolations: SafetyViolation[];
}

/**
 * The JSON form of a plan, for saving and review: every list present, endpoints in ExternalDNS wire form,
 * the checksum included. `JSON.stringify` it, or use `renderPlanJSON`; read it back with {@link
 * planFromJSON}.
 */
export function planToJSON(plan: Plan): PlanJSON {
  return {
    version: plan.version,
    createdAt: plan.createdAt,
    policy: plan.policy,
    ownerId: plan.ownerId,
    recordTypes: [...plan.recordTypes],
    hasChanges: plan.hasChanges,
    checksum: plan.checksum,
    changes: fullChanges(plan.changes),
    ownershipChanges: fullChanges(plan.ownershipChanges),
    current: plan.current.map(endpointToJSON),
    skipped: plan.skipped.map((s) => ({
      record: endpointToJSON(s.record),
      code: s.code,
      reason: s.reason,
      ...(s.path ? { path: s.path } : {}),
      ...(s.owner !== undefined ? { owner: s.owner } : {}),
    })),
    overriddenSafetyViolations: plan.overriddenSafetyViolations.map((v) => ({ ...v })),
  };
}

const changesShape = z.object({
  create: z.array(z.unknown()).default([]),
  updateOld: z.array(z.unknown()).default([]),
  updateNew: z.array(z.unknown()).default([]),
  delete: z.array(z.unknown()).default([]),
});

const planShape = z.object({
  version: z.literal(PLAN_FORMAT_VERSION, {
    error: `unsupported plan format version (this SDK reads version ${PLAN_FORMAT_VERSION})`,
  }),
  createdAt: z.string(),
  policy: z.enum(POLICIES as [Policy, ...Policy[]]),
  ownerId: z.string(),
  recordTypes: z.array(z.string()),
  hasChanges: z.boolean(),
  checksum: z.string(),
  changes: changesShape,
  ownershipChanges: changesShape,
  current: z.array(z.unknown()),
  skipped: z
    .array(
      z.object({
        record: z.unknown(),
        code: z.enum(SKIP_REASONS as [SkipReason, ...SkipReason[]]),
        reason: z.string(),
        path: z.array(z.union([z.string(), z.number()])).optional(),
        owner: z.string().optional(),
      }),
    )
    .default([]),
  overriddenSafetyViolations: z
    .array(
      z.object({
        rule: z.enum(['max-update-ratio', 'max-delete-ratio', 'empty-desired', 'collapsed-desired']),
        zone: z.string().optional().nullable(),
        count: z.number(),
        total: z.number(),
        limit: z.number(),
        message: z.string(),
      }),
    )
    .default([]),
});

/**
 * Reads a saved plan (a {@link PlanJSON} object, or its JSON text).
 * @throws {@link ValidationError} (`VALIDATION`) when the JSON is malformed, the format version is
 *   not {@link PLAN_FORMAT_VERSION}, an endpoint is invalid, or the checksum does not match (the
 *   file was edited after it was made); `issues` gives the path of each problem in the file, e.g.
 *   `['changes', 'create', 1, 'recordTTL']` or `['skipped', 0, 'record', 'dnsName']`, all of them at once.
 */
export function planFromJSON(json: unknown): Plan {
  const shape = planShape.safeParse(typeof json === 'string' ? safeJSON(json) : json);
  if (!shape.success) {
    throw new ValidationError(
      shape.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        code: i.code,
        message: i.message,
      })),
      { summary: 'not a valid saved plan' },
    );
  }
  const v = shape.data;
  // every endpoint problem of the file at once, each with its path in the file
  // (`changes.create[3].recordTTL`, `skipped[0].record.dnsName`)
  const issues: Issue[] = [];
  const parse = (input: unknown[], path: IssuePath, one = false): Endpoint[] => {
    const result = safeParseEndpoints(input, { validateContent: false });
    if (result.success) return result.data;
    // a record parsed alone (`one`) was index 0 of a list the file does not have
    for (const issue of result.error.issues)
      issues.push({ ...issue, path: [...path, ...(one ? issue.path.slice(1) : issue.path)] });
    return [];
  };
  const lists = (c: z.infer<typeof changesShape>, at: string): Changes => {
    const out: Changes = { create: [], updateOld: [], updateNew: [], delete: [] };
    for (const list of CHANGE_LISTS) out[list] = parse(c[list], [at, list]);
    return out;
  };
  const body = {
    version: PLAN_FORMAT_VERSION,
    policy: v.policy,
    ownerId: v.ownerId,
    recordTypes: v.recordTypes,
    hasChanges: v.hasChanges,
    changes: lists(v.changes, 'changes'),
    ownershipChanges: lists(v.ownershipChanges, 'ownershipChanges'),
    current: parse(v.current, ['current']),
  } as const;
  const skippedRecords = v.skipped.map((s, i) => parse([s.record], ['skipped', i, 'record'], true)[0]);
  if (issues.length) throw new ValidationError(issues, { summary: 'not a valid saved plan' });
  const checksum = checksumOf(body);
  if (checksum !== v.checksum) {
    throw new ValidationError(
      [
        {
          path: ['checksum'],
          code: 'checksum_mismatch',
          message: 'the plan does not match its checksum: it was edited after it was made',
        },
      ],
      { summary: 'not a valid saved plan' },
    );
  }
  const skipped = v.skipped.map((s, i) => ({
    record: skippedRecords[i] as Endpoint,
    code: s.code,
    reason: s.reason,
    ...(s.path ? { path: s.path } : {}),
    ...(s.owner !== undefined ? { owner: s.owner } : {}),
  }));
  const overriddenSafetyViolations = v.overriddenSafetyViolations.map((o): SafetyViolation => ({
    ...o,
    zone: o.zone ?? undefined,
  }));
  return { ...body, skipped, overriddenSafetyViolations, createdAt: v.createdAt, checksum };
}

function safeJSON(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ValidationError(
      [
        {
          path: [],
          code: 'invalid_json',
          message: `not JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
        },
      ],
      { summary: 'not a valid saved plan' },
    );
  }
}

/** Record-set counts of a plan. */
export interface PlanCounts {
  /** Records to create. */
  create: number;
  /** Records to update (each old/new pair counts once). */
  update: number;
  /** Records to delete. */
  delete: number;
}

/**
 * Counts a plan's record changes: creates, updates (one per old/new pair) and deletes. Ownership TXT
 * changes are not counted.
 */
export function countPlan(plan: Pick<Plan, 'changes'>): PlanCounts {
  return {
    create: plan.changes.create.length,
    update: plan.changes.updateNew.length,
    delete: plan.changes.delete.length,
  };
}
