"""Window read benchmark (called by bench/run_access.sh): a 512x512 window of a
10980x10980 UInt16 band (tiled 512x512 GeoTIFF, DEFLATE) read in place through /vsis3/
against downloading the whole file first. Requests are counted in the nginx proxy's
access log; times are medians of 5 runs (GDAL's cache emptied between runs by a new
dataset and distinct windows)."""

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from osgeo import gdal

import creodias

gdal.UseExceptions()

ap = argparse.ArgumentParser()
ap.add_argument("--work", required=True)
ap.add_argument("--cli", required=True)
ap.add_argument("--rgw", required=True)
ap.add_argument("--proxy", required=True)
ap.add_argument("--log", required=True)
a = ap.parse_args()

band = os.path.join(a.work, "src", "T31UFS_20240101T000000_B04_10m.tif")
n = int(os.environ.get("WIN_N", "10980"))
drv = gdal.GetDriverByName("GTiff")
ds = drv.Create(band, n, n, 1, gdal.GDT_UInt16, ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE"])
ds.SetGeoTransform((600000, 10, 0, 5400000, 0, -10))
rng = np.random.default_rng(7)
rows = 1098
for y0 in range(0, n, rows):
    yy, xx = np.mgrid[y0:min(n, y0 + rows), 0:n]
    block = ((np.sin(xx / 300.0) + np.cos(yy / 170.0)) * 1500 + 3000 + rng.integers(0, 64, size=xx.shape))
    ds.GetRasterBand(1).WriteArray(block.astype(np.uint16), 0, y0)
ds = None
size = os.path.getsize(band)
subprocess.run([a.cli, "put", band, "s3://bench/win/S2_TEST.SAFE/" + os.path.basename(band), "--endpoint", a.rgw],
               check=True, stdout=subprocess.DEVNULL)

env = os.environ
acc = creodias.Access(eodata_root="", bucket="bench", endpoint=a.proxy, region="us-east-1",
                      access_key=env["AWS_ACCESS_KEY_ID"], secret_key=env["AWS_SECRET_ACCESS_KEY"])
product = "s3://bench/win/S2_TEST.SAFE"


def log_lines():
    with open(a.log) as f:
        return sum(1 for _ in f)


def log_bytes(skip):
    with open(a.log) as f:
        lines = f.readlines()[skip:]
    return sum(int(l.split()[-1]) for l in lines if l.split()[-1].isdigit())


windows = [(512 * k + 100, 512 * k + 300, 512, 512) for k in range(5)]
ref = gdal.Open(band)
inplace_t, inplace_r, inplace_b = [], [], []
gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
for w in windows:
    gdal.VSICurlClearCache()
    before = log_lines()
    t0 = time.perf_counter()
    arr = acc.read_window(product, "B04", w)
    inplace_t.append(time.perf_counter() - t0)
    time.sleep(0.2)  # nginx writes its log line after the response
    inplace_r.append(log_lines() - before)
    inplace_b.append(log_bytes(before))
    assert np.array_equal(arr, ref.GetRasterBand(1).ReadAsArray(*w)), "window differs from the local read"

first_t, first_r, first_b = [], [], []
for k, w in enumerate(windows[:3]):
    dest = os.path.join(a.work, f"win-dl-{k}")
    before = log_lines()
    t0 = time.perf_counter()
    acc.download(product, dest, bands="B04", progress=False)
    local = os.path.join(dest, "S2_TEST.SAFE", os.path.basename(band))
    local_ds = gdal.Open(local)  # kept referenced while its band is read
    arr = local_ds.GetRasterBand(1).ReadAsArray(*w)
    local_ds = None
    first_t.append(time.perf_counter() - t0)
    time.sleep(0.2)
    first_r.append(log_lines() - before)
    first_b.append(log_bytes(before))

print(f"\n512 x 512 window of a {n} x {n} UInt16 band ({size / 2**20:.0f} MiB tiled GeoTIFF), medians\n")
print("| access | requests | MiB transferred | time s |")
print("|---|---:|---:|---:|")
print(f"| in place (creodias read_window over /vsis3/) | {statistics.median(inplace_r):.0f} | "
      f"{statistics.median(inplace_b) / 2**20:.2f} | {statistics.median(inplace_t):.3f} |")
print(f"| download the file first, then read | {statistics.median(first_r):.0f} | "
      f"{statistics.median(first_b) / 2**20:.1f} | {statistics.median(first_t):.3f} |")
print(f"\nspeed-up in place: {statistics.median(first_t) / statistics.median(inplace_t):.1f}x")
