"""The report's own user-agent stylesheet: WeasyPrint must use it, and it must change nothing.

``ReportHTML`` overrides WeasyPrint's private ``_ua_stylesheets`` (docs/reports.md), so these
tests fail loudly if a WeasyPrint upgrade stops calling it, or if our sheet and WeasyPrint's
stop giving the same document.
"""

from html.parser import HTMLParser

from weasyprint import HTML

from aia.reports.rendering import ReportHTML, html_to_pdf, render_html, render_pdf

# Every element the report's templates produce (the HTML and the chart's inline SVG), for
# which assets/report-ua.css keeps WeasyPrint's defaults. A new element in a template needs
# its defaults in that sheet first, then its name here.
ELEMENTS_COVERED = {
    # document
    "html", "head", "meta", "title", "style", "body",
    # blocks
    "header", "main", "nav", "section", "article", "div", "p", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "dl", "dt", "dd", "ol", "ul", "li",
    # tables
    "table", "caption", "thead", "tbody", "tr", "th", "td",
    # inline
    "a", "span", "strong", "code", "br", "wbr",
    # the chart, drawn by WeasyPrint's SVG renderer rather than by CSS boxes
    "svg", "desc", "g", "rect", "line", "circle", "text",
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def _tags(html: str) -> set[str]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def test_weasyprint_takes_its_user_agent_stylesheet_from_report_html(monkeypatch):
    calls = []
    ours = ReportHTML._ua_stylesheets

    def spy(self, forms=False):
        calls.append(forms)
        return ours(self, forms)

    monkeypatch.setattr(ReportHTML, "_ua_stylesheets", spy)
    html_to_pdf("<!DOCTYPE html><html lang='en-GB'><title>t</title><p>text</p></html>")
    # Once per render, without form styles (the report has no forms).
    assert len(calls) == 1
    assert not calls[0]


def test_the_report_uses_only_elements_the_user_agent_sheet_was_written_for(rendered):
    for draft in (False, True):
        html = render_html(rendered.snapshot, snapshot_hash=rendered.snapshot_hash, draft=draft)
        assert _tags(html) <= ELEMENTS_COVERED, _tags(html) - ELEMENTS_COVERED


def test_the_signed_report_is_byte_for_byte_the_one_weasyprints_own_sheet_gives(
    rendered, monkeypatch
):
    monkeypatch.setattr(ReportHTML, "_ua_stylesheets", HTML._ua_stylesheets)
    pdf, _ = render_pdf(rendered.snapshot, snapshot_hash=rendered.snapshot_hash)
    assert pdf == rendered.pdf


def test_the_draft_is_byte_for_byte_the_one_weasyprints_own_sheet_gives(rendered, monkeypatch):
    html = render_html(rendered.snapshot, draft=True)
    ours, _ = html_to_pdf(html)
    monkeypatch.setattr(ReportHTML, "_ua_stylesheets", HTML._ua_stylesheets)
    theirs, _ = html_to_pdf(html)
    assert ours == theirs
