import os
import pathlib

import pytest


def fixtures_dir() -> pathlib.Path:
    here = pathlib.Path(__file__).resolve()
    default = here.parents[3] / ".." / "shared" / "fixtures"
    return pathlib.Path(os.environ.get("CREODIAS_FIXTURES", default)).resolve()


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
