import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fake } from '../harness/fake-electron';
import { createAutostart, desktopEntry, launchCommand, quoteExecArg, runningAppImage, startedHidden, xdgAutostartFile } from '../../electron/desktop/autostart';

/**
 * Reads an Exec line back the way a Desktop Entry consumer does (string unescape, then
 * argument unquoting), so the tests prove a round trip rather than a fixed string only.
 */
function parseExec(value: string): string[] {
  const unescaped = value.replace(/\\(.)/g, (_m, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);
  const args: string[] = [];
  let i = 0;
  while (i < unescaped.length) {
    if (unescaped[i] === ' ') {
      i++;
      continue;
    }
    let arg = '';
    if (unescaped[i] === '"') {
      i++;
      while (i < unescaped.length && unescaped[i] !== '"') {
        if (unescaped[i] === '\\' && i + 1 < unescaped.length) i++;
        arg += unescaped[i];
        i++;
      }
      i++;
    } else {
      while (i < unescaped.length && unescaped[i] !== ' ') arg += unescaped[i++];
    }
    args.push(arg.replace(/%%/g, '%'));
  }
  return args;
}

describe('Exec quoting (Desktop Entry Specification)', () => {
  it('leaves plain paths alone', () => {
    expect(quoteExecArg('/opt/FOGIS/fogis-monitor')).toBe('/opt/FOGIS/fogis-monitor');
    expect(quoteExecArg('--hidden')).toBe('--hidden');
  });

  it('quotes paths with spaces', () => {
    expect(quoteExecArg('/home/anna/Mina program/FOGIS Monitor.AppImage')).toBe('"/home/anna/Mina program/FOGIS Monitor.AppImage"');
  });

  it('escapes the four special characters inside quotes, then doubles backslashes', () => {
    expect(quoteExecArg('/a"b')).toBe('"/a\\\\"b"');
    expect(quoteExecArg('/a$b')).toBe('"/a\\\\$b"');
    expect(quoteExecArg('/a`b')).toBe('"/a\\\\`b"');
    // A literal backslash takes four in the file, as the spec says.
    expect(quoteExecArg('/a\\b')).toBe('"/a\\\\\\\\b"');
  });

  it('doubles % (field codes)', () => {
    expect(quoteExecArg('/opt/100%/app')).toBe('/opt/100%%/app');
  });

  it('round-trips awkward paths', () => {
    const nasty = ["/home/o'brien/app", '/tmp/a b/"c"/$HOME/`x`/\\y/100%', '/åäö/Övning & test;(1)', ''];
    for (const p of nasty) expect(parseExec(quoteExecArg(p))).toEqual([p]);
    expect(parseExec([nasty[1] ?? '', '--hidden'].map(quoteExecArg).join(' '))).toEqual([nasty[1], '--hidden']);
  });

  it('refuses line breaks, which cannot be represented', () => {
    expect(() => quoteExecArg('/a\nb')).toThrow(/line break/);
  });
});

describe('launchCommand', () => {
  let dir: string;
  let image: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fogis-appimage-'));
    image = path.join(dir, 'FOGIS Monitor.AppImage');
    writeFileSync(image, 'ELF');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the AppImage file, not its temporary mount, when this process runs from it', () => {
    const env = { APPIMAGE: image, APPDIR: '/tmp/.mount_FOGISx' };
    expect(launchCommand({ execPath: '/tmp/.mount_FOGISx/fogis-monitor', isPackaged: true, appPath: '/x', env })).toEqual([image, '--hidden']);
  });

  it('never trusts an inherited APPIMAGE: our executable must live in its mount', () => {
    // Started from another AppImage's terminal: both variables are set, but not for us.
    const env = { APPIMAGE: image, APPDIR: '/tmp/.mount_Other1' };
    expect(launchCommand({ execPath: '/opt/FOGIS Monitor/fogis-monitor', isPackaged: true, appPath: '/x', env })).toEqual(['/opt/FOGIS Monitor/fogis-monitor', '--hidden']);
    // A mount whose name merely starts alike.
    expect(runningAppImage('/tmp/.mount_FOGISx2/fogis-monitor', { APPIMAGE: image, APPDIR: '/tmp/.mount_FOGISx' })).toBeNull();
    // No APPDIR at all.
    expect(runningAppImage('/tmp/.mount_FOGISx/fogis-monitor', { APPIMAGE: image })).toBeNull();
  });

  it('never trusts an APPIMAGE that is not an existing regular file', () => {
    const exe = '/tmp/.mount_FOGISx/fogis-monitor';
    const mount = '/tmp/.mount_FOGISx';
    expect(runningAppImage(exe, { APPIMAGE: path.join(dir, 'missing.AppImage'), APPDIR: mount })).toBeNull();
    expect(runningAppImage(exe, { APPIMAGE: dir, APPDIR: mount })).toBeNull();
    expect(runningAppImage(exe, { APPIMAGE: 'relative.AppImage', APPDIR: mount })).toBeNull();
    expect(runningAppImage(exe, { APPIMAGE: '', APPDIR: mount })).toBeNull();
    expect(runningAppImage(exe, { APPIMAGE: image, APPDIR: 'tmp/.mount_FOGISx' })).toBeNull();
    expect(runningAppImage(exe, { APPIMAGE: image, APPDIR: mount })).toBe(image);
    expect(launchCommand({ execPath: exe, isPackaged: true, appPath: '/x', env: { APPIMAGE: '/dev/null', APPDIR: mount } })).toEqual([exe, '--hidden']);
  });

  it('runs electron with the app path in development', () => {
    expect(launchCommand({ execPath: '/n/electron', isPackaged: false, appPath: '/src/app', env: {} })).toEqual(['/n/electron', '/src/app', '--hidden']);
  });
});

describe('XDG autostart on Linux', () => {
  let home: string;
  beforeEach(() => {
    fake.reset();
    home = mkdtempSync(path.join(os.tmpdir(), 'fogis-autostart-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('is off by default and writes ~/.config/autostart/fogis-monitor.desktop when enabled', async () => {
    // The running executable (this test's node) stands in for the AppImage's inner binary.
    const env = { HOME: home, APPIMAGE: path.join(home, 'Program filer', 'FOGIS Monitor.AppImage'), APPDIR: path.dirname(process.execPath) };
    mkdirSync(path.dirname(env.APPIMAGE), { recursive: true });
    writeFileSync(env.APPIMAGE, 'ELF');
    fake.app.isPackaged = true;
    const a = createAutostart('linux', env);
    expect(a.location).toBe(path.join(home, '.config', 'autostart', 'fogis-monitor.desktop'));
    expect(await a.isEnabled()).toBe(false);
    await a.setEnabled(true);
    expect(await a.isEnabled()).toBe(true);
    const text = readFileSync(a.location, 'utf8');
    expect(text).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Version=1.0',
        'Name=FOGIS Monitor',
        'Comment=Follows the FOGIS match processor and keeps your calendar in step',
        `Exec="${env.APPIMAGE}" --hidden`,
        'Icon=fogis-monitor',
        'Terminal=false',
        'Categories=Utility;',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
    const exec = /^Exec=(.*)$/m.exec(text)?.[1] ?? '';
    expect(parseExec(exec)).toEqual([env.APPIMAGE, '--hidden']);
    expect(statSync(a.location).mode & 0o777).toBe(0o644);
    await a.setEnabled(false);
    expect(existsSync(a.location)).toBe(false);
    expect(await a.isEnabled()).toBe(false);
    // Turning off twice is fine.
    await a.setEnabled(false);
  });

  it('respects XDG_CONFIG_HOME', () => {
    const cfg = path.join(home, 'cfg');
    expect(xdgAutostartFile({ XDG_CONFIG_HOME: cfg, HOME: home })).toBe(path.join(cfg, 'autostart', 'fogis-monitor.desktop'));
    // A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
    expect(xdgAutostartFile({ XDG_CONFIG_HOME: 'rel', HOME: home })).toBe(path.join(home, '.config', 'autostart', 'fogis-monitor.desktop'));
  });

  it('treats an entry the user disabled in their session settings as off', async () => {
    const a = createAutostart('linux', { HOME: home });
    mkdirSync(path.dirname(a.location), { recursive: true });
    writeFileSync(a.location, desktopEntry(['/x']).replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
    expect(await a.isEnabled()).toBe(false);
    writeFileSync(a.location, `${desktopEntry(['/x'])}Hidden=true\n`);
    expect(await a.isEnabled()).toBe(false);
  });

  it('uses electron + app path in development', async () => {
    const a = createAutostart('linux', { HOME: home });
    fake.app.appPath = '/src/fogis monitor';
    await a.setEnabled(true);
    const exec = /^Exec=(.*)$/m.exec(readFileSync(a.location, 'utf8'))?.[1] ?? '';
    expect(parseExec(exec)).toEqual([process.execPath, '/src/fogis monitor', '--hidden']);
    fake.app.appPath = process.cwd();
  });
});

describe('login items on macOS and Windows', () => {
  beforeEach(() => fake.reset());

  it('Windows: the Run key carries --hidden and the executable', async () => {
    fake.app.isPackaged = true;
    const win = createAutostart('win32', {});
    expect(await win.isEnabled()).toBe(false);
    await win.setEnabled(true);
    expect(fake.app.loginItem).toEqual({ openAtLogin: true, args: ['--hidden'], path: process.execPath });
    expect(await win.isEnabled()).toBe(true);
    await win.setEnabled(false);
    expect(fake.app.loginItem.openAtLogin).toBe(false);
  });

  it('macOS: no args (they never arrive); the launch asks wasOpenedAtLogin instead', async () => {
    fake.app.isPackaged = true;
    const mac = createAutostart('darwin', {});
    expect(await mac.isEnabled()).toBe(false);
    await mac.setEnabled(true);
    expect(fake.app.loginItem).toEqual({ openAtLogin: true });
    expect(await mac.isEnabled()).toBe(true);
    await mac.setEnabled(false);
    expect(fake.app.loginItem.openAtLogin).toBe(false);
  });
});

describe('startedHidden', () => {
  beforeEach(() => fake.reset());

  it('reads --hidden on Linux and Windows, and the login-item launch on macOS', () => {
    expect(startedHidden(['/opt/fogis-monitor', '--hidden'], 'linux')).toBe(true);
    expect(startedHidden(['C:\\FOGIS Monitor.exe', '--hidden'], 'win32')).toBe(true);
    expect(startedHidden(['/opt/fogis-monitor'], 'linux')).toBe(false);
    fake.app.wasOpenedAtLogin = true;
    // Only macOS has that signal; elsewhere it must not leak in.
    expect(startedHidden(['/opt/fogis-monitor'], 'linux')).toBe(false);
    expect(startedHidden(['/Applications/FOGIS Monitor.app/Contents/MacOS/FOGIS Monitor'], 'darwin')).toBe(true);
    fake.app.wasOpenedAtLogin = false;
    expect(startedHidden(['/Applications/FOGIS Monitor.app/Contents/MacOS/FOGIS Monitor'], 'darwin')).toBe(false);
  });
});
