/**
 * Area-prefixed logging (`[redis] …`). Every line passes through `redact`, so a secret that
 * slips into an error message (a Redis URL with a password, a bearer token) never reaches
 * the log.
 */
export type LogArea = 'redis' | 'sync' | 'http' | 'config' | 'store' | 'monitor' | 'app' | 'calendar' | 'google' | 'desktop' | 'contacts' | 'demo';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(area: LogArea, msg: string): void;
  info(area: LogArea, msg: string): void;
  warn(area: LogArea, msg: string): void;
  error(area: LogArea, msg: string): void;
  /**
   * One line that deliberately carries a secret and is not redacted: the dashboard address
   * with its access token, printed once at start (as Jupyter does). Loggers that cannot show
   * it to the user leave it out.
   */
  announce?(area: LogArea, msg: string): void;
}

const secrets = new Set<string>();

/** Register a value that must never appear in logs or responses (tokens, passwords). */
export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  // Known secrets first: a password with '@' or a space would otherwise be cut apart by the
  // address rule below and its tail would stay (issue 9 finding 6).
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join('****');
  // Any address with userinfo, up to the LAST '@' of the word, as the URL parser reads it.
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>]*)@/gi, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}****@` : `${scheme}${userinfo.slice(0, colon)}:****@`;
  });
  out = out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1****');
  return out;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createConsoleLogger(minLevel: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'): Logger {
  const min = LEVELS[minLevel] ?? LEVELS.info;
  const write = (level: LogLevel, area: LogArea, msg: string, unredacted = false): void => {
    if (LEVELS[level] < min) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${area}] ${unredacted ? msg : redact(msg)}`;
    if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
    else process.stdout.write(line + '\n');
  };
  return {
    debug: (a, m) => write('debug', a, m),
    info: (a, m) => write('info', a, m),
    warn: (a, m) => write('warn', a, m),
    error: (a, m) => write('error', a, m),
    announce: (a, m) => write('info', a, m, true),
  };
}

/**
 * A logger that keeps lines in memory; tests use it to assert on what was logged. The one
 * deliberate secret line (`announce`) is kept apart, so `lines` stays secret-free.
 */
export function createMemoryLogger(): Logger & { lines: string[]; announced: string[] } {
  const lines: string[] = [];
  const announced: string[] = [];
  const push = (level: LogLevel) => (area: LogArea, msg: string) => {
    lines.push(`${level} [${area}] ${redact(msg)}`);
  };
  return { lines, announced, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error'), announce: (area, msg) => void announced.push(`info [${area}] ${msg}`) };
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
