import type { AppConfig } from '../../../shared/config';
import { maskConfig, maskRedisUrl } from '../../../shared/config';
import { fogisMatchSchema, type FogisMatch } from '../../../shared/messages';
import { STATUS_PARTS, type Status } from '../../../shared/status';
import { sayReason } from '../../../shared/i18n/say';
import { checkMatchList } from '../messages/match-gate';
import { MAX_MATCHES } from '../messages/parse-message';
import { HttpError, jsonBody, sendJson } from './respond';
import { nowIso, type RouteDeps, type RouteHandler, type Routes } from './http-app';
import { failure } from '../../../shared/text-ref';

/**
 * The Python calendar service's routes (spec §4) with their exact keys and status codes: its
 * verification commands and scripts call them as written. Two of them back Bridge operations
 * (shared/contract-channels.ts points `restartSubscription` and `testConnection` here), and
 * they are the only writes a loopback client may send without the token (server.ts).
 */
export function pythonRoutes({ app, maxBody }: RouteDeps): Routes {
  const h = app.handlers;
  const post = (fn: () => Promise<{ status: number; body: unknown }>): RouteHandler => async ({ req, res }) => {
    // These routes take no input; a body is still read and checked (size, JSON type) like any write's.
    await jsonBody(req, maxBody(), true);
    const out = await fn();
    sendJson(res, out.status, out.body);
  };
  const statusObject = (): Record<string, unknown> => {
    const c = app.connection();
    const cfg = app.config();
    return {
      enabled: cfg.redis.enabled,
      connected: c.connected,
      subscribed: c.subscribed,
      // The Python service meant "the redis library imported" (spec §3.5), always true here;
      // this says whether the Redis server answers on the live connection (false while the
      // host is not found, refused, or silent).
      redis_available: c.connected,
      state: c.state,
      state_since: c.stateSince,
      reason: c.reason,
      reason_code: c.reasonCode?.key.replace(/^reason\./, '') ?? null,
      possibly_stale: c.possiblyStale,
      stale_since: c.staleSince,
    };
  };
  return {
    '/health': {
      GET: ({ res }) => {
        const c = app.connection();
        const st = app.status();
        const en = (r: Status['headline']): string => sayReason('en', r, { time: (iso) => iso });
        // `status` keeps its two values; it now follows the one status, not only Redis:
        // "healthy" when nothing needs attention (or listening is deliberately off).
        const healthy = st.level === 'ok' || (st.level === 'off' && c.state === 'disabled');
        sendJson(res, 200, {
          status: healthy ? 'healthy' : 'degraded',
          version: app.version,
          redis_state: c.state,
          uptime: app.uptimeSeconds(),
          timestamp: nowIso(),
          level: st.level,
          summary: en(st.headline),
          demo: st.demo,
          parts: Object.fromEntries(
            STATUS_PARTS.map((name) => [name, { level: st.parts[name].level, reasons: st.parts[name].reasons.map((r) => ({ code: r.code, text: en(r) })) }]),
          ),
        });
      },
    },
    '/redis-status': {
      GET: ({ res }) => sendJson(res, 200, { success: true, timestamp: nowIso(), redis_status: statusObject() }),
    },
    '/redis-stats': {
      GET: ({ res }) => {
        const c = app.counters();
        const conn = app.connection();
        sendJson(res, 200, {
          success: true,
          stats: {
            subscription_active: conn.subscribed,
            channels: conn.channels.length ? conn.channels : channelsOf(app.config()),
            timestamp: nowIso(),
            messages_received: c.messages_received,
            messages_processed: c.messages_processed,
            errors: c.errors,
            reconnect_count: c.reconnect_count,
            duplicates: c.duplicates,
            internal_errors: c.internal_errors,
            by_type: c.by_type,
            by_channel: c.by_channel,
            by_generation: c.by_generation,
            rejected_by_reason: c.rejected_by_reason,
            schema_version_stats: c.schema_version_stats,
            last_message_time: c.last_message_time,
            uptime: app.uptimeSeconds(),
          },
        });
      },
    },
    '/redis-test': {
      POST: post(async () => {
        const r = await h.testConnection();
        return {
          status: r.success ? 200 : 503,
          body: { success: r.success, test_results: { ...statusObject(), ping_ms: r.ping_ms, pubsub_roundtrip_ms: r.pubsub_roundtrip_ms }, ...(r.error ? { error: r.error } : {}), ...(r.errorCode ? { errorCode: r.errorCode } : {}), timestamp: nowIso() },
        };
      }),
    },
    '/redis-restart': {
      POST: post(async () => {
        // The Python service's keys, plus `errorCode` for the dashboard's language (issue 14.1).
        if (!app.config().redis.enabled) return { status: 400, body: { success: false, message: 'Redis is disabled', errorCode: failure('redisDisabled') } };
        const r = await app.restart();
        return r.ok
          ? { status: 200, body: { success: true, message: 'Redis subscription restarted', timestamp: nowIso() } }
          : { status: 500, body: { success: false, message: 'Failed to restart subscription', reason: r.reason, ...(r.errorCode ? { errorCode: r.errorCode } : {}), timestamp: nowIso() } };
      }),
    },
    '/manual-sync': {
      POST: async ({ req, res }) => {
        const matches = manualSyncMatches(await jsonBody(req, maxBody(), true));
        // The same semantic gate as a Redis list (match-gate.ts): real dates, the kickoff window, unique ids.
        const gate = checkMatchList(matches, Date.now(), app.config().calendar.timeZone);
        if (!gate.ok) throw new HttpError(400, `${gate.error.replace(/^payload\./, '')} (${gate.reason})`);
        const report = await app.manualSync(matches);
        sendJson(res, report.success ? 200 : 500, { success: report.success, matches_processed: matches.length, timestamp: nowIso(), summary: report.summary, report, ...(report.error ? { error: report.error } : {}) });
      },
    },
    '/redis-config': {
      GET: ({ res }) => {
        const cfg = app.config();
        sendJson(res, 200, {
          success: true,
          timestamp: nowIso(),
          config: {
            url: maskRedisUrl(cfg.redis.url),
            enabled: cfg.redis.enabled,
            timeout: cfg.redis.connectTimeoutMs / 1000,
            channels: { match_updates: cfg.redis.channels.matchUpdates, processor_status: cfg.redis.channels.processorStatus, system_alerts: cfg.redis.channels.systemAlerts },
          },
          effective: maskConfig(cfg),
        });
      },
    },
  };
}

/** `/manual-sync`'s body as FOGIS matches, or the 400 the original answers. */
function manualSyncMatches(body: unknown): FogisMatch[] {
  // spec §4: a falsy body ({} [] null or none) and a body without `matches` get different 400s.
  const falsy = body === undefined || body === null || body === false || body === 0 || body === '' || (Array.isArray(body) && body.length === 0) || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
  if (falsy) throw new HttpError(400, 'Missing JSON data in request');
  if (typeof body !== 'object' || Array.isArray(body) || !('matches' in body)) throw new HttpError(400, "Missing 'matches' in request data");
  const list = (body as { matches: unknown }).matches;
  if (!Array.isArray(list)) throw new HttpError(400, "'matches' must be a list of FOGIS matches");
  if (list.length > MAX_MATCHES) throw new HttpError(400, `'matches' has ${list.length} entries; at most ${MAX_MATCHES} are accepted in one list`);
  const matches: FogisMatch[] = [];
  for (const [i, m] of list.entries()) {
    const r = fogisMatchSchema.safeParse(m);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new HttpError(400, `matches[${i}]${issue?.path.length ? '.' + issue.path.join('.') : ''}: ${issue?.message ?? 'invalid match'}`);
    }
    matches.push(r.data);
  }
  return matches;
}

function channelsOf(cfg: AppConfig): string[] {
  return [cfg.redis.channels.matchUpdates, cfg.redis.channels.processorStatus, cfg.redis.channels.systemAlerts];
}
