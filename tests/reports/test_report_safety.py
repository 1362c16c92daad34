"""User text can never make the report fetch anything, run anything or fall off the page."""

import copy
import logging
import re
import socket
import subprocess
from html.parser import HTMLParser

import pytest

from aia.reports.presentation import ASSETS_DIR
from aia.reports.rendering import (
    SafeURLFetcher,
    html_to_pdf,
    render_html,
    render_pdf,
    report_metadata,
)
from tests.reports.builders import (
    ARABIC,
    BURMESE,
    CHINESE,
    CSS_URL,
    CYRILLIC,
    ETHIOPIC,
    GREEK,
    IMG,
    KOREAN,
    LINK,
    LONG_WORD,
    SCRIPT,
    trimmed,
)
from tests.reports.pdf import read_pages, squash


@pytest.fixture
def no_network(monkeypatch):
    """Record (and refuse) every attempt to open a socket while the test runs."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access is not allowed while rendering reports")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


class _Elements(HTMLParser):
    """Collect the elements and attributes of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.problems: list[str] = []

    VOID = {"meta", "br", "wbr", "line", "circle", "rect", "path"}

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_user_markup_is_escaped_in_the_html(rendered):
    html = render_html(rendered.snapshot, snapshot_hash=rendered.snapshot_hash)
    parsed = _elements(html)
    names = {tag for tag, _ in parsed.tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed", "i", "base"}
    assert [tag for tag, _ in parsed.tags].count("style") == 1
    for tag, attrs in parsed.tags:
        assert "src" not in attrs, tag
        if "href" in attrs:
            assert tag == "a"
            assert attrs["href"].startswith("#sec-")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    # The only url() is the DRAFT watermark in our own stylesheet.
    assert re.findall(r"url\(([^)]*)\)", html.split("</style>")[0]) == ["draft-watermark.svg"]


def test_hostile_text_is_printed_literally(rendered):
    body = squash(rendered.body)
    for text in (SCRIPT, IMG, LINK, CSS_URL, rendered.snapshot["case"]["title"]):
        assert squash(text) in body, text


def _weasyprint_problems(caplog) -> list[str]:
    """Return what WeasyPrint warned about: CSS it ignored, images without alt text, …"""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("weasyprint") and record.levelno >= logging.WARNING
    ]


def test_rendering_fetches_nothing_and_reproduces_the_signed_file(rendered, no_network, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    fetcher = SafeURLFetcher()
    html = render_html(rendered.snapshot, snapshot_hash=rendered.snapshot_hash)
    metadata = report_metadata(rendered.snapshot, snapshot_hash=rendered.snapshot_hash)
    pdf, pages = html_to_pdf(html, metadata=metadata, url_fetcher=fetcher)
    assert fetcher.refused == []
    assert fetcher.served == []
    assert no_network == []
    # The same snapshot always gives the same bytes, so anyone can re-render and compare.
    assert pages == rendered.page_count
    assert pdf == rendered.pdf
    assert _weasyprint_problems(caplog) == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.org/image.png",
        "ftp://example.org/x",
        "data:text/css,body{}",
        (ASSETS_DIR / ".." / "rendering.py").as_uri(),
        ASSETS_DIR.as_uri() + "/../rendering.py",
        ASSETS_DIR.as_uri() + "/",
        ASSETS_DIR.as_uri() + "/missing.css",
        "file://example.org" + str(ASSETS_DIR / "report.css"),
        "report.css",
    ],
)
def test_the_fetcher_refuses_everything_but_report_assets(url):
    fetcher = SafeURLFetcher()
    with pytest.raises(ValueError, match="Refused"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_report_assets():
    fetcher = SafeURLFetcher()
    response = fetcher.fetch((ASSETS_DIR / "draft-watermark.svg").as_uri())
    assert response.read().startswith(b"<?xml")
    assert response.content_type == "image/svg+xml"


def test_markup_that_got_past_escaping_still_fetches_nothing(no_network):
    html = f"""<!DOCTYPE html><html lang="en"><head><title>x</title>
    {LINK}<style>@import url(http://127.0.0.1:9/i.css); p {{ {CSS_URL} }}</style></head>
    <body><p>text</p>{IMG}<img src="https://example.org/x.png" alt="">
    <iframe src="file:///etc/hostname"></iframe><object data="file:///etc/hosts"></object>
    <svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>
    </body></html>"""
    fetcher = SafeURLFetcher()
    pdf, pages = html_to_pdf(html, url_fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert pages == 1
    assert "http://127.0.0.1:9/x.css" in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert fetcher.served == []
    assert no_network == []


def test_a_long_unbroken_word_wraps_and_keeps_every_character(rendered):
    assert len(LONG_WORD) == 300
    places = squash(rendered.body).count(LONG_WORD)
    # The RF2 analysis, an option's rationale and a dissent, in full in its annex and in
    # brief in the submission.
    assert places == 4
    widest = max(page.extent[1] for page in rendered.pages)
    assert widest <= rendered.pages[0].width


def test_arabic_cyrillic_and_greek_render_in_dejavu(rendered):
    pages = [page for page in rendered.pages if CYRILLIC in page.body]
    assert len(pages) == 1
    assert GREEK in pages[0].body
    # pdfplumber reads right-to-left text in visual order.
    assert ARABIC.split()[1][::-1] in pages[0].body


@pytest.mark.needs("poppler")
def test_scripts_dejavu_lacks_print_in_the_installed_fallback_fonts(rendered, no_network, caplog):
    """Burmese, Ethiopic, Chinese and Korean (no DejaVu glyphs) print with real glyphs from
    the fonts `make` and the Dockerfile install (fonts-noto-core, fonts-wqy-microhei), never
    as empty boxes, and the text layer keeps them."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    snapshot = copy.deepcopy(trimmed(rendered.snapshot))
    snapshot["scope"]["analysis"] = (
        f"Burmese: {BURMESE}. Ethiopic: {ETHIOPIC}. Chinese: {CHINESE}. Korean: {KOREAN}."
    )
    pdf, pages = render_pdf(snapshot, snapshot_hash=rendered.snapshot_hash)
    assert pages > 10
    # WeasyPrint warns of each character it had no glyph for (and draws an empty box).
    missing = [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]
    assert missing == [], "install fonts-noto-core and fonts-wqy-microhei (make test does)"

    def poppler(command: str) -> str:
        return subprocess.run(  # noqa: S603 - poppler's own commands, fixed arguments
            [command, "-", "-"] if command == "pdftotext" else [command, "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()

    fonts = poppler("pdffonts")
    for family in ("Noto-Sans-Myanmar", "Noto-Sans-Ethiopic", "WenQuanYi-Micro-Hei"):
        assert f"+{family} " in fonts, fonts
    # pdftotext may space a shaped Burmese syllable from its combining marks.
    text = re.sub(r"\s+", "", poppler("pdftotext"))
    for words in (BURMESE, ETHIOPIC, CHINESE, KOREAN):
        assert re.sub(r"\s+", "", words) in text
    assert no_network == []


def test_draft_preview_marks_every_page_draft(rendered, no_network, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    html = render_html(trimmed(rendered.snapshot), draft=True)
    fetcher = SafeURLFetcher()
    pdf, count = html_to_pdf(html, url_fetcher=fetcher)
    pages = read_pages(pdf)
    assert count == len(pages) > 10
    for page in pages:
        assert "DRAFT" in page.top, page.number
        assert "DRAFT" in page.bottom, page.number
        assert "OFFICIAL-SENSITIVE" in page.top
        assert f"Page {page.number} of {count}" in page.bottom
    assert "DRAFT" in pages[0].body
    # Only the watermark, from the report's own assets.
    assert fetcher.served == [(ASSETS_DIR / "draft-watermark.svg").as_uri()]
    assert fetcher.refused == []
    assert no_network == []
    assert _weasyprint_problems(caplog) == []


def test_draft_html_is_a_standalone_page_for_a_browser(rendered):
    html = render_html(rendered.snapshot, draft=True)
    assert html.lstrip().startswith("<!DOCTYPE html>") or "<!DOCTYPE html>" in html[:600]
    parsed = _elements(html)
    assert parsed.problems == []
    assert parsed.open == []
    names = [tag for tag, _ in parsed.tags]
    for tag in ("html", "head", "body", "main"):
        assert names.count(tag) == 1, tag
    head = html.split("<body")[0]
    assert head.count("<title>") == 1
    html_attrs = dict(next(attrs for tag, attrs in parsed.tags if tag == "html"))
    assert html_attrs["lang"] == "en-GB"
    assert any(tag == "meta" and attrs.get("charset") == "utf-8" for tag, attrs in parsed.tags)
    assert "draft-banner" in html
    assert "DRAFT" in html.split("<main>")[0]
