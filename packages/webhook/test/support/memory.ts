// Memory of the running command: its peak resident set (VmHWM, Linux) and request bodies of a given size.
import { readFileSync } from 'node:fs';

/** Peak and current resident set of a process in MiB, from /proc (Linux). */
export function rssOf(pid: number): { peakMiB: number; nowMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMiB: kib('VmHWM') / 1024, nowMiB: kib('VmRSS') / 1024 };
}

/**
 * A `POST /adjustendpoints` body of about `mib` MiB: desired endpoints as ExternalDNS sends them
 * (A records with two targets and the labels its sources set), each about 230 bytes.
 */
export function adjustBody(mib: number, zone = 'example.com'): string {
  const parts: string[] = [];
  let size = 2;
  for (let i = 0; size < mib * 1024 * 1024; i++) {
    const text = JSON.stringify({
      dnsName: `host-${i}.apps.${zone}`,
      targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `192.0.2.${i % 250}`],
      recordType: 'A',
      recordTTL: 300,
      labels: { resource: `ingress/default/app-${i}`, owner: 'openova' },
    });
    parts.push(text);
    size += text.length + 1;
  }
  return `[${parts.join(',')}]`;
}
