"""The catalogue file is plain SQLite with WKB footprints, so SpatiaLite can query it
directly: its ST_Intersects / ST_Within / ST_Contains serve as an independent oracle for
the grid + GEOS search plan."""

import random
import sqlite3

import pytest

import creodias


def spatialite(db):
    con = sqlite3.connect(db)
    try:
        con.enable_load_extension(True)
        con.load_extension("mod_spatialite")
    except (sqlite3.OperationalError, AttributeError) as e:  # pragma: no cover
        pytest.skip(f"mod_spatialite not loadable: {e}")
    return con


def make_features(n, rng):
    feats = []
    for i in range(n):
        lon, lat = rng.uniform(-20, 40), rng.uniform(30, 70)
        w, h, s = rng.uniform(0.2, 3), rng.uniform(0.2, 3), rng.uniform(-0.3, 0.3)
        ring = [[lon, lat], [lon + w, lat + s], [lon + w + s, lat + h], [lon + s, lat + h - s], [lon, lat]]
        feats.append({
            "type": "Feature", "id": f"f{i}",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"title": f"P{i:05d}.SAFE", "collection": "SENTINEL-2",
                           "startDate": "2024-01-01T00:00:00Z", "completionDate": "2024-01-01T00:00:10Z"},
        })
    return feats


@pytest.mark.parametrize("relation,fn", [("intersects", "ST_Intersects(g, a)"), ("within", "ST_Within(g, a)"),
                                         ("contains", "ST_Contains(g, a)")])
def test_spatial_relations_match_spatialite(tmp_path, relation, fn):
    rng = random.Random(99)
    db = tmp_path / "c.db"
    cat = creodias.Catalogue(db)
    cat.import_json({"type": "FeatureCollection", "features": make_features(1500, rng)})
    con = spatialite(str(db))
    checked = 0
    for _ in range(60):
        lon, lat = rng.uniform(-20, 40), rng.uniform(30, 70)
        size = rng.choice([0.05, 0.5, 2, 6])
        wkt = f"POLYGON(({lon} {lat},{lon + size} {lat},{lon + size / 2} {lat + size},{lon} {lat}))"
        got = {p.id for p in cat.search(geometry=wkt, relation=relation, page_size=1000)}
        want = {row[0] for row in con.execute(
            f"SELECT id FROM (SELECT id, GeomFromWKB(footprint, 4326) AS g, GeomFromText(?, 4326) AS a "
            f"FROM products) WHERE {fn} = 1", (wkt,))}
        assert got == want, (relation, wkt)
        checked += bool(want)
    assert checked > 5
