"""Product access: the /eodata mount or the S3 `eodata` store, downloads, GDAL paths and
window reads into numpy arrays."""

from __future__ import annotations

import os as _os
import sys as _sys
import time as _time
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple, Union

from . import _creodias as _c

ProgressArg = Union[bool, Callable[["_c.TransferProgress"], None], None]


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def _in_notebook() -> bool:
    shell = _sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()  # type: ignore[attr-defined]
    except Exception:
        return False
    return ip is not None and ip.__class__.__name__ == "ZMQInteractiveShell"


class _ProgressBar:
    """A progress line on a terminal, or an updating text line in Jupyter."""

    def __init__(self, label: str):
        self.label = label
        self.notebook = _in_notebook()
        self.tty = _sys.stderr.isatty()
        self.handle = None
        self.last = 0.0

    def __call__(self, p: "_c.TransferProgress") -> None:
        now = _time.monotonic()
        done = p.bytes_done >= p.bytes_total and p.files_done == p.files_total
        if now - self.last < 0.2 and not done:
            return
        self.last = now
        frac = p.bytes_done / p.bytes_total if p.bytes_total else 0.0
        width = 24
        bar = "#" * int(frac * width) + "." * (width - int(frac * width))
        text = (f"{self.label} [{bar}] {_human(p.bytes_done)}/{_human(p.bytes_total)}  "
                f"{p.files_done}/{p.files_total} files  {_human(p.rate)}/s")
        if p.eta_seconds >= 0:
            text += f"  ETA {p.eta_seconds:.0f}s"
        if self.notebook:
            from IPython.display import display, update_display  # type: ignore

            if self.handle is None:
                self.handle = display({"text/plain": text}, raw=True, display_id=True)
            else:
                update_display({"text/plain": text}, raw=True, display_id=self.handle.display_id)
        elif self.tty:
            _sys.stderr.write("\r\033[K" + text)
            _sys.stderr.flush()

    def close(self) -> None:
        if self.tty and not self.notebook:
            _sys.stderr.write("\r\033[K")
            _sys.stderr.flush()


def _progress(progress: ProgressArg, label: str):
    if progress is True:
        return _ProgressBar(label)
    if progress is False or progress is None:
        return None
    if callable(progress):
        return progress
    raise _c.InvalidArgument("progress must be True, False or a callable taking a TransferProgress")


def _native(product: Any) -> "_c._Product":
    if isinstance(product, (str, _os.PathLike)):
        path = _os.fspath(product)
        if not path.startswith(("s3://", "/")):
            path = _os.path.abspath(path)
        return _c._product_at(path)
    native = getattr(product, "_p", product)
    if not isinstance(native, _c._Product):
        raise _c.InvalidArgument(f"expected a Product, an s3:// URI or a path, got {type(product).__name__}")
    return native


def _as_list(value: Union[str, Iterable[str], None]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


class Access:
    """How products are reached: the /eodata mount when present, else the S3 store.

    Unset S3 settings come from the AWS conventions (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
    AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials and config).
    ``endpoint`` may be a URL or "creodias" / "cdse". Secrets are never shown.
    """

    def __init__(self, *, eodata_root: Optional[str] = None, bucket: str = "eodata",
                 endpoint: Optional[str] = None, region: Optional[str] = None, profile: Optional[str] = None,
                 access_key: Optional[str] = None, secret_key: Optional[str] = None,
                 session_token: Optional[str] = None, anonymous: bool = False, max_connections: int = 0,
                 bearer_token: Optional[str] = None):
        if eodata_root is None:
            eodata_root = _os.environ.get("CREODIAS_EODATA_ROOT", "/eodata")
        if bearer_token is None:
            bearer_token = _os.environ.get("CREODIAS_BEARER_TOKEN", "")
        self._a = _c._Access(_os.fspath(eodata_root), bucket, endpoint, region, profile, access_key, secret_key,
                             session_token, anonymous, max_connections, bearer_token)

    def __repr__(self) -> str:
        return f"Access(eodata_root={self._a.eodata_root!r}, endpoint={self._a.endpoint!r})"

    def locate(self, product: Any) -> Tuple[str, bool]:
        """(URI or path of the product's root, True when read from the mount)."""
        return self._a.locate(_native(product))

    def files(self, product: Any) -> List["_c.FileEntry"]:
        """Every file of the product: path, size, band name, checksums (catalogue or manifest)."""
        return self._a.files(_native(product))

    def gdal_path(self, product: Any, file_or_band: str) -> str:
        """A path ``osgeo.gdal.Open`` reads in place: local, or /vsis3/ configured for this bucket."""
        return self._a.gdal_path(_native(product), file_or_band)

    def read_window(self, product: Any, file_or_band: str, window: Sequence[int], band: int = 1):
        """A numpy array of band `band` over window (x, y, width, height), read in place."""
        x, y, w, h = _window(window)
        return self._a.read_window(_native(product), file_or_band, x, y, w, h, band)

    def download(self, product: Any, dest: Union[str, _os.PathLike] = ".", *,
                 files: Union[str, Iterable[str], None] = None, bands: Union[str, Iterable[str], None] = None,
                 jobs: int = 8, verify: bool = True, progress: ProgressArg = True) -> "_c.DownloadReport":
        """Downloads the product (or the files matching `files` globs / `bands`) into dest/<name>/.

        Parallel, resumable (re-run after an interruption: only what is missing travels),
        verified (ETag, multipart ETag, manifest checksums). Ctrl-C cancels cleanly.
        """
        bar = _progress(progress, "download")
        try:
            return self._a.download(_native(product), _os.fspath(dest), _as_list(files), _as_list(bands), jobs,
                                    verify, bar)
        finally:
            if isinstance(bar, _ProgressBar):
                bar.close()

    def upload(self, path: Union[str, _os.PathLike], uri: str, *, jobs: int = 4,
               progress: ProgressArg = False) -> str:
        """Uploads a local file to s3://BUCKET/KEY (multipart above 16 MiB); returns the ETag."""
        if not uri.startswith("s3://") or "/" not in uri[5:]:
            raise _c.InvalidArgument(f"{uri!r} is not s3://BUCKET/KEY")
        bucket, key = uri[5:].split("/", 1)
        bar = _progress(progress, "upload")
        try:
            return self._a.upload(_os.fspath(path), bucket, key, jobs, bar)
        finally:
            if isinstance(bar, _ProgressBar):
                bar.close()


def _window(window: Sequence[int]) -> Tuple[int, int, int, int]:
    try:
        x, y, w, h = (int(v) for v in window)
    except (TypeError, ValueError):
        raise _c.InvalidArgument("window must be (x, y, width, height)") from None
    return x, y, w, h


_default: Optional[Access] = None


def default_access() -> Access:
    """The Access used by Product methods when none is given (created from the environment)."""
    global _default
    if _default is None:
        _default = Access()
    return _default


def set_default_access(access: Optional[Access]) -> None:
    global _default
    _default = access


def read_window(path: str, window: Sequence[int], band: int = 1):
    """Reads band `band` over window (x, y, width, height) of any GDAL path into a numpy array."""
    x, y, w, h = _window(window)
    return _c.read_window(path, x, y, w, h, band)


def download(target: Any, dest: Union[str, _os.PathLike] = ".", **kwargs) -> "_c.DownloadReport":
    """Downloads a Product, an s3:// prefix or a path with the default Access."""
    return default_access().download(target, dest, **kwargs)
