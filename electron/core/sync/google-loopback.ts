import http from 'node:http';
import { failure } from '../../../shared/text-ref';
import { CodedError } from '../coded-error';

/**
 * The installed-app loopback redirect (RFC 8252): an ephemeral 127.0.0.1 port that answers
 * one valid redirect, the one carrying our `state`.
 */
export interface LoopbackRedirect {
  readonly redirectUri: string;
  /** Opens the consent page and resolves with the code of the redirect that carries `state`. */
  waitForCode(opts: { url: string; state: string; openUrl: (url: string) => void; timeoutMs: number }): Promise<string>;
  close(): void;
}

export async function openLoopbackRedirect(): Promise<LoopbackRedirect> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const redirectUri = `http://127.0.0.1:${port}/`;
  return {
    redirectUri,
    waitForCode: ({ url, state, openUrl, timeoutMs }) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new CodedError('sign-in timed out', failure('googleSignInTimeout'))), timeoutMs);
        timer.unref?.();
        server.on('request', (req, res) => {
          const u = new URL(req.url ?? '/', redirectUri);
          const answer = (status: number, text: string): void => {
            res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
            res.end(`<!doctype html><meta charset="utf-8"><title>FOGIS Monitor</title><p>${text}</p>`);
          };
          if (u.searchParams.get('state') !== state) {
            // Not our redirect (or forged): refuse it and keep waiting for the real one.
            answer(400, 'This sign-in link is not valid.');
            return;
          }
          clearTimeout(timer);
          const error = u.searchParams.get('error');
          const got = u.searchParams.get('code');
          if (error || !got) {
            answer(400, 'Sign-in was cancelled. You can close this window.');
            reject(new CodedError(`sign-in refused: ${error ?? 'no code'}`, failure('googleSignInRefused', { detail: error ?? 'no code' })));
            return;
          }
          answer(200, 'FOGIS Monitor is now connected to Google Calendar. You can close this window.');
          resolve(got);
        });
        try {
          openUrl(url);
        } catch (err) {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      }),
    close: () => {
      server.closeAllConnections?.();
      server.close();
    },
  };
}
