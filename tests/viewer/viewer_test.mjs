#!/usr/bin/env node
// Headless-Chromium test of the viewer page served by `creodias serve` at /viewer/.
//
//   CREODIAS_VIEWER_URL=http://127.0.0.1:8765 [CREODIAS_VIEWER_SHOT=/tmp/viewer.png] \
//     node tests/viewer/viewer_test.mjs
//
// Uses playwright-core from viewer/node_modules (scripts/viewer.sh installs it) with Debian's
// /usr/bin/chromium (CHROMIUM overrides the path). Exit code 0 when every check passes, 1 otherwise;
// the last line is "N passed, M failed[, K skipped]".

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const viewerDir = path.resolve(here, '../../viewer');
const BASE = (process.env.CREODIAS_VIEWER_URL || '').replace(/\/+$/, '');
const SHOT = process.env.CREODIAS_VIEWER_SHOT || '/tmp/viewer.png';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 60_000;

let passed = 0, failed = 0, skipped = 0;
function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ' — ' + detail : ''}`);
  return ok;
}
function skip(name, why) { skipped++; console.log(`skip ${name} — ${why}`); }
function finish() {
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed || !passed ? 1 : 0);
}

// ---- a minimal PNG decoder (8-bit grey/RGB/grey+alpha/RGBA, non-interlaced) -> RGBA ----
function decodePng(buf) {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let off = 8, w = 0, h = 0, depth = 0, type = 0, interlace = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const kind = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      w = data.readUInt32BE(0); h = data.readUInt32BE(4); depth = data[8]; type = data[9]; interlace = data[12];
    } else if (kind === 'IDAT') idat.push(data);
    else if (kind === 'IEND') break;
    off += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[type];
  if (depth !== 8 || !channels || interlace) throw new Error(`unsupported PNG: depth ${depth}, type ${type}, interlace ${interlace}`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = w * channels;
  const px = Buffer.alloc(stride * h);
  for (let y = 0; y < h; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = px.subarray(y * stride, (y + 1) * stride);
    const up = y ? px.subarray((y - 1) * stride, y * stride) : null;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? row[i - channels] : 0;
      const b = up ? up[i] : 0;
      const c = up && i >= channels ? up[i - channels] : 0;
      let v = src[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`);
      row[i] = v & 0xff;
    }
  }
  const rgba = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const s = px.subarray(i * channels, (i + 1) * channels);
    const [r, g, b, a] = channels === 1 ? [s[0], s[0], s[0], 255] : channels === 2 ? [s[0], s[0], s[0], s[1]]
      : channels === 3 ? [s[0], s[1], s[2], 255] : [s[0], s[1], s[2], s[3]];
    rgba[i * 4] = r; rgba[i * 4 + 1] = g; rgba[i * 4 + 2] = b; rgba[i * 4 + 3] = a;
  }
  return { width: w, height: h, rgba };
}

// share of the pixels that differ from the background colour, and how many distinct colours they have
function imagery(png, bg) {
  let differ = 0;
  const colours = new Set();
  const n = png.width * png.height;
  for (let i = 0; i < n; i++) {
    const r = png.rgba[i * 4], g = png.rgba[i * 4 + 1], b = png.rgba[i * 4 + 2];
    if (Math.abs(r - bg[0]) > 6 || Math.abs(g - bg[1]) > 6 || Math.abs(b - bg[2]) > 6) {
      differ++;
      colours.add((r << 16) | (g << 8) | b);
    }
  }
  return { fraction: n ? differ / n : 0, distinct: colours.size };
}

async function main() {
  if (!BASE) {
    console.error('CREODIAS_VIEWER_URL is not set (e.g. http://127.0.0.1:8765, a running `creodias serve`)');
    failed++;
    return;
  }
  let chromium;
  try {
    ({ chromium } = createRequire(path.join(viewerDir, 'package.json'))('playwright-core'));
  } catch (err) {
    console.error(`playwright-core not found in ${viewerDir}/node_modules: run scripts/viewer.sh (${err.message})`);
    failed++;
    return;
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'creodias-viewer-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: TIMEOUT,
  });
  try {
    await run(context);
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function run(context) {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()} ${m.location().url || ''}`); });
  page.on('requestfailed', (r) => {
    if (!/abort/i.test(r.failure()?.errorText || '')) errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
  });
  const tileResponses = [];
  const searches = [];
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/tiles/')) tileResponses.push({ status: r.status(), style: u.searchParams.get('style') });
    if (u.pathname === '/api/search') searches.push(r);
  });

  // 1. the page loads its layers and adds the first tile layer
  const resp = await page.goto(`${BASE}/viewer/`, { waitUntil: 'load' });
  check('GET /viewer/ is 200', resp && resp.status() === 200, `status ${resp && resp.status()}`);
  await page.waitForSelector('body[data-ready]', { timeout: TIMEOUT });
  const ready = await page.evaluate(() => document.body.dataset.ready);
  if (!check('page ready (layers loaded, tile layer added)', ready === '1', `data-ready="${ready}" ${await page.textContent('#status')}`)) return;
  const first = await page.evaluate(() => ({ ...window.viewerState }));
  console.log(`     layer ${first.layer}, style ${first.style}`);

  // 2. tiles load
  const loaded = await page.waitForFunction(() => window.viewerState.tilesLoaded >= 4, null, { timeout: TIMEOUT })
    .then(() => true, () => false);
  const st = await page.evaluate(() => ({ ...window.viewerState }));
  check('at least 4 tiles loaded', loaded, `tilesLoaded ${st.tilesLoaded}, tileErrors ${st.tileErrors} ${st.lastError || ''}`);
  await page.waitForFunction(() => window.viewerState.layerComplete, null, { timeout: TIMEOUT }).catch(() => {});
  await page.waitForTimeout(500); // Leaflet fades tiles in over 200 ms
  check('no tile errors', st.tileErrors === 0 && !st.lastError, `tileErrors ${st.tileErrors} ${st.lastError || ''}`);

  // 3. footprints: /api/search was answered and the list shows its features
  await page.waitForFunction(() => document.querySelector('#count').textContent !== '', null, { timeout: TIMEOUT }).catch(() => {});
  const search = searches.at(-1);
  if (check('GET /api/search answered 200', search && search.status() === 200, search ? `status ${search.status()}` : 'no request')) {
    const fc = await search.json().catch(() => null);
    const n = await page.locator('#products li').count();
    check('product list matches the GeoJSON', fc && fc.type === 'FeatureCollection' && n === fc.features.length,
      `${n} items, ${fc && fc.features && fc.features.length} features`);
  }

  // 4. screenshot with imagery in the map area
  await page.screenshot({ path: SHOT });
  console.log(`     screenshot ${SHOT}`);
  const bg = await page.evaluate(() => getComputedStyle(document.getElementById('map')).backgroundColor
    .match(/\d+/g).slice(0, 3).map(Number));
  // analyse the tiles alone: hide the graticule, footprints, controls and the attribution
  await page.addStyleTag({ content: '.leaflet-overlay-pane,.leaflet-graticule-pane,.leaflet-control-container,.leaflet-tooltip-pane{visibility:hidden!important}' });
  const mapShot = await page.locator('#map').screenshot();
  await page.addStyleTag({ content: '.leaflet-overlay-pane,.leaflet-graticule-pane,.leaflet-control-container,.leaflet-tooltip-pane{visibility:visible!important}' });
  const img = imagery(decodePng(mapShot), bg);
  check('map area shows imagery (>= 5 % of pixels off the background)', img.fraction >= 0.05,
    `${(img.fraction * 100).toFixed(1)} % differ from rgb(${bg})`);
  check('imagery is not uniform (>= 16 distinct colours)', img.distinct >= 16, `${img.distinct} distinct colours`);

  // 5. click the centre of the map: a popup with the pixel values
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const popup = page.locator('.leaflet-popup-content .point');
  const done = await page.waitForFunction(() => {
    const p = document.querySelector('.leaflet-popup-content .point');
    return p && p.dataset.state !== 'loading';
  }, null, { timeout: TIMEOUT }).then(() => true, () => false);
  const text = done ? (await popup.textContent()).trim() : '';
  const state = done ? await popup.getAttribute('data-state') : 'none';
  check('clicking the map opens a popup with values', done && state === 'done' && text.length > 0,
    `state ${state}: ${text.slice(0, 120)}`);
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.querySelector('.leaflet-popup-close-button')?.click());

  // 6. another style: the tile layer is rebuilt and its tiles load
  const styles = await page.$$eval('#style option', (os) => os.map((o) => o.value));
  const other = styles.find((s) => s !== first.style);
  if (!other) {
    skip('style change', `layer ${first.layer} has one style only`);
  } else {
    const before = tileResponses.length;
    await page.selectOption('#style', other);
    const ok = await page.waitForFunction((s) => window.viewerState.style === s && window.viewerState.layerComplete
      && window.viewerState.layerTilesLoaded >= 1, other, { timeout: TIMEOUT }).then(() => true, () => false);
    const after = tileResponses.slice(before).filter((r) => r.style === other);
    const s2 = await page.evaluate(() => ({ ...window.viewerState }));
    check(`style change to ${other} loads new tiles`, ok && after.length > 0 && after.every((r) => r.status === 200),
      `${after.length} tile responses with style=${other}, layerTilesLoaded ${s2.layerTilesLoaded}, tileErrors ${s2.tileErrors}`);
  }

  // 7. clicking a product in the list selects it and zooms to it
  const items = page.locator('#products li');
  if ((await items.count()) === 0) {
    skip('product click', 'no product in view');
  } else {
    const name = (await items.first().locator('.name').textContent()).trim();
    await items.first().click();
    const ok = await page.waitForFunction((n) => window.viewerState.selected === n, name, { timeout: 10_000 })
      .then(() => true, () => false);
    check('clicking a product selects it', ok, `selected ${await page.evaluate(() => window.viewerState.selected)}`);
  }

  // 8. nothing went wrong in the page so far
  check('no page or console errors', errors.length === 0, errors.slice(0, 5).join(' | '));

  // 9. a bad style is a 400 with a JSON error body (the browser logs the 400: checked after step 8)
  const bad = await page.evaluate(async (layer) => {
    const r = await fetch(`/tiles/WebMercatorQuad/0/0/0.png?layer=${encodeURIComponent(layer)}&style=NOPE`);
    const t = await r.text();
    let body = null;
    try { body = JSON.parse(t); } catch (_) { /* not JSON */ }
    return { status: r.status, type: r.headers.get('content-type'), body, text: t.slice(0, 200) };
  }, first.layer);
  check('bad style is 400 with a JSON error', bad.status === 400 && bad.body && bad.body.error
    && typeof bad.body.error.code === 'string' && typeof bad.body.error.message === 'string',
  `status ${bad.status}, ${bad.type}: ${bad.text}`);
}

const watchdog = setTimeout(() => { console.log('FAIL watchdog: the test ran over 5 minutes'); failed++; finish(); }, 300_000);
watchdog.unref();
main().catch((err) => { failed++; console.log(`FAIL ${err.stack || err}`); }).finally(finish);
