"""Render a report snapshot to HTML and PDF with WeasyPrint.

WeasyPrint reads nothing but the app's own report assets: ``SafeURLFetcher`` refuses every
other URL (network, ``file:``, ``data:``), so user text that reaches the HTML can never make
the renderer fetch anything.
"""

import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
ASSETS_BASE_URL = "aia-report-asset:/"
REPORT_TEMPLATE = "aia/reports/report.html"


class RefusedFetch(ValueError):
    """WeasyPrint asked for a resource outside the report's own assets."""


class SafeURLFetcher(URLFetcher):
    """Serve only files under ``ASSETS_DIR``, addressed as ``aia-report-asset:/name``."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=[], allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith(ASSETS_BASE_URL):
            name = url[len(ASSETS_BASE_URL) :]
            path = (ASSETS_DIR / name).resolve()
            if path.is_file() and ASSETS_DIR in path.parents:
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _type(path)})
        self.refused.append(url)
        raise RefusedFetch(f"Refused to fetch {url!r}")


def _type(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
        path.suffix, "application/octet-stream"
    )


def render_html(snapshot: dict[str, Any], *, snapshot_hash: str = "", draft: bool = False) -> str:
    """Return the report's HTML for the snapshot (``draft`` marks every page DRAFT)."""
    return render_to_string(
        REPORT_TEMPLATE,
        {"s": snapshot, "snapshot_hash": snapshot_hash, "draft": draft},
    )


def html_to_pdf(html: str, *, metadata: dict[str, str] | None = None) -> tuple[bytes, int]:
    """Lay out the HTML and return the PDF bytes and the number of pages."""
    fetcher = SafeURLFetcher()
    document = HTML(string=html, base_url=ASSETS_BASE_URL, url_fetcher=fetcher).render()
    if metadata:
        document.metadata.title = metadata.get("title")
        document.metadata.authors = [metadata["author"]] if metadata.get("author") else []
        document.metadata.description = metadata.get("subject")
    buffer = io.BytesIO()
    document.write_pdf(buffer, pdf_variant="pdf/ua-1")
    return buffer.getvalue(), len(document.pages)


def render_pdf(snapshot: dict[str, Any], *, snapshot_hash: str) -> tuple[bytes, int]:
    """Render the signed report for a snapshot; return the PDF bytes and the page count."""
    html = render_html(snapshot, snapshot_hash=snapshot_hash)
    case = snapshot["case"]
    signer = (snapshot.get("sign_off") or {}).get("signed_off_by") or {}
    return html_to_pdf(
        html,
        metadata={
            "title": f"{case['reference']} Atrocity Impact Assessment: {case['title']}",
            "author": signer.get("name", ""),
            "subject": f"{case['marking']} report for ministers on {case['situation']['name']}",
        },
    )
