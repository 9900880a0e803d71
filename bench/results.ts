/**
 * The results of one benchmark run, as bench/run.ts fills them in, bench/report.ts prints them
 * and bench-results.json keeps them. A step that failed or was skipped leaves its part out and
 * says why under `errors`.
 */
import type { CalendarResult } from './calendar';
import type { ChangeResult } from './steps-change';
import type { DashboardResult, HttpLoadResult } from './steps-dashboard';
import type { DrainResult, MemoryResult, StartupResult } from './steps-memory';
import type { LatencyRow, ThroughputRow } from './steps-throughput';

export interface Machine {
  headless: string;
  /** Node/V8 flags our process ran with (`--node-flags=`); none by default. */
  nodeFlags?: string[];
  nproc: number;
  cpu: string;
  memGB: number;
  node: string;
  ioredis: string;
  redis: string | undefined;
  os: string;
  git: string;
  quick: boolean;
  date: string;
  loadavg: string;
}

/** The rows of the throughput step, by message set. */
export type ThroughputKey = 'small' | 'm10' | 'm1000' | 'm1000_pct1' | 'm1000_all';

export interface BenchResults {
  machine: Machine;
  /** The run's counts and budgets (quick or full). */
  params: Record<string, unknown>;
  /** Step name → why it failed or was skipped. */
  errors: Record<string, string>;
  startup?: StartupResult;
  throughput?: Partial<Record<ThroughputKey, ThroughputRow>>;
  latency?: Partial<Record<'m10', LatencyRow>>;
  memory?: MemoryResult;
  drain?: DrainResult;
  change?: ChangeResult;
  dashboard?: DashboardResult;
  http?: HttpLoadResult;
  /** Our process's own counters at the end (/redis-stats). */
  totals?: Record<string, number | undefined>;
  calendar?: CalendarResult;
  seconds?: number;
}
