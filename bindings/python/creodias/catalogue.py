"""The embedded catalogue: Catalogue, Product and lazy search results."""

from __future__ import annotations

import datetime as _dt
import json as _json
import os as _os
import sys as _sys
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence, Union

from . import _creodias as _c


def _access(access):
    from .access import default_access

    return access if access is not None else default_access()

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)

TimeLike = Union[str, _dt.datetime, _dt.date, None]


def _to_dt(us: Optional[int]) -> Optional[_dt.datetime]:
    if us is None:
        return None
    return _EPOCH + _dt.timedelta(microseconds=us)


def _to_us(value: TimeLike, end: bool = False) -> Optional[int]:
    """datetime/date/ISO text -> microseconds (UTC). Naive datetimes are UTC.

    A date (or a date-only string) used as an upper bound means the end of that day.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return _c.parse_datetime_end(value) if end else _c.parse_datetime(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        delta = value - _EPOCH
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(value, _dt.date):
        start = _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc)
        us = _to_us(start)
        return us + 86_400_000_000 - 1 if end else us
    raise _c.InvalidArgument(f"expected a datetime, date or ISO 8601 string, got {type(value).__name__}")


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [value]
    return list(value)


class Product:
    """One catalogue product. Read-only; `properties` follows CREODIAS OpenSearch names."""

    __slots__ = ("_p", "_geo")

    def __init__(self, native: "_c._Product"):
        self._p = native
        self._geo = None

    # Plain attributes ---------------------------------------------------------------
    id = property(lambda self: self._p.id)
    name = property(lambda self: self._p.name)
    collection = property(lambda self: self._p.collection)
    product_type = property(lambda self: self._p.product_type)
    processing_level = property(lambda self: self._p.processing_level)
    platform = property(lambda self: self._p.platform)
    instrument = property(lambda self: self._p.instrument)
    sensor_mode = property(lambda self: self._p.sensor_mode)
    cloud_cover = property(lambda self: self._p.cloud_cover)
    orbit_number = property(lambda self: self._p.orbit_number)
    relative_orbit = property(lambda self: self._p.relative_orbit)
    orbit_direction = property(lambda self: self._p.orbit_direction or None)
    tile_id = property(lambda self: self._p.tile_id or None)
    polarisations = property(lambda self: list(self._p.polarisations))
    processing_baseline = property(lambda self: self._p.processing_baseline or None)
    size = property(lambda self: self._p.size)
    online = property(lambda self: self._p.online)
    path = property(lambda self: self._p.path)
    catalogue_files = property(lambda self: list(self._p.files))
    checksums = property(lambda self: {c.algorithm: c.value for c in self._p.checksums})

    @property
    def sensing_start(self) -> _dt.datetime:
        return _to_dt(self._p.sensing_start_us)

    @property
    def sensing_end(self) -> _dt.datetime:
        return _to_dt(self._p.sensing_end_us)

    @property
    def published(self) -> Optional[_dt.datetime]:
        return _to_dt(self._p.published_us)

    @property
    def updated(self) -> Optional[_dt.datetime]:
        return _to_dt(self._p.updated_us)

    @property
    def footprint(self) -> dict:
        """The footprint as a GeoJSON geometry dict (WGS84)."""
        if self._geo is None:
            self._geo = _json.loads(self._p.footprint_geojson)
        return self._geo

    @property
    def wkt(self) -> str:
        return self._p.footprint_wkt

    @property
    def __geo_interface__(self) -> dict:
        return {"type": "Feature", "id": self.id, "geometry": self.footprint, "properties": self.properties}

    @property
    def properties(self) -> dict:
        """Properties with CREODIAS OpenSearch (resto) names."""
        return _json.loads(self._p.to_resto_json())["properties"]

    # Access -----------------------------------------------------------------------
    def files(self, access: Optional["Access"] = None) -> list:
        """The product's files where they live (mount or S3), with bands and checksums."""
        return _access(access).files(self)

    def download(self, dest: Union[str, "_os.PathLike[str]"] = ".", *, files=None, bands=None, jobs: int = 8,
                 verify: bool = True, progress=True, access: Optional["Access"] = None):
        """Downloads the product (or selected files/bands) into dest/<name>/; see Access.download."""
        return _access(access).download(self, dest, files=files, bands=bands, jobs=jobs, verify=verify,
                                        progress=progress)

    def gdal_path(self, file_or_band: str, access: Optional["Access"] = None) -> str:
        """A path GDAL opens without downloading (local file or /vsis3/...)."""
        return _access(access).gdal_path(self, file_or_band)

    def read_window(self, file_or_band: str, window, band: int = 1, access: Optional["Access"] = None):
        """A numpy array of a band over window (x, y, width, height), read in place."""
        return _access(access).read_window(self, file_or_band, window, band)

    def render_tile(self, z: int, x: int, y: int, **kwargs):
        """This product's tile as a creodias.Image (see creodias.render_tile)."""
        from .tiles import render_tile

        return render_tile(self, z, x, y, **kwargs)

    def render_bbox(self, bbox, **kwargs):
        from .tiles import render_bbox

        return render_bbox(self, bbox, **kwargs)

    def to_stac(self) -> dict:
        """The product as a STAC 1.1 Item dict."""
        return _json.loads(self._p.to_stac_json())

    def __repr__(self) -> str:
        return f"Product({self.name!r}, {self.collection}, {self.sensing_start:%Y-%m-%dT%H:%M:%SZ})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Product) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


def _build_query(
    *,
    collection=None,
    product_type=None,
    processing_level=None,
    platform=None,
    instrument=None,
    sensor_mode=None,
    ids=None,
    bbox=None,
    geometry=None,
    intersects=None,
    relation="intersects",
    start: TimeLike = None,
    end: TimeLike = None,
    end_exclusive: bool = False,
    published_after: TimeLike = None,
    published_before: TimeLike = None,
    updated_after: TimeLike = None,
    updated_before: TimeLike = None,
    cloud_min: Optional[float] = None,
    cloud_max: Optional[float] = None,
    orbit: Optional[int] = None,
    orbit_min: Optional[int] = None,
    orbit_max: Optional[int] = None,
    relative_orbit=None,
    orbit_direction: Optional[str] = None,
    tile=None,
    polarisation=None,
    online: Optional[bool] = None,
    name: Optional[str] = None,
    sort: str = "-sensing",
    page_size: int = 100,
) -> "_c._Query":
    q = _c._Query()
    q.collections = [str(x) for x in _as_list(collection)]
    q.product_types = [str(x) for x in _as_list(product_type)]
    q.processing_levels = [str(x) for x in _as_list(processing_level)]
    q.platforms = [str(x) for x in _as_list(platform)]
    q.instruments = [str(x) for x in _as_list(instrument)]
    q.sensor_modes = [str(x) for x in _as_list(sensor_mode)]
    q.ids = [str(x) for x in _as_list(ids)]
    geometry = geometry if geometry is not None else intersects
    if bbox is not None and geometry is not None:
        raise _c.InvalidArgument("give either bbox or geometry, not both")
    if bbox is not None:
        if isinstance(bbox, str):
            q.set_bbox(bbox)
        else:
            vals = list(bbox)
            if len(vals) != 4:
                raise _c.InvalidArgument("bbox must have 4 numbers: west, south, east, north")
            q.set_bbox(",".join(repr(float(v)) for v in vals))
    if geometry is not None:
        if hasattr(geometry, "__geo_interface__"):
            geometry = geometry.__geo_interface__
        if isinstance(geometry, Mapping):
            q.set_aoi_geojson(_json.dumps(geometry))
        elif isinstance(geometry, str):
            text = geometry.strip()
            if text.startswith("{"):
                q.set_aoi_geojson(text)
            else:
                q.set_aoi_wkt(text)
        else:
            raise _c.InvalidArgument("geometry must be WKT text, a GeoJSON dict or have __geo_interface__")
    q.set_relation(relation)
    q.set_sensing(_to_us(start), _to_us(end, end=True), True, not end_exclusive)
    if published_after is not None or published_before is not None:
        q.set_published(_to_us(published_after), _to_us(published_before, end=True))
    if updated_after is not None or updated_before is not None:
        q.set_updated(_to_us(updated_after), _to_us(updated_before, end=True))
    q.cloud_min = None if cloud_min is None else float(cloud_min)
    q.cloud_max = None if cloud_max is None else float(cloud_max)
    if orbit is not None:
        q.orbit_min = q.orbit_max = int(orbit)
    if orbit_min is not None:
        q.orbit_min = int(orbit_min)
    if orbit_max is not None:
        q.orbit_max = int(orbit_max)
    q.relative_orbits = [int(x) for x in _as_list(relative_orbit)]
    if orbit_direction is not None:
        q.set_orbit_direction(orbit_direction)
    q.tile_ids = [str(x) for x in _as_list(tile)]
    q.polarisations = [str(x) for x in _as_list(polarisation)]
    q.online = online
    q.name_pattern = name or ""
    q.set_sort(sort)
    if not isinstance(page_size, int) or not 1 <= page_size <= 10000:
        raise _c.InvalidArgument(f"page_size {page_size!r} is outside 1..10000")
    q.limit = page_size
    q.validate()
    return q


class SearchResults:
    """Lazy, re-iterable search results: pages are fetched through keyset cursors as the
    iteration proceeds, so memory stays bounded whatever the number of matches."""

    def __init__(self, cat: "_c._Catalogue", query: "_c._Query", max_items: Optional[int]):
        self._cat = cat
        self._q = query
        self._max = max_items

    def __iter__(self) -> Iterator[Product]:
        for page in self.pages():
            for p in page:
                yield p

    def pages(self) -> Iterator[list]:
        """Iterates pages (lists of Product)."""
        q = self._q
        q.cursor = ""
        q.count = False
        seen = 0
        while True:
            page = self._cat.search(q)
            items = [Product(p) for p in page.products]
            if self._max is not None and seen + len(items) > self._max:
                items = items[: self._max - seen]
            seen += len(items)
            if items:
                yield items
            if not page.next_cursor or (self._max is not None and seen >= self._max):
                return
            q.cursor = page.next_cursor

    def count(self) -> int:
        """Number of matching products (exact unless the catalogue had to estimate)."""
        return int(self._cat.count(self._q).value)

    def matched(self) -> "_c.Count":
        """The count with its exactness flag."""
        return self._cat.count(self._q)

    def first(self) -> Optional[Product]:
        for p in self:
            return p
        return None

    def to_list(self) -> list:
        return list(self)

    def to_geojson(self) -> dict:
        """All results as a resto-style GeoJSON FeatureCollection dict."""
        feats = [p.__geo_interface__ for p in self]
        return {"type": "FeatureCollection", "features": feats}

    def to_stac(self) -> dict:
        """All results as a STAC ItemCollection dict."""
        return {"type": "FeatureCollection", "features": [p.to_stac() for p in self]}


class Catalogue:
    """The embedded catalogue (SQLite).

    ``Catalogue()`` opens ``$CREODIAS_DB`` or ``~/.local/share/creodias/catalogue.db``,
    creating it when missing. Database and file work releases the GIL.
    """

    def __init__(self, path: Union[str, "_os.PathLike[str]", None] = None, *, read_only: bool = False):
        self._c = _c._Catalogue(None if path is None else _os.fspath(path), read_only, not read_only)

    @property
    def path(self) -> str:
        return self._c.path

    def index(self, paths: Union[str, _os.PathLike, Iterable], *, threads: int = 0, force: bool = False,
              progress: Union[bool, Any] = False):
        """Indexes products under `paths` (recursively). Returns an IndexReport.

        progress=True draws a progress line on stderr; a callable receives
        (done, found, still_walking).
        """
        if isinstance(paths, (str, _os.PathLike)):
            paths = [paths]
        cb = None
        if progress is True:
            def cb(done, found, walking):
                total = "?" if walking else str(found)
                _sys.stderr.write(f"\rindexing {done}/{total}")
                _sys.stderr.flush()
        elif callable(progress):
            cb = progress
        report = self._c.index([_os.fspath(p) for p in paths], threads, force, cb)
        if progress is True:
            _sys.stderr.write("\n")
        return report

    def search(self, *, max_items: Optional[int] = None, **filters) -> SearchResults:
        """Searches; returns a lazy iterable of Product. See docs/python.md for filters."""
        return SearchResults(self._c, _build_query(**filters), max_items)

    def count(self, **filters) -> int:
        return int(self._c.count(_build_query(**filters)).value)

    def get(self, id_or_name: str) -> Optional[Product]:
        p = self._c.get(id_or_name)
        return None if p is None else Product(p)

    def import_json(self, document: Union[str, Mapping]):
        """Imports a STAC ItemCollection/Item, resto FeatureCollection or OData response."""
        if not isinstance(document, str):
            document = _json.dumps(document)
        return self._c.import_json(document)

    def remove(self, ids: Sequence[str]) -> int:
        return self._c.erase(list(ids))

    def stats(self):
        return self._c.stats()

    def __repr__(self) -> str:
        return f"Catalogue({self.path!r})"


def read_product(path: Union[str, _os.PathLike]) -> Product:
    """Reads one product's metadata from disk (SAFE dir/zip, MTL, netCDF...)."""
    return Product(_c.read_product(_os.fspath(path)))
