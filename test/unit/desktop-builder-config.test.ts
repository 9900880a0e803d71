import { describe, expect, it, vi } from 'vitest';

// tray.ts imports electron; the real package would try to download its binary.
vi.mock('electron', () => import('../harness/fake-electron'));

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import Ajv from 'ajv';
import { APP_ID, PRODUCT_NAME } from '../../electron/desktop/app-id';
import { iconFileFor } from '../../electron/desktop/tray';
import { TRAY_COLOURS } from '../../electron/desktop/tray-state';
import { mainProcessBundle } from '../../scripts/electron-bundles.mjs';

/**
 * Packaging cannot run here (electron-builder downloads Electron and its tools from GitHub),
 * so this checks offline what can be checked: the config against electron-builder's own
 * schema, and against the code and the files it names.
 */

const ROOT = path.resolve(__dirname, '../..');
const SCHEMA = path.join(ROOT, 'node_modules', 'app-builder-lib', 'scheme.json');
const config = load(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  appId: string;
  productName: string;
  directories: { buildResources: string };
  files: string[];
  extraResources: Array<{ from: string; to: string }>;
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; category: string; maintainer: string; icon: string };
  win: { target: string; icon: string };
  mac: { target: string; icon: string };
};

function compile() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
}

/** Width and height from a PNG's IHDR. */
function pngSize(file: string): { w: number; h: number; colourType: number } {
  const b = readFileSync(file);
  expect(b.subarray(0, 8).toString('hex'), file).toBe('89504e470d0a1a0a');
  return { w: b.readUInt32BE(16), h: b.readUInt32BE(20), colourType: b[25] ?? -1 };
}

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json', () => {
    const validate = compile();
    const ok = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the validator does catch mistakes (so a pass means something)', () => {
    const validate = compile();
    expect(validate({ ...config, appIdd: 'typo' })).toBe(false);
    expect(validate({ ...config, linux: { ...config.linux, target: 42 } })).toBe(false);
    expect(validate({ ...config, electronFuses: { runAsNode: 'no' } })).toBe(false);
  });

  it('uses the app id the code sets as AppUserModelID, and the product name', () => {
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(PRODUCT_NAME);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { productName: string; main: string; author: { email?: string } };
    expect(pkg.productName).toBe(PRODUCT_NAME);
    expect(pkg.author.email).toMatch(/@/); // deb needs a maintainer with an address
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'package.json']));
    expect(pkg.main).toBe('dist/electron/main.cjs');
  });

  it('packages the ingest worker beside main.cjs, where the core starts it from', () => {
    // electron/core/ingest/ingest-pipeline.ts starts `ingest-worker<ext of its bundle>` beside
    // its own bundle: build-electron.mjs must emit it there and `files` must not leave it out.
    const build = readFileSync(path.join(ROOT, 'scripts/build-electron.mjs'), 'utf8');
    expect(build).toContain("mainProcessBundle(root, 'electron/core/ingest/ingest-worker.ts', 'dist/electron/ingest-worker.cjs')");
    // A main-process bundle knows its own file URL, from which the core finds the worker.
    const worker = mainProcessBundle(ROOT, 'electron/core/ingest/ingest-worker.ts', 'dist/electron/ingest-worker.cjs');
    expect(worker.define?.['import.meta.url']).toBe('__bundleFileUrl');
    expect(worker.banner?.js).toContain('pathToFileURL(__filename)');
    expect(config.files).toContain('dist/**');
    expect(config.files.filter((f) => f.startsWith('!')).every((f) => f === '!dist/**/*.map')).toBe(true);
  });

  it('builds AppImage + deb, nsis and dmg, with Utility category and a maintainer', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Utility');
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
    expect(config.win.target).toBe('nsis');
    expect(config.mac.target).toBe('dmg');
    expect(config.directories.buildResources).toBe('build');
  });

  it('burns the security fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('builds the renderer with relative asset URLs, which resolve under app://renderer/', async () => {
    const { default: viteConfig } = await import('../../renderer/vite.config');
    expect((viteConfig as { base?: string }).base).toBe('./');
    expect(new URL('./assets/index-x.js', 'app://renderer/index.html').href).toBe('app://renderer/assets/index-x.js');
  });

  it('ships the tray icons outside the asar', () => {
    expect(config.extraResources).toEqual(expect.arrayContaining([{ from: 'build/tray', to: 'tray' }]));
  });
});

describe('icons', () => {
  it('has app icon PNGs whose size matches their name, 16…512', () => {
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
      const file = path.join(ROOT, config.linux.icon, `${size}x${size}.png`);
      expect(existsSync(file), file).toBe(true);
      expect(pngSize(file)).toMatchObject({ w: size, h: size, colourType: 6 });
    }
    expect(pngSize(path.join(ROOT, 'build', 'icon.png'))).toMatchObject({ w: 512, h: 512 });
  });

  it('has a Windows .ico with embedded PNGs up to 256', () => {
    const b = readFileSync(path.join(ROOT, config.win.icon));
    expect(b.readUInt16LE(0)).toBe(0);
    expect(b.readUInt16LE(2)).toBe(1);
    const count = b.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const o = 6 + i * 16;
      sizes.push(b[o] === 0 ? 256 : (b[o] ?? 0));
      const offset = b.readUInt32LE(o + 12);
      expect(b.subarray(offset, offset + 4).toString('hex')).toBe('89504e47');
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('has a macOS .icns with ic07–ic10 PNG entries', () => {
    const b = readFileSync(path.join(ROOT, config.mac.icon));
    expect(b.toString('ascii', 0, 4)).toBe('icns');
    expect(b.readUInt32BE(4)).toBe(b.length);
    const types: string[] = [];
    for (let o = 8; o < b.length; ) {
      types.push(b.toString('ascii', o, o + 4));
      expect(b.subarray(o + 8, o + 12).toString('hex')).toBe('89504e47');
      o += b.readUInt32BE(o + 4);
    }
    expect(types).toEqual(['ic07', 'ic08', 'ic09', 'ic10']);
  });

  it('has a tray icon for every state on every OS, with @2x variants', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      for (const colour of TRAY_COLOURS) {
        const file = path.join(ROOT, 'build', 'tray', iconFileFor(colour, platform));
        const x2 = file.replace(/\.png$/, '@2x.png');
        expect(existsSync(file), file).toBe(true);
        expect(existsSync(x2), x2).toBe(true);
        const a = pngSize(file);
        expect(pngSize(x2).w).toBe(a.w * 2);
      }
    }
    expect(pngSize(path.join(ROOT, 'build', 'tray', 'green.png')).w).toBe(16);
    expect(pngSize(path.join(ROOT, 'build', 'tray', 'green-32.png')).w).toBe(32);
  });

  it('macOS template images are black + alpha only', async () => {
    const { inflateSync } = await import('node:zlib');
    for (const name of ['trayTemplate.png', 'trayTemplate@2x.png']) {
      const b = readFileSync(path.join(ROOT, 'build', 'tray', name));
      const { w } = pngSize(path.join(ROOT, 'build', 'tray', name));
      const chunks: Buffer[] = [];
      for (let o = 8; o < b.length; ) {
        const len = b.readUInt32BE(o);
        if (b.toString('ascii', o + 4, o + 8) === 'IDAT') chunks.push(b.subarray(o + 8, o + 8 + len));
        o += 12 + len;
      }
      const raw = inflateSync(Buffer.concat(chunks));
      let opaque = 0;
      for (let y = 0; y < w; y++) {
        expect(raw[y * (w * 4 + 1)]).toBe(0); // filter none, as written
        for (let x = 0; x < w; x++) {
          const i = y * (w * 4 + 1) + 1 + x * 4;
          if ((raw[i + 3] ?? 0) > 0) {
            opaque++;
            expect([raw[i], raw[i + 1], raw[i + 2]]).toEqual([0, 0, 0]);
          }
        }
      }
      expect(opaque).toBeGreaterThan(0);
    }
  });
});
