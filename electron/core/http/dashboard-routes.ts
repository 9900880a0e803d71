import type { z } from 'zod';
import { maskConfig } from '../../../shared/config';
import type { MonitorEvent } from '../../../shared/state';
import { fromWire, OP_NAMES, OPS, rowOf, type AnyRow, type OpName } from '../../../shared/contract';
import { fieldErrors } from '../config/load-config';
import { HttpError, issueText, jsonBody, sendJson } from './respond';
import { mergeRoutes, type RouteDeps, type RouteHandler, type Routes } from './http-app';

/**
 * The dashboard's API (`/api/*`): one route per operation of the contract table
 * (shared/contract.ts), served alike — input parsed with the row's schema (400 when it does
 * not fit), the core's handler called, `success:false` answered with the row's status — and
 * the few reads that are not Bridge operations (settings with their environment, the week's
 * history, the live stream, the takeover preview).
 */
export function dashboardRoutes(deps: RouteDeps): Routes {
  const { app, live } = deps;
  const snapshot = (): Extract<MonitorEvent, { kind: 'snapshot' }>['snapshot'] => (app.snapshotEvent() as Extract<MonitorEvent, { kind: 'snapshot' }>).snapshot;
  const reads: Routes = {
    '/api/config': { GET: ({ res }) => sendJson(res, 200, { success: true, config: maskConfig(app.config()), envFixed: app.envFixed() }) },
    '/api/history': { GET: ({ res }) => sendJson(res, 200, app.history()) },
    '/api/events': { GET: ({ req, res }) => live.open(req, res, req.method === 'HEAD', {}) },
    // Issue 10 §2: what taking over a calendar that already holds FOGIS events does (confirmed by a contract route).
    '/api/calendar/takeover': { GET: ({ res }) => sendJson(res, 200, { takeover: snapshot().calendar.takeover ?? null }) },
  };
  const ops: Routes = {};
  for (const name of OP_NAMES) {
    const { http } = OPS[name];
    // The Python service's routes keep their own keys (python-routes.ts).
    if ('seed' in http) continue;
    ops[http.path] = { [http.method]: operationRoute(name, deps) };
  }
  return mergeRoutes(reads, ops);
}

function operationRoute(name: OpName, { app, maxBody }: RouteDeps): RouteHandler {
  const { http, arg } = OPS[name];
  const row = rowOf(name);
  const failStatus = 'failStatus' in http ? http.failStatus : undefined;
  // The table types each handler; called generically here, with input its schema just parsed.
  const handler = app.handlers[name] as (...args: unknown[]) => Promise<unknown>;
  return async ({ req, res, url }) => {
    let args: unknown[] = [];
    if (http.method === 'GET') {
      if (row.input) args = fromWire(arg, parseInput(row, row.input, queryObject(url)));
    } else {
      // Every write reads its body (size, JSON type and syntax are checked even when unused);
      // a PUT replaces something and must say with what.
      const body = await jsonBody(req, maxBody(), http.method === 'POST');
      if (row.input) args = fromWire(arg, parseInput(row, row.input, body));
    }
    const result = await handler.call(app.handlers, ...args);
    const failed = failStatus !== undefined && (result as { success?: unknown }).success === false;
    sendJson(res, failed ? failStatus : 200, result);
  };
}

/**
 * The wire value checked by the row's schema. A refusal is a 400 with `{success:false, error}`;
 * a row that can name fields (settings) answers with its own refusal and the field errors.
 */
function parseInput(row: AnyRow, schema: z.ZodType, value: unknown): unknown {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const detail = `Invalid request: ${issueText(r.error)}`;
  if (!row.refuse) throw new HttpError(400, detail);
  const errors = fieldErrors(r.error, value).map((e) => (e.path === '(root)' ? { ...e, path: '(body)' } : e));
  const { success: _failed, error, ...extra } = row.refuse(detail, errors) as { success: boolean; error?: string };
  throw new HttpError(400, error ?? detail, extra);
}

/** `?limit=&before=` as an object; the API's query parameters are whole numbers (400 names the one that is not). */
function queryObject(url: URL): Record<string, number> {
  const q: Record<string, number> = {};
  for (const [key, value] of url.searchParams) {
    if (key === 'token') continue;
    if (!/^\d{1,15}$/.test(value)) throw new HttpError(400, `Invalid request: ${key} must be a whole number`);
    q[key] = Number(value);
  }
  return q;
}
