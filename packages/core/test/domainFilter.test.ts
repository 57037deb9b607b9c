import { describe, expect, it } from 'vitest';
import { ConfigError, DomainFilter } from '@openova/dns-core';

const matching = (filter: DomainFilter, names: string[]) => names.filter((n) => filter.matches(n));

describe('DomainFilter: include/exclude lists', () => {
  it('an empty filter matches everything', () => {
    const all = DomainFilter.all();
    expect(all.isEmpty).toBe(true);
    expect(matching(all, ['a.example.org', 'x', ''])).toEqual(['a.example.org', 'x', '']);
  });

  it('"example.org" matches itself and its subdomains, not "anexample.org"', () => {
    const f = new DomainFilter({ include: ['example.org'] });
    expect(
      matching(f, [
        'example.org',
        'a.example.org',
        'a.b.example.org',
        'anexample.org',
        'example.org.uk',
        'org',
      ]),
    ).toEqual(['example.org', 'a.example.org', 'a.b.example.org']);
  });

  it('".example.org" matches strict subdomains only', () => {
    const f = new DomainFilter({ include: ['.example.org'] });
    expect(matching(f, ['example.org', 'a.example.org', 'a.b.example.org', 'anexample.org'])).toEqual([
      'a.example.org',
      'a.b.example.org',
    ]);
  });

  it('exclusion wins over inclusion', () => {
    const f = new DomainFilter({ include: ['example.org'], exclude: ['internal.example.org'] });
    expect(
      matching(f, ['example.org', 'api.example.org', 'internal.example.org', 'db.internal.example.org']),
    ).toEqual(['example.org', 'api.example.org']);
    const onlyExclude = new DomainFilter({ exclude: ['.example.org'] });
    expect(matching(onlyExclude, ['example.org', 'a.example.org', 'other.net'])).toEqual([
      'example.org',
      'other.net',
    ]);
  });

  it('is case-insensitive, trailing-dot-insensitive and IDN-aware on both sides', () => {
    const f = new DomainFilter({ include: [' Example.ORG. ', '點看.org'] });
    expect(f.include).toEqual(['example.org', '點看.org']);
    expect(
      matching(f, [
        'API.EXAMPLE.org.',
        'www.xn--c1yn36f.org',
        'WWW.點看.org',
        'xn--c1yn36f.org.',
        'other.org',
      ]),
    ).toEqual(['API.EXAMPLE.org.', 'www.xn--c1yn36f.org', 'WWW.點看.org', 'xn--c1yn36f.org.']);
    const punycodeEntry = new DomainFilter({ include: ['xn--c1yn36f.org'] });
    expect(punycodeEntry.matches('a.點看.org')).toBe(true);
  });

  it('discards empty entries and de-duplicates', () => {
    const f = new DomainFilter({ include: ['', '  ', 'b.org', 'B.org.', 'a.org'] });
    expect(f.include).toEqual(['a.org', 'b.org']);
    expect(new DomainFilter({ include: [''] }).isEmpty).toBe(true);
  });
});

describe('DomainFilter: regex form', () => {
  it('include regex decides, exclusion regex rejects first', () => {
    const f = new DomainFilter({ regexInclude: '\\.example\\.org$', regexExclude: '^internal\\.' });
    expect(f.isRegex).toBe(true);
    expect(matching(f, ['a.example.org', 'internal.example.org', 'example.org', 'a.example.net'])).toEqual([
      'a.example.org',
    ]);
    const onlyExclude = new DomainFilter({ regexExclude: 'staging' });
    expect(matching(onlyExclude, ['a.staging.org', 'a.org'])).toEqual(['a.org']);
  });

  it('ignores the lists entirely when a regex is set', () => {
    const f = new DomainFilter({
      include: ['example.org'],
      exclude: ['a.example.net'],
      regexInclude: 'example\\.net$',
    });
    expect(matching(f, ['a.example.org', 'a.example.net'])).toEqual(['a.example.net']);
  });

  it('matches unanchored, against the normalised name', () => {
    expect(new DomainFilter({ regexInclude: 'exam' }).matches('API.EXAMPLE.org.')).toBe(true);
    expect(new DomainFilter({ regexInclude: 'org$' }).matches('a.example.org.')).toBe(true);
  });

  it('accepts RE2 leading inline flags and RegExp objects; global flags do not make it stateful', () => {
    expect(new DomainFilter({ regexInclude: '(?i)^API\\.' }).matches('api.example.org')).toBe(true);
    const sticky = new DomainFilter({ regexInclude: /example/g });
    expect([sticky.matches('a.example.org'), sticky.matches('a.example.org')]).toEqual([true, true]);
  });

  it('an invalid regex is a ConfigError', () => {
    expect(() => new DomainFilter({ regexInclude: '(' })).toThrow(ConfigError);
    expect(() => new DomainFilter({ regexExclude: '[a-' })).toThrow(
      /regexExclude is not a valid regular expression/,
    );
    expect(() => DomainFilter.fromJSON({ regexInclude: '*' })).toThrow(ConfigError);
  });
});

describe('DomainFilter: JSON form', () => {
  it('list form: sorted, empty lists omitted, {} matches everything', () => {
    const f = new DomainFilter({ include: ['b.org', 'a.org'], exclude: ['x.a.org'] });
    expect(f.toJSON()).toEqual({ include: ['a.org', 'b.org'], exclude: ['x.a.org'] });
    expect(JSON.parse(JSON.stringify(f))).toEqual({ include: ['a.org', 'b.org'], exclude: ['x.a.org'] });
    expect(new DomainFilter({ include: ['a.org'] }).toJSON()).toEqual({ include: ['a.org'] });
    expect(DomainFilter.all().toJSON()).toEqual({});
    expect(DomainFilter.fromJSON({}).isEmpty).toBe(true);
  });

  it('regex form keeps the expressions exactly as given', () => {
    const json = { regexInclude: 'a/b\\.example\\.org$', regexExclude: '(?i)^internal' };
    expect(new DomainFilter(json).toJSON()).toEqual(json);
    expect(DomainFilter.fromJSON(json).toJSON()).toEqual(json);
  });

  it('round-trips both forms', () => {
    for (const json of [
      { include: ['a.org'], exclude: ['b.a.org'] },
      { include: ['.a.org'] },
      { regexInclude: 'x' },
      {},
    ])
      expect(DomainFilter.fromJSON(DomainFilter.fromJSON(json).toJSON()).toJSON()).toEqual(json);
  });

  it('null and undefined match everything', () => {
    expect(DomainFilter.fromJSON(null).matches('anything')).toBe(true);
    expect(DomainFilter.fromJSON(undefined).isEmpty).toBe(true);
    expect(DomainFilter.fromJSON({ include: null, exclude: null }).isEmpty).toBe(true);
  });

  it('both forms at once is a ConfigError; empty values do not count (as in Go)', () => {
    expect(() => DomainFilter.fromJSON({ include: ['a.org'], regexInclude: 'x' })).toThrow(ConfigError);
    expect(() => DomainFilter.fromJSON({ exclude: ['a.org'], regexExclude: 'x' })).toThrow(
      'a domain filter cannot have both list (include/exclude) and regex fields',
    );
    expect(DomainFilter.fromJSON({ include: [], regexInclude: 'x' }).isRegex).toBe(true);
    expect(DomainFilter.fromJSON({ include: ['a.org'], regexInclude: '' }).include).toEqual(['a.org']);
  });

  it('wrong JSON types are ConfigErrors, not crashes', () => {
    for (const bad of [{ include: 'a.org' }, { include: [1] }, { regexInclude: 5 }, [], 'a.org', 3])
      expect(() => DomainFilter.fromJSON(bad), JSON.stringify(bad)).toThrow(ConfigError);
  });
});

describe('DomainFilter.and', () => {
  it('matches only names both filters match', () => {
    const both = new DomainFilter({ include: ['example.org'] }).and(
      new DomainFilter({ exclude: ['a.example.org'] }),
    );
    expect(['example.org', 'a.example.org', 'b.example.org', 'x.net'].filter((n) => both.matches(n))).toEqual(
      ['example.org', 'b.example.org'],
    );
  });
});
