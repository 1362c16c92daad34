"""Read a rendered report back: text per page region, outline and metadata."""

import io
import re
from dataclasses import dataclass

import pdfplumber
import pypdf

MM = 72 / 25.4
# The page margins of report.css: the header and footer live in them.
TOP_MARGIN = 22 * MM
BOTTOM_MARGIN = 25 * MM
SIDE_MARGIN = 18 * MM


@dataclass
class PageText:
    number: int
    width: float
    full: str
    top: str
    bottom: str
    footer_left: str
    body: str
    # (smallest x0, largest x1) of every character on the page.
    extent: tuple[float, float]


def read_pages(pdf_bytes: bytes, *, tables: list | None = None) -> list[PageText]:
    """Return the text of every page by region; append its tables to ``tables`` if given.

    Parsing the PDF is the slow part, so tables are read in the same pass when wanted.
    """
    pages = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            if tables is not None:
                tables.extend(page.extract_tables())
            width, height = page.width, page.height
            xs = [(c["x0"], c["x1"]) for c in page.chars] or [(0.0, 0.0)]
            pages.append(
                PageText(
                    number=number,
                    width=width,
                    full=page.extract_text(),
                    top=page.crop((0, 0, width, TOP_MARGIN)).extract_text(),
                    bottom=page.crop((0, height - BOTTOM_MARGIN, width, height)).extract_text(),
                    footer_left=page.crop(
                        (0, height - BOTTOM_MARGIN, width * 0.4, height)
                    ).extract_text(),
                    body=page.crop((0, TOP_MARGIN, width, height - BOTTOM_MARGIN)).extract_text(),
                    extent=(min(x[0] for x in xs), max(x[1] for x in xs)),
                )
            )
    return pages


def squash(text: str) -> str:
    """Remove all whitespace, so that text wrapped over lines still matches."""
    return re.sub(r"\s+", "", text)


def outline_titles(pdf_bytes: bytes) -> list[tuple[int, str]]:
    """Return the PDF outline as (depth, title) pairs, depth-first."""
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    titles: list[tuple[int, str]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                titles.append((depth, item.title))

    walk(reader.outline, 0)
    return titles


def reader(pdf_bytes: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf_bytes))


def table_rows(tables: list, first_header: str) -> list[list[str]]:
    """Return the body rows of every table whose first header cell is ``first_header``, each
    cell's whitespace collapsed to single spaces."""
    rows = []
    for table in tables:
        if not table or (table[0][0] or "").strip() != first_header:
            continue
        for row in table[1:]:
            rows.append([re.sub(r"\s+", " ", cell or "").strip() for cell in row])
    return rows
