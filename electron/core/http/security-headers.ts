import type { ServerResponse } from 'node:http';

/**
 * Headers on every response of the local server: API answers, the calendar and contact
 * files, the live stream, static files and errors alike (issue 9 item 8). A JSON or ICS
 * answer opened in a browser tab can then neither run nor embed anything, and no page may
 * frame the dashboard (clickjacking).
 */

/** The dashboard's own policy (the same as the desktop window's, plus `form-action 'self'`). */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Everything that is not the dashboard: nothing may load or frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export function setSecurityHeaders(res: ServerResponse, csp: string = API_CSP): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
}
