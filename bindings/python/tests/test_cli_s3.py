"""`creodias ls` and `creodias cat` against a real Ceph RGW, with the AWS CLI as the
independent client that writes the objects and lists them for comparison."""

import json
import subprocess

import pytest


def aws(rgw, *args):
    r = subprocess.run(["aws", "--endpoint-url", rgw["endpoint"], *args], env=rgw["env"], capture_output=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def run(cli, rgw, *args, env=None):
    return subprocess.run([cli, *args], env=env or rgw["env"], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def bucket(rgw, tmp_path_factory):
    d = tmp_path_factory.mktemp("objs")
    aws(rgw, "s3api", "create-bucket", "--bucket", "clitest")
    data = {}
    for i, key in enumerate(["S2/tile 31UFS/B04.jp2", "S2/tile 31UFS/B08+nir.jp2", "S2/MTD_é.xml", "S1/x.tiff"]):
        body = bytes((i * 7 + k) % 256 for k in range(5000 + i * 1000))
        f = d / f"f{i}"
        f.write_bytes(body)
        aws(rgw, "s3api", "put-object", "--bucket", "clitest", "--key", key, "--body", str(f))
        data[key] = body
    return data


def test_ls_lists_levels_and_everything(cli, rgw, bucket):
    r = run(cli, rgw, "ls", "s3://clitest/S2/")
    assert r.returncode == 0, r.stderr
    level = json.loads(r.stdout)  # not a terminal: JSON
    assert {e["prefix"] for e in level if "prefix" in e} == {"S2/tile 31UFS/"}
    assert {e["key"] for e in level if "key" in e} == {"S2/MTD_é.xml"}
    r = run(cli, rgw, "ls", "s3://clitest/", "--recursive")
    ours = {e["key"]: e for e in json.loads(r.stdout)}
    theirs = {o["Key"]: o for o in json.loads(aws(rgw, "s3api", "list-objects-v2", "--bucket", "clitest"))["Contents"]}
    assert set(ours) == set(theirs) == set(bucket)
    for k, o in theirs.items():
        assert ours[k]["size"] == o["Size"]
        assert '"' + ours[k]["etag"] + '"' == o["ETag"]


def test_cat_writes_objects_and_ranges(cli, rgw, bucket):
    for key, body in bucket.items():
        r = run(cli, rgw, "cat", f"s3://clitest/{key}")
        assert r.returncode == 0, r.stderr
        assert r.stdout == body
    key = "S2/tile 31UFS/B08+nir.jp2"
    assert run(cli, rgw, "cat", f"s3://clitest/{key}", "--range=100-199").stdout == bucket[key][100:200]
    assert run(cli, rgw, "cat", f"s3://clitest/{key}", "--range", "6000-").stdout == bucket[key][6000:]


def test_errors_are_one_line_and_never_show_the_secret(cli, rgw, bucket):
    r = run(cli, rgw, "cat", "s3://clitest/no/such/key")
    assert r.returncode == 1
    assert b"not found" in r.stderr and r.stderr.count(b"\n") == 1
    env = dict(rgw["env"], AWS_SECRET_ACCESS_KEY="a-wrong-secret-value")
    r = run(cli, rgw, "ls", "s3://clitest/", env=env)
    assert r.returncode == 1
    assert rgw["access_key"].encode() in r.stderr
    assert b"a-wrong-secret-value" not in r.stderr and rgw["secret_key"].encode() not in r.stderr
    r = run(cli, rgw, "ls", "s3://clitest/", "--no-sign-request")
    assert r.returncode == 1 and b"anonymous" in r.stderr
    r = run(cli, rgw, "cat", "s3://clitest/S1/x.tiff", "--range=999999-")
    assert r.returncode == 2 and b"range" in r.stderr
    for bad in (["cat", "s3:///key"], ["cat", "s3://clitest/S1/x.tiff", "--range=9-3"], ["ls"], ["ls", "a", "b"]):
        r = run(cli, rgw, *bad)
        assert r.returncode == 2, bad
        assert r.stderr.startswith(b"creodias: error:"), bad


def test_local_paths(cli, rgw, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.bin").write_bytes(b"0123456789")
    r = run(cli, rgw, "ls", str(tmp_path))
    entries = json.loads(r.stdout)
    assert {e.get("key") or e.get("prefix") for e in entries} == {str(tmp_path / "a.bin"), str(tmp_path / "sub") + "/"}
    assert run(cli, rgw, "cat", str(tmp_path / "a.bin"), "--range=2-4").stdout == b"234"
    assert run(cli, rgw, "cat", str(tmp_path / "missing")).returncode == 1
    assert run(cli, rgw, "cat", str(tmp_path / "a.bin"), "--range=50-").returncode == 2

