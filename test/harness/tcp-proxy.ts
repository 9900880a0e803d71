import { createServer, connect, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server, for faults a real Redis does not make on
 * demand: a slow line (answers trickle in), a line that goes silent, and a hook that sees what
 * the client sends (to act at the moment a PING leaves).
 */
export interface TcpProxy {
  port: number;
  url: string;
  /** Server→client bytes at most `bytes` per `everyMs`; null: as fast as they come. */
  pace(rate: { bytes: number; everyMs: number } | null): void;
  /** Stop forwarding server→client bytes (they are kept, not dropped); false resumes. */
  silence(on: boolean): void;
  /** Called with each client→server chunk after it has been forwarded. */
  onClientData(hook: ((chunk: Buffer) => void) | null): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let rate: { bytes: number; everyMs: number } | null = null;
  let silent = false;
  let clientHook: ((chunk: Buffer) => void) | null = null;
  const pumps = new Set<() => void>();
  const sockets = new Set<Socket>();

  const server = createServer((down) => {
    const up = connect(target.port, target.host);
    sockets.add(down).add(up);
    const queue: Buffer[] = [];
    let timer: NodeJS.Timeout | null = null;
    const pump = (): void => {
      if (timer || silent) return;
      while (queue.length > 0) {
        if (!rate) {
          down.write(Buffer.concat(queue.splice(0)));
          return;
        }
        const head = queue[0] as Buffer;
        const part = head.subarray(0, rate.bytes);
        if (part.length === head.length) queue.shift();
        else queue[0] = head.subarray(rate.bytes);
        down.write(part);
        timer = setTimeout(() => {
          timer = null;
          pump();
        }, rate.everyMs);
        return;
      }
    };
    pumps.add(pump);
    up.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      pump();
    });
    down.on('data', (chunk: Buffer) => {
      up.write(chunk);
      clientHook?.(chunk);
    });
    const end = (): void => {
      if (timer) clearTimeout(timer);
      pumps.delete(pump);
      down.destroy();
      up.destroy();
      sockets.delete(down);
      sockets.delete(up);
    };
    up.on('close', end).on('error', end);
    down.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pace(r) {
      rate = r;
    },
    silence(on) {
      silent = on;
      if (!on) for (const p of pumps) p();
    },
    onClientData(hook) {
      clientHook = hook;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
