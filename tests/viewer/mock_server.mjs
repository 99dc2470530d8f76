#!/usr/bin/env node
// DEVELOPMENT AID ONLY — not part of the test suite.
//
// A throw-away stand-in for `creodias serve`, used to develop the viewer page (viewer/src/) and its
// browser test (tests/viewer/viewer_test.mjs) without the C++ server. It implements the routes of
// docs/tiles.md that the viewer uses, with fake data and generated PNG tiles. The real test runs
// against `creodias serve`.
//
//   node tests/viewer/mock_server.mjs [--port 8765]       (MOCK_LOG=1 logs every request)
//   CREODIAS_VIEWER_URL=http://127.0.0.1:8765 node tests/viewer/viewer_test.mjs

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const SRC = path.join(root, 'viewer/src');
const LEAFLET = path.join(root, 'viewer/node_modules/leaflet/dist');
const argPort = process.argv.indexOf('--port');
const PORT = Number(argPort > 0 ? process.argv[argPort + 1] : process.env.PORT || 8765);
const LOG = process.env.MOCK_LOG === '1';

// ---- fake catalogue ----
const STYLES = [
  { id: 'TRUE_COLOR', title: 'True colour', description: 'B04, B03, B02 reflectance 0-0.4' },
  { id: 'FALSE_COLOR', title: 'False colour (vegetation)', description: 'B08, B04, B03 reflectance 0-0.4' },
  { id: 'NDVI', title: 'NDVI', description: '(B08 - B04) / (B08 + B04) on a vegetation ramp' },
  { id: 'VV_DB', title: 'VV backscatter (dB)', description: 'sigma nought VV, -25 to 0 dB' },
];
const LAYERS = [
  {
    id: 'S2_L2A', title: 'Sentinel-2 L2A', collection: 'SENTINEL-2', product_type: 'S2MSI2A',
    styles: ['TRUE_COLOR', 'FALSE_COLOR', 'NDVI'], default_style: 'TRUE_COLOR',
    time: { start: '2024-06-01T00:00:00Z', end: '2024-06-30T23:59:59Z' }, bbox: [12.0, 41.5, 13.2, 42.3],
  },
  {
    id: 'S1_GRD', title: 'Sentinel-1 GRD', collection: 'SENTINEL-1', product_type: 'IW_GRDH_1S',
    styles: ['VV_DB'], default_style: 'VV_DB',
    time: { start: '2024-05-01T00:00:00Z', end: '2024-05-31T23:59:59Z' }, bbox: [4.0, 51.0, 6.0, 52.5],
  },
];
// a 3x2 grid of overlapping "products" over each layer's bbox
function products(layer) {
  const [w, s, e, n] = layer.bbox;
  const out = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 2; j++) {
      const x0 = w + (i * (e - w)) / 3.3, y0 = s + (j * (n - s)) / 2.2;
      const x1 = x0 + (e - w) / 2.6, y1 = y0 + (n - s) / 1.8;
      const k = i * 2 + j;
      out.push({
        type: 'Feature', id: `${layer.id}-${k}`,
        geometry: { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] },
        properties: {
          title: `${layer.collection === 'SENTINEL-2' ? 'S2A_MSIL2A' : 'S1A_IW_GRDH'}_202406${String(5 + k * 4).padStart(2, '0')}T101031_N0510_T33T${'UVWXYZ'[k]}G`,
          startDate: `2024-06-${String(5 + k * 4).padStart(2, '0')}T10:10:31Z`,
          cloudCover: (k * 17) % 90,
        },
      });
    }
  }
  return out;
}

// ---- PNG encoding ----
const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePng(w, h, rgba) {
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) rgba.copy(raw, y * (w * 4 + 1) + 1, y * w * 4, (y + 1) * w * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// fake "reflectances" at a point: smooth, so the tiles look like imagery rather than noise
function bands(lon, lat) {
  const f = Math.sin(lon * 9.1) * Math.cos(lat * 7.3) + 0.5 * Math.sin((lon + lat) * 23.7);
  const g = Math.cos(lon * 4.2 - lat * 5.9);
  return {
    B02: 0.06 + 0.03 * g, B03: 0.08 + 0.04 * f, B04: 0.07 + 0.05 * (f - g) / 2,
    B08: 0.25 + 0.15 * f, VV: 0.05 + 0.04 * (f + 1.5) / 2.5,
  };
}
function colour(style, b) {
  const c = (v, lo, hi) => Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)));
  switch (style) {
    case 'TRUE_COLOR': return [c(b.B04, 0, 0.2), c(b.B03, 0, 0.2), c(b.B02, 0, 0.2)];
    case 'FALSE_COLOR': return [c(b.B08, 0, 0.45), c(b.B04, 0, 0.2), c(b.B03, 0, 0.2)];
    case 'VV_DB': { const v = c(10 * Math.log10(b.VV), -25, 0); return [v, v, v]; }
    default: { // NDVI or an expression: a green ramp of the NDVI
      const ndvi = (b.B08 - b.B04) / (b.B08 + b.B04);
      return [c(1 - ndvi, 0, 1.2), c(ndvi, -0.2, 1), 40];
    }
  }
}
function tile(z, x, y, size, layer, style) {
  const px = Buffer.alloc(size * size * 4);
  const [w, s, e, n] = layer.bbox;
  const N = 2 ** z;
  for (let j = 0; j < size; j++) {
    const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * (y + (j + 0.5) / size)) / N))) * 180) / Math.PI;
    for (let i = 0; i < size; i++) {
      const lon = ((x + (i + 0.5) / size) / N) * 360 - 180;
      if (lon < w || lon > e || lat < s || lat > n) continue; // transparent outside the layer
      const [r, g, bl] = colour(style, bands(lon, lat));
      px.set([r, g, bl, 255], (j * size + i) * 4);
    }
  }
  return encodePng(size, size, px);
}

// ---- HTTP ----
function send(res, status, body, type) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}
const json = (res, status, obj) => send(res, status, JSON.stringify(obj), 'application/json');
const error = (res, status, code, message) => json(res, status, { error: { code, message } });
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json' };
function file(res, dir, rel) {
  const p = path.resolve(dir, '.' + path.posix.normalize('/' + rel));
  if (!p.startsWith(dir + path.sep)) return error(res, 404, 'NotFound', 'no such file');
  fs.readFile(p, (err, data) => (err ? error(res, 404, 'NotFound', `no such file: ${rel}`)
    : send(res, 200, data, TYPES[path.extname(p)] || 'application/octet-stream')));
}
function layerOf(q, res) {
  const l = LAYERS.find((x) => x.id === q.get('layer'));
  if (!l) error(res, 400, 'InvalidParameterValue', `unknown layer '${q.get('layer')}'`);
  return l;
}

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://localhost');
  const q = u.searchParams;
  const p = decodeURIComponent(u.pathname);
  if (LOG) console.log(req.method, req.url);
  if (p === '/') { res.writeHead(302, { Location: '/viewer/' }); return res.end(); }
  if (p === '/viewer') { res.writeHead(301, { Location: '/viewer/' }); return res.end(); }
  if (p === '/viewer/') return file(res, SRC, 'index.html');
  if (p.startsWith('/viewer/leaflet/')) return file(res, LEAFLET, p.slice('/viewer/leaflet/'.length));
  if (p.startsWith('/viewer/')) return file(res, SRC, p.slice('/viewer/'.length));
  if (p === '/api/layers') return json(res, 200, { layers: LAYERS });
  if (p === '/api/styles') return json(res, 200, { styles: STYLES });
  if (p === '/api/search') {
    const l = layerOf(q, res); if (!l) return;
    const bb = (q.get('bbox') || '-180,-90,180,90').split(',').map(Number);
    if (bb.length !== 4 || !bb.every(Number.isFinite)) return error(res, 400, 'InvalidParameterValue', 'bad bbox');
    const maxcc = Number(q.get('maxcc') ?? 100);
    const limit = Number(q.get('limit') || 100);
    const feats = products(l).filter((f) => {
      const c = f.geometry.coordinates[0];
      return f.properties.cloudCover <= maxcc && c[1][0] >= bb[0] && c[0][0] <= bb[2] && c[2][1] >= bb[1] && c[0][1] <= bb[3];
    });
    return json(res, 200, { type: 'FeatureCollection', numberMatched: feats.length, features: feats.slice(0, limit) });
  }
  if (p === '/api/point') {
    const l = layerOf(q, res); if (!l) return;
    const lon = Number(q.get('lon')), lat = Number(q.get('lat'));
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return error(res, 400, 'InvalidParameterValue', 'lon and lat are required');
    const [w, s, e, n] = l.bbox;
    if (lon < w || lon > e || lat < s || lat > n) return json(res, 200, { product: null, values: {}, style_value: null });
    const b = bands(lon, lat);
    const values = l.id === 'S1_GRD' ? { VV: b.VV } : { B02: b.B02, B03: b.B03, B04: b.B04, B08: b.B08 };
    return json(res, 200, { product: products(l)[0].properties.title, values, style_value: colour(q.get('style'), b) });
  }
  const m = /^\/tiles\/([^/]+)\/(\d+)\/(\d+)\/(\d+)(@2x)?\.(png|jpg|webp|tif)$/.exec(p);
  if (m) {
    const [, tms, zs, xs, ys, x2, ext] = m;
    if (tms !== 'WebMercatorQuad') return error(res, 404, 'NotFound', `tile matrix set '${tms}' not served by the mock`);
    if (ext !== 'png') return error(res, 400, 'InvalidParameterValue', 'the mock renders png only');
    const l = layerOf(q, res); if (!l) return;
    const style = q.get('style');
    if (!q.get('expression') && !l.styles.includes(style)) {
      return error(res, 400, 'InvalidParameterValue', `unknown style '${style}' for layer ${l.id}`);
    }
    const z = +zs, x = +xs, y = +ys;
    if (x >= 2 ** z || y >= 2 ** z) return error(res, 404, 'TileOutOfRange', 'tile out of range');
    return send(res, 200, tile(z, x, y, x2 || q.get('tilesize') === '512' ? 512 : 256, l, q.get('expression') ? 'EXPR' : style), 'image/png');
  }
  return error(res, 404, 'NotFound', `no route ${p}`);
});
server.listen(PORT, '127.0.0.1', () => console.log(`mock creodias serve (dev aid) on http://127.0.0.1:${PORT}/viewer/`));
