import os
import pathlib

import pytest


def fixtures_dir() -> pathlib.Path:
    here = pathlib.Path(__file__).resolve()
    default = here.parents[3] / ".." / "shared" / "fixtures"
    return pathlib.Path(os.environ.get("CREODIAS_FIXTURES", default)).resolve()


def fixture_path(rel: str) -> pathlib.Path:
    """A fixture's path; a missing one fails in CI and skips elsewhere."""
    p = fixtures_dir() / rel
    if not p.exists():
        if in_ci():
            pytest.fail(f"missing fixture {p} (CI is set: fixtures are required)")
        pytest.skip(f"missing fixture {p}")
    return p


@pytest.fixture
def fixtures():
    """The shared real-data fixtures; missing ones fail in CI and skip elsewhere."""
    d = fixtures_dir()

    def get(rel: str) -> pathlib.Path:
        p = d / rel
        if not p.exists():
            if os.environ.get("CI") not in (None, "", "0", "false"):
                pytest.fail(f"missing fixture {p} (CI is set: fixtures are required)")
            pytest.skip(f"missing fixture {p}")
        return p

    return get


@pytest.fixture
def cli():
    """Path of the creodias CLI built next to the module."""
    path = os.environ.get("CREODIAS_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("CREODIAS_CLI not set")
    return path


def in_ci() -> bool:
    return os.environ.get("CI") not in (None, "", "0", "false")


@pytest.fixture(scope="session")
def rgw():
    """A real Ceph RGW (tests/servers/rgw.sh) for the session, stopped by PID at the end.
    Yields a dict with endpoint, access_key, secret_key and env (AWS variables for clients)."""
    import subprocess

    script = pathlib.Path(__file__).resolve().parents[3] / "tests" / "servers" / "rgw.sh"
    r = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True, timeout=180)
    if r.returncode != 0:
        msg = f"cannot start Ceph RGW: {r.stderr.strip() or r.stdout.strip()}"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    state = r.stdout.strip().splitlines()[-1]
    values = dict(line.split("=", 1) for line in (pathlib.Path(state) / "env").read_text().splitlines() if "=" in line)
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("AWS_"):
            del env[k]
    env.update({"AWS_ACCESS_KEY_ID": values["RGW_ACCESS_KEY"], "AWS_SECRET_ACCESS_KEY": values["RGW_SECRET_KEY"],
                "AWS_ENDPOINT_URL": values["RGW_ENDPOINT"], "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    try:
        yield {"endpoint": values["RGW_ENDPOINT"], "access_key": values["RGW_ACCESS_KEY"],
               "secret_key": values["RGW_SECRET_KEY"], "env": env}
    finally:
        subprocess.run(["bash", str(script), "stop", state], capture_output=True, timeout=120)
