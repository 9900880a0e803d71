import { app } from 'electron';
import { promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HIDDEN_ARG, LINUX_NAME, PRODUCT_NAME } from './app-id';

/**
 * Start at login. Electron's login-item API covers macOS and Windows only; on Linux it is a
 * wontfix (electron/electron#15198), so we write an XDG autostart entry ourselves, as
 * ipfs-desktop does. Off by default; the config field `ui.startAtLogin` is the source of
 * truth and this module only mirrors it into the OS.
 */

export interface Autostart {
  isEnabled(): Promise<boolean>;
  setEnabled(on: boolean): Promise<void>;
  /** Where the setting lives, for the log and the settings page. */
  readonly location: string;
}

/** Characters that force quoting in an Exec argument (Desktop Entry Spec, "The Exec key"). */
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * Quotes one Exec argument. Two layers of escaping apply: the Exec rules (inside double
 * quotes, `"` `` ` `` `$` `\` take a backslash) and then the general string-value rules,
 * which double every backslash again. `%` is a field code, so a literal one is `%%`.
 */
export function quoteExecArg(arg: string): string {
  if (/[\n\r]/.test(arg)) throw new Error('a login item path cannot contain a line break');
  let out = arg.replace(/%/g, '%%');
  if (out === '' || RESERVED.test(out)) out = `"${out.replace(/(["`$\\])/g, '\\$1')}"`;
  return out.replace(/\\/g, '\\\\');
}

export function desktopEntry(command: readonly string[], opts: { name?: string; comment?: string; icon?: string } = {}): string {
  const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${escapeValue(opts.name ?? PRODUCT_NAME)}`,
    `Comment=${escapeValue(opts.comment ?? 'Follows the FOGIS match processor and keeps your calendar in step')}`,
    `Exec=${command.map(quoteExecArg).join(' ')}`,
    `Icon=${escapeValue(opts.icon ?? LINUX_NAME)}`,
    'Terminal=false',
    'Categories=Utility;',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

const isInside = (dir: string, file: string): boolean => {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

const isRegularFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The AppImage this process really runs from, or null. An AppImage's `execPath` points into
 * a mount (APPDIR) that is gone after exit, so the image file (APPIMAGE) is what a login
 * item must start. Both variables are inherited by every child process, so a program
 * started from some other AppImage would carry that image's path: it is trusted only when
 * our own executable lives inside APPDIR and APPIMAGE names an existing regular file.
 */
export function runningAppImage(execPath: string, env: NodeJS.ProcessEnv, regularFile: (p: string) => boolean = isRegularFile): string | null {
  const image = env.APPIMAGE;
  const mount = env.APPDIR;
  if (!image || !mount || !path.isAbsolute(image) || !path.isAbsolute(mount)) return null;
  if (!isInside(path.resolve(mount), path.resolve(execPath))) return null;
  return regularFile(image) ? path.resolve(image) : null;
}

/** What the login item should run: the running executable (or its AppImage), hidden. */
export function launchCommand(input: {
  execPath: string;
  isPackaged: boolean;
  appPath: string;
  env: NodeJS.ProcessEnv;
}): string[] {
  const exe = runningAppImage(input.execPath, input.env) ?? input.execPath;
  return input.isPackaged ? [exe, HIDDEN_ARG] : [exe, input.appPath, HIDDEN_ARG];
}

/**
 * Whether this launch should stay in the tray. Linux and Windows pass `--hidden` on the
 * command line. A macOS login item gets no arguments (the `args` setting is Windows-only),
 * so there the OS is asked whether this launch came from the login item.
 */
export function startedHidden(argv: readonly string[], platform: NodeJS.Platform): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  if (platform !== 'darwin') return false;
  try {
    return app.getLoginItemSettings().wasOpenedAtLogin === true;
  } catch {
    return false;
  }
}

export function xdgAutostartFile(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || home, '.config');
  return path.join(base, 'autostart', `${LINUX_NAME}.desktop`);
}

export function createAutostart(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Autostart {
  if (platform === 'linux') {
    const file = xdgAutostartFile(env);
    return {
      location: file,
      async isEnabled() {
        try {
          const text = await fs.readFile(file, 'utf8');
          return !/^\s*(Hidden\s*=\s*true|X-GNOME-Autostart-enabled\s*=\s*false)\s*$/im.test(text);
        } catch {
          return false;
        }
      },
      async setEnabled(on) {
        if (!on) {
          await fs.rm(file, { force: true });
          return;
        }
        const command = launchCommand({ execPath: process.execPath, isPackaged: app.isPackaged, appPath: app.getAppPath(), env });
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, desktopEntry(command), { mode: 0o644 });
      },
    };
  }
  if (platform === 'darwin') {
    // No args: macOS would drop them (startedHidden asks wasOpenedAtLogin instead).
    return {
      location: 'macOS login items',
      async isEnabled() {
        return app.getLoginItemSettings().openAtLogin;
      },
      async setEnabled(on) {
        app.setLoginItemSettings({ openAtLogin: on });
      },
    };
  }
  // Windows: the Run key holds the command line, so `--hidden` arrives in argv.
  const args = app.isPackaged ? [HIDDEN_ARG] : [app.getAppPath(), HIDDEN_ARG];
  return {
    location: 'Windows Run registry key',
    async isEnabled() {
      return app.getLoginItemSettings({ path: process.execPath, args }).openAtLogin;
    },
    async setEnabled(on) {
      app.setLoginItemSettings({ openAtLogin: on, path: process.execPath, args });
    },
  };
}
