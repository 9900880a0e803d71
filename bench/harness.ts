/**
 * The small helpers every benchmark step shares: rounding and medians, the log, time limits
 * and the step generation. The processes live in bench/subscribers.ts, the publishing that
 * drives and measures them in bench/publishing.ts. Steps live in bench/steps-*.ts;
 * bench/run.ts runs them, each within its own time.
 */
import path from 'node:path';

export const ROOT = process.cwd();
export const BENCH_DIST = path.join(ROOT, 'dist', 'bench');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const hr = (): bigint => process.hrtime.bigint();
export const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const quantile = (sorted: number[], q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN);
export const MB = (b: number): number => Math.round((b / 1048576) * 10) / 10;
export const r1 = (x: number): number => Math.round(x * 10) / 10;
export const r2 = (x: number): number => Math.round(x * 100) / 100;
export const r3 = (x: number): number => Math.round(x * 1000) / 1000;
export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: timed out after ${Math.round(ms / 1000)} s`)), ms)))]).finally(() => clearTimeout(t));
}

/**
 * Each step runs under a new generation; the loops of a step that ran out of time see the
 * generation move on and stop at their next turn instead of publishing behind the next
 * step's back.
 */
export const steps = { generation: 0 };
export function stepGuard(): () => void {
  const mine = steps.generation;
  return () => {
    if (steps.generation !== mine) throw new Error('step aborted (out of time)');
  };
}
