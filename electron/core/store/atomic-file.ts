import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { errorText, type Logger } from '../log';

/**
 * Crash-safe file writes: write a temp file beside the target, fsync it, rename over the
 * target, fsync the directory. A reader sees the old or the new file, never half of one.
 */
/** A file's content: bytes, a text, or a text in pieces (written in order, never joined: see `writeParts`). */
export type FileContent = string | Uint8Array | readonly string[];

export async function writeFileAtomic(file: string, data: FileContent, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  // Private by default: the data directory's files hold personal data (data-dir.ts).
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`);
  const handle = await fs.open(tmp, 'w', mode);
  try {
    if (typeof data === 'string') await writeText(handle, data);
    else if (data instanceof Uint8Array) await handle.writeFile(data);
    else await writeParts(handle, data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  try {
    const dh = await fs.open(dir, fsConstants.O_RDONLY);
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Directory fsync is not supported everywhere (Windows); the rename is still atomic.
  }
}

/** Characters encoded per write: ~0.2 ms of UTF-8 encoding each (issue 12: one turn ≤ ~5 ms). */
export const ENCODE_CHUNK_CHARS = 128 * 1024;

/**
 * Writes `text` as UTF-8 a slice at a time. `writeFile(string)` encodes the whole text in one
 * go on the calling thread: 5–20 ms and a second copy for a 2–4 MB state file or calendar,
 * in the middle of the main thread's message handling. A slice never ends inside a surrogate
 * pair, so the bytes are exactly `Buffer.from(text)`.
 */
async function writeText(handle: fs.FileHandle, text: string): Promise<void> {
  for (let i = 0; i < text.length; ) {
    let end = Math.min(i + ENCODE_CHUNK_CHARS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const bytes = Buffer.from(text.slice(i, end), 'utf8');
    for (let off = 0; off < bytes.length; ) off += (await handle.write(bytes, off)).bytesWritten;
    i = end;
  }
}

/** Bytes gathered from small pieces before one write. */
const PARTS_BUFFER_BYTES = 256 * 1024;

/**
 * Writes the concatenation of `parts` as UTF-8 without building it: small pieces are encoded
 * into one reused buffer that is written whenever it could not take the next piece, a large
 * piece goes through `writeText`. Each turn encodes at most ~256 KB.
 */
async function writeParts(handle: fs.FileHandle, parts: readonly string[]): Promise<void> {
  const buf = Buffer.allocUnsafe(PARTS_BUFFER_BYTES);
  let used = 0;
  const drain = async (): Promise<void> => {
    for (let off = 0; off < used; ) off += (await handle.write(buf, off, used - off)).bytesWritten;
    used = 0;
  };
  for (const part of parts) {
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4).
    if (part.length * 3 > PARTS_BUFFER_BYTES - used) await drain();
    if (part.length * 3 > PARTS_BUFFER_BYTES) await writeText(handle, part);
    else used += buf.write(part, used, 'utf8');
  }
  await drain();
}

export type LoadResult<T> =
  | { status: 'ok'; value: T }
  | { status: 'missing' }
  | { status: 'corrupt'; movedTo: string | null; error: string };

/**
 * Reads and validates a JSON state file. A file that does not parse or fails the schema is
 * moved aside (`<name>.corrupt-<time>`) with a warning so the app starts clean instead of
 * refusing to start (issue: core §5).
 */
export async function readJsonFile<S extends z.ZodTypeAny>(
  file: string,
  schema: S,
  log: Logger,
): Promise<LoadResult<z.infer<S>>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return moveAside(file, `cannot read: ${errorText(err)}`, log);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return moveAside(file, `not valid JSON: ${errorText(err)}`, log);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const first = result.error.issues[0];
    return moveAside(file, `unexpected content at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`, log);
  }
  return { status: 'ok', value: result.data };
}

async function moveAside(file: string, error: string, log: Logger): Promise<{ status: 'corrupt'; movedTo: string | null; error: string }> {
  const target = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    await fs.rename(file, target);
    log.warn('store', `${path.basename(file)} was unreadable (${error}); moved aside to ${path.basename(target)}, starting clean`);
    return { status: 'corrupt', movedTo: target, error };
  } catch (err) {
    log.warn('store', `${path.basename(file)} was unreadable (${error}) and could not be moved aside: ${errorText(err)}`);
    return { status: 'corrupt', movedTo: null, error };
  }
}

/**
 * Words a failed write the same way every time (no temp-file names, which change on every
 * attempt and would make each retry look like a new error) and so a user can act on it.
 */
export function describeWriteError(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const what: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EROFS: 'the file system is read-only',
    EACCES: 'no permission to write there',
    EPERM: 'the file or folder may not be changed (permissions or immutable attribute)',
    EIO: 'an input/output error on the disk',
    ENOENT: 'the data folder is missing',
  };
  const text = code && what[code] ? `${what[code]} (${code})` : errorText(err).replace(/'[^']*\.tmp'/g, 'a temporary file');
  return `cannot save ${path.basename(file)} in ${path.dirname(file)}: ${text}`;
}

/** Retry delays after a failed write: 1, 2, 4, 8, then every 10 s until it works again. */
export const WRITE_RETRY_MS = [1_000, 2_000, 4_000, 8_000, 10_000] as const;

/**
 * Coalesces saves: `schedule()` writes at most once per `delayMs`, `flush()` writes now.
 * Write errors (full disk, read-only directory) are reported, never thrown at the caller.
 * A failed write is retried on its own (WRITE_RETRY_MS), so the state is saved and the error
 * clears as soon as space or write access returns, even if nothing else changes meanwhile.
 */
export class DebouncedWriter {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly file: string,
    private readonly produce: () => string | readonly string[],
    private readonly delayMs: number,
    private readonly onResult: (error: string | null) => void,
    private readonly mode = 0o600,
  ) {}

  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
    this.timer.unref?.();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    const delay = WRITE_RETRY_MS[Math.min(this.failures, WRITE_RETRY_MS.length) - 1] ?? WRITE_RETRY_MS[WRITE_RETRY_MS.length - 1];
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.dirty) void this.flush();
    }, delay);
    this.retryTimer.unref?.();
  }

  /** Stops retrying (shutdown). */
  cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    let data: string | readonly string[];
    try {
      data = this.produce();
    } catch (err) {
      // Producing the text failed (a bug the producer reports): treat it as a failed write and retry.
      this.dirty = true;
      this.failures++;
      this.onResult(`cannot prepare ${path.basename(this.file)}: ${err instanceof Error ? err.message : String(err)}`);
      this.scheduleRetry();
      return;
    }
    this.writing = writeFileAtomic(this.file, data, this.mode).then(
      () => {
        this.failures = 0;
        this.onResult(null);
      },
      (err: unknown) => {
        this.dirty = true;
        this.failures++;
        this.onResult(describeWriteError(this.file, err));
        this.scheduleRetry();
      },
    );
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }
}
