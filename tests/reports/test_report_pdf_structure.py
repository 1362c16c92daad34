"""The signed report's PDF/UA structure, read back with pikepdf (issue 20).

PDF/UA-1 asks that every link annotation sit in a ``Link`` structure element with an
alternate description (its ``/Contents``), that every table header cell say what it heads
(``/Scope``), that headings nest without skipping a level, and that the document has a
language and a title shown by the viewer. ``structure`` reads those facts from the file, so
the counts in docs/reports.md can be measured on any report.
"""

import io
import itertools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pikepdf
import pytest

from aia.reports.presentation import SECTIONS
from aia.reports.rendering import render_html


@dataclass
class LinkAnnotation:
    page: int
    rect: tuple[float, ...]
    # What the link points to, as an href: "#sec-summary" inside the report, else its URI.
    target: str
    contents: str
    # The structure type of the element holding the annotation ("Link", "Span", …).
    parent: str


@dataclass
class Structure:
    links: list[LinkAnnotation] = field(default_factory=list)
    # (Scope, or None when the cell has none) of every TH element, in document order.
    header_scopes: list[str | None] = field(default_factory=list)
    # Heading levels (1 for H1) in document order.
    headings: list[int] = field(default_factory=list)
    lang: str = ""
    title: str = ""
    display_doc_title: bool = False

    def counts(self) -> dict[str, Any]:
        """Return the figures docs/reports.md quotes."""
        return {
            "link annotations": len(self.links),
            "under Link": sum(link.parent == "Link" for link in self.links),
            "contents annotations": sum(link.target.startswith("#sec-") for link in self.links),
            "TH": len(self.header_scopes),
            "TH with Scope": sum(scope is not None for scope in self.header_scopes),
            "headings": "".join(str(level) for level in self.headings),
            "lang": self.lang,
            "title": self.title,
            "DisplayDocTitle": self.display_doc_title,
        }


def structure(pdf_bytes: bytes) -> Structure:
    """Read the link annotations, table headers, headings, language and title of a PDF."""
    result = Structure()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root = pdf.Root
        holders: dict[tuple[int, int], str] = {}

        def walk(node: Any, parent_type: str) -> None:
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid, parent_type)
                return
            if not isinstance(node, pikepdf.Dictionary):
                return  # a marked-content id
            if node.get("/Type") == "/OBJR":
                holders[node.Obj.objgen] = parent_type
                return
            kind = str(node.get("/S", ""))[1:]
            if kind == "TH":
                scope = node.get("/A", {}).get("/Scope")
                result.header_scopes.append(str(scope)[1:] if scope is not None else None)
            elif re.fullmatch(r"H[1-6]", kind):
                result.headings.append(int(kind[1]))
            if "/K" in node:
                walk(node.K, kind)

        walk(root.StructTreeRoot.K, "StructTreeRoot")
        for number, page in enumerate(pdf.pages, start=1):
            for annotation in page.obj.get("/Annots", []):
                if annotation.get("/Subtype") != "/Link":
                    continue
                result.links.append(
                    LinkAnnotation(
                        page=number,
                        rect=_normalised(annotation.Rect),
                        target=_target(annotation),
                        contents=str(annotation.get("/Contents", "")),
                        parent=holders.get(annotation.objgen, "none"),
                    )
                )
        result.lang = str(root.get("/Lang", ""))
        result.title = str(pdf.docinfo.get("/Title", ""))
        preferences = root.get("/ViewerPreferences", {})
        result.display_doc_title = bool(preferences.get("/DisplayDocTitle", False))
    return result


def _target(annotation: pikepdf.Dictionary) -> str:
    if "/Dest" in annotation:
        return f"#{annotation.Dest}"
    return str(annotation.get("/A", {}).get("/URI", ""))


def _normalised(rect: Any) -> tuple[float, ...]:
    x1, y1, x2, y2 = (float(v) for v in rect)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


@pytest.fixture(scope="module")
def signed(rendered) -> Structure:
    return structure(rendered.pdf)


def test_every_link_annotation_sits_in_a_link_element(signed):
    assert signed.links
    parents = [link.parent for link in signed.links]
    assert parents == ["Link"] * len(parents), signed.counts()


class _LinkTexts(HTMLParser):
    """Collect the text of every ``a`` element, by its ``href``."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = dict(attrs)["href"]
            self.texts[self._open] = ""

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self.texts[self._open] += data


def test_every_link_is_described_by_its_printed_text(rendered, signed):
    parser = _LinkTexts()
    parser.feed(render_html(rendered.snapshot, snapshot_hash=rendered.snapshot_hash))
    for link in signed.links:
        printed = " ".join(parser.texts[link.target].split())
        assert link.contents == printed, (link.target, link.contents)


def test_each_contents_entry_is_one_link_named_like_its_section(signed):
    entries = [link for link in signed.links if link.target.startswith("#sec-")]
    assert [link.target for link in entries] == [f"#sec-{anchor}" for anchor, _ in SECTIONS]
    assert [link.contents for link in entries] == [title for _, title in SECTIONS]


def test_no_two_link_annotations_overlap(signed):
    for first, second in itertools.combinations(signed.links, 2):
        if first.page == second.page:
            assert not _overlap(first.rect, second.rect), (first.target, second.target)


def test_every_table_header_cell_has_a_scope(signed):
    assert signed.header_scopes
    assert None not in signed.header_scopes, signed.counts()
    assert set(signed.header_scopes) == {"Column", "Row"}


class _HeaderScopes(HTMLParser):
    """Collect, per table row, the scope of its ``th`` cells and whether it has a ``td``."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[list[str | None], bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append(([], False))
        elif tag == "th":
            self.rows[-1][0].append(dict(attrs).get("scope"))
        elif tag == "td":
            self.rows[-1] = (self.rows[-1][0], True)


def test_the_templates_scope_headers_as_the_pdf_does(rendered):
    # The PDF's /Scope is Row for a header beside data cells and Column for a row of headers
    # only (rendering.py); the templates must say the same with their scope attributes.
    for draft in (False, True):
        parser = _HeaderScopes()
        parser.feed(render_html(rendered.snapshot, snapshot_hash="0" * 64, draft=draft))
        for scopes, has_data in parser.rows:
            assert scopes == ["row" if has_data else "col"] * len(scopes), scopes


def test_headings_start_at_h1_and_never_skip_a_level(signed):
    levels = signed.headings
    assert levels[0] == 1
    for previous, level in itertools.pairwise(levels):
        assert level <= previous + 1, signed.counts()["headings"]


def test_the_document_has_a_language_and_a_title_shown_by_the_viewer(rendered, signed):
    case = rendered.snapshot["case"]
    assert signed.lang == "en-GB"
    assert signed.title == f"{case['reference']} Atrocity Impact Assessment: {case['title']}"
    assert signed.display_doc_title
