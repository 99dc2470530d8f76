"""Tiles from Python: numpy results against osgeo.gdal as the oracle, PNG bytes for Jupyter,
the in-process tile server through a real HTTP client, and the folium URL helper."""

import json
import subprocess
import urllib.error
import urllib.request

import numpy as np
import pytest
from osgeo import gdal

import creodias

COGS = "products/sentinel2/earth-search-cogs/sentinel-s2-l2a-cogs/29/R/KH/2020/2/S2A_29RKH_20200219_0_L2A"

gdal.UseExceptions()


def _merc_extent(z, x, y):
    span = 2 * 20037508.342789244 / 2 ** z
    minx = -20037508.342789244 + x * span
    maxy = 20037508.342789244 - y * span
    return (minx, maxy - span, minx + span, maxy)


def test_read_bbox_equals_gdal_warp(fixtures):
    b04 = str(fixtures(COGS) / "B04.tif")
    extent = _merc_extent(10, 479, 439)
    bands, mask = creodias.read_bbox({"B04": b04}, extent, crs="EPSG:3857", width=256, height=256, bands=["B04"],
                                     resampling="bilinear")
    ds = gdal.Warp("", b04, format="MEM", outputBounds=extent, width=256, height=256, dstSRS="EPSG:3857",
                   resampleAlg="bilinear", errorThreshold=0.03, dstAlpha=True, outputType=gdal.GDT_Float32)
    want = ds.GetRasterBand(1).ReadAsArray()
    alpha = ds.GetRasterBand(2).ReadAsArray() > 127.5
    got = bands["B04"]
    assert got.dtype == np.float32 and got.shape == (256, 256)
    assert np.array_equal(mask == 255, alpha)
    assert alpha.sum() > 10000
    # The renderer pads tiles by 2 pixels for bilinear, so its approximate transformer
    # interpolates over slightly different rows: differences stay within 0.5 %.
    np.testing.assert_allclose(got[alpha], want[alpha], rtol=5e-3)
    assert np.median(np.abs(got[alpha] - want[alpha])) < 0.5
    assert np.isnan(got[~alpha]).all()


def test_render_tile_png_round_trips_and_displays_in_jupyter(fixtures):
    d = fixtures(COGS)
    img = creodias.render_tile({"B04": str(d / "B04.tif"), "B08": str(d / "B08.tif")}, 10, 479, 439,
                               expression="(B08-B04)/(B08+B04)", colormap="ndvi")
    assert isinstance(img, creodias.Image)
    assert img.array.shape == (256, 256, 4) and img.array.dtype == np.uint8
    assert img.coverage == 1.0 and img.products_used == 1
    png = img._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    gdal.FileFromMemBuffer("/vsimem/t.png", png)
    ds = gdal.Open("/vsimem/t.png")
    decoded = np.dstack([ds.GetRasterBand(i + 1).ReadAsArray() for i in range(ds.RasterCount)])
    gdal.Unlink("/vsimem/t.png")
    assert np.array_equal(decoded[:, :, :3], img.array[:, :, :3])
    assert len(np.unique(img.array.reshape(-1, 4), axis=0)) > 10  # a ramp over the desert's low NDVI, not one colour
    assert img.jpeg()[:2] == b"\xff\xd8"
    assert img.webp()[8:12] == b"WEBP"


def test_bad_requests_raise_value_errors(fixtures):
    b04 = str(fixtures(COGS) / "B04.tif")
    with pytest.raises(creodias.InvalidArgument, match="outside"):
        creodias.render_tile(b04, 3, 9, 0, expression="B1")
    with pytest.raises(ValueError, match="position"):
        creodias.render_tile(b04, 10, 479, 439, expression="(B1 +")
    with pytest.raises(LookupError, match="unknown style"):
        creodias.render_tile(b04, 10, 479, 439, style="NO_SUCH_STYLE")
    with pytest.raises(ValueError):
        creodias.render_tile(b04, 10, 479, 439)
    with pytest.raises(ValueError, match="unknown CRS"):
        creodias.render_bbox(b04, (0, 0, 1, 1), crs="EPSG:999999", expression="B1")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import os

    cli = os.environ.get("CREODIAS_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("CREODIAS_CLI not set")
    root = tmp_path_factory.mktemp("tiles")
    subprocess.run([cli, "generate", str(root / "eodata"), "--s2-l1c", "0", "--s2-l2a", "1", "--s1-grd", "0",
                    "--landsat", "0", "--raster-size", "256"], check=True, capture_output=True)
    subprocess.run([cli, "index", str(root / "eodata"), "--db", str(root / "c.db")], check=True, capture_output=True)
    cat = creodias.Catalogue(str(root / "c.db"))
    product = cat.search(collection="SENTINEL-2").first()
    with creodias.TileServer(root / "c.db") as srv:
        yield srv, product


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def test_product_render_tile_equals_the_server_tile(served):
    srv, product = served
    b = product.footprint["coordinates"]
    lons = [c[0] for ring in (b[0] if isinstance(b[0][0][0], list) else b) for c in ring]
    lats = [c[1] for ring in (b[0] if isinstance(b[0][0][0], list) else b) for c in ring]
    import math

    lon, lat, z = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2, 9
    x = int((lon + 180) / 360 * 2 ** z)
    y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * 2 ** z)
    img = product.render_tile(z, x, y, style="TRUE_COLOR")
    assert img.coverage > 0
    url = srv.tile_url(layer=product.name.replace(".SAFE", ""), style="TRUE_COLOR").format(z=z, x=x, y=y)
    status, ctype, body = _get(url)
    assert status == 200 and ctype == "image/png"
    gdal.FileFromMemBuffer("/vsimem/s.png", body)
    ds = gdal.Open("/vsimem/s.png")
    served_px = np.dstack([ds.GetRasterBand(i + 1).ReadAsArray() for i in range(ds.RasterCount)])
    gdal.Unlink("/vsimem/s.png")
    assert np.array_equal(served_px, img.array[:, :, : served_px.shape[2]])  # opaque tiles are written as RGB


def test_server_errors_are_json_and_viewer_is_served(served):
    srv, product = served
    status, ctype, body = _get(srv.tile_url(layer="SENTINEL-2-L2A", style="NOPE").format(z=10, x=1, y=1))
    assert status == 400 and ctype.startswith("application/json")
    assert json.loads(body)["error"]["code"] == "StyleNotDefined"
    status, ctype, body = _get(srv.viewer_url)
    assert status == 200 and b"<html" in body.lower()
    status, _, body = _get(srv.url + "/api/layers")
    ids = [l["id"] for l in json.loads(body)["layers"]]
    assert "SENTINEL-2-L2A" in ids


def test_folium_map_uses_the_tile_url(served):
    folium = pytest.importorskip("folium")
    srv, _ = served
    url = srv.tile_url(layer="SENTINEL-2-L2A", style="NDVI", maxcc=30)
    m = folium.Map(location=[48, 8], zoom_start=8, tiles=None)
    folium.TileLayer(tiles=url, attr="Contains modified Copernicus Sentinel data", name="NDVI").add_to(m)
    html = m.get_root().render()
    assert "/tiles/WebMercatorQuad/{z}/{x}/{y}.png?layer=SENTINEL-2-L2A" in html
    assert "style=NDVI" in html and "maxcc=30" in html


def test_tile_url_and_style_lists():
    assert "NDVI" in creodias.styles() and "TRUE_COLOR" in creodias.styles()
    assert "viridis" in creodias.colormaps()
    u = creodias.tile_url("http://h:1/", product="P", expression="(B08-B04)/(B08+B04)", rescale=(-1, 1),
                          cloudmask=True, tms="WorldCRS84Quad", fmt="webp")
    assert u.startswith("http://h:1/tiles/WorldCRS84Quad/{z}/{x}/{y}.webp?product=P&expression=%28B08-B04%29")
    assert "rescale=-1,1" in u and "cloudmask=true" in u
    with pytest.raises(ValueError):
        creodias.tile_url("http://h")
