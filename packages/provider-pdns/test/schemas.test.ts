import { describe, expect, it } from 'vitest';
import { zoneReader, zoneSchema } from '../src/schemas.js';

const zone = (rrsets: unknown) => ({ id: 'example.com.', name: 'example.com.', kind: 'Native', rrsets });

describe('zoneReader', () => {
  it('reads a zone like zoneSchema does, filling the same defaults', () => {
    const input = zone([
      { name: 'a.example.com.', type: 'A', ttl: 300, records: [{ content: '192.0.2.1' }] },
      {
        name: 'b.example.com.',
        type: 'TXT',
        ttl: 60,
        records: [{ content: '"x"', disabled: true }],
        comments: [{ content: 'hi' }],
      },
    ]);
    const viaZod = zoneSchema.safeParse(structuredClone(input));
    const fast = zoneReader.safeParse(structuredClone(input));
    expect(fast.success).toBe(true);
    expect(fast.data).toEqual(viaZod.data);
    expect(
      zoneReader.safeParse({ id: 'example.com.', name: 'example.com.', kind: 'Native' }).data?.rrsets,
    ).toBeUndefined();
  });

  it('hands malformed answers to zod for a precise error', () => {
    const bad = zoneReader.safeParse(zone([{ name: 'a.example.com.', type: 'A', ttl: '300', records: [] }]));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['rrsets', 0, 'ttl']);
    expect(
      zoneReader.safeParse(zone([{ name: 'a.', type: 'A', ttl: 1, records: [{ content: 5 }] }])).success,
    ).toBe(false);
    expect(zoneReader.safeParse('nope').success).toBe(false);
  });
});
