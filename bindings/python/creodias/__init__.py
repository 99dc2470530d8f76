"""libcreodias: EO-cloud data services (catalogue search, product access, tiles) for Python.

Typical use::

    import creodias
    cat = creodias.Catalogue()                 # $CREODIAS_DB or ~/.local/share/creodias/catalogue.db
    cat.index(["/eodata/Sentinel-2/MSI/L2A/2024/06"])
    for p in cat.search(collection="SENTINEL-2", bbox=(5, 45, 6, 46),
                        start="2024-06-01", end="2024-06-30", cloud_max=20):
        print(p.name, p.sensing_start, p.cloud_cover)
"""

from ._creodias import (  # noqa: F401
    AuthError,
    Cancelled,
    Error,
    InvalidArgument,
    NetworkError,
    NotFoundError,
    StorageError,
    Timeout,
    Unsupported,
    __version__,
)
from .catalogue import Catalogue, Product, SearchResults, read_product  # noqa: F401
from .access import Access, default_access, download, read_window, set_default_access  # noqa: F401
from .tiles import (  # noqa: F401
    Image,
    TileServer,
    colormaps,
    read_bbox,
    render_bbox,
    render_tile,
    sources,
    styles,
    tile_url,
)

__all__ = [
    "Access",
    "default_access",
    "set_default_access",
    "download",
    "read_window",
    "Catalogue",
    "Image",
    "TileServer",
    "colormaps",
    "read_bbox",
    "render_bbox",
    "render_tile",
    "sources",
    "styles",
    "tile_url",
    "Product",
    "SearchResults",
    "read_product",
    "Error",
    "InvalidArgument",
    "NotFoundError",
    "AuthError",
    "NetworkError",
    "Timeout",
    "Unsupported",
    "StorageError",
    "Cancelled",
    "__version__",
]
