/** Shared timing loop for the benchmarks: N concurrent loops until a deadline, latencies kept. */
import { performance } from 'node:perf_hooks';

export interface CaseResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Runs `writers` loops calling op(writer, i) until the deadline; op returns events written. */
export async function timed(
  writers: number,
  seconds: number,
  op: (writer: number, i: number) => Promise<number>,
): Promise<CaseResult> {
  const latencies: number[] = [];
  let events = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        const written = await op(w, i); // not `events += await`: that reads `events` before awaiting
        latencies.push(performance.now() - t0);
        events += written;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    events,
    seconds: round(elapsed, 2),
    eventsPerSecond: Math.round(events / elapsed),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

/** The median round by throughput. */
export const median = (results: readonly CaseResult[]): CaseResult => {
  const sorted = [...results].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)] as CaseResult;
};
