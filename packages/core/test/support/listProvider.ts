// A provider that returns exactly the records it was given (no validation, no canonicalisation), so
// registry tests can feed what real providers return: TXTs without values, names differing by case.
import {
  cloneEndpoint,
  DomainFilter,
  endpoint,
  endpointKey,
  type Changes,
  type Endpoint,
  type EndpointInit,
  type Provider,
  type ProviderCapabilities,
} from '@openova/dns-core';

const copy = (c: Changes): Changes => ({
  create: c.create.map(cloneEndpoint),
  updateOld: c.updateOld.map(cloneEndpoint),
  updateNew: c.updateNew.map(cloneEndpoint),
  delete: c.delete.map(cloneEndpoint),
});

export class ListProvider implements Provider {
  readonly name = 'list';
  readonly capabilities: ProviderCapabilities = { recordTypes: [], atomicity: 'zone', setIdentifiers: true };
  readonly domainFilter = DomainFilter.all();
  /** Every change set received, deep-copied. */
  readonly applied: Changes[] = [];
  /** What the zone holds now. */
  stored: Endpoint[];

  readonly #strict: boolean;

  /** With `strictDeletes`, a delete must match a stored record's name, type and values exactly. */
  constructor(records: readonly EndpointInit[] = [], options: { strictDeletes?: boolean } = {}) {
    this.stored = records.map(endpoint);
    this.#strict = options.strictDeletes ?? false;
  }

  records(): Promise<Endpoint[]> {
    return Promise.resolve(this.stored.map(cloneEndpoint));
  }

  applyChanges(changes: Changes): Promise<void> {
    this.applied.push(copy(changes));
    // Exact spelling match on delete, like an API that matches old values verbatim.
    const same = (a: Endpoint, b: Endpoint) =>
      endpointKey(a) === endpointKey(b) && JSON.stringify(a.targets) === JSON.stringify(b.targets);
    for (const gone of changes.delete) {
      const i = this.stored.findIndex((r) => same(r, gone));
      if (i < 0 && !this.#strict) continue;
      if (i < 0)
        return Promise.reject(new Error(`list: cannot find ${endpointKey(gone)} ${gone.targets.join(' ')}`));
      this.stored.splice(i, 1);
    }
    // Updates are upserts, as on most DNS APIs (the force-update repair relies on it).
    for (const old of changes.updateOld) {
      const i = this.stored.findIndex((r) => endpointKey(r) === endpointKey(old));
      if (i >= 0) this.stored.splice(i, 1);
    }
    this.stored.push(...[...changes.create, ...changes.updateNew].map(cloneEndpoint));
    return Promise.resolve();
  }

  adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    return Promise.resolve(endpoints.map(cloneEndpoint));
  }
}
