// creodias viewer: a Leaflet map of the tiles rendered by `creodias serve` (see docs/tiles.md).
// No framework and no online base map: the map works offline against the local server.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const ui = {
    layer: $('layer'), style: $('style'), styleDesc: $('style-desc'), t0: $('t0'), t1: $('t1'),
    maxcc: $('maxcc'), maxccVal: $('maxcc-val'), priority: $('priority'), expression: $('expression'),
    rescale: $('rescale'), colormap: $('colormap'), status: $('status'), showFp: $('show-fp'),
    count: $('count'), products: $('products'), coords: $('coords'),
  };

  // Exposed for the browser test (tests/viewer/viewer_test.mjs).
  const state = (window.viewerState = {
    tilesLoaded: 0,        // tileload events since the page opened
    tileErrors: 0,         // tileerror events since the page opened
    layerTilesLoaded: 0,   // tileload events of the current tile layer
    layerComplete: false,  // the current tile layer has finished loading the visible tiles
    layer: null, style: null, tileUrl: null, products: 0, selected: null, lastError: null,
  });

  let layers = [];
  let styleInfo = {};      // style id -> {id, title, description}
  let current = null;      // the chosen layer of /api/layers
  let tiles = null;        // the L.tileLayer
  let generation = 0;      // bumped whenever the tile layer is rebuilt
  let searchTimer = null;
  let searchAbort = null;

  const map = L.map('map', { minZoom: 1, maxZoom: 18, worldCopyJump: true }).setView([20, 0], 2);
  map.attributionControl.setPrefix(false);
  L.control.scale({ imperial: false }).addTo(map);

  // ---- graticule (the only "base map": there is no internet) ----
  map.createPane('graticule').style.zIndex = 350; // above the tiles (200), below the footprints (400)
  map.getPane('graticule').style.pointerEvents = 'none';
  const graticule = L.layerGroup().addTo(map);
  function drawGraticule() {
    graticule.clearLayers();
    const z = map.getZoom();
    const step = z < 3 ? 30 : z < 5 ? 10 : z < 7 ? 5 : z < 9 ? 1 : z < 11 ? 0.25 : 0.05;
    const b = map.getBounds();
    const s = Math.max(-85, Math.floor(b.getSouth() / step) * step), n = Math.min(85, b.getNorth());
    const w = Math.floor(b.getWest() / step) * step, e = b.getEast();
    const opt = { pane: 'graticule', color: '#ffffff', weight: 1, opacity: 0.12, interactive: false };
    for (let lat = s; lat <= n; lat += step) graticule.addLayer(L.polyline([[lat, b.getWest()], [lat, e]], opt));
    for (let lon = w; lon <= e; lon += step) graticule.addLayer(L.polyline([[s, lon], [n, lon]], opt));
  }
  map.on('moveend', drawGraticule);

  // ---- request parameters ----
  function isoRange() {
    let a = ui.t0.value, b = ui.t1.value;
    if (a && b && a > b) [a, b] = [b, a];
    return `${a}T00:00:00Z/${b}T23:59:59Z`;
  }
  function commonParams() {
    return { layer: current.id, time: isoRange(), maxcc: ui.maxcc.value };
  }
  // style= or expression= (+ rescale, colormap), then priority: the parameters of a rendering.
  function renderParams(p) {
    const expr = ui.expression.value.trim();
    if (expr) {
      p.expression = expr;
      if (ui.rescale.value.trim()) p.rescale = ui.rescale.value.trim();
      if (ui.colormap.value) p.colormap = ui.colormap.value;
    } else {
      p.style = ui.style.value;
    }
    p.priority = ui.priority.value;
    return p;
  }
  const query = (p) => new URLSearchParams(p).toString();

  function setStatus(text, isError) {
    ui.status.textContent = text || '';
    ui.status.classList.toggle('error', !!isError);
    if (isError) state.lastError = text;
  }

  async function readError(resp) {
    try {
      const body = await resp.json();
      if (body && body.error) return `${body.error.code || resp.status}: ${body.error.message || ''}`;
    } catch (_) { /* not JSON */ }
    return `HTTP ${resp.status}`;
  }

  async function getJSON(url, signal) {
    const resp = await fetch(url, { signal });
    if (!resp.ok) throw new Error(await readError(resp));
    return resp.json();
  }

  // ---- the tile layer ----
  function layerBounds(l) {
    const bb = l && l.bbox;
    if (!Array.isArray(bb) || bb.length !== 4 || !bb.every(Number.isFinite)) return null;
    return L.latLngBounds([bb[1], bb[0]], [bb[3], bb[2]]);
  }

  function rebuildTiles() {
    const gen = ++generation;
    if (tiles) map.removeLayer(tiles);
    const params = renderParams(commonParams());
    ui.style.disabled = !!params.expression; // the expression replaces the style
    const url = '/tiles/WebMercatorQuad/{z}/{x}/{y}.png?' + query(params);
    Object.assign(state, {
      layer: current.id, style: params.style || null, tileUrl: url, layerTilesLoaded: 0, layerComplete: false,
    });
    const bounds = layerBounds(current);
    let explained = false;
    // Mosaics are rendered from the layer's min_zoom (the server's zoom-out policy): below
    // it no tile is requested and the panel says to zoom in.
    const minZoom = Number.isFinite(current.min_zoom) ? current.min_zoom : 0;
    tiles = L.tileLayer(url, {
      tileSize: 256, maxZoom: 18, minZoom, keepBuffer: 1,
      bounds: bounds ? bounds.pad(0.05) : undefined,
      attribution: 'Imagery: creodias serve',
    });
    tiles.on('loading', () => { if (gen === generation) { state.layerComplete = false; if (!state.lastError) setStatus('Loading tiles…'); } });
    tiles.on('load', () => { if (gen === generation) { state.layerComplete = true; if (!state.lastError) setStatus(''); } });
    tiles.on('tileload', () => { if (gen === generation) { state.tilesLoaded++; state.layerTilesLoaded++; } });
    tiles.on('tileerror', (e) => {
      if (gen !== generation) return;
      state.tileErrors++;
      if (explained) return;
      explained = true; // fetch the first failing tile once to show the server's JSON message
      const src = e.tile && e.tile.src;
      const fail = (msg) => { if (gen === generation) setStatus('Tile error: ' + msg, true); };
      if (!src) return fail('tile error');
      fetch(src).then((r) => (r.ok ? fail('tile error') : readError(r).then(fail)), () => fail('tile error'));
    });
    state.lastError = null;
    setStatus('');
    tiles.addTo(map);
    zoomHint();
  }

  function zoomHint() {
    const minZoom = current && Number.isFinite(current.min_zoom) ? current.min_zoom : 0;
    if (map.getZoom() < minZoom) setStatus(`Zoom in to see the mosaic (from zoom ${minZoom}; products at any zoom)`);
    else if (!state.lastError && ui.status && /^Zoom in/.test(ui.status.textContent || '')) setStatus('');
  }
  map.on('zoomend', () => zoomHint());

  // ---- footprints and the product list ----
  const prop = (p, ...keys) => { for (const k of keys) if (p[k] !== undefined && p[k] !== null) return p[k]; return undefined; };
  const featureName = (f) => String(prop(f.properties || {}, 'title', 'name', 'productIdentifier', 'identifier', 'id') ?? f.id ?? 'product');
  const fpStyle = { color: '#f0b429', weight: 1.2, opacity: 0.9, fillOpacity: 0.02 };
  const fpSelected = { color: '#4fd1ff', weight: 2.5, opacity: 1, fillOpacity: 0.08 };
  let selectedLayer = null;
  const footprints = L.geoJSON(null, {
    style: () => fpStyle,
    onEachFeature: (f, l) => l.bindTooltip(featureName(f), { sticky: true }),
  }).addTo(map);

  function scheduleSearch() {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 350);
  }

  function select(layer, li, name, zoom) {
    if (selectedLayer) selectedLayer.setStyle(fpStyle);
    ui.products.querySelectorAll('li.selected').forEach((x) => x.classList.remove('selected'));
    selectedLayer = layer;
    state.selected = name;
    if (li) li.classList.add('selected');
    if (layer && layer.setStyle) { layer.setStyle(fpSelected); layer.bringToFront(); }
    if (zoom && layer && layer.getBounds) map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 13 });
  }

  async function search() {
    if (!current || !ui.showFp.checked) return;
    if (searchAbort) searchAbort.abort();
    const ctrl = (searchAbort = new AbortController());
    const b = map.getBounds();
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    const bbox = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].map((v) => +v.toFixed(5)).join(',');
    const c = commonParams();
    const url = '/api/search?' + query({ layer: c.layer, bbox, time: c.time, maxcc: c.maxcc, limit: 200 });
    let fc;
    try {
      fc = await getJSON(url, ctrl.signal);
    } catch (err) {
      if (err.name !== 'AbortError') ui.count.textContent = 'search failed: ' + err.message;
      return;
    }
    const keep = state.selected;
    footprints.clearLayers();
    selectedLayer = null;
    ui.products.textContent = '';
    const feats = (fc && Array.isArray(fc.features)) ? fc.features : [];
    for (const f of feats) {
      const before = footprints.getLayers().length;
      footprints.addData(f); // a feature without geometry adds nothing
      const added = footprints.getLayers();
      const layer = added.length > before ? added[added.length - 1] : null;
      const p = f.properties || {};
      const name = featureName(f);
      const date = prop(p, 'startDate', 'datetime', 'start_datetime', 'date', 'published');
      const cc = prop(p, 'cloudCover', 'eo:cloud_cover', 'cloud_cover');
      const li = document.createElement('li');
      const nameEl = document.createElement('span');
      nameEl.className = 'name';
      nameEl.textContent = name;
      const meta = document.createElement('span');
      meta.className = 'meta';
      meta.textContent = [date ? String(date).replace('T', ' ').slice(0, 16) : null,
        Number.isFinite(+cc) && cc !== '' ? `cloud ${(+cc).toFixed(0)} %` : null].filter(Boolean).join(' · ');
      li.append(nameEl, meta);
      li.addEventListener('click', () => select(layer, li, name, true));
      li.addEventListener('mouseenter', () => layer && layer !== selectedLayer && layer.setStyle && layer.setStyle({ weight: 2.5 }));
      li.addEventListener('mouseleave', () => layer && layer !== selectedLayer && layer.setStyle && layer.setStyle(fpStyle));
      ui.products.append(li);
      if (name === keep) select(layer, li, name, false);
    }
    state.products = feats.length;
    const total = fc && Number.isFinite(fc.numberMatched) ? fc.numberMatched : null;
    ui.count.textContent = total !== null && total > feats.length ? `${feats.length} of ${total}`
      : feats.length >= 200 ? '200+' : String(feats.length);
  }

  // ---- pixel values on click ----
  const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4))
    : Array.isArray(v) ? v.map(fmt).join(', ') : v === null || v === undefined ? '–' : String(v));

  map.on('click', async (e) => {
    if (!current) return;
    const ll = e.latlng.wrap();
    const c = commonParams();
    const params = renderParams({ layer: c.layer, lon: ll.lng.toFixed(6), lat: ll.lat.toFixed(6), time: c.time, maxcc: c.maxcc });
    const box = document.createElement('div');
    box.className = 'point';
    box.dataset.state = 'loading';
    box.textContent = 'Loading…';
    L.popup({ maxWidth: 320 }).setLatLng(e.latlng).setContent(box).openOn(map);
    try {
      const r = await getJSON('/api/point?' + query(params));
      box.textContent = '';
      const head = document.createElement('div');
      head.className = 'product';
      head.textContent = r.product || 'No product at this point';
      const table = document.createElement('table');
      const row = (k, v) => { const tr = table.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = fmt(v); };
      for (const [k, v] of Object.entries(r.values || {})) row(k, v);
      if (r.style_value !== undefined && r.style_value !== null) row(params.style || 'expression', r.style_value);
      row('lon, lat', `${ll.lng.toFixed(5)}, ${ll.lat.toFixed(5)}`);
      box.append(head, table);
      box.dataset.state = 'done';
    } catch (err) {
      box.innerHTML = '<span class="error"></span>';
      box.firstChild.textContent = 'Error: ' + err.message;
      box.dataset.state = 'error';
    }
  });
  map.on('mousemove', (e) => { ui.coords.textContent = `${e.latlng.lat.toFixed(5)}, ${e.latlng.wrap().lng.toFixed(5)} · z${map.getZoom()}`; });

  // ---- controls ----
  function fillStyles() {
    ui.style.textContent = '';
    for (const id of current.styles || []) {
      const info = styleInfo[id] || {};
      const o = new Option(info.title ? `${info.title} (${id})` : id, id);
      if (info.description) o.title = info.description;
      ui.style.add(o);
    }
    const def = current.default_style;
    if (def && (current.styles || []).includes(def)) ui.style.value = def;
    describeStyle();
  }
  function describeStyle() {
    const info = styleInfo[ui.style.value];
    ui.styleDesc.textContent = info && info.description ? info.description : '';
  }

  function chooseLayer(id, fit) {
    current = layers.find((l) => l.id === id) || layers[0];
    ui.layer.value = current.id;
    fillStyles();
    const t = current.time || {};
    const today = new Date().toISOString().slice(0, 10);
    ui.t1.value = t.end ? String(t.end).slice(0, 10) : today;
    ui.t0.value = t.start ? String(t.start).slice(0, 10)
      : new Date(Date.now() - 30 * 864e5).toISOString().slice(0, 10);
    const bounds = layerBounds(current);
    if (fit && bounds && bounds.isValid()) {
      map.fitBounds(bounds, { maxZoom: 14, animate: false });
      const minZoom = Number.isFinite(current.min_zoom) ? current.min_zoom : 0;
      if (map.getZoom() < minZoom) map.setView(bounds.getCenter(), minZoom, { animate: false });
    }
    rebuildTiles();
    scheduleSearch();
  }

  function refresh() { rebuildTiles(); scheduleSearch(); }
  ui.layer.addEventListener('change', () => chooseLayer(ui.layer.value, true));
  ui.style.addEventListener('change', () => { describeStyle(); rebuildTiles(); });
  ui.t0.addEventListener('change', refresh);
  ui.t1.addEventListener('change', refresh);
  ui.maxcc.addEventListener('input', () => { ui.maxccVal.textContent = ui.maxcc.value; });
  ui.maxcc.addEventListener('change', refresh);
  ui.priority.addEventListener('change', rebuildTiles);
  ui.expression.addEventListener('change', rebuildTiles);
  ui.rescale.addEventListener('change', () => { if (ui.expression.value.trim()) rebuildTiles(); });
  ui.colormap.addEventListener('change', () => { if (ui.expression.value.trim()) rebuildTiles(); });
  ui.showFp.addEventListener('change', () => {
    if (ui.showFp.checked) { map.addLayer(footprints); search(); } else { map.removeLayer(footprints); }
  });
  map.on('moveend', scheduleSearch);

  const toggle = (collapsed) => {
    document.body.classList.toggle('collapsed', collapsed);
    $('expand').hidden = !collapsed;
    map.invalidateSize();
  };
  $('collapse').addEventListener('click', () => toggle(true));
  $('expand').addEventListener('click', () => toggle(false));

  // ---- start ----
  async function start() {
    drawGraticule();
    try {
      const [ls, ss] = await Promise.all([
        getJSON('/api/layers'),
        getJSON('/api/styles').catch(() => ({ styles: [] })), // titles only: the page works without them
      ]);
      layers = (ls && ls.layers) || [];
      for (const s of (ss && ss.styles) || []) styleInfo[s.id] = s;
    } catch (err) {
      setStatus('Could not load /api/layers: ' + err.message, true);
      document.body.dataset.ready = 'error';
      return;
    }
    if (!layers.length) {
      setStatus('The server has no layers.', true);
      document.body.dataset.ready = 'empty';
      return;
    }
    for (const l of layers) ui.layer.add(new Option(l.title || l.id, l.id));
    chooseLayer(layers[0].id, true);
    document.body.dataset.ready = '1';
  }
  start();
})();
