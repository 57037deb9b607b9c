import { endpointToJSON, type Endpoint, type EndpointJSON } from '../endpoint/endpoint.js';
import { ValidationError } from '../errors.js';

/**
 * A set of record changes, as ExternalDNS's planner produces them. `updateOld[i]` and `updateNew[i]`
 * are the old and new versions of the same record set.
 */
export interface Changes {
  /** Record sets to create. */
  create: Endpoint[];
  /** Record sets to replace, as currently stored; `updateOld[i]` pairs with `updateNew[i]`. */
  updateOld: Endpoint[];
  /** The replacements, in the same order as `updateOld`. */
  updateNew: Endpoint[];
  /** Record sets to delete, as currently stored. */
  delete: Endpoint[];
}

/** The wire form: lists omitted when empty, as ExternalDNS encodes them. */
export interface ChangesJSON {
  /** Record sets to create (wire form); absent or `null` = none. */
  create?: EndpointJSON[];
  /** Record sets to replace, as stored; pairs with `updateNew` by index. */
  updateOld?: EndpointJSON[];
  /** The replacements, in the same order as `updateOld`. */
  updateNew?: EndpointJSON[];
  /** Record sets to delete, as stored. */
  delete?: EndpointJSON[];
}

/** The names of the four lists of a {@link Changes} value. */
export const CHANGE_LISTS = ['create', 'updateOld', 'updateNew', 'delete'] as const;
/** The name of one list of a {@link Changes}: `create`, `updateOld`, `updateNew` or `delete`. */
export type ChangeList = (typeof CHANGE_LISTS)[number];

/** A `Changes` value with every list empty. */
export function emptyChanges(): Changes {
  return { create: [], updateOld: [], updateNew: [], delete: [] };
}

/** Number of record sets touched: creates + updates + deletes (an update counts once). */
export function countChanges(changes: Changes): number {
  return changes.create.length + changes.updateNew.length + changes.delete.length;
}

/** True when there is anything to send to a provider. */
export function hasAnyChange(changes: Changes): boolean {
  return countChanges(changes) > 0;
}

/** The wire form of a change set, as ExternalDNS's Go encoder writes it: empty lists are omitted. */
export function changesToJSON(changes: Changes): ChangesJSON {
  const out: ChangesJSON = {};
  for (const list of CHANGE_LISTS) if (changes[list].length) out[list] = changes[list].map(endpointToJSON);
  return out;
}

/**
 * One change as a provider writes it, the unit a {@link BatchLimit} prices. An update carries its
 * old and new versions together (`updateOld[i]` and `updateNew[i]`), since they are never sent apart.
 * `endpoint` is always the version that is written (create, update) or removed (delete).
 */
export type BatchChange =
  | {
      /** A record set written where none was. */
      readonly kind: 'create';
      /** The record set created. */
      readonly endpoint: Endpoint;
    }
  | {
      /** A record set replaced by a new version (`updateOld[i]` → `updateNew[i]`). */
      readonly kind: 'update';
      /** The new version, as written. */
      readonly endpoint: Endpoint;
      /** The version it replaces, as read. */
      readonly old: Endpoint;
    }
  | {
      /** A record set removed. */
      readonly kind: 'delete';
      /** The record set removed, as read. */
      readonly endpoint: Endpoint;
    };

/**
 * The changes of a change set one by one: creates, then updates (`updateOld[i]` with
 * `updateNew[i]`), then deletes. Throws a `ValidationError` (code `update_pairs`) when `updateOld`
 * and `updateNew` differ in length, since they would not pair up.
 */
export function batchChanges(changes: Changes): BatchChange[] {
  if (changes.updateOld.length !== changes.updateNew.length)
    throw new ValidationError(
      [
        {
          path: ['updateNew'],
          code: 'update_pairs',
          message: `updateOld has ${changes.updateOld.length} records and updateNew ${changes.updateNew.length}; they must pair up`,
        },
      ],
      { summary: 'invalid change set' },
    );
  return [
    ...changes.create.map((endpoint): BatchChange => ({ kind: 'create', endpoint })),
    ...changes.updateNew.map((endpoint, i): BatchChange => ({
      kind: 'update',
      endpoint,
      old: changes.updateOld[i] as Endpoint,
    })),
    ...changes.delete.map((endpoint): BatchChange => ({ kind: 'delete', endpoint })),
  ];
}
