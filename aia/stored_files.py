"""Reading a stored file back only once it is known to be the file that was stored.

Signed reports and source files are stored with the SHA-256 of their bytes. Whatever the
storage (a local disk, or an object store another process wrote to), a file is copied into a
spool while its hash is computed, and served from the spool only when the hash matches: a
file changed or damaged in storage is refused with an error that names it, never sent.
"""

import hashlib
import logging
import tempfile
from typing import IO

from django.db.models.fields.files import FieldFile

from aia.exceptions import StoredFileChanged

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024
# Files up to this size stay in memory; larger ones spill to a temporary file.
SPOOL_IN_MEMORY = 8 * 1024 * 1024


def stored_file_open(field_file: FieldFile, *, sha256: str, what: str) -> IO[bytes]:
    """Return the stored file's bytes as a file open for reading, after checking them against
    ``sha256``; raise ``StoredFileChanged`` naming ``what`` (e.g. "Report 2 of AIA-2026-0001")
    when they differ or the file is missing."""
    # Returned open: the FileResponse that sends it closes it.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    digest = hashlib.sha256()
    try:
        with field_file.open("rb") as stored:
            while chunk := stored.read(_CHUNK):
                digest.update(chunk)
                spool.write(chunk)
    except FileNotFoundError:
        spool.close()
        logger.error("Stored file missing: %s (%s)", what, field_file.name)
        raise StoredFileChanged(what, field_file.name, missing=True) from None
    if digest.hexdigest() != sha256:
        spool.close()
        logger.error(
            "Stored file changed: %s (%s): SHA-256 %s, recorded %s",
            what,
            field_file.name,
            digest.hexdigest(),
            sha256,
        )
        raise StoredFileChanged(what, field_file.name)
    spool.seek(0)
    return spool


def report_file_open(report) -> IO[bytes]:
    """Open a ready report's PDF, checked against the SHA-256 recorded when it was rendered."""
    what = f"The PDF of report {report.number} of {report.case.reference}"
    return stored_file_open(report.pdf, sha256=report.sha256, what=what)


def decision_record_file_open(record) -> IO[bytes]:
    """Open a ready decision record's PDF, checked against the SHA-256 recorded when it was
    rendered."""
    what = f"The PDF of decision record {record.number} of {record.case.reference}"
    return stored_file_open(record.pdf, sha256=record.sha256, what=what)
