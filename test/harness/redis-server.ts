import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A real redis-server for tests, on a free loopback port, in its own temp directory. Never
 * port 6379: the machine may run a Redis of its own.
 */
export interface TestRedis {
  port: number;
  url: string;
  /** Stop gracefully (SIGTERM) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  /** Start again on the same port (after stop/kill). */
  restart(extraArgs?: string[]): Promise<void>;
  pause(): void;
  resume(): void;
  readonly process: ChildProcess | null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

export async function startRedis(opts: { port?: number; args?: string[] } = {}): Promise<TestRedis> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), 'fogis-redis-'));
  let child: ChildProcess | null = null;
  let baseArgs = opts.args ?? [];

  const launch = async (extra: string[] = []): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...baseArgs, ...extra];
    child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    await waitForPort(port, 5000);
  };
  const waitExit = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));

  await launch();
  const handle: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get process() {
      return child;
    },
    async stop() {
      const c = child;
      if (!c) return;
      child = null;
      c.kill('SIGCONT');
      c.kill('SIGTERM');
      await waitExit(c);
    },
    async kill() {
      const c = child;
      if (!c) return;
      child = null;
      c.kill('SIGKILL');
      await waitExit(c);
    },
    async restart(extraArgs?: string[]) {
      if (extraArgs) baseArgs = [...(opts.args ?? []), ...extraArgs];
      await launch();
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
  const cleanup = (): void => {
    try {
      child?.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', cleanup);
  const origStop = handle.stop;
  handle.stop = async () => {
    await origStop();
    rmSync(dir, { recursive: true, force: true });
  };
  return handle;
}
