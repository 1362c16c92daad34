"""Small files of each kind the source library accepts, and a few it must refuse."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
TEXT = "Witness statements, translated: «civilians were shot».\n".encode()


def docx(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    """Return a file as Django hands an upload to a view (the browser's type is not trusted)."""
    return SimpleUploadedFile(name, content, content_type=content_type)


SOURCE = {
    "title": "Report of the Independent International Fact-Finding Mission",
    "author": "UN Human Rights Council",
    "published_on": "2024-09-06",
    "url": "https://www.ohchr.org/en/hr-bodies/hrc/ffm-sudan/index",
    "reliability": "corroborated",
}
