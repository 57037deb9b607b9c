// 500,000 invalid endpoints in one change set are a ValidationError listing each, not a RangeError.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@openova/dns-core';
import { safeParseChanges } from '@openova/dns-webhook';

const N = 500_000;

describe('lists of 500,000', () => {
  it(
    'the webhook change parser reports 500,000 invalid endpoints as a ValidationError',
    { timeout: 240_000 },
    () => {
      const create = Array.from({ length: N }, (_, i) => ({
        dnsName: `h${i}.example.com`,
        recordType: 'A',
        targets: ['300.1.1.1'],
      }));
      const parsed = safeParseChanges({ Create: create });
      expect(parsed.success).toBe(false);
      if (!parsed.success) {
        expect(parsed.error).toBeInstanceOf(ValidationError);
        expect(parsed.error.issues.length).toBeGreaterThanOrEqual(N);
      }
    },
  );
});
