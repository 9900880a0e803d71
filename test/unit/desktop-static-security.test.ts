import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Static guard over the source: a BrowserWindow added anywhere later must carry the same
 * hardening, and `electron` stays confined to the shell (DESIGN: only the desktop adapters
 * import it).
 */

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|tsx|mts|cts)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The text of the call's argument list, matching parentheses (good enough for our code). */
function callArgs(text: string, start: number): string {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return text.slice(start + 1, i);
    }
  }
  throw new Error('unbalanced parentheses');
}

const electronFiles = sourceFiles(path.join(ROOT, 'electron'));

describe('static security checks', () => {
  const windows = electronFiles.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const found: Array<{ file: string; args: string; text: string }> = [];
    const re = /new\s+BrowserWindow\s*\(/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) found.push({ file, args: callArgs(text, m.index + m[0].length - 1), text });
    return found;
  });

  it('finds the app window', () => {
    expect(windows.length).toBeGreaterThan(0);
  });

  /** The one hardening literal (electron/desktop/window.ts), found by its declaration. */
  const shared = electronFiles.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const m = /export const SECURE_WEB_PREFERENCES\s*=\s*\{([\s\S]*?)\}\s*as const/.exec(text);
    return m ? [{ file, body: m[1] ?? '', text }] : [];
  });

  it('the web preferences are written once, and that literal sets contextIsolation, sandbox and no nodeIntegration', () => {
    expect(shared.map((s) => path.relative(ROOT, s.file))).toEqual([path.join('electron', 'desktop', 'window.ts')]);
    const body = shared[0]!.body;
    expect(body).toMatch(/contextIsolation:\s*true/);
    expect(body).toMatch(/sandbox:\s*true/);
    expect(body).toMatch(/nodeIntegration:\s*false/);
    expect(body).toMatch(/nodeIntegrationInWorker:\s*false/);
    expect(body).toMatch(/nodeIntegrationInSubFrames:\s*false/);
    expect(body).toMatch(/webSecurity:\s*true/);
    expect(body).toMatch(/allowRunningInsecureContent:\s*false/);
    expect(body).toMatch(/webviewTag:\s*false/);
    // The helper spreads the literal first and adds only the preload: nothing can override it.
    expect(shared[0]!.text).toMatch(/return \{ \.\.\.SECURE_WEB_PREFERENCES, preload: preloadPath \};/);
  });

  it('every new BrowserWindow( takes its web preferences from that one literal, none of its own', () => {
    for (const w of windows) {
      const where = path.relative(ROOT, w.file);
      expect(w.args, where).toMatch(/webPreferences:\s*webPreferencesFor\(/);
      expect(w.args, where).not.toMatch(/webPreferences:\s*\{/);
      expect(w.args, where).not.toMatch(/contextIsolation|sandbox|nodeIntegration|webSecurity|allowRunningInsecureContent/);
    }
  });

  it('every file that creates a window also sets a CSP and the navigation guards', () => {
    for (const w of windows) {
      const where = path.relative(ROOT, w.file);
      expect(w.text, where).toMatch(/Content-Security-Policy/);
      expect(w.text, where).toMatch(/onHeadersReceived/);
      expect(w.text, where).toMatch(/will-navigate/);
      expect(w.text, where).toMatch(/setWindowOpenHandler/);
    }
  });

  it('the renderer page carries the CSP meta tag as well (file:// responses have no headers)', () => {
    const html = path.join(ROOT, 'renderer', 'index.html');
    if (!existsSync(html)) return;
    expect(readFileSync(html, 'utf8')).toMatch(/http-equiv="Content-Security-Policy"[\s\S]*script-src 'self'/);
  });

  it('nothing anywhere turns security off', () => {
    for (const file of electronFiles) {
      const text = readFileSync(file, 'utf8');
      const where = path.relative(ROOT, file);
      expect(text, where).not.toMatch(/sandbox:\s*false/);
      expect(text, where).not.toMatch(/contextIsolation:\s*false/);
      expect(text, where).not.toMatch(/nodeIntegration:\s*true/);
      expect(text, where).not.toMatch(/@electron\/remote|enableRemoteModule/);
      expect(text, where).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
    }
  });

  it('only the shell imports electron', () => {
    const allowed = (f: string) => f.startsWith(path.join(ROOT, 'electron', 'desktop') + path.sep) || ['main.ts', 'preload.ts'].map((n) => path.join(ROOT, 'electron', n)).includes(f);
    const importers = [...electronFiles, ...sourceFiles(path.join(ROOT, 'shared')), ...(existsSync(path.join(ROOT, 'renderer')) ? sourceFiles(path.join(ROOT, 'renderer')) : [])].filter((f) =>
      /(from\s+['"]electron['"]|require\(\s*['"]electron['"]\s*\))/.test(readFileSync(f, 'utf8').replace(/import\s+type[^;]*;/g, '')),
    );
    expect(importers.filter((f) => !allowed(f)).map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
