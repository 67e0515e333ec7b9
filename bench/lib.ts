/**
 * What every benchmark suite shares: the result file in BENCH.md's shape,
 * percentiles, and a short table on stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Metric {
  value: number;
  unit: string;
  note?: string;
}

export interface SuiteResult {
  suite: string;
  date: string;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string };
  params: Record<string, unknown>;
  metrics: Record<string, Metric>;
}

export interface SuiteContext {
  quick: boolean;
  args: string[];
}

export type Suite = (ctx: SuiteContext) => Promise<SuiteResult> | SuiteResult;

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

export function machine(): SuiteResult['machine'] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
  };
}

export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k]!;
}

/** Deterministic PRNG (mulberry32) so every run grows the same data and asks the same queries. */
export function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

export function writeResult(result: SuiteResult): string {
  const path = join(BENCH_DIR, 'results', `${result.suite}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
  return path;
}

export function printTable(result: SuiteResult): void {
  const rows = Object.entries(result.metrics).map(([name, m]) => [name, `${m.value} ${m.unit}`, m.note ?? '']);
  const w0 = Math.max(...rows.map((r) => r[0]!.length), 6);
  const w1 = Math.max(...rows.map((r) => r[1]!.length), 5);
  console.log(`\n${result.suite} — ${JSON.stringify(result.params)}`);
  for (const [a, b, c] of rows) console.log(`  ${a!.padEnd(w0)}  ${b!.padStart(w1)}  ${c}`);
}
