// Small helpers for benchmark output: medians, timing and peak memory.
import { performance } from 'node:perf_hooks';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Runs `fn` `runs` times (after one warm-up) and returns the median wall time in ms. */
export async function timeMedian(fn: () => unknown, runs: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc?.();
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * Peak heap growth while `fn` runs, sampled every millisecond of event-loop time and at the end;
 * a synchronous `fn` is measured by the heap left after it returns (before collection).
 */
export async function peakHeapMiB(fn: () => unknown): Promise<number> {
  gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 1);
  const result = await fn();
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  clearInterval(timer);
  void result;
  return (peak - base) / 2 ** 20;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
