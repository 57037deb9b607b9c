import { describe, expect, it } from 'vitest';
import { AbortedError, DomainFilter, type CallOptions } from '@openova/dns-core';
import { CachedLoader } from '@openova/dns-core/provider';

describe('CachedLoader', () => {
  it('shares one load between concurrent callers and reuses it within the TTL', async () => {
    let loads = 0;
    const cache = new CachedLoader({ ttlMs: 60_000, load: () => Promise.resolve(++loads) });
    expect(cache.peek()).toBeUndefined();
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual([1, 1, 1]);
    expect(await cache.get()).toBe(1);
    expect(cache.peek()).toBe(1);
    expect(await cache.get({}, true)).toBe(2); // refresh
    cache.clear();
    expect(await cache.get()).toBe(3);
    expect(loads).toBe(3);
  });

  it('loads again after the TTL and after a failed load', async () => {
    let loads = 0;
    const cache = new CachedLoader({
      ttlMs: 0,
      load: () => (++loads === 1 ? Promise.reject(new Error('down')) : Promise.resolve(loads)),
    });
    await expect(cache.get()).rejects.toThrow('down');
    expect(await cache.get()).toBe(2);
    expect(await cache.get()).toBe(3);
  });
});

describe('CachedLoader with staleMs', () => {
  it('answers with the stale value at once while one load refreshes it in the background', async () => {
    let loads = 0;
    let release: (() => void) | undefined;
    const cache = new CachedLoader({
      ttlMs: 0,
      staleMs: 60_000,
      load: () =>
        ++loads === 1
          ? Promise.resolve(1)
          : new Promise<number>((resolve) => (release = () => resolve(loads))),
    });
    expect(await cache.get()).toBe(1);
    // expired: both callers get 1 now, and one background load (the second) runs
    expect(await Promise.all([cache.get(), cache.get()])).toEqual([1, 1]);
    expect(loads).toBe(2);
    release?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.peek()).toBe(2);
  });

  it('keeps the old value when the background load fails, and waits once it is too old', async () => {
    let loads = 0;
    const cache = new CachedLoader({
      ttlMs: 0,
      staleMs: 20,
      load: () => (++loads === 2 ? Promise.reject(new Error('down')) : Promise.resolve(loads)),
    });
    expect(await cache.get()).toBe(1);
    expect(await cache.get()).toBe(1); // starts load 2, which fails
    await new Promise((r) => setTimeout(r, 30));
    expect(await cache.get()).toBe(3); // past ttl + staleMs: waits for load 3
  });
});

describe('CachedLoader and abort signals', () => {
  /** A load that settles only when told to, and records the signal it ran under. */
  function controlledLoad() {
    const runs: { signal: AbortSignal | undefined; resolve: (value: number) => void }[] = [];
    const load = (options: CallOptions) =>
      new Promise<number>((resolve, reject) => {
        runs.push({ signal: options.signal, resolve });
        options.signal?.addEventListener('abort', () => reject(new AbortedError('load aborted')), {
          once: true,
        });
      });
    return { runs, load };
  }

  it('one caller aborting does not reject another caller that joined the same load', async () => {
    const { runs, load } = controlledLoad();
    const cache = new CachedLoader({ ttlMs: 60_000, load });
    const first = new AbortController();
    const second = new AbortController();
    const a = cache.get({ signal: first.signal });
    const b = cache.get({ signal: second.signal });
    expect(runs).toHaveLength(1);
    first.abort(new Error('first gave up'));
    await expect(a).rejects.toBeInstanceOf(AbortedError);
    // the shared load is still running for the second caller
    expect(runs[0]?.signal?.aborted).toBe(false);
    runs[0]?.resolve(7);
    expect(await b).toBe(7);
    expect(cache.peek()).toBe(7);
  });

  it('aborts the shared load only when every caller that joined it has aborted', async () => {
    const { runs, load } = controlledLoad();
    const cache = new CachedLoader({ ttlMs: 60_000, load });
    const callers = [new AbortController(), new AbortController(), new AbortController()];
    const gets = callers.map((c) => cache.get({ signal: c.signal }));
    const settled = gets.map((g) => g.catch((e: unknown) => e));
    callers[0]?.abort();
    callers[1]?.abort();
    expect(runs[0]?.signal?.aborted).toBe(false);
    callers[2]?.abort();
    expect(runs[0]?.signal?.aborted).toBe(true);
    for (const outcome of await Promise.all(settled)) expect(outcome).toBeInstanceOf(AbortedError);
    // nothing was cached, and the next caller starts a fresh load
    const next = cache.get();
    expect(runs).toHaveLength(2);
    runs[1]?.resolve(8);
    expect(await next).toBe(8);
  });

  it('a caller without a signal keeps the load alive; an already aborted signal rejects at once', async () => {
    const { runs, load } = controlledLoad();
    const cache = new CachedLoader({ ttlMs: 60_000, load });
    const aborted = new AbortController();
    aborted.abort();
    await expect(cache.get({ signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(runs).toHaveLength(0);
    const caller = new AbortController();
    const a = cache.get({ signal: caller.signal });
    const b = cache.get();
    caller.abort();
    await expect(a).rejects.toBeInstanceOf(AbortedError);
    expect(runs[0]?.signal?.aborted).toBe(false);
    runs[0]?.resolve(9);
    expect(await b).toBe(9);
  });
});

describe('DomainFilter.selectsZone', () => {
  it('selects zones the filter matches or names something inside, and every zone for a regex', () => {
    const list = new DomainFilter({ include: ['api.example.com', '.example.net'] });
    expect(list.selectsZone('example.com')).toBe(true); // api.example.com lives there
    expect(list.selectsZone('example.net')).toBe(true);
    expect(list.selectsZone('example.org')).toBe(false);
    expect(new DomainFilter().selectsZone('anything.test')).toBe(true);
    expect(new DomainFilter({ regexInclude: '^api\\.' }).selectsZone('example.org')).toBe(true);
  });
});
