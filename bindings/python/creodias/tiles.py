"""On-the-fly rendering in Python: tiles and boxes of products (or of loose raster files) as
numpy arrays and PNG bytes that display inline in Jupyter, raw band values, and a tile
server with URL helpers for folium/leaflet.

Typical use::

    import creodias
    cat = creodias.Catalogue("catalogue.db")
    p = cat.search(collection="SENTINEL-2").first()
    img = creodias.render_tile(p, 12, 2130, 1459, style="NDVI")   # a creodias.Image
    img                                                             # shows inline in Jupyter
    img.array.shape                                                 # (256, 256, 4) uint8
    bands, mask = creodias.read_bbox(p, (5.0, 45.0, 5.2, 45.2), width=512, height=512, bands=["B04", "B08"])

    with creodias.TileServer("catalogue.db") as srv:                # background threads
        url = srv.tile_url(layer="SENTINEL-2-L2A", style="TRUE_COLOR")   # for folium.TileLayer
"""

from __future__ import annotations

import os as _os
import urllib.parse as _urlparse
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _creodias as _c

_renderer = None


def _default_renderer():
    global _renderer
    if _renderer is None:
        _renderer = _c._Renderer(512)
    return _renderer


class Image:
    """An RGBA image (numpy uint8 array of shape (height, width, 4)). Displays inline in
    Jupyter (``_repr_png_``); ``png()``/``jpeg()``/``webp()`` encode it."""

    __slots__ = ("array", "products_used", "coverage")

    def __init__(self, array, products_used: int = 0, coverage: float = 0.0):
        self.array = array
        self.products_used = products_used
        self.coverage = coverage

    def png(self, level: int = 1) -> bytes:
        return _c.encode_image(self.array, "png", 85, level)

    def jpeg(self, quality: int = 85) -> bytes:
        return _c.encode_image(self.array, "jpeg", quality, 1)

    def webp(self, quality: int = 85) -> bytes:
        return _c.encode_image(self.array, "webp", quality, 1)

    def save(self, path: Union[str, "_os.PathLike[str]"]) -> None:
        """Writes PNG, JPEG or WebP according to the extension."""
        ext = _os.path.splitext(_os.fspath(path))[1].lower().lstrip(".") or "png"
        data = _c.encode_image(self.array, ext, 85, 1)
        with open(path, "wb") as f:
            f.write(data)

    def _repr_png_(self) -> bytes:
        return self.png()

    @property
    def shape(self) -> Tuple[int, int, int]:
        return tuple(self.array.shape)

    def __repr__(self) -> str:
        h, w, _ = self.array.shape
        return f"<creodias.Image {w}x{h}, {self.products_used} product(s), {self.coverage:.0%} covered>"


def _sources(source: Any, access=None) -> List["_c._SourceSet"]:
    """Products, a list of them (a mosaic, in order), SourceSets, or loose files."""
    from .access import _native, default_access

    if isinstance(source, (list, tuple)) and source and all(isinstance(s, str) for s in source):
        return [_c._file_sources(list(source), "files")]
    if isinstance(source, (str, _os.PathLike)):
        return [_c._file_sources([_os.fspath(source)], _os.fspath(source))]
    if isinstance(source, dict):
        return [_c._file_sources([f"{k}={_os.fspath(v)}" for k, v in source.items()], "files")]
    items = list(source) if isinstance(source, (list, tuple)) else [source]
    out = []
    acc = access if access is not None else default_access()
    for item in items:
        if isinstance(item, _c._SourceSet):
            out.append(item)
        else:
            out.append(_c._product_sources(_native(item), acc._a))
    return out


def sources(source: Any, access=None):
    """The band sources of a product (or of loose files): what the renderer can read."""
    return _sources(source, access)


def _style_args(style, expression, rescale, colormap) -> Tuple[str, str, List[str], str]:
    if isinstance(rescale, tuple) and len(rescale) == 2 and not isinstance(rescale[0], (tuple, list)):
        rescale = [rescale]
    rescale_list = [f"{lo},{hi}" for lo, hi in rescale] if rescale else []
    if style is None and expression is None:
        raise ValueError("give a style (e.g. 'TRUE_COLOR') or an expression (e.g. '(B08-B04)/(B08+B04)')")
    return style or "", expression or "", rescale_list, colormap or ""


def render_tile(source: Any, z: int, x: int, y: int, *, tms: str = "WebMercatorQuad", tile_size: int = 256,
                style: Optional[str] = None, expression: Optional[str] = None, rescale=None,
                colormap: Optional[str] = None, gamma: float = 1.0, resampling: str = "bilinear",
                cloud_mask: bool = False, timeout: float = 20.0, access=None) -> Image:
    """Renders one tile of a tile matrix set from a product (a list of products is a mosaic,
    first products on top). Raises ValueError (InvalidArgument) for bad tiles or styles."""
    crs, extent, w, h = _c.tile_extent(tms, z, x, y, tile_size)
    return render_bbox(source, extent, crs=crs, width=w, height=h, style=style, expression=expression,
                       rescale=rescale, colormap=colormap, gamma=gamma, resampling=resampling,
                       cloud_mask=cloud_mask, timeout=timeout, access=access)


def render_bbox(source: Any, bbox: Sequence[float], *, crs: str = "EPSG:4326", width: int = 512, height: int = 512,
                style: Optional[str] = None, expression: Optional[str] = None, rescale=None,
                colormap: Optional[str] = None, gamma: float = 1.0, resampling: str = "bilinear",
                cloud_mask: bool = False, timeout: float = 20.0, access=None) -> Image:
    """Renders a box (minx, miny, maxx, maxy in the CRS, x = easting/longitude) to RGBA."""
    s, e, r, cm = _style_args(style, expression, rescale, colormap)
    arr, used, coverage = _default_renderer().render(_sources(source, access), crs, tuple(map(float, bbox)), int(width),
                                                     int(height), s, e, r, cm, float(gamma), resampling,
                                                     bool(cloud_mask), float(timeout))
    return Image(arr, used, coverage)


def read_bbox(source: Any, bbox: Sequence[float], *, bands: Sequence[str], crs: str = "EPSG:4326", width: int = 512,
              height: int = 512, resampling: str = "bilinear", cloud_mask: bool = False, timeout: float = 20.0,
              access=None) -> Tuple[Dict[str, Any], Any]:
    """Physical band values (float32 arrays, NaN where no data) on a grid, and the validity
    mask (uint8, 255 = data)."""
    return _default_renderer().read(_sources(source, access), crs, tuple(map(float, bbox)), int(width), int(height),
                                    list(bands), resampling, bool(cloud_mask), float(timeout))


def styles() -> List[str]:
    """The named style presets."""
    return list(_c.style_ids())


def colormaps() -> List[str]:
    return list(_c.colormap_names())


def tile_url(base_url: str, *, layer: Optional[str] = None, product: Optional[str] = None, style: Optional[str] = None,
             tms: str = "WebMercatorQuad", fmt: str = "png", **params: Any) -> str:
    """An XYZ URL template ("…/tiles/WebMercatorQuad/{z}/{x}/{y}.png?layer=…") for folium,
    ipyleaflet or any web map. Extra keyword arguments become query parameters
    (expression, rescale, colormap, time, maxcc, priority, cloudmask, resampling)."""
    if not layer and not product:
        raise ValueError("give a layer or a product")
    q: List[Tuple[str, str]] = []
    if layer:
        q.append(("layer", layer))
    if product:
        q.append(("product", product))
    if style:
        q.append(("style", style))
    for k, v in params.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, (tuple, list)):
            v = ",".join(str(x) for x in v)
        q.append((k, str(v)))
    base = base_url.rstrip("/")
    return f"{base}/tiles/{tms}/{{z}}/{{x}}/{{y}}.{fmt}?" + _urlparse.urlencode(q, safe=",:/")


class TileServer:
    """`creodias serve` in this process, on background threads (the GIL is not held while
    rendering). Use as a context manager, or call stop()."""

    def __init__(self, catalogue: Union[str, "_os.PathLike[str]", None] = None, *, host: str = "127.0.0.1",
                 port: int = 0, eodata_root: Optional[str] = None, tile_cache_mb: int = 128, threads: int = 0):
        path = _os.fspath(catalogue) if catalogue is not None else (_os.environ.get("CREODIAS_DB") or "")
        self._s = _c._TileServer(path, host, int(port), eodata_root or "", int(tile_cache_mb), int(threads))
        self._s.start()

    @property
    def url(self) -> str:
        return self._s.url

    @property
    def port(self) -> int:
        return self._s.port

    @property
    def viewer_url(self) -> str:
        return self.url + "/viewer/"

    def tile_url(self, **kwargs: Any) -> str:
        return tile_url(self.url, **kwargs)

    def wmts_url(self) -> str:
        return self.url + "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities"

    def stop(self) -> None:
        self._s.stop()

    def __enter__(self) -> "TileServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<creodias.TileServer {self.url}>"
