"""Checks on a file attached to a case's source library, before anything is stored.

A file is accepted only when its name is a plain file name, its size is within
``AIA_SOURCE_MAX_BYTES`` and its content is what its extension says, told by the content's
own first bytes (its signature), never by the name or the browser's claim. The signatures are
checked here in a few lines rather than with libmagic: the list of accepted types is short,
and each needs a rule of its own (a Word file is a ZIP holding ``word/document.xml``; plain
text is UTF-8 without NUL bytes) that libmagic would not give us either.

Django strips path characters from an uploaded file's name before a view sees it, silently;
``RawUploadNames`` keeps the name as sent, so that such a name is refused in words instead.
"""

import codecs
import hashlib
import html
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain; charset=utf-8"

# Each accepted extension and the type its content must be.
EXTENSIONS = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".gif": GIF,
    ".docx": DOCX,
    ".txt": TEXT,
}
TYPE_NAMES = {
    PDF: "a PDF",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
    GIF: "a GIF image",
    DOCX: "a Word document",
    TEXT: "plain text",
}
ACCEPTED = "PDF, PNG, JPEG, GIF, Word (.docx) or plain text (.txt)"
_CHUNK = 64 * 1024


class UploadRefused(ValueError):
    """The file cannot be stored; ``message`` says why, in words for the person uploading."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check, with what is recorded of it."""

    name: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return settings.AIA_SOURCE_MAX_BYTES


def size_words(size: int) -> str:
    """Return a size as people read it: "820 KB", "4.2 MB"."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def check_file_name(name: str) -> str:
    """Return the name if it is a plain file name with an accepted extension; refuse a name
    with path characters or control characters rather than quietly cut it down."""
    if not name or not name.strip():
        raise UploadRefused("The file has no name: rename it and choose it again.")
    if "/" in name or "\\" in name or ".." in name:
        raise UploadRefused(
            "The file name must not contain /, \\ or '..': rename the file and choose it again."
        )
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in name):
        raise UploadRefused(
            "The file name contains hidden control characters: rename the file and choose it again."
        )
    if len(name) > 255:
        raise UploadRefused("The file name must be 255 characters or fewer.")
    if _extension(name) not in EXTENSIONS:
        raise UploadRefused(f"The file must be a {ACCEPTED} file.")
    return name


def check_upload(upload: Any, *, raw_name: str | None = None) -> CheckedUpload:
    """Check an uploaded file (Django's ``UploadedFile``, or any named, sized file object)
    and return what is recorded of it; ``UploadRefused`` says what is wrong.

    ``raw_name`` is the name as the browser sent it (``RawUploadNames``), when known; read
    as Django reads it (HTML character references undone), so "&#47;" counts as "/".
    """
    name = check_file_name(html.unescape(raw_name) if raw_name is not None else upload.name)
    limit = max_bytes()
    if upload.size > limit:
        raise UploadRefused(f"The file must be smaller than {size_words(limit)}.")
    if upload.size == 0:
        raise UploadRefused("The file is empty.")
    expected = EXTENSIONS[_extension(name)]
    detected = detect_type(upload)
    if detected != expected:
        found = TYPE_NAMES[detected] if detected else "not a type AIA accepts"
        raise UploadRefused(
            f"The file's content does not match its name: it is called {name!r}, which "
            f"should be {TYPE_NAMES[expected]}, but its content is {found}."
        )
    return CheckedUpload(name=name, content_type=detected, size=upload.size, sha256=_sha256(upload))


def detect_type(upload: IO[bytes]) -> str:
    """Return the type the file's content is, by its signature; "" for none accepted."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _is_word_document(upload) else ""
    return TEXT if _is_plain_text(upload) else ""


def _is_word_document(upload: IO[bytes]) -> bool:
    """A .docx is a ZIP with the Word parts; one with macros (a vbaProject) is not accepted."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)
    has_parts = {"[Content_Types].xml", "word/document.xml"} <= names
    return has_parts and not any(name.endswith("vbaProject.bin") for name in names)


def _is_plain_text(upload: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(upload):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sha256(upload: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(upload):
        digest.update(chunk)
    return digest.hexdigest()


def _chunks(upload: IO[bytes]):
    upload.seek(0)
    while chunk := upload.read(_CHUNK):
        yield chunk
    upload.seek(0)


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


# ------------------------------------------------------------------------------
# Keeping the names as sent
# ------------------------------------------------------------------------------
class _NameKeepingParser(MultiPartParser):
    """Django's own multipart parser, noting each file name before it is cut down."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raw_names: list[str] = []

    def sanitize_file_name(self, file_name: str) -> str | None:
        self.raw_names.append(file_name)
        return super().sanitize_file_name(file_name)


class RawUploadNames(FileUploadHandler):
    """An upload handler that parses the request with ``_NameKeepingParser`` and leaves the
    file names as sent on ``request.raw_upload_names`` (in the order the files came).

    It must be first in ``request.upload_handlers``; the others do the storing as usual.
    """

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding=None
    ):
        others = [h for h in self.request.upload_handlers if h is not self]
        parser = _NameKeepingParser(META, input_data, others, encoding)
        result = parser.parse()
        self.request.raw_upload_names = parser.raw_names
        return result

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
