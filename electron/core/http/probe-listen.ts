import { createServer } from 'node:net';
import type { FieldErrorCode } from '../../../shared/field-error-codes';
import { errorText } from '../log';

/**
 * Tries to listen on host:port and closes again at once: null when it worked, else a plain
 * message and its code (the Settings page says `err.<code>`). Port 0 (any free port) always works.
 */
export async function probeListen(host: string, port: number): Promise<{ message: string; code: FieldErrorCode } | null> {
  if (port === 0) return null;
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve({ message: `port ${port} on ${host} is already in use`, code: 'portInUse' });
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') resolve({ message: `${host} is not an address of this computer`, code: 'notLocalAddress' });
      else if (err.code === 'EACCES') resolve({ message: `not allowed to listen on port ${port} (ports below 1024 need administrator rights)`, code: 'portPrivileged' });
      else resolve({ message: `cannot listen on ${host}:${port}: ${errorText(err)}`, code: 'cannotListen' });
    });
    srv.listen(port, host, () => srv.close(() => resolve(null)));
  });
}
