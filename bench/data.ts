// Synthetic zones for benchmarks: deterministic, so every run measures the same work.
import { endpoint, type Endpoint } from '@openova/dns-core';

const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** `n` owned A records and a desired set that differs by `drift` (a share, e.g. 0.01). */
export function driftedZone(
  n: number,
  drift: number,
  owner = 'bench',
): { current: Endpoint[]; desired: Endpoint[] } {
  const current: Endpoint[] = [];
  const desired: Endpoint[] = [];
  const every = Math.max(1, Math.round(1 / drift));
  for (let i = 0; i < n; i++) {
    const name = `r${i}.bench.example.com`;
    current.push(
      endpoint({ dnsName: name, recordType: 'A', targets: [ip(i)], recordTTL: 300, labels: { owner } }),
    );
    const kind = i % every === 0 ? (i / every) % 4 : -1; // 1 in `every` drifts: half updated, a quarter deleted, a quarter new
    if (kind === 2) continue; // deleted
    if (kind === 3) {
      desired.push(
        endpoint({ dnsName: `n${i}.bench.example.com`, recordType: 'A', targets: [ip(i)], recordTTL: 300 }),
      );
      desired.push(endpoint({ dnsName: name, recordType: 'A', targets: [ip(i)], recordTTL: 300 }));
      continue;
    }
    desired.push(
      endpoint({ dnsName: name, recordType: 'A', targets: [kind >= 0 ? ip(i + 1) : ip(i)], recordTTL: 300 }),
    );
  }
  return { current, desired };
}
