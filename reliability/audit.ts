import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { scenario, scrubAddresses, skippedRow, type Row } from './lib';

const GROUP = 'Supply chain';
const EXPECTATION = 'npm audit --omit=dev reports no high or critical advisory for the runtime dependencies';

export type AuditOutcome =
  | { kind: 'ok'; counts: Record<string, number>; total: number }
  | { kind: 'unavailable'; reason: string };

interface AuditJson {
  metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { prod?: number; total?: number } };
  message?: string;
  statusCode?: number;
  error?: { summary?: string };
}

/**
 * Runs `npm audit --omit=dev --json`. When the registry cannot answer audit requests (no
 * network, a mirror without the advisory endpoint) the outcome says so precisely; the caller
 * reports that as skipped, never as a pass.
 */
export function runAudit(cwd = path.resolve(import.meta.dirname, '..')): AuditOutcome {
  const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd, encoding: 'utf8', timeout: 90_000 });
  if (r.error) return { kind: 'unavailable', reason: `npm audit could not run: ${r.error.message}` };
  let parsed: AuditJson;
  try {
    parsed = JSON.parse(r.stdout) as AuditJson;
  } catch {
    return { kind: 'unavailable', reason: `npm audit printed no report (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300)}` };
  }
  const v = parsed.metadata?.vulnerabilities;
  if (!v) {
    const why = parsed.message ?? parsed.error?.summary ?? (r.stderr.trim().split('\n').pop() || 'no vulnerability summary in the report');
    return { kind: 'unavailable', reason: `the registry did not answer the audit request: ${why}` };
  }
  const total = Object.values(v).reduce((a, b) => a + b, 0) - (v.total ?? 0);
  return { kind: 'ok', counts: v, total };
}

export async function npmAudit(): Promise<Row> {
  const outcome = runAudit();
  // The reason quotes npm's error, which names the registry; the report names no address.
  if (outcome.kind === 'unavailable') return skippedRow(GROUP, 'npm audit --omit=dev', EXPECTATION, scrubAddresses(outcome.reason));
  return scenario(GROUP, 'npm audit --omit=dev', EXPECTATION, async (c, f) => {
    const v = outcome.counts;
    f.advisories = ['critical', 'high', 'moderate', 'low', 'info'].map((k) => `${k} ${v[k] ?? 0}`).join(', ');
    c.check((v.high ?? 0) === 0 && (v.critical ?? 0) === 0, `${v.high ?? 0} high, ${v.critical ?? 0} critical`);
  });
}
