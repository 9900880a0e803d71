import { protocol } from 'electron';
import type { Logger } from '../core/log';
import { APP_SCHEME, serveRendererRequest } from './renderer-files';

/**
 * The `app://renderer/` scheme the window loads the dashboard from (rules and headers in
 * renderer-files.ts). Privileges are registered before `ready`, as Electron requires:
 * standard (a real origin, relative URLs, storage), secure (like https: no mixed-content
 * downgrade), fetch. No bypassCSP, no service workers, no CORS for other origins.
 */

/** Must run before app `ready`, once per process. */
export function registerAppSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** The handler, exported so tests call it as Electron would, with a fetch Request. */
export function appProtocolHandler(rendererDir: string, log: Logger): (request: Request) => Promise<Response> {
  return async (request) => {
    const r = await serveRendererRequest(rendererDir, { url: request.url, method: request.method });
    if (r.status !== 200) log.warn('desktop', `[window] app:// ${request.method} ${request.url} answered ${r.status}`);
    return new Response(r.body === null ? null : new Uint8Array(r.body), { status: r.status, headers: r.headers });
  };
}

/** After `ready`: serve the built renderer folder. */
export function handleAppScheme(rendererDir: string, log: Logger): void {
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir, log));
}
