"""Everything the dashboard page loads stays under 200 KB compressed."""

import gzip

from billgraph.dashboard import STATIC_DIR

LIMIT_BYTES = 200 * 1024
# In the folder but never loaded by the page: the vendored library's paperwork.
NOT_LOADED = {"VENDORED.md", "LICENSE-uplot.txt"}


def test_the_pages_files_weigh_under_200_kb_gzipped() -> None:
    files = [
        path for path in STATIC_DIR.rglob("*") if path.is_file() and path.name not in NOT_LOADED
    ]
    assert STATIC_DIR / "index.html" in files
    assert STATIC_DIR / "vendor" / "uPlot.iife.min.js" in files
    # The server gzips what it sends (tests/test_dashboard.py checks the header).
    weight = sum(len(gzip.compress(path.read_bytes())) for path in files)
    assert weight < LIMIT_BYTES, f"{weight} bytes gzipped, over {LIMIT_BYTES}"
