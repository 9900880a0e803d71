/**
 * HTTP load generator (own process): `concurrency` keep-alive clients each send GET <url>
 * back to back until `durationMs` passes. Prints one JSON line: requests, errors, rps, latency.
 * Usage: node loadgen.js <url> <concurrency> <durationMs>
 */
import http from 'node:http';

const [url, concArg, durArg] = process.argv.slice(2) as [string, string, string];
const concurrency = Number(concArg);
const durationMs = Number(durArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
const target = new URL(url);
let requests = 0;
let errors = 0;
let bytes = 0;
const lat: number[] = [];

function one(): Promise<void> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get({ host: target.hostname, port: target.port, path: target.pathname + target.search, agent }, (res) => {
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        if (res.statusCode === 200) {
          requests++;
          lat.push(performance.now() - t0);
        } else errors++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
  });
}

const start = performance.now();
const deadline = start + durationMs;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) await one();
  }),
);
const elapsed = (performance.now() - start) / 1000;
lat.sort((a, b) => a - b);
const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
process.stdout.write(`${JSON.stringify({ requests, errors, bytes, seconds: elapsed, rps: requests / elapsed, p50: q(0.5), p99: q(0.99) })}\n`);
agent.destroy();
