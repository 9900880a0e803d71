// Screenshots of every dashboard page on the built renderer with the in-memory demo host
// (`?demo`), in Swedish and English, light and dark: `npm run build:renderer` first.
// Usage: node scripts/renderer-screens.mjs [outDir]
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve('dist/renderer');
const out = path.resolve(process.argv[2] ?? 'test-results/screenshots/demo');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const file = path.join(root, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
  if (!file.startsWith(root)) return res.writeHead(403).end();
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
await mkdir(out, { recursive: true });

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const errors = [];
try {
  for (const scheme of ['light', 'dark']) {
    for (const locale of ['sv-SE', 'en-GB']) {
      const ctx = await browser.newContext({ locale, colorScheme: scheme, viewport: { width: 1200, height: 900 } });
      const page = await ctx.newPage();
      page.on('console', (m) => m.type() === 'error' && errors.push(`${locale}/${scheme}: ${m.text()}`));
      page.on('pageerror', (e) => errors.push(`${locale}/${scheme}: ${e.message}`));
      await page.goto(`http://127.0.0.1:${port}/?demo`);
      await page.getByTestId('connection-state').waitFor();
      for (const tab of ['overview', 'matches', 'alerts', 'messages', 'settings']) {
        await page.getByTestId(`tab-${tab}`).click();
        if (tab === 'overview' && scheme === 'light') {
          await page.getByTestId('sync-now').click();
          await page.getByTestId('sync-result').waitFor();
        }
        if (tab === 'messages') await page.locator('[data-testid="message-row"] summary').first().click();
        if (tab === 'settings') {
          await page.getByTestId('setting-redis.url').fill('http://nope');
          await page.getByTestId('setting-redis.url').blur();
        }
        await page.screenshot({ path: path.join(out, `${tab}-${locale.slice(0, 2)}-${scheme}.png`), fullPage: true });
      }
      await ctx.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
if (errors.length) {
  console.error(errors.join('\n'));
  process.exitCode = 1;
}
console.log(`screenshots in ${out}`);
