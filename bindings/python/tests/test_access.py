"""Product access from Python against a real Ceph RGW: file listings, GDAL reads in place
(osgeo.gdal as the oracle), window reads into numpy, downloads with progress, Ctrl-C and
resume, uploads; and the `creodias get/put` commands, including kill -9 and resume."""

import os
import pathlib
import signal
import subprocess
import threading
import time

import numpy as np
import pytest

import creodias

from conftest import fixture_path

HERE = pathlib.Path(__file__).resolve()
SERVERS = HERE.parents[3] / "tests" / "servers"
S2_PRODUCT = "products/sentinel2/S2A_MSIL1C_20180101T105441_N0206_R051_T31TDH_20180101T124911"
LANDSAT = ("products/landsat/usgs-landsat/collection02/level-2/standard/oli-tirs/2020/001/062/"
           "LC08_L2SP_001062_20201031_20201106_02_T2")


def aws(rgw, *args):
    r = subprocess.run(["aws", "--endpoint-url", rgw["endpoint"], *args, "--only-show-errors"], env=rgw["env"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


def mb(rgw, bucket):
    subprocess.run(["aws", "--endpoint-url", rgw["endpoint"], "s3", "mb", f"s3://{bucket}"], env=rgw["env"],
                   capture_output=True, timeout=60)


def access_for(rgw, endpoint=None, bucket="eodata", **kw):
    return creodias.Access(eodata_root="", bucket=bucket, endpoint=endpoint or rgw["endpoint"], region="us-east-1",
                           access_key=rgw["access_key"], secret_key=rgw["secret_key"], **kw)


@pytest.fixture(scope="module")
def s2_in_rgw(rgw):
    """The real Sentinel-2 L1C product (with its complete B01 band) in the RGW bucket 'eodata-py'."""
    src = fixture_path(S2_PRODUCT)
    mb(rgw, "eodata-py")
    key = f"Sentinel-2/MSI/L1C/2018/01/01/{src.name}.SAFE"
    aws(rgw, "s3", "cp", "--recursive", str(src), f"s3://eodata-py/{key}")
    return src, key


class Proxy:
    """tests/servers/s3proxy.sh: nginx in front of RGW with a per-connection rate."""

    def __init__(self, rgw, rate, port):
        upstream = rgw["endpoint"].rsplit(":", 1)[1]
        env = dict(os.environ, PROXY_RATE=rate, PROXY_REQUESTS="1000", PROXY_BURST="1000", PROXY_CONNECTIONS="16")
        r = subprocess.run(["bash", str(SERVERS / "s3proxy.sh"), "start", upstream, str(port)], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        self.dir = r.stdout.strip().splitlines()[-1]
        self.endpoint = f"http://127.0.0.1:{port}"

    def stop(self):
        subprocess.run(["bash", str(SERVERS / "s3proxy.sh"), "stop", self.dir], capture_output=True, timeout=60)


def test_files_bands_and_gdal_in_place(rgw, s2_in_rgw):
    from osgeo import gdal

    src, key = s2_in_rgw
    acc = access_for(rgw, bucket="eodata-py")
    product = creodias.read_product(src)  # the real product's metadata
    assert product.path  # where it was indexed from: a local path
    # As the catalogue would hold it on CREODIAS: an /eodata path, here served by S3.
    uri, mounted = acc.locate(f"/eodata/{key}")
    assert uri == f"s3://eodata-py/{key}" and not mounted
    files = acc.files(f"/eodata/{key}")
    names = {f.path for f in files}
    local = {str(p.relative_to(src)) for p in src.rglob("*") if p.is_file()}
    assert names == local
    b01 = [f for f in files if f.band == "B01"]
    assert len(b01) == 1 and b01[0].path.endswith("_B01.jp2")

    path = acc.gdal_path(f"/eodata/{key}", "B01")
    assert path.startswith("/vsis3/eodata-py/") and path.endswith("_B01.jp2")
    # The credentials are set for this bucket's prefix only, never as global configuration.
    assert gdal.GetConfigOption("AWS_SECRET_ACCESS_KEY") is None
    assert gdal.GetConfigOption("AWS_S3_ENDPOINT") is None
    ds = gdal.Open(path)
    assert ds is not None, gdal.GetLastErrorMsg()
    ref = gdal.Open(str(src / b01[0].path))
    assert (ds.RasterXSize, ds.RasterYSize) == (ref.RasterXSize, ref.RasterYSize)

    win = acc.read_window(f"/eodata/{key}", "B01", (100, 200, 512, 512))
    expected = ref.GetRasterBand(1).ReadAsArray(100, 200, 512, 512)
    assert win.shape == (512, 512) and win.dtype == expected.dtype
    assert np.array_equal(win, expected)
    # the same through the module-level function on a local path
    assert np.array_equal(creodias.read_window(str(src / b01[0].path), (100, 200, 512, 512)), expected)
    with pytest.raises(creodias.InvalidArgument):
        acc.read_window(f"/eodata/{key}", "B01", (1800, 0, 512, 512))
    with pytest.raises(creodias.NotFoundError):
        acc.gdal_path(f"/eodata/{key}", "B99")


def test_product_methods_download_with_progress(rgw, s2_in_rgw, tmp_path):
    src, key = s2_in_rgw
    acc = access_for(rgw, bucket="eodata-py")
    seen = []
    report = acc.download(f"/eodata/{key}", tmp_path, progress=seen.append)
    assert report.downloaded == len(report.files) > 0
    assert all(f.verified_by.startswith("etag-md5") for f in report.files)
    assert seen and seen[-1].bytes_done == seen[-1].bytes_total
    out = tmp_path / (src.name + ".SAFE")
    for f in src.rglob("*"):
        if f.is_file():
            assert (out / f.relative_to(src)).read_bytes() == f.read_bytes()
    # selected by band, with the Product API and a default Access
    creodias.set_default_access(acc)
    try:
        product = creodias.read_product(src)
        from creodias import _creodias as _c

        native = _c._product_at(f"/eodata/{key}")
        p = creodias.Product(native)
        r = p.download(tmp_path / "b01", bands="B01", progress=False)
        assert len(r.files) == 1 and r.files[0].path.endswith("_B01.jp2")
        assert [f.band for f in p.files() if f.band] == ["B01"]
        assert p.gdal_path("B01").startswith("/vsis3/")
        assert product.name  # metadata still there
    finally:
        creodias.set_default_access(None)
    with pytest.raises(creodias.InvalidArgument):
        acc.download(f"/eodata/{key}", tmp_path, files="../*", progress=False)
    with pytest.raises(creodias.NotFoundError):
        acc.download(f"/eodata/{key}", tmp_path, files="*.nothing", progress=False)


def test_wrong_secret_is_an_auth_error_without_the_secret(rgw, s2_in_rgw, tmp_path):
    _, key = s2_in_rgw
    bad = creodias.Access(eodata_root="", bucket="eodata-py", endpoint=rgw["endpoint"], region="us-east-1",
                          access_key=rgw["access_key"], secret_key="not-the-secret-42")
    with pytest.raises(creodias.AuthError) as e:
        bad.files(f"/eodata/{key}")
    assert rgw["access_key"] in str(e.value)
    assert "not-the-secret-42" not in str(e.value)


def test_transfers_release_the_gil_and_ctrl_c_cancels_then_resume(rgw, tmp_path):
    mb(rgw, "py-big")
    data = np.random.default_rng(1).integers(0, 255, size=48 << 20, dtype=np.uint8).tobytes()
    (tmp_path / "big.bin").write_bytes(data)
    plain = access_for(rgw, bucket="py-big")
    etag = plain.upload(tmp_path / "big.bin", "s3://py-big/big.bin")
    assert etag.endswith("-6")  # 8 MiB parts

    proxy = Proxy(rgw, "4m", 7491)  # 4 MB/s per connection: ~1.5 s with 8 connections
    try:
        slow = access_for(rgw, endpoint=proxy.endpoint, bucket="py-big")
        # GIL released: Python keeps running while the download proceeds in another thread.
        ticks = 0
        result = {}

        def run():
            result["r"] = slow.download("s3://py-big/big.bin", tmp_path / "a", progress=False)

        t = threading.Thread(target=run)
        t.start()
        deadline = time.monotonic() + 120
        while t.is_alive() and time.monotonic() < deadline:
            ticks += 1
            time.sleep(0.001)
        t.join()
        assert ticks > 100, ticks
        assert (tmp_path / "a" / "big.bin").read_bytes() == data

        # Ctrl-C (a real SIGINT) during a download raises KeyboardInterrupt and keeps the partial data.
        timer = threading.Timer(0.8, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            slow.download("s3://py-big/big.bin", tmp_path / "b", jobs=2, progress=False)
        timer.cancel()
        assert not (tmp_path / "b" / "big.bin").exists()
        assert (tmp_path / "b" / "big.bin.creodias-part").exists()
        r = plain.download("s3://py-big/big.bin", tmp_path / "b", progress=False)
        assert r.resumed == 1 and 0 < r.bytes_transferred < len(data)
        assert (tmp_path / "b" / "big.bin").read_bytes() == data
    finally:
        proxy.stop()


# ---- the command line ---------------------------------------------------------------

def run_cli(rgw, *args, **kw):
    return subprocess.run([os.environ.get("CREODIAS_CLI", "creodias"), *args], env=rgw["env"], capture_output=True,
                          text=True, timeout=kw.get("timeout", 300))


def test_cli_put_get_roundtrip_and_bad_input(rgw, tmp_path):
    mb(rgw, "cli-get")
    src = fixture_path(LANDSAT)
    for f in src.iterdir():
        r = run_cli(rgw, "put", str(f), f"s3://cli-get/Landsat/{src.name}/")
        assert r.returncode == 0, r.stderr
    r = run_cli(rgw, "get", f"s3://cli-get/Landsat/{src.name}", "--dest", str(tmp_path), "--band", "SR_B4",
            "--files", "*MTL.json")
    assert r.returncode == 0, r.stderr
    import json

    report = json.loads(r.stdout)
    got = sorted(pathlib.Path(f["path"]).name for f in report["files"])
    assert got == sorted([f"{src.name}_SR_B4.TIF", f"{src.name}_MTL.json"])
    for f in report["files"]:
        assert pathlib.Path(f["path"]).read_bytes() == (src / pathlib.Path(f["path"]).name).read_bytes()
        assert f["verified_by"] == "etag-md5"
    # a second run transfers nothing
    again = json.loads(run_cli(rgw, "get", f"s3://cli-get/Landsat/{src.name}", "--dest", str(tmp_path), "--band",
                           "SR_B4", "--files", "*MTL.json").stdout)
    assert again["skipped"] == 2 and again["bytes_transferred"] == 0

    bad = run_cli(rgw, "get", f"s3://cli-get/Landsat/{src.name}", "--dest", str(tmp_path), "--files", "../*")
    assert bad.returncode == 2 and bad.stderr.startswith("creodias: error:") and bad.stderr.count("\n") == 1
    missing = run_cli(rgw, "get", "s3://cli-get/no/such/thing", "--dest", str(tmp_path))
    assert missing.returncode == 1 and "no file under" in missing.stderr
    jobs = run_cli(rgw, "get", "s3://cli-get/x", "--jobs", "0")
    assert jobs.returncode == 2
    env = dict(rgw["env"], AWS_SECRET_ACCESS_KEY="wrong-wrong-wrong")
    auth = subprocess.run([os.environ.get("CREODIAS_CLI", "creodias"), "get", f"s3://cli-get/Landsat/{src.name}",
                           "--dest", str(tmp_path / "auth")], env=env, capture_output=True, text=True, timeout=120)
    assert auth.returncode == 1 and rgw["access_key"] in auth.stderr and "wrong-wrong-wrong" not in auth.stderr


def test_cli_get_survives_kill_9(rgw, tmp_path):
    mb(rgw, "cli-kill")
    data = os.urandom(40 << 20)
    (tmp_path / "k.bin").write_bytes(data)
    assert run_cli(rgw, "put", str(tmp_path / "k.bin"), "s3://cli-kill/k.bin").returncode == 0
    proxy = Proxy(rgw, "3m", 7492)
    dest = tmp_path / "dest"
    try:
        env = dict(rgw["env"], AWS_ENDPOINT_URL=proxy.endpoint)
        p = subprocess.Popen([os.environ.get("CREODIAS_CLI", "creodias"), "get", "s3://cli-kill/k.bin", "--dest",
                              str(dest), "--jobs", "4"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        journal = dest / "k.bin.creodias-journal"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not journal.exists() or journal.read_text().count("\n") < 6):
            time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        assert p.returncode == -signal.SIGKILL
        assert not (dest / "k.bin").exists()
        assert journal.exists()
    finally:
        proxy.stop()
    import json

    r = run_cli(rgw, "get", "s3://cli-kill/k.bin", "--dest", str(dest))
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["resumed"] == 1 and 0 < report["bytes_transferred"] < len(data)
    assert (dest / "k.bin").read_bytes() == data
    assert not journal.exists()


def test_cli_get_by_catalogue_id_from_the_mount_or_from_s3(rgw, tmp_path):
    """A real CDSE search response gives /eodata paths; `creodias get ID` reads the product on
    the mount when present, else from the S3 store."""
    import json

    response = fixture_path("products/creodias/catalogue/cdse_resto_Sentinel1_search.json")
    mount = fixture_path("products/creodias/eodata")
    name = "S1B_IW_GRDH_1SDV_20200606T060615_20200606T060640_021909_029944_4C69.SAFE"
    rel = f"Sentinel-1/SAR/GRD/2020/06/06/{name}"
    db = tmp_path / "cat.db"
    r = run_cli(rgw, "index", str(response), "--db", str(db))
    assert r.returncode == 0, r.stderr
    pid = "1a0e671f-75f3-50b8-86d8-d90310b723fb"

    # On a VM: the mount has it.
    r = run_cli(rgw, "get", pid, "--db", str(db), "--eodata-root", str(mount), "--dest", str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr
    got = tmp_path / "m" / name / "manifest.safe"
    assert got.read_bytes() == (mount / rel / "manifest.safe").read_bytes()

    # Elsewhere: the S3 store (bucket eodata-cli mirrors the mount).
    mb(rgw, "eodata-cli")
    aws(rgw, "s3", "cp", "--recursive", str(mount / rel), f"s3://eodata-cli/{rel}")
    r = run_cli(rgw, "get", pid, "--db", str(db), "--eodata-root", str(tmp_path / "no-mount"), "--bucket",
                "eodata-cli", "--dest", str(tmp_path / "s"))
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert [f["verified_by"] for f in report["files"]] == ["etag-md5"]
    assert (tmp_path / "s" / name / "manifest.safe").read_bytes() == (mount / rel / "manifest.safe").read_bytes()

    # The same from Python, through the catalogue record.
    cat = creodias.Catalogue(db)
    p = cat.get(pid)
    acc = access_for(rgw, bucket="eodata-cli")
    assert acc.locate(p) == (f"s3://eodata-cli/{rel}", False)
    assert [f.path for f in p.files(access=acc)] == ["manifest.safe"]
    mounted = creodias.Access(eodata_root=str(mount))
    assert mounted.locate(p) == (str(mount / rel), True)
    missing = run_cli(rgw, "get", "no-such-product", "--db", str(db))
    assert missing.returncode == 1 and "no product" in missing.stderr


def test_cli_put_killed_mid_upload_leaves_no_parts_after_the_next_put(rgw, tmp_path):
    import json

    mb(rgw, "cli-put-kill")
    data = os.urandom(192 << 20)
    (tmp_path / "u.bin").write_bytes(data)
    env = dict(rgw["env"], XDG_STATE_HOME=str(tmp_path / "state"))

    def uploads():
        r = subprocess.run(["aws", "--endpoint-url", rgw["endpoint"], "s3api", "list-multipart-uploads", "--bucket",
                            "cli-put-kill"], env=rgw["env"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout).get("Uploads", []) if r.stdout.strip() else []

    # One part at a time, so the upload is in progress for a while; killed once the
    # upload id is recorded.
    p = subprocess.Popen([os.environ.get("CREODIAS_CLI", "creodias"), "put", str(tmp_path / "u.bin"),
                          "s3://cli-put-kill/u.bin", "--jobs", "1"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    records = tmp_path / "state" / "creodias" / "uploads"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None and not (records.exists() and any(records.iterdir())):
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    assert p.returncode == -signal.SIGKILL, "the upload finished before it could be killed"
    assert len(uploads()) == 1  # the killed upload is still on the server...
    r = subprocess.run([os.environ.get("CREODIAS_CLI", "creodias"), "put", str(tmp_path / "u.bin"),
                        "s3://cli-put-kill/u.bin"], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert uploads() == []  # ...until the next put of the same key aborts it
    assert not any(records.iterdir())
    got = subprocess.run(["aws", "--endpoint-url", rgw["endpoint"], "s3", "cp", "s3://cli-put-kill/u.bin",
                          str(tmp_path / "back.bin"), "--only-show-errors"], env=rgw["env"], capture_output=True,
                         timeout=120)
    assert got.returncode == 0
    assert (tmp_path / "back.bin").read_bytes() == data


def test_progress_bar_updates_one_display_in_jupyter(monkeypatch):
    """In a notebook the bar is one output updated in place (IPython's display protocol)."""
    import sys
    import types

    from creodias import access as acc_mod

    calls = []

    class Handle:
        display_id = "bar-1"

    display_mod = types.ModuleType("IPython.display")
    display_mod.display = lambda obj, raw, display_id: (calls.append(("display", obj["text/plain"])), Handle())[1]
    display_mod.update_display = lambda obj, raw, display_id: calls.append(("update", obj["text/plain"], display_id))
    monkeypatch.setitem(sys.modules, "IPython.display", display_mod)
    monkeypatch.setattr(acc_mod, "_in_notebook", lambda: True)

    class P:
        def __init__(self, done):
            self.bytes_done, self.bytes_total = done, 100 << 20
            self.files_done, self.files_total = (1 if done == self.bytes_total else 0), 1
            self.rate, self.eta_seconds = 10 << 20, (self.bytes_total - done) / (10 << 20)

    bar = acc_mod._ProgressBar("download")
    bar(P(10 << 20))
    bar.last = 0  # no throttling between the calls of this test
    bar(P(50 << 20))
    bar.last = 0
    bar(P(100 << 20))
    assert [c[0] for c in calls] == ["display", "update", "update"]
    assert "10.0 MiB/100.0 MiB" in calls[0][1] and "100.0 MiB/100.0 MiB" in calls[-1][1]
    assert all(c[2] == "bar-1" for c in calls[1:])
