import { createServer } from 'node:net';
import { errorText } from '../log';

/**
 * Tries to listen on host:port and closes again at once: null when it worked, else a plain
 * message. Port 0 (any free port) always works.
 */
export async function probeListen(host: string, port: number): Promise<string | null> {
  if (port === 0) return null;
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(`port ${port} on ${host} is already in use`);
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') resolve(`${host} is not an address of this computer`);
      else if (err.code === 'EACCES') resolve(`not allowed to listen on port ${port} (ports below 1024 need administrator rights)`);
      else resolve(`cannot listen on ${host}:${port}: ${errorText(err)}`);
    });
    srv.listen(port, host, () => srv.close(() => resolve(null)));
  });
}
