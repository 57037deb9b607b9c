import { describe, expect, it } from 'vitest';
import { ValidationError } from '@openova/dns-core';
import { lua, luaRequirements, luaString, splitLuaCode } from '@openova/dns-provider-pdns';

function issuesOf(run: () => unknown): { path: readonly (string | number)[]; code: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => ({ path: i.path, code: i.code }));
  }
  throw new Error('expected a ValidationError');
}

describe('rendering', () => {
  it('renders the PowerDNS content forms', () => {
    expect(lua.content(lua.ifportup(443, ['192.0.2.1', '192.0.2.2']))).toBe(
      `A "ifportup(443, {'192.0.2.1', '192.0.2.2'})"`,
    );
    expect(lua.content(lua.ifportup(443, ['2001:db8::1'], { selector: 'all', timeout: 1 }))).toBe(
      `AAAA "ifportup(443, {'2001:db8::1'}, {selector='all', timeout='1'})"`,
    );
    expect(
      lua.content(
        lua.ifurlup('https://example.com/health', ['192.0.2.1'], {
          stringmatch: 'OK',
          backupSelector: 'empty',
        }),
      ),
    ).toBe(
      `A "ifurlup('https://example.com/health', {{'192.0.2.1'}}, {backupSelector='empty', stringmatch='OK'})"`,
    );
    expect(
      lua.content(
        lua.pickwhashed([
          { weight: 10, value: '192.0.2.1' },
          { weight: 90, value: '192.0.2.2' },
        ]),
      ),
    ).toBe(`A "pickwhashed({{10, '192.0.2.1'}, {90, '192.0.2.2'}})"`);
    expect(lua.content(lua.pickrandom(['a.example.net', 'b.example.net.'], { queryType: 'CNAME' }))).toBe(
      `CNAME "pickrandom({'a.example.net.', 'b.example.net.'})"`,
    );
    expect(
      lua.content(
        lua.choose({
          cases: [
            { when: lua.country(['nl', 'BE']), then: '192.0.2.1' },
            { when: lua.continent('EU'), then: ['192.0.2.2', '192.0.2.3'] },
          ],
          otherwise: lua.pickclosest(['192.0.2.9']),
        }),
      ),
    ).toBe(
      `A "(country({'NL', 'BE'}) and '192.0.2.1') or (continent('EU') and {'192.0.2.2', '192.0.2.3'}) or pickclosest({'192.0.2.9'})"`,
    );
  });

  it('quotes options, booleans included, in a stable order', () => {
    expect(
      lua.ifurlup('http://x.test/', ['192.0.2.1'], {
        useragent: 'probe',
        failOnIncompleteCheck: true,
        byteslimit: 100,
      }).code,
    ).toBe(
      `ifurlup('http://x.test/', {{'192.0.2.1'}}, {byteslimit='100', failOnIncompleteCheck='true', useragent='probe'})`,
    );
    expect(lua.ifurlup('http://x.test/', ['192.0.2.1'], { failOnIncompleteCheck: true }).minimumVersion).toBe(
      '5.0.0',
    );
    expect(lua.ifportup(80, [['192.0.2.1'], ['192.0.2.2']]).minimumVersion).toBe('4.8.0');
  });

  it('escapes Lua strings so the code never holds a double quote', () => {
    expect(luaString(`it's`)).toBe(`'it\\'s'`);
    expect(luaString('a\\b')).toBe(`'a\\\\b'`);
    expect(luaString('say "hi"\n')).toBe(`'say \\034hi\\034\\n'`);
    expect(luaString('café')).toBe(`'caf\\195\\169'`);
    const content = lua.content(lua.pickrandom([`"quoted" it's`], { queryType: 'TXT' }));
    expect(content.slice(5, -1)).not.toContain('"');
  });

  it('splits long code only after a space outside string literals', () => {
    const addresses = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`);
    const code = lua.pickrandom(addresses).code;
    const chunks = splitLuaCode(code);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(code);
    for (const chunk of chunks) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(255);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith(', ')).toBe(true);
    const content = lua.content(lua.pickrandom(addresses));
    expect(content.startsWith('A "pickrandom(')).toBe(true);
    expect(content.split('" "')).toHaveLength(chunks.length);
    // a long string literal with no safe place stays one chunk
    expect(splitLuaCode(`'${'x'.repeat(400)}'`)).toHaveLength(1);
  });

  it('builds LUA endpoints', () => {
    const ep = lua.endpoint({
      dnsName: 'geo.example.com',
      expression: lua.pickrandom(['192.0.2.1']),
      recordTTL: 30,
    });
    expect(ep).toMatchObject({
      dnsName: 'geo.example.com',
      recordType: 'LUA',
      recordTTL: 30,
      targets: [`A "pickrandom({'192.0.2.1'})"`],
    });
  });
});

describe('validation', () => {
  it('rejects what is not an IP, an empty pool, a bad URL and a bad port with paths', () => {
    expect(issuesOf(() => lua.ifportup(0, ['192.0.2.1', 'not-an-ip']))).toEqual([
      { path: ['port'], code: 'invalid_integer' },
      { path: ['addresses', 1], code: 'invalid_ip' },
    ]);
    expect(issuesOf(() => lua.ifportup(443, []))).toEqual([{ path: ['addresses'], code: 'empty_pool' }]);
    expect(issuesOf(() => lua.ifurlup('ftp://x.test/', ['192.0.2.1']))).toEqual([
      { path: ['url'], code: 'invalid_url' },
    ]);
    expect(issuesOf(() => lua.ifurlup('not a url', [['192.0.2.1'], []]))).toEqual([
      { path: ['url'], code: 'invalid_url' },
      { path: ['addresses', 1], code: 'empty_pool' },
    ]);
    expect(issuesOf(() => lua.pickclosest(['192.0.2.1', '2001:db8::1']))).toEqual([
      { path: ['addresses'], code: 'mixed_families' },
    ]);
    expect(issuesOf(() => lua.pickrandom([]))).toEqual([{ path: ['values'], code: 'empty_pool' }]);
    expect(issuesOf(() => lua.pickrandom(['a.example']))).toEqual([
      { path: ['queryType'], code: 'query_type_needed' },
    ]);
    expect(issuesOf(() => lua.pickrandom(['2001:db8::1'], { queryType: 'A' }))).toEqual([
      { path: ['values', 0], code: 'invalid_ip' },
    ]);
    expect(issuesOf(() => lua.pickwrandom([{ weight: 0, value: '192.0.2.1' }]))).toEqual([
      { path: ['values', 0, 'weight'], code: 'invalid_integer' },
    ]);
    expect(issuesOf(() => lua.country(['NLD']))).toEqual([{ path: ['codes', 0], code: 'invalid_country' }]);
    expect(issuesOf(() => lua.continent('XX'))).toEqual([{ path: ['codes', 0], code: 'invalid_continent' }]);
    expect(issuesOf(() => lua.ifportup(443, ['192.0.2.1'], { source: 'x', timeout: -1 }))).toEqual([
      { path: ['options', 'source'], code: 'invalid_ip' },
      { path: ['options', 'timeout'], code: 'invalid_number' },
    ]);
    expect(issuesOf(() => lua.raw(`return "x"`))).toEqual([{ path: ['code'], code: 'double_quote' }]);
    expect(
      issuesOf(() =>
        lua.choose({ cases: [{ when: lua.country('NL'), then: '192.0.2.1' }], otherwise: '2001:db8::1' }),
      ),
    ).toEqual([{ path: [], code: 'mixed_query_types' }]);
    expect(issuesOf(() => lua.content(lua.raw(`;return 'x'`)))).toEqual([
      { path: ['queryType'], code: 'query_type_needed' },
    ]);
  });
});

describe('luaRequirements reads hand-written LUA content too', () => {
  const since = (content: string) =>
    luaRequirements(content)
      .map((r) => r.since)
      .sort();
  it.each([
    [
      'a long comment inside the call',
      `A "ifportup(443, --[[x]] {{'192.0.2.1'}, {'192.0.2.2'}})"`,
      ['4.8.0'],
    ],
    [
      'groups built in a local',
      `A ";local g={{'192.0.2.1'},{'192.0.2.2'}} return ifportup(443, g)"`,
      ['4.8.0'],
    ],
    [
      'an option as a bracketed key',
      `A "ifportup(443, {'192.0.2.1'}, {['minimumFailures']='3'})"`,
      ['5.0.0'],
    ],
    ['pickchashed', `A "pickchashed({{1,'192.0.2.1'},{2,'192.0.2.2'}})"`, ['4.9.0']],
    ['dblookup', `A "dblookup('x.example.com', pdns.A)"`, ['4.9.0']],
    ['pickselfweighted', `A "pickselfweighted('http://127.0.0.1:9/', {'192.0.2.1'})"`, ['5.0.0']],
    [
      'a line comment hides nothing after its line',
      `A ";-- ifportup(1, {{'a'}})\nreturn pickrandom({'192.0.2.1'})"`,
      [],
    ],
    ['an option name inside a string is no option', `A "pickrandom({'byteslimit=1'})"`, []],
    ['plain 4.7 code', `A "ifportup(443, {'192.0.2.1', '192.0.2.2'}, {selector='all'})"`, []],
  ])('%s', (_what, content, expected) => {
    expect(since(content)).toEqual(expected);
  });
});
