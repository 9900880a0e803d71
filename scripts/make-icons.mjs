#!/usr/bin/env node
// Draws the app and tray icons from code, with node:zlib only, so the images are
// reproducible and need no design tool or image library:
//   node scripts/make-icons.mjs
// App icon: a pitch-green rounded square with a white "F" and a centre-circle arc.
// Tray: a status dot per state (green/amber/red/grey) and a black+alpha macOS template.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = path.join(root, 'build');

// ---------- PNG encoding ----------
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** rgba: Uint8Array of size*size*4, straight (non-premultiplied) alpha. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------- rasterising ----------
// Shapes are functions of (x, y) in a 0..1 unit square returning true when inside. Each
// pixel is sampled SS×SS times, which gives clean anti-aliased edges at 16 px.
const SS = 8;
function render(size, layers) {
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) / size;
          const y = (py + (sy + 0.5) / SS) / size;
          // Paint layers back to front with "over" compositing (premultiplied).
          let sr = 0, sg = 0, sb = 0, sa = 0;
          for (const layer of layers) {
            if (!layer.shape(x, y)) continue;
            const [cr, cg, cb, ca] = layer.color;
            const al = ca / 255;
            sr = cr * al + sr * (1 - al);
            sg = cg * al + sg * (1 - al);
            sb = cb * al + sb * (1 - al);
            sa = al + sa * (1 - al);
          }
          r += sr; g += sg; b += sb; a += sa;
        }
      }
      const n = SS * SS;
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / n) * 255);
    }
  }
  return out;
}

const roundedRect = (x0, y0, x1, y1, rad) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + rad), x1 - rad);
  const cy = Math.min(Math.max(y, y0 + rad), y1 - rad);
  return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
};
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const circle = (cx, cy, rad) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
const ring = (cx, cy, r0, r1) => (x, y) => {
  const d = (x - cx) ** 2 + (y - cy) ** 2;
  return d <= r1 * r1 && d >= r0 * r0;
};
const union = (...shapes) => (x, y) => shapes.some((s) => s(x, y));
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y);

/** A bold "F" inside the box [x0,y0]–[x0+w, y0+h]. */
function letterF(x0, y0, w, h) {
  const stem = w * 0.34;
  const bar = h * 0.2;
  return union(
    rect(x0, y0, x0 + stem, y0 + h),
    rect(x0, y0, x0 + w, y0 + bar),
    rect(x0, y0 + h * 0.42, x0 + w * 0.8, y0 + h * 0.42 + bar),
  );
}

const WHITE = [255, 255, 255, 255];
const BLACK = [0, 0, 0, 255];
const PITCH = [30, 125, 58, 255];
const PITCH_LINE = [255, 255, 255, 90];

function appIcon(size) {
  return render(size, [
    { shape: roundedRect(0.04, 0.04, 0.96, 0.96, 0.2), color: PITCH },
    // A faint centre circle: the pitch, without competing with the letter.
    { shape: ring(0.5, 0.5, 0.36, 0.4), color: PITCH_LINE },
    { shape: letterF(0.33, 0.22, 0.38, 0.56), color: WHITE },
  ]);
}

export const TRAY_STATES = {
  green: [46, 160, 67, 255],
  amber: [230, 160, 20, 255],
  red: [210, 45, 45, 255],
  grey: [140, 140, 140, 255],
};

function trayIcon(size, color) {
  // A dark rim keeps the dot visible on light panels, the white F on dark ones.
  return render(size, [
    { shape: circle(0.5, 0.5, 0.47), color: [0, 0, 0, 150] },
    { shape: circle(0.5, 0.5, 0.41), color },
    { shape: letterF(0.36, 0.27, 0.3, 0.46), color: WHITE },
  ]);
}

function trayTemplate(size) {
  // macOS template: only alpha matters; the system tints it for light and dark menu bars.
  return render(size, [
    { shape: minus(circle(0.5, 0.5, 0.46), letterF(0.36, 0.27, 0.3, 0.46)), color: BLACK },
  ]);
}

// ---------- containers ----------
function ico(images) {
  // ICO with embedded PNGs (supported since Windows Vista); a width of 256 is stored as 0.
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const dir = Buffer.alloc(16 * images.length);
  let offset = 6 + dir.length;
  images.forEach(({ size, png }, i) => {
    const o = i * 16;
    dir[o] = size >= 256 ? 0 : size;
    dir[o + 1] = size >= 256 ? 0 : size;
    dir[o + 2] = 0;
    dir[o + 3] = 0;
    dir.writeUInt16LE(1, o + 4);
    dir.writeUInt16LE(32, o + 6);
    dir.writeUInt32LE(png.length, o + 8);
    dir.writeUInt32LE(offset, o + 12);
    offset += png.length;
  });
  return Buffer.concat([header, dir, ...images.map((i) => i.png)]);
}

function icns(entries) {
  // ICNS: 'icns' + total length, then (type, length incl. 8-byte header, PNG data) blocks.
  const blocks = entries.map(({ type, png }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'ascii');
    h.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([h, png]);
  });
  const body = Buffer.concat(blocks);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'ascii');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

// ---------- output ----------
export const APP_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

function main() {
  mkdirSync(path.join(buildDir, 'icons'), { recursive: true });
  mkdirSync(path.join(buildDir, 'tray'), { recursive: true });
  const pngs = new Map();
  const appPng = (size) => {
    if (!pngs.has(size)) pngs.set(size, encodePng(size, appIcon(size)));
    return pngs.get(size);
  };
  const written = [];
  const write = (rel, data) => {
    writeFileSync(path.join(buildDir, rel), data);
    written.push(rel);
  };

  for (const size of APP_SIZES) write(path.join('icons', `${size}x${size}.png`), appPng(size));
  write('icon.png', appPng(512));
  write('icon.ico', ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: appPng(size) }))));
  write('icon.icns', icns([
    { type: 'ic07', png: appPng(128) },
    { type: 'ic08', png: appPng(256) },
    { type: 'ic09', png: appPng(512) },
    { type: 'ic10', png: encodePng(1024, appIcon(1024)) },
  ]));

  for (const [state, color] of Object.entries(TRAY_STATES)) {
    // Windows: 16 px (+@2x for 200 % scaling). Linux: 32 px (+@2x).
    write(path.join('tray', `${state}.png`), encodePng(16, trayIcon(16, color)));
    write(path.join('tray', `${state}@2x.png`), encodePng(32, trayIcon(32, color)));
    write(path.join('tray', `${state}-32.png`), encodePng(32, trayIcon(32, color)));
    write(path.join('tray', `${state}-32@2x.png`), encodePng(64, trayIcon(64, color)));
  }
  write(path.join('tray', 'trayTemplate.png'), encodePng(16, trayTemplate(16)));
  write(path.join('tray', 'trayTemplate@2x.png'), encodePng(32, trayTemplate(32)));
  console.log(`[icons] wrote ${written.length} files under build/`);
}

main();
