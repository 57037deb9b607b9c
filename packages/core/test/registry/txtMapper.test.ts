import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  TXT_NAME_RECORD_TYPES,
  toEndpointName,
  toTxtName,
  TxtNameMapper,
} from '@openova/dns-core';

describe('toTxtName / toEndpointName', () => {
  it('rejects a prefix and a suffix together with a clear ConfigError', () => {
    expect(() => toTxtName('a.example.com', 'A', { prefix: 'p.', suffix: '-s' })).toThrow(ConfigError);
    expect(() => new TxtNameMapper({ prefix: 'p.', suffix: '-s' }).validate()).toThrow(
      /prefix "p\." and suffix "-s" are both set; configure only one of them/,
    );
  });

  it('lower-cases the affixes and keeps the record name spelling', () => {
    expect(toTxtName('Foo.Example.com', 'A', { prefix: 'TxT.' })).toBe('txt.a-Foo.Example.com');
  });

  it('handles single-label names and wildcards without replacement', () => {
    expect(toTxtName('example', 'CNAME', { prefix: 'txt.' })).toBe('txt.cname-example');
    expect(toTxtName('*.example.com', 'A')).toBe('a-*.example.com');
  });

  const configs = [
    {},
    { prefix: '_externaldns.' },
    { prefix: '_externaldns.%{record_type}.' },
    { prefix: 'txt-%{record_type}-' },
    { suffix: '-txt' },
    { suffix: '.foo.bar' },
    { suffix: '-%{record_type}' },
    { prefix: 'txt.', wildcardReplacement: 'wc' },
  ];
  for (const config of configs) {
    it(`round-trips every parse type with ${JSON.stringify(config)}`, () => {
      for (const type of TXT_NAME_RECORD_TYPES) {
        for (const name of ['api.example.com', 'deep.sub.example.org', '_sip._udp.example.com']) {
          const txt = toTxtName(name, type, config);
          expect(toEndpointName(txt, config)).toEqual({ endpointName: name, recordType: type });
        }
      }
    });
  }

  it('reads legacy untyped names and rejects names without the affix', () => {
    expect(toEndpointName('api.example.com', {})).toEqual({
      endpointName: 'api.example.com',
      recordType: '',
    });
    expect(toEndpointName('_externaldns.api.example.com', { prefix: '_externaldns.' })).toEqual({
      endpointName: 'api.example.com',
      recordType: '',
    });
    expect(toEndpointName('api.example.com', { prefix: '_externaldns.' })).toEqual({
      endpointName: '',
      recordType: '',
    });
    // A templated prefix falls back to the template-free prefix for records written before it.
    expect(toEndpointName('_x..api.example.com', { prefix: '_x.%{record_type}.' })).toEqual({
      endpointName: 'api.example.com',
      recordType: '',
    });
  });

  it('lower-cases the TXT name before parsing', () => {
    expect(toEndpointName('AAAA-API.Example.COM')).toEqual({
      endpointName: 'api.example.com',
      recordType: 'AAAA',
    });
  });
});

describe('extra record types', () => {
  it('ExternalDNS parses only its fixed list; a mapper given the provider types parses CAA and LUA markers back', () => {
    const config = { prefix: '_externaldns.%{record_type}.' };
    expect(TXT_NAME_RECORD_TYPES).not.toContain('CAA');
    // ExternalDNS: a CAA marker is not a registry name under a templated prefix
    expect(new TxtNameMapper(config).toEndpointName('_externaldns.caa.x.example.com')).toEqual({
      endpointName: '',
      recordType: '',
    });
    const extended = new TxtNameMapper(config, ['A', 'CAA', 'lua']);
    expect(extended.toEndpointName('_externaldns.caa.x.example.com')).toEqual({
      endpointName: 'x.example.com',
      recordType: 'CAA',
    });
    expect(extended.toEndpointName('_externaldns.lua.geo.example.com')).toEqual({
      endpointName: 'geo.example.com',
      recordType: 'LUA',
    });
    // the fixed types keep their ExternalDNS order and meaning
    expect(extended.toEndpointName('_externaldns.a.x.example.com')).toEqual({
      endpointName: 'x.example.com',
      recordType: 'A',
    });
    // no affix: `lua-` is typed only for the extended mapper
    expect(new TxtNameMapper({}).toEndpointName('lua-geo.example.com').recordType).toBe('');
    expect(new TxtNameMapper({}, ['LUA']).toEndpointName('lua-geo.example.com')).toEqual({
      endpointName: 'geo.example.com',
      recordType: 'LUA',
    });
  });
});
