import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = path.resolve(import.meta.dirname, '../harness/process-guard-child.ts');

function run(mode: 'running' | 'starting'): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('process-level guards (headless shell; exported for the Electron shell)', () => {
  it('once running: an uncaught exception and an unhandled rejection are logged and reported, and the process goes on', async () => {
    const { code, out } = await run('running');
    expect(out).toContain('REPORT process: boom in a timer');
    expect(out).toContain('REPORT process: a rejected promise');
    expect(out).toMatch(/\[app\] uncaught exception \(the app keeps running\): Error: boom in a timer/);
    expect(out).toMatch(/\[app\] unhandled promise rejection \(the app keeps running\)/);
    expect(out).toContain('STILL RUNNING');
    expect(code).toBe(0);
  }, 30_000);

  it('during start-up: an uncaught exception still ends the process with exit code 1 and a clear message', async () => {
    const { code, out } = await run('starting');
    expect(code).toBe(1);
    expect(out).toMatch(/\[app\] could not start: boom in a timer/);
    expect(out).not.toContain('STILL RUNNING');
    expect(out).not.toContain('REPORT');
  }, 30_000);
});
