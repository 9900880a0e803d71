import { promises as fs } from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  immutable: boolean;
}

/**
 * Resolves a URL path inside the dashboard build. Anything that escapes the root (`..`,
 * encoded slashes, NUL) is refused. Only `/` and real files answer: the dashboard has no
 * client-side paths (its views are tabs and `#compact`), so an unknown path is a 404, not the
 * dashboard with 200 that a monitoring script with a typo would read as success (issue 14).
 */
export async function readStatic(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const rootAbs = path.resolve(root);
  const rel = path.posix.normalize(decoded).replace(/^(\.\.(\/|$))+/, '');
  const target = path.resolve(rootAbs, '.' + path.posix.sep + rel);
  if (target !== rootAbs && !target.startsWith(rootAbs + path.sep)) return null;
  const tryFile = async (file: string): Promise<StaticFile | null> => {
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) return null;
      return { body: await fs.readFile(file), type: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', immutable: file.includes(`${path.sep}assets${path.sep}`) };
    } catch {
      return null;
    }
  };
  if (urlPath === '/') return tryFile(path.join(rootAbs, 'index.html'));
  return urlPath.endsWith('/') ? null : tryFile(target);
}
