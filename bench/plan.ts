// bench/plan: the planner against a minimal keyed diff of the same two lists, measured in one run.
import { calculatePlan, type Endpoint } from '@openova/dns-core';
import { driftedZone } from './data.js';
import { fmt, peakHeapMiB, timeMedian } from './stats.js';

/** The baseline: one map by key, compare targets. What any diff must at least do. */
export function keyedDiff(current: readonly Endpoint[], desired: readonly Endpoint[]) {
  const key = (e: Endpoint) => `${e.dnsName}\u0000${e.recordType}\u0000${e.setIdentifier}`;
  const byKey = new Map<string, Endpoint>();
  for (const e of current) byKey.set(key(e), e);
  const create: Endpoint[] = [];
  const update: Endpoint[] = [];
  for (const d of desired) {
    const k = key(d);
    const c = byKey.get(k);
    if (!c) create.push(d);
    else {
      if ([...c.targets].sort().join() !== [...d.targets].sort().join()) update.push(d);
      byKey.delete(k);
    }
  }
  return { create, update, delete: [...byKey.values()] };
}

export interface PlanBenchRow {
  size: number;
  plannerMs: number;
  baselineMs: number;
  ratio: number;
  plannerPeakMiB: number;
  baselinePeakMiB: number;
  changes: number;
}

export async function benchPlan(sizes: number[]): Promise<PlanBenchRow[]> {
  const rows: PlanBenchRow[] = [];
  for (const size of sizes) {
    const { current, desired } = driftedZone(size, 0.01);
    const runs = size >= 1_000_000 ? 3 : size >= 100_000 ? 7 : 15;
    const planner = () => calculatePlan({ current, desired, policy: 'sync', ownerId: 'bench' });
    const baseline = () => keyedDiff(current, desired);
    const result = planner();
    const base = baseline();
    // both must find the same drift, or the comparison means nothing
    if (
      result.create.length !== base.create.length ||
      result.updateNew.length !== base.update.length ||
      result.delete.length !== base.delete.length
    ) {
      throw new Error(
        `planner and baseline disagree at ${size}: ${result.create.length}/${result.updateNew.length}/${result.delete.length} vs ${base.create.length}/${base.update.length}/${base.delete.length}`,
      );
    }
    // interleave so machine noise hits both alike
    const baselineMs = await timeMedian(baseline, runs);
    const plannerMs = await timeMedian(planner, runs);
    rows.push({
      size,
      plannerMs,
      baselineMs,
      ratio: plannerMs / baselineMs,
      plannerPeakMiB: await peakHeapMiB(planner),
      baselinePeakMiB: await peakHeapMiB(baseline),
      changes: result.create.length + result.updateNew.length + result.delete.length,
    });
  }
  return rows;
}

export function printPlanBench(rows: PlanBenchRow[]): void {
  console.log('bench/plan: calculatePlan vs a minimal keyed diff (1% drift: ½ updated, ¼ deleted, ¼ new)');
  console.log(
    '| endpoints (current = desired) | changes | planner median ms | baseline median ms | ratio | planner peak heap MiB | baseline peak heap MiB | planner µs/endpoint |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.size.toLocaleString('en-US')} | ${r.changes} | ${fmt(r.plannerMs)} | ${fmt(r.baselineMs)} | ${fmt(r.ratio, 2)} | ${fmt(r.plannerPeakMiB)} | ${fmt(r.baselinePeakMiB)} | ${fmt((r.plannerMs * 1000) / r.size, 2)} |`,
    );
  }
}
