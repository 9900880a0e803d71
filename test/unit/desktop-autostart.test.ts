import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fake } from '../harness/fake-electron';
import { createAutostart, desktopEntry, launchCommand, quoteExecArg, xdgAutostartFile } from '../../electron/desktop/autostart';

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
  it('starts the AppImage file, not its temporary mount', () => {
    expect(launchCommand({ execPath: '/tmp/.mount_FOGISx/fogis-monitor', isPackaged: true, appPath: '/x', env: { APPIMAGE: '/home/a/FOGIS Monitor.AppImage' } })).toEqual([
      '/home/a/FOGIS Monitor.AppImage',
      '--hidden',
    ]);
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
    const env = { HOME: home, APPIMAGE: path.join(home, 'Program filer', 'FOGIS Monitor.AppImage') };
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

  it('uses app.setLoginItemSettings with --hidden', async () => {
    fake.app.isPackaged = true;
    const mac = createAutostart('darwin', {});
    expect(await mac.isEnabled()).toBe(false);
    await mac.setEnabled(true);
    expect(fake.app.loginItem).toEqual({ openAtLogin: true, args: ['--hidden'] });
    expect(await mac.isEnabled()).toBe(true);
    await mac.setEnabled(false);
    expect(fake.app.loginItem.openAtLogin).toBe(false);

    const win = createAutostart('win32', {});
    await win.setEnabled(true);
    expect(fake.app.loginItem).toEqual({ openAtLogin: true, args: ['--hidden'], path: process.execPath });
  });
});
