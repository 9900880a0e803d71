import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errorText, type Logger } from '../log';

/**
 * The data directory holds referees' and team contacts' phone numbers, addresses and e-mails
 * (state.json, the calendar files, contacts), the Redis password and the access token: only
 * its owner may read it (issue 9 finding 7). Created 0700; at every start, modes wider than
 * 0700 (folders) or 0600 (files) are narrowed, and temporary files left by a crash during a
 * save (atomic-file.ts) are removed.
 */

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** `.state.json.<pid>.<ms>.<random>.tmp`, as writeFileAtomic names them. */
const TEMP_FILE = /^\..+\.(\d+)\.\d+\.[a-z0-9]*\.tmp$/;

export interface DataDirReport {
  narrowed: string[];
  removedTemp: string[];
  problems: string[];
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function secureDataDir(dir: string, log: Logger, maxDepth = 3): Promise<DataDirReport> {
  const report: DataDirReport = { narrowed: [], removedTemp: [], problems: [] };
  await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  const walk = async (folder: string, depth: number): Promise<void> => {
    try {
      const st = await fs.stat(folder);
      if ((st.mode & 0o777 & ~DIR_MODE) !== 0) {
        await fs.chmod(folder, DIR_MODE);
        report.narrowed.push(folder);
      }
    } catch (err) {
      report.problems.push(`${folder}: ${errorText(err)}`);
      return;
    }
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch (err) {
      report.problems.push(`${folder}: ${errorText(err)}`);
      return;
    }
    for (const e of entries) {
      const p = path.join(folder, e.name);
      try {
        if (e.isDirectory()) {
          if (depth < maxDepth) await walk(p, depth + 1);
          continue;
        }
        if (!e.isFile()) continue;
        const temp = TEMP_FILE.exec(e.name);
        if (temp && !alive(Number(temp[1]))) {
          await fs.rm(p, { force: true });
          report.removedTemp.push(p);
          continue;
        }
        const st = await fs.stat(p);
        if ((st.mode & 0o777 & ~FILE_MODE) !== 0) {
          await fs.chmod(p, FILE_MODE);
          report.narrowed.push(p);
        }
      } catch (err) {
        report.problems.push(`${p}: ${errorText(err)}`);
      }
    }
  };
  await walk(dir, 0);
  if (report.narrowed.length > 0) log.warn('store', `made ${report.narrowed.length} item(s) in the data directory private to this user (they were readable by others): ${report.narrowed.map((p) => path.relative(dir, p) || '.').join(', ')}`);
  if (report.removedTemp.length > 0) log.info('store', `removed ${report.removedTemp.length} temporary file(s) left by an interrupted save`);
  for (const p of report.problems) log.warn('store', `cannot check the permissions of ${p}`);
  return report;
}
