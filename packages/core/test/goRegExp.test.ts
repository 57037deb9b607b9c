import { describe, expect, it } from 'vitest';
import { ConfigError, DomainFilter } from '../src/index.js';
import { goRegExp } from '../src/goRegExp.js';

describe('Go RE2 domain filter expressions', () => {
  it('RE2 spellings mean in JavaScript what they mean in Go', () => {
    const cases: [string, string, boolean][] = [
      ['^[[:alnum:].-]+\\.example\\.com\\z', 'api.example.com', true],
      ['^[[:alnum:].-]+\\.example\\.com\\z', 'api.example.com.evil', false],
      ['^[[:alpha:]]+$', 'abc1', false],
      ['\\pL+\\.example\\.com$', 'bücher.example.com', true],
      ['^\\p{Greek}+$', 'αβγ', true],
      ['^\\PL+$', 'abc', false],
      ['\\Aapi\\.', 'api.example.com', true],
      ['(?i)^API\\.', 'api.example.com', true],
      ['^(?P<host>[a-z]+)\\.example\\.com$', 'www.example.com', true],
      ['^\\Qa.b\\E$', 'a.b', true],
      ['^\\Qa.b\\E$', 'axb', false],
      ['^[]a]+$', ']a]', true],
    ];
    for (const [source, name, expected] of cases)
      expect(goRegExp(source).test(name), `${source} ~ ${name}`).toBe(expected);
  });

  it('what JavaScript cannot express is refused, never read with another meaning', () => {
    expect(() => goRegExp('(?U)a+')).toThrow(SyntaxError);
    expect(() => goRegExp('a(?i)b')).toThrow(/put them first/);
    expect(() => goRegExp('[[:^alpha:]]')).toThrow(SyntaxError);
  });

  it('a DomainFilter built from ExternalDNS JSON matches as ExternalDNS does, and a bad one is a ConfigError', () => {
    const filter = DomainFilter.fromJSON({ regexInclude: '^[[:alnum:].-]+\\.example\\.com\\z' });
    expect(filter.matches('api.example.com')).toBe(true);
    expect(filter.matches('api.example.org')).toBe(false);
    expect(() => new DomainFilter({ regexInclude: '(?U)x' })).toThrow(ConfigError);
  });
});
