import type { Changes } from '../provider/changes.js';

/**
 * What a plan may do, as ExternalDNS's `--policy`:
 * - `sync`: create, update and delete;
 * - `upsert-only`: create and update, never delete;
 * - `create-only`: only create.
 */
export type Policy = 'sync' | 'upsert-only' | 'create-only';

/** Every policy, in ExternalDNS's order. */
export const POLICIES: readonly Policy[] = ['sync', 'upsert-only', 'create-only'];

/** Drops the change lists a policy does not allow. */
export function applyPolicy(changes: Changes, policy: Policy): Changes {
  switch (policy) {
    case 'sync':
      return changes;
    case 'upsert-only':
      return { ...changes, delete: [] };
    case 'create-only':
      return { create: changes.create, updateOld: [], updateNew: [], delete: [] };
  }
}
