"""Render a report snapshot to HTML and PDF with WeasyPrint.

The HTML is self-contained: the print stylesheet is inlined and the chart is inline SVG, so
the renderer needs no resource at all. ``SafeURLFetcher`` is the second line of defence: it
serves only files inside ``ASSETS_DIR`` and refuses every other URL (network, other
``file:`` paths, ``data:``), so even markup that slipped past autoescaping could not make the
renderer read a file or open a connection. See docs/reports.md.
"""

import contextlib
import datetime
import functools
import gc
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
from django.template.loader import render_to_string
from weasyprint import CSS, HTML, Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from aia.reports.presentation import ASSETS_DIR, report_context

logger = logging.getLogger(__name__)

# Relative URLs in the report resolve inside the assets folder, and nowhere else.
BASE_URL = ASSETS_DIR.as_uri() + "/"
REPORT_TEMPLATE = "aia/reports/report.html"
# PDF/UA-1: a tagged PDF with a structure tree, document language and title shown by the
# viewer. It renders correctly on WeasyPrint 70 at no measurable cost (docs/reports.md).
PDF_VARIANT = "pdf/ua-1"
# Our own user-agent stylesheet, in place of WeasyPrint's (see ReportHTML).
UA_STYLESHEET = ASSETS_DIR / "report-ua.css"
GENERATOR = "AIA (Atrocity Impact Assessment) report renderer"

_CONTENT_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}


class RefusedFetch(ValueError):
    """WeasyPrint asked for a resource outside the report's own assets."""


class SafeURLFetcher(URLFetcher):
    """Serve only regular files under ``ASSETS_DIR``; refuse and record everything else.

    ``refused`` lists every URL asked for and refused, for logging and for the tests.
    """

    def __init__(self) -> None:
        # No protocol is allowed through urllib: ``fetch`` below never calls it.
        super().__init__(allowed_protocols=[], allow_redirects=False)
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = _asset_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("Report renderer refused to fetch %r", url[:200])
            raise RefusedFetch(f"Refused to fetch {url[:200]!r}")
        self.served.append(url)
        return URLFetcherResponse(
            path.as_uri(),
            path.read_bytes(),
            {"Content-Type": _CONTENT_TYPES.get(path.suffix, "application/octet-stream")},
        )


@functools.cache
def _report_ua_stylesheet() -> CSS:
    """Parse the report's user-agent stylesheet once per process."""
    return CSS(string=UA_STYLESHEET.read_text(encoding="utf-8"))


class ReportHTML(HTML):
    """WeasyPrint's ``HTML``, starting from our user-agent stylesheet instead of its own.

    WeasyPrint's HTML5 sheet styles ``::marker`` and five footnote and note pseudo-elements on
    every element through universal rules, so it computes about 18,500 pseudo-element styles
    for a heavy report; ours (``assets/report-ua.css``) keeps the same defaults for the
    elements the report uses and nothing else. ``_ua_stylesheets`` is private, so WeasyPrint
    is pinned and tests/reports/test_report_ua.py fails if it stops calling this method.
    """

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_report_ua_stylesheet()]


def _asset_path(url: str) -> Path | None:
    """Return the asset file a ``file:`` URL names, or None if it is anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    # resolve() follows symlinks and "..", so the containment check sees the real file.
    path = Path(unquote(parts.path)).resolve()
    root = ASSETS_DIR.resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def render_html(snapshot: dict[str, Any], *, snapshot_hash: str = "", draft: bool = False) -> str:
    """Return the report's HTML for the snapshot (``draft`` marks every page DRAFT).

    The same HTML is a valid standalone page for a browser preview.
    """
    return render_to_string(
        REPORT_TEMPLATE, report_context(snapshot, snapshot_hash=snapshot_hash, draft=draft)
    )


def html_to_pdf(
    html: str,
    *,
    metadata: dict[str, Any] | None = None,
    url_fetcher: SafeURLFetcher | None = None,
    pdf_variant: str | None = PDF_VARIANT,
) -> tuple[bytes, int]:
    """Lay out the HTML and return the PDF bytes and the number of pages."""
    fetcher = url_fetcher or SafeURLFetcher()
    with _cyclic_gc_paused():
        pdf, pages = _write_pdf(html, fetcher, metadata or {}, pdf_variant)
    if fetcher.refused:
        logger.warning("Report rendered with %d refused fetches", len(fetcher.refused))
    return pdf, pages


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a render, then collect what it left.

    WeasyPrint allocates hundreds of thousands of objects per report, which set off some 390
    collections per render, three of them over the whole heap (Django and WeasyPrint
    included): about 0.5 s of CPU for a 39-page report. Paused, every object the render
    made is still in the youngest generation afterwards, so one young collection finds all
    of its cyclic garbage without walking the rest of the heap (docs/benchmarks.md).
    Reference counting frees everything else as usual; the pause costs a few MiB at peak.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Only the outermost pause re-enables it (another thread may be rendering too).
        if was_enabled:
            gc.enable()
            gc.collect(0)


def _write_pdf(
    html: str, fetcher: SafeURLFetcher, metadata: dict[str, Any], pdf_variant: str | None
) -> tuple[bytes, int]:
    document = ReportHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    if metadata.get("title"):
        document.metadata.title = metadata["title"]
    if metadata.get("author"):
        document.metadata.authors = [metadata["author"]]
    if metadata.get("subject"):
        document.metadata.description = metadata["subject"]
    document.metadata.keywords = list(metadata.get("keywords", []))
    document.metadata.generator = GENERATOR
    # Fixed dates (not "now") keep the PDF bytes, and so its SHA-256, reproducible.
    document.metadata.created = metadata.get("created")
    document.metadata.modified = metadata.get("modified")
    document.metadata.custom = dict(metadata.get("custom", {}))
    buffer = io.BytesIO()
    document.write_pdf(
        buffer, pdf_variant=pdf_variant, custom_metadata=True, finisher=complete_pdf_ua_tags
    )
    return buffer.getvalue(), len(document.pages)


def complete_pdf_ua_tags(document: Document, pdf: pydyf.PDF) -> None:
    """Give links a readable description and table headers a scope, as PDF/UA-1 asks.

    WeasyPrint 70 describes a link by its target (``/Contents (sec-summary)``) and writes no
    ``/Scope`` on ``TH`` cells; nothing in the HTML changes either. This finisher, WeasyPrint's
    public hook for editing the PDF objects before they are written, completes both, so the
    file (and its SHA-256) comes out of one write and stays reproducible. An untagged PDF
    (``pdf_variant=None``) is left alone. See docs/reports.md, "PDF/UA".
    """
    if "StructTreeRoot" not in pdf.catalog:
        return
    # A link is described by its own text, as a screen reader would read it (a link with no
    # text, which the report does not have, would keep WeasyPrint's description).
    for page in document.pages:
        for _type, _target, _rectangle, box in page.links:
            text = " ".join("".join(box.element.itertext()).split())
            if text and box.link_annotation is not None:
                box.link_annotation["Contents"] = pydyf.String(text)
    # A header cell beside data cells heads its row; a row of header cells only heads the
    # columns. That is what every scope attribute in the templates says (a test checks it);
    # WeasyPrint reads the same attribute only to link data cells to their headers.
    elements = {
        obj.reference: obj
        for obj in pdf.objects
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"
    }
    for row in elements.values():
        if row["S"] != "/TR":
            continue
        cells = [elements[kid] for kid in row["K"] if kid in elements]
        scope = "/Row" if any(cell["S"] == "/TD" for cell in cells) else "/Column"
        for cell in cells:
            if cell["S"] == "/TH":
                cell["A"]["Scope"] = scope


def report_metadata(snapshot: dict[str, Any], *, snapshot_hash: str) -> dict[str, Any]:
    """Return the PDF document metadata (title, author, subject, dates) for a snapshot."""
    case = snapshot["case"]
    sign_off = snapshot.get("sign_off") or {}
    signer = sign_off.get("signed_off_by") or {}
    return {
        "title": f"{case['reference']} Atrocity Impact Assessment: {case['title']}",
        "author": signer.get("name", ""),
        "subject": (
            f"{case['marking']}. Atrocity Impact Assessment report for ministers on "
            f"{case['situation']['name']}, version {case['version']}."
        ),
        "keywords": [case["marking"], case["reference"], "Atrocity Impact Assessment"],
        "created": _w3c(snapshot.get("frozen_at")),
        "modified": _w3c(sign_off.get("signed_off_at") or snapshot.get("frozen_at")),
        "custom": {
            "ProtectiveMarking": case["marking"],
            "CaseReference": case["reference"],
            "SnapshotSHA256": snapshot_hash,
        },
    }


def _w3c(value: str | None) -> str | None:
    """Return an ISO time in the W3C form WeasyPrint accepts (no fractions of a second)."""
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat()


def render_pdf(snapshot: dict[str, Any], *, snapshot_hash: str) -> tuple[bytes, int]:
    """Render the signed report for a snapshot; return the PDF bytes and the page count."""
    html = render_html(snapshot, snapshot_hash=snapshot_hash)
    return html_to_pdf(html, metadata=report_metadata(snapshot, snapshot_hash=snapshot_hash))
