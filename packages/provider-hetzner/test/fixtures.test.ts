// Hetzner's own JSON, from the examples of its API reference (test/fixtures/cloud-api-examples.json):
// the client's schemas read every example, and the fake answers with every field the examples have.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHetzner, type FakeHetzner } from '@openova/dns-provider-hetzner/testing';
import { invalidFieldsOf } from '../src/errors.js';
import { actionSchema, errorEnvelopeSchema, metaSchema, rrsetSchema, zoneSchema } from '../src/schemas.js';

type Json = Record<string, unknown>;
const examples = JSON.parse(
  readFileSync(new URL('fixtures/cloud-api-examples.json', import.meta.url), 'utf8'),
) as Record<string, Json>;
const example = (name: string): Json => examples[name] as Json;

/** Paths of the example's keys (nested objects and first array items included) missing in `actual`. */
function missingKeys(actual: unknown, expected: unknown, path = ''): string[] {
  if (Array.isArray(expected))
    return Array.isArray(actual) && actual.length && expected.length
      ? missingKeys(actual[0], expected[0], `${path}[0]`)
      : [];
  if (expected === null || typeof expected !== 'object') return [];
  if (actual === null || typeof actual !== 'object') return [path || '(root)'];
  return Object.entries(expected as Json).flatMap(([key, value]) =>
    key in (actual as Json)
      ? missingKeys((actual as Json)[key], value, `${path}.${key}`)
      : [`${path}.${key}`],
  );
}

describe("Hetzner's example JSON", () => {
  it('is read by the client schemas: zone, RRSet, actions, pagination, error envelopes', () => {
    const zone = zoneSchema.parse(example('create_zone')['zone']);
    expect(zone).toMatchObject({ id: 42, name: 'example.com', mode: 'primary', ttl: 3600 });
    expect(actionSchema.parse(example('create_zone')['action']).status).toBe('running');
    const rrset = rrsetSchema.parse(example('create_zone_rrset')['rrset']);
    expect(rrset).toMatchObject({ id: 'www/A', name: 'www', ttl: 3600, zone: 42 });
    expect(rrset.records[0]?.comment).toBe('My web server at Hetzner Cloud.');
    expect(actionSchema.parse(example('create_zone_rrset')['action']).command).toBe('create_rrset');
    expect(actionSchema.parse(example('change_zone_protection')['action']).finished).toBeNull();
    expect(metaSchema.parse(example('list_meta')['meta']).pagination.next_page).toBe(3);
    const invalid = errorEnvelopeSchema.parse(example('error_invalid_input'));
    expect(invalidFieldsOf(invalid.error.details)).toEqual([
      { name: 'broken_field', messages: ['is too long'] },
    ]);
    const unique = errorEnvelopeSchema.parse(example('error_uniqueness'));
    expect(unique.error.code).toBe('uniqueness_error');
    expect(invalidFieldsOf(unique.error.details)).toEqual([{ name: 'public_key', messages: [] }]);
  });
});

describe('the fake answers with every field of the examples', () => {
  let fake: FakeHetzner;
  const headers = { authorization: 'Bearer test-token', 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${fake.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as Json;
  };

  beforeAll(async () => {
    fake = await startFakeHetzner();
    fake.addZone({ name: 'example.com', labels: { key: 'value' } });
  });
  afterAll(() => fake.close());

  it('zones, RRSet writes and their actions, RRSet lists, pagination and errors', async () => {
    const zone = await call('GET', '/zones/example.com');
    expect(missingKeys(zone['zone'], example('create_zone')['zone'])).toEqual([]);
    const created = await call('POST', '/zones/example.com/rrsets', {
      name: 'www',
      type: 'A',
      ttl: 3600,
      labels: { key: 'value' },
      records: [{ value: '198.51.100.1', comment: 'My web server at Hetzner Cloud.' }],
    });
    expect(missingKeys(created, example('create_zone_rrset'))).toEqual([]);
    // a second action on the record set is refused as locked until the first is done
    const id = (created['action'] as Json)['id'] as number;
    for (let poll = 0; poll < 10; poll++) {
      const actions = (await call('GET', `/actions?id=${id}`))['actions'] as Json[];
      expect(missingKeys(actions[0], example('create_zone_rrset')['action'])).toEqual([]);
      if (actions[0]?.['status'] === 'success') break;
    }
    const duplicate = await call('POST', '/zones/example.com/rrsets', {
      name: 'www',
      type: 'A',
      records: [{ value: '198.51.100.1' }],
    });
    expect(missingKeys(duplicate, { error: { code: '', message: '' } })).toEqual([]);
    expect((duplicate['error'] as Json)['code']).toBe('uniqueness_error');
    const protectedAction = await call('POST', '/zones/example.com/rrsets/www/A/actions/change_protection', {
      change: true,
    });
    expect(missingKeys(protectedAction, example('change_zone_protection'))).toEqual([]);
    const list = await call('GET', '/zones/example.com/rrsets');
    expect(missingKeys(list['meta'], example('list_meta')['meta'])).toEqual([]);
    const www = (list['rrsets'] as Json[]).find((r) => r['name'] === 'www');
    expect(missingKeys(www, example('create_zone_rrset')['rrset'])).toEqual([]);
    const invalid = await call('POST', '/zones/example.com/rrsets', {
      name: 'WWW.example.com.',
      type: 'A',
      records: [{ value: '198.51.100.1' }],
    });
    expect(missingKeys(invalid, example('error_invalid_input'))).toEqual([]);
  });
});
