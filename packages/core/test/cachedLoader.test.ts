import { describe, expect, it } from 'vitest';
import { CachedLoader, DomainFilter } from '@openova/dns-core';

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
