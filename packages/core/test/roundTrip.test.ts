import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  changesToJSON,
  countChanges,
  emptyChanges,
  endpoint,
  endpointToJSON,
  hasAnyChange,
  parseEndpoints,
  safeParseEndpoints,
} from '@openova/dns-core';

const casesFile = new URL('../../../test/fixtures/conformance-cases.json', import.meta.url);
const cases = JSON.parse(readFileSync(casesFile, 'utf8')) as { id: string }[];

const wireKeys = [
  'dnsName',
  'targets',
  'recordType',
  'setIdentifier',
  'recordTTL',
  'labels',
  'providerSpecific',
];

interface Found {
  /** `txt-060 input.providerRecords[2]` */
  where: string;
  caseId: string;
  json: Record<string, unknown>;
}

/** Every object anywhere in the cases that has `dnsName` and `recordType`. */
function findEndpoints(): Found[] {
  const found: Found[] = [];
  const walk = (value: unknown, caseId: string, path: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, caseId, `${path}[${i}]`));
    else if (typeof value === 'object' && value !== null) {
      const object = value as Record<string, unknown>;
      if ('dnsName' in object && 'recordType' in object)
        found.push({ where: `${caseId} ${path}`, caseId, json: object });
      for (const [k, v] of Object.entries(object)) walk(v, caseId, path ? `${path}.${k}` : k);
    }
  };
  for (const c of cases) walk(c, c.id, '');
  return found;
}

/**
 * What ExternalDNS itself would send for this endpoint: Go's encoder omits empty values
 * (`omitempty`: empty string, 0, empty or null list and map), so the fixtures' occasional
 * `"labels": {}` or `"targets": []` is dropped before comparing. Keys that are not endpoint
 * fields (the `config` of toTXTName inputs) are not part of the endpoint and are dropped too.
 */
function asGoWouldSend(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of wireKeys) {
    const v = json[key];
    const empty =
      v === undefined ||
      v === null ||
      v === '' ||
      v === 0 ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === 'object' && !Array.isArray(v) && v !== null && Object.keys(v).length === 0);
    if (!empty) out[key] = v;
  }
  return out;
}

/**
 * Fixture endpoints that content validation rejects, on purpose. They come from upstream Go tests,
 * whose in-memory data is never validated: these are records *read from a provider*, which must be
 * parsed with `validateContent: false` (a provider must return whatever the zone holds), or a
 * record that the case itself expects to be refused.
 */
const rejectedByValidation: Record<string, string> = {
  // A records with host-name targets but no `alias` property (upstream registry_test.go data)
  'txt-059': 'A records with host-name targets (no alias) in provider data',
  'txt-062': 'A records with host-name targets (no alias) in provider data',
  // NAPTR `10 "U" "SIP+DTU" "" _sip._udp…` lacks the preference field (upstream test data)
  'txt-058': 'malformed NAPTR in provider data',
  'txt-060': 'malformed NAPTR in provider data',
  // D1: the record's own first label is 71 octets; the case expects a typed error
  'txt-074': 'label longer than 63 octets (deviation D1 expects an error)',
};

describe('round trip of every endpoint in the conformance cases', () => {
  const found = findEndpoints();

  it('finds the endpoints', () => {
    expect(found.length).toBeGreaterThan(400);
  });

  it('parses every endpoint and serialises it back to the JSON ExternalDNS would send', () => {
    const mismatches: string[] = [];
    for (const f of found) {
      // shape-only parse: provider-read records must round-trip even where content checks object
      const result = safeParseEndpoints([f.json], { validateContent: false });
      if (!result.success) {
        mismatches.push(`${f.where}: ${result.error.message}`);
        continue;
      }
      const back = endpointToJSON(result.data[0]!);
      try {
        expect(back).toEqual(asGoWouldSend(f.json));
        // and the serialised form parses to the same endpoint again
        expect(parseEndpoints([back], { validateContent: false })).toEqual(result.data);
      } catch {
        mismatches.push(`${f.where}: ${JSON.stringify(back)} != ${JSON.stringify(f.json)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('content validation accepts every fixture endpoint except the listed upstream oddities', () => {
    const rejected = new Map<string, string[]>();
    for (const f of found) {
      const result = safeParseEndpoints([f.json]);
      if (result.success) continue;
      rejected.set(f.caseId, [...(rejected.get(f.caseId) ?? []), `${f.where}: ${result.error.message}`]);
    }
    expect([...rejected.keys()].sort()).toEqual(Object.keys(rejectedByValidation).sort());
  });

  it('parses whole lists as they appear in the cases', () => {
    let lists = 0;
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) {
        const isEndpointList =
          value.length > 0 &&
          value.every(
            (v) =>
              typeof v === 'object' && v !== null && 'dnsName' in v && 'recordType' in v && !('config' in v),
          );
        if (isEndpointList) {
          lists++;
          expect(parseEndpoints(value, { validateContent: false })).toHaveLength(value.length);
        }
        value.forEach(walk);
      } else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
    };
    walk(cases);
    expect(lists).toBeGreaterThan(100);
  });
});

describe('Changes', () => {
  it('counts an update once and serialises like ExternalDNS (empty lists omitted)', () => {
    const a = endpoint({ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] });
    const b = endpoint({ dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.2'], recordTTL: 60 });
    const changes = { ...emptyChanges(), create: [a], updateOld: [b], updateNew: [b] };
    expect(countChanges(changes)).toBe(2);
    expect(hasAnyChange(changes)).toBe(true);
    expect(hasAnyChange(emptyChanges())).toBe(false);
    expect(changesToJSON(emptyChanges())).toEqual({});
    expect(changesToJSON(changes)).toEqual({
      create: [{ dnsName: 'a.example.com', targets: ['192.0.2.1'], recordType: 'A' }],
      updateOld: [{ dnsName: 'b.example.com', targets: ['192.0.2.2'], recordType: 'A', recordTTL: 60 }],
      updateNew: [{ dnsName: 'b.example.com', targets: ['192.0.2.2'], recordType: 'A', recordTTL: 60 }],
    });
  });
});
