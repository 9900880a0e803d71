import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { getJson, waitUntil } from '../test/harness/app';
import { freePort, startRedis, type TestRedis } from '../test/harness/redis-server';
import { CHANNELS, cpuPercentOver, FAULT_BACKOFF as BACKOFF, GROUPS, headless, ms, pidOf, publishAndCount, receivedAfter, redisStats, redisStatus, scenario, skippedRow, sleep, statusMessage, pubRecvLost, waitStatus, type Row } from './lib';

/**
 * Redis topologies against the headless app (dist/headless.js): a Sentinel failover (master
 * killed; SENTINEL FAILOVER with the old master still up) and TLS with a private CA. They
 * share the group "Redis faults" with redis-faults.ts. Every scenario starts and stops its
 * own processes on 127.0.0.1.
 */

const GROUP = GROUPS.redis;

// ---- Sentinel ------------------------------------------------------------------------------

interface SentinelSet {
  master: TestRedis;
  replica: TestRedis;
  sentinelPorts: number[];
  stop(): Promise<void>;
}

export async function startSentinels(masterName: string): Promise<SentinelSet> {
  const master = await startRedis();
  const replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port), '--replica-announce-ip', '127.0.0.1'] });
  const dir = mkdtempSync(path.join(tmpdir(), 'fogis-sentinel-'));
  const children: ChildProcess[] = [];
  const sentinelPorts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = path.join(dir, `sentinel-${i}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        'sentinel announce-ip 127.0.0.1',
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-sentinel', [conf], { stdio: ['ignore', 'ignore', 'ignore'] });
    children.push(child);
    sentinelPorts.push(port);
  }
  const stop = async (): Promise<void> => {
    for (const ch of children) ch.kill('SIGKILL');
    await master.kill();
    await replica.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  // Wait until every sentinel knows the replica and the other two sentinels.
  const deadline = Date.now() + 20_000;
  for (const port of sentinelPorts) {
    for (;;) {
      const s = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      s.on('error', () => undefined);
      let ready = false;
      try {
        await s.connect();
        const replicas = (await s.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
        const peers = (await s.call('SENTINEL', 'SENTINELS', masterName)) as unknown[];
        ready = replicas.length >= 1 && peers.length >= 2;
      } catch {
        ready = false;
      } finally {
        s.disconnect();
      }
      if (ready) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`sentinel on ${port} did not see the replica and its peers within 20 s`);
      }
      await sleep(200);
    }
  }
  return { master, replica, sentinelPorts, stop };
}

export async function sentinelFailover(): Promise<Row> {
  if (spawnSync('sh', ['-c', 'command -v redis-sentinel']).status !== 0) {
    return skippedRow(GROUP, 'Sentinel failover', 'follows the promoted replica within 10 s', 'redis-sentinel is not installed');
  }
  const name = 'fogismaster';
  return scenario(GROUP, 'Sentinel: master killed, replica promoted', 'master + replica + 3 sentinels (down-after 1 s); after SIGKILL of the master the app follows the promoted replica within 10 s and keeps receiving', async (c, f, cleanup) => {
    const set = await startSentinels(name);
    cleanup(() => set.stop());
    const app = await headless({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_SENTINELS: set.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','), REDIS_SENTINEL_MASTER: name, ...BACKOFF });
    cleanup(() => app.stop());
    await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed via Sentinel');
    const before = await publishAndCount(set.master.url, app.baseUrl, 50);
    const killedAt = Date.now();
    await set.master.kill();
    await waitStatus(app.baseUrl, (s) => !s.subscribed, 5000, 'master loss detected', 20);
    const detectMs = Date.now() - killedAt;
    let followMs: number | null = null;
    try {
      await waitStatus(app.baseUrl, (s) => s.subscribed, 15_000, 'subscribed to the promoted replica', 50);
      followMs = Date.now() - killedAt;
    } catch {
      followMs = null;
    }
    const roleClient = new Redis(set.replica.url);
    const role = await roleClient.call('ROLE').then((r) => String((r as unknown[])[0])).catch(() => '?');
    roleClient.disconnect();
    const after = followMs !== null ? await publishAndCount(set.replica.url, app.baseUrl, 100) : { published: 0, delivered: 0, received: 0 };
    const numsub = await (async () => {
      const r = new Redis(set.replica.url);
      try {
        return (await r.call('PUBSUB', 'NUMSUB', CHANNELS.matches)) as unknown[];
      } finally {
        r.disconnect();
      }
    })();
    f['time to detect'] = `${ms(detectMs)} from the SIGKILL`;
    f['time to recover'] = followMs === null ? 'did not follow' : `${ms(followMs)} from the SIGKILL to subscribed on the new master`;
    f['replica role after failover'] = role;
    f['published / received / lost'] = pubRecvLost({ published: before.published + after.published, delivered: before.delivered + after.delivered, received: before.received + after.received });
    c.check(followMs !== null && followMs <= 10_000, `followed in ${followMs === null ? 'never' : `${followMs} ms`}`);
    c.check(role === 'master', `replica role ${role}`);
    c.check(Number(numsub[1]) === 1, 'subscribed on the promoted replica');
    c.check(after.delivered === 100 && after.received === 100, `after failover ${after.received}/${after.delivered}`);
  });
}

// ---- TLS -----------------------------------------------------------------------------------

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1/localhost signed by it, and an unrelated CA. */
function makeCerts(dir: string): { ca: string; cert: string; key: string; otherCa: string } {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=FOGIS Test CA', '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.crt'], dir);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Some Other CA', '-keyout', 'other.key', '-out', 'other.crt'], dir);
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key'), otherCa: path.join(dir, 'other.crt') };
}

export function redisHasTls(): { ok: boolean; detail: string } {
  const r = spawnSync('redis-server', ['--port', '0', '--tls-port', '1', '--tls-cert-file', '/nonexistent', '--tls-key-file', '/nonexistent', '--tls-auth-clients', 'no'], { encoding: 'utf8', timeout: 3000 });
  const out = `${r.stdout}${r.stderr}`;
  if (/not support|TLS support.*not|Bad directive|unknown option|FATAL CONFIG/i.test(out) && /tls-port/i.test(out)) return { ok: false, detail: out.trim().split('\n').slice(-3).join(' ') };
  return { ok: true, detail: 'redis-server accepts --tls-port' };
}

export async function tlsScenarios(): Promise<Row> {
  const tls = redisHasTls();
  if (!tls.ok) return skippedRow(GROUP, 'TLS (rediss:// + CA file)', 'connects with the CA; a wrong CA gives a clear error', `redis-server here was built without TLS: ${tls.detail}`);
  return scenario(GROUP, 'TLS: rediss:// with a private CA; a wrong CA', 'a redis-server with only a TLS port and a self-signed CA made by openssl at test time: the app subscribes with REDIS_TLS_CA_FILE and receives; with another CA it stays "connecting" with a "TLS error: …" reason', async (c, f, cleanup) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fogis-tls-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const certs = makeCerts(dir);
    const port = await freePort();
    const redis = await startRedis({ port, args: ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no'] });
    cleanup(() => redis.stop());
    const url = `rediss://127.0.0.1:${port}`;
    const good = await headless({ REDIS_URL: url, REDIS_TLS_CA_FILE: certs.ca, ...BACKOFF });
    cleanup(() => good.stop());
    const t0 = Date.now();
    await waitStatus(good.baseUrl, (s) => s.subscribed, 10_000, 'subscribed over TLS');
    const connectMs = Date.now() - t0;
    const before = (await redisStats(good.baseUrl)).messages_received;
    const pub = new Redis(url, { tls: { ca: readFileSync(certs.ca), servername: 'localhost' } });
    let delivered = 0;
    for (let i = 0; i < 50; i++) delivered += (await pub.publish(CHANNELS.status, statusMessage(i))) > 0 ? 1 : 0;
    pub.disconnect();
    const received = await receivedAfter(good.baseUrl, before, delivered, 5000);
    await good.stop();

    // The wrong CA is there from the start: the time runs from starting the app.
    const wrongStartedAt = Date.now();
    const wrong = await headless({ REDIS_URL: url, REDIS_TLS_CA_FILE: certs.otherCa, ...BACKOFF });
    cleanup(() => wrong.stop());
    let reason = '';
    const detectMs = await waitStatus(wrong.baseUrl, (s) => {
      reason = s.reason ?? '';
      return /TLS error/.test(reason);
    }, 10_000, 'TLS error reason').then(() => Date.now() - wrongStartedAt, () => null);
    const st = await redisStatus(wrong.baseUrl);
    const cpu = await cpuPercentOver(pidOf(wrong), 3000);

    const plain = await headless({ REDIS_URL: `redis://127.0.0.1:${port}`, ...BACKOFF });
    cleanup(() => plain.stop());
    let plainReason = '';
    await waitStatus(plain.baseUrl, (s) => {
      plainReason = s.reason ?? '';
      return s.reason !== null && s.reason !== 'not started';
    }, 15_000, 'plain-text reason').catch(() => null);

    f['time to connect'] = ms(connectMs);
    f['published / received / lost'] = pubRecvLost({ published: 50, delivered, received });
    f['wrong CA: time to detect'] = detectMs === null ? 'not detected' : `${ms(detectMs)} from starting the app`;
    f['wrong CA reason'] = reason;
    f['plain redis:// against the TLS port'] = plainReason;
    f['CPU while failing'] = `${cpu} %`;
    c.check(delivered === 50 && received === 50, 'messages over TLS received');
    c.check(detectMs !== null && /certificate|self[- ]signed|verify/i.test(reason), `wrong CA reason "${reason}"`);
    c.check(!st.subscribed && !st.connected, 'not connected with the wrong CA');
    c.check(cpu < 5, `CPU ${cpu} % with the wrong CA`);
    c.check(plainReason !== '', 'plain redis:// against TLS gives a reason');
  });
}

export async function sentinelGracefulFailover(): Promise<Row> {
  if (spawnSync('sh', ['-c', 'command -v redis-sentinel']).status !== 0) {
    return skippedRow(GROUP, 'Sentinel: graceful failover', 'moves to the new master', 'redis-sentinel is not installed');
  }
  const name = 'fogisgraceful';
  return scenario(GROUP, 'Sentinel: SENTINEL FAILOVER with the old master still up, then split brain', 'the old master stays reachable (demoted, then made a master again by hand): the app leaves it on +switch-master, subscribes on the new master within 10 s, shows it as its endpoint, and receives what is published there', async (c, f, cleanup) => {
    const set = await startSentinels(name);
    cleanup(() => set.stop());
    const app = await headless({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_SENTINELS: set.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','), REDIS_SENTINEL_MASTER: name, ...BACKOFF });
    cleanup(() => app.stop());
    await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed via Sentinel');
    const numsub = async (url: string): Promise<number> => {
      const r = new Redis(url);
      try {
        return Number(((await r.call('PUBSUB', 'NUMSUB', CHANNELS.matches)) as unknown[])[1]);
      } finally {
        r.disconnect();
      }
    };
    const sentinel = new Redis({ host: '127.0.0.1', port: set.sentinelPorts[0] });
    cleanup(() => sentinel.disconnect());
    const t0 = Date.now();
    await sentinel.call('SENTINEL', 'FAILOVER', name);
    let moved: number | null = null;
    await waitUntil(async () => (await numsub(set.replica.url)) === 1 && (await numsub(set.master.url)) === 0, 10_000, 'subscription on the new master', 100).then(() => (moved = Date.now() - t0), () => undefined);
    await waitStatus(app.baseUrl, (s) => s.subscribed, 5000, 'subscribed');
    const state = (await getJson(`${app.baseUrl}/api/state`)).body as { connection?: { endpoint?: string } };
    const endpoint = state.connection?.endpoint ?? '';
    // Split brain: the old master is made a master again; only the new master counts.
    const old = new Redis(set.master.url);
    await old.call('REPLICAOF', 'NO', 'ONE');
    old.disconnect();
    const after = await publishAndCount(set.replica.url, app.baseUrl, 50);
    f['time to recover'] = moved === null ? 'stayed on the old master' : `${ms(moved)} from SENTINEL FAILOVER to subscribed on the new master`;
    f.endpoint = endpoint;
    f['published / received / lost'] = pubRecvLost(after);
    c.check(moved !== null && moved <= 10_000, 'moved to the new master within 10 s');
    c.check(endpoint.includes(`:${set.replica.port}`), `endpoint "${endpoint}" names the new master`);
    c.check(after.delivered === 50 && after.received === 50, `on the new master: ${after.received}/${after.delivered}`);
  });
}
