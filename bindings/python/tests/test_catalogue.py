import datetime as dt
import json

import pytest

import creodias


def feature(i, lon, lat, day, cloud=None, collection="SENTINEL-2"):
    props = {
        "title": f"S2A_MSIL2A_202406{day:02d}T100000_N0510_R022_T32TQM_{i:04d}.SAFE",
        "collection": collection,
        "productType": "S2MSI2A",
        "startDate": f"2024-06-{day:02d}T10:00:00Z",
        "completionDate": f"2024-06-{day:02d}T10:00:05Z",
        "productIdentifier": f"/eodata/Sentinel-2/MSI/L2A/2024/06/{day:02d}/x{i}.SAFE",
        "status": "ONLINE",
    }
    if cloud is not None:
        props["cloudCover"] = cloud
    ring = [[lon, lat], [lon + 1, lat], [lon + 1, lat + 1], [lon, lat + 1], [lon, lat]]
    return {"type": "Feature", "id": f"uuid-{i}", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": props}


@pytest.fixture
def cat(tmp_path):
    c = creodias.Catalogue(tmp_path / "c.db")
    feats = [feature(i, 5 + (i % 10), 40 + (i // 10), 1 + i % 28, cloud=float(i % 100)) for i in range(200)]
    c.import_json({"type": "FeatureCollection", "features": feats})
    return c


def brute(cat_features, pred):
    return {f["id"] for f in cat_features if pred(f)}


def test_search_is_lazy_and_pages_through_cursors(cat):
    res = cat.search(collection="Sentinel2", page_size=7)
    seen = [p.id for p in res]
    assert len(seen) == 200 == len(set(seen))
    assert res.count() == 200
    starts = [p.sensing_start for p in cat.search(page_size=13)]
    assert starts == sorted(starts, reverse=True)
    assert all(s.tzinfo is not None for s in starts)
    assert len(list(cat.search(max_items=15))) == 15


def test_filters_match_a_plain_python_filter(cat):
    got = {p.id for p in cat.search(bbox=(7.5, 41.5, 9.5, 43.5), cloud_max=30, start="2024-06-05", end="2024-06-20")}
    want = set()
    for i in range(200):
        lon, lat, day, cloud = 5 + (i % 10), 40 + (i // 10), 1 + i % 28, float(i % 100)
        hit = lon <= 9.5 and lon + 1 >= 7.5 and lat <= 43.5 and lat + 1 >= 41.5
        if hit and cloud <= 30 and 5 <= day <= 20:
            want.add(f"uuid-{i}")
    assert got == want and got


def test_naive_datetimes_are_utc(cat):
    a = cat.count(start=dt.datetime(2024, 6, 3, 10, 0, 0), end=dt.datetime(2024, 6, 3, 10, 0, 0))
    b = cat.count(start="2024-06-03T10:00:00Z", end="2024-06-03T10:00:00Z")
    c = cat.count(start="2024-06-03T12:00:00+02:00", end="2024-06-03T12:00:00+02:00")
    assert a == b == c > 0


def test_product_interfaces(cat):
    p = cat.search(sort="+cloud").first()
    assert p.cloud_cover == 0.0
    gi = p.__geo_interface__
    assert gi["type"] == "Feature" and gi["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert gi["properties"]["productType"] == "S2MSI2A"
    stac = p.to_stac()
    assert stac["stac_version"] == "1.1.0" and stac["properties"]["eo:cloud_cover"] == 0.0
    assert cat.get(p.id).name == p.name
    assert cat.get("does-not-exist") is None


def test_errors_are_typed(cat, tmp_path):
    with pytest.raises(ValueError):
        cat.search(cloud_max=101)
    with pytest.raises(creodias.InvalidArgument) as e:
        cat.search(start="2024-07-01", end="2024-06-01")
    assert e.value.code == "invalid_argument"
    with pytest.raises(ValueError):
        cat.search(geometry="POLYGON((0 0,1 1,1 0,0 1,0 0))")
    with pytest.raises(ValueError):
        cat.search(bbox=(0, 0, 1))
    with pytest.raises(ValueError):
        cat.search(start="not a date")
    with pytest.raises(LookupError):
        creodias.Catalogue(tmp_path / "missing.db", read_only=True)
    ro = creodias.Catalogue(cat.path, read_only=True)
    with pytest.raises(PermissionError):
        ro.import_json({"type": "FeatureCollection", "features": [feature(999, 0, 0, 1)]})
    with pytest.raises(creodias.Error):
        cat.import_json("{not json")


def test_geo_interface_objects_are_accepted_as_aoi(cat):
    class Shape:
        __geo_interface__ = {"type": "Polygon", "coordinates": [[[7.2, 41.2], [7.8, 41.2], [7.8, 41.8], [7.2, 41.8], [7.2, 41.2]]]}

    ids = {p.id for p in cat.search(geometry=Shape())}
    assert ids == {p.id for p in cat.search(bbox="7.2,41.2,7.8,41.8")}
    assert ids
