"""A case's evidence bundle: one ZIP that proves itself offline.

It holds the case's audit trail with every event's hash, the documents the trail recorded
(each signed report, superseded ones included, each decision record, and each file of the
source library) and a manifest of every file's SHA-256 with the chain's head.
``manage.py verify_bundle`` checks it without AIA's database (``aia.bundle_check``, which
says what each check is). Building it is a read: whoever may download it
(``selectors.case_get_for_bundle``) has already been checked.
"""

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from django.core.exceptions import SuspiciousFileOperation
from django.utils import timezone
from django.utils.text import get_valid_filename

from aia import selectors
from aia.audit import GENESIS_HASH
from aia.bundle_check import EVENTS, FORMAT, MANIFEST, README
from aia.canonical import sha256_bytes
from aia.models import Case, CaseEvent
from aia.models.choices import EventType
from aia.stored_files import stored_file_open

# Small bundles stay in memory; larger ones (a case's reports can be megabytes) go to disk.
SPOOL_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024

# A document: its path in the bundle, and how to open its stored file.
Document = tuple[str, Callable[[], IO[bytes]]]


def bundle_filename(case: Case) -> str:
    return f"{case.reference}-evidence-bundle.zip"


def bundle_build(*, case: Case) -> IO[bytes]:
    """Return the case's evidence bundle as a file open for reading, at its start.

    The documents are the ones the trail read here records, so a report rendered while the
    bundle is built is either in both or in neither.
    """
    events = list(selectors.case_event_list(case=case))
    # Returned open: the response that sends it closes it.
    buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            _write(archive, case, events)
    except BaseException:
        buffer.close()
        raise
    buffer.seek(0)
    return buffer


def _write(archive: zipfile.ZipFile, case: Case, events: list[CaseEvent]) -> None:
    """Write the files in a fixed order: the README, the trail, the documents, and last the
    manifest of them all."""
    made_at = timezone.now()
    writer = _Writer(archive, made_at)
    writer.add(README, _readme(case).encode())
    writer.add(EVENTS, _events_json(events))
    for path, open_file in _documents(case, events):
        with open_file() as handle:
            writer.add_stream(path, handle)
    head = events[-1] if events else None
    manifest = {
        "format": FORMAT,
        "case": {"id": str(case.pk), "reference": case.reference, "title": case.title},
        "generated_at": made_at.astimezone(UTC).isoformat(),
        "chain_head": {
            "sequence": head.sequence if head else 0,
            "hash": head.hash if head else GENESIS_HASH,
        },
        "files": writer.files,
    }
    archive.writestr(writer.info(MANIFEST), _json(manifest))


class _Writer:
    """Write files into the ZIP in a fixed order, with one timestamp, noting each file's
    SHA-256 and size for the manifest."""

    def __init__(self, archive: zipfile.ZipFile, made_at: datetime) -> None:
        self.archive = archive
        self.date_time = made_at.astimezone(UTC).timetuple()[:6]
        self.files: list[dict[str, Any]] = []

    def info(self, path: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def add(self, path: str, content: bytes) -> None:
        self.archive.writestr(self.info(path), content)
        self.files.append({"path": path, "sha256": sha256_bytes(content), "size": len(content)})

    def add_stream(self, path: str, handle: IO[bytes]) -> None:
        digest, size = hashlib.sha256(), 0
        with self.archive.open(self.info(path), "w") as out:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self.files.append({"path": path, "sha256": digest.hexdigest(), "size": size})


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _events_json(events: list[CaseEvent]) -> bytes:
    """Every event with what its hash covers (``chained_content``), its hash and, for the
    reader, the actor's name (``bundle_check.NOT_HASHED``)."""
    return _json(
        [
            {
                **event.chained_content(),
                "hash": event.hash,
                "actor_name": event.actor.display_name if event.actor else "AIA (the system)",
            }
            for event in events
        ]
    )


def _documents(case: Case, events: list[CaseEvent]) -> Iterator[Document]:
    """The documents the trail recorded, reports by number, then decision records by number,
    then sources in the order they were added. (Another kind of document is added here and in
    ``bundle_check.DOCUMENT_KINDS``.)"""
    rendered = [e.details["report"] for e in events if e.type == EventType.REPORT_RENDERED]
    for report in case.reports.filter(pk__in=rendered).exclude(pdf="").order_by("number"):
        what = f"The PDF of report {report.number} of {case.reference}"
        yield f"reports/report-{report.number}.pdf", _opener(report.pdf, report.sha256, what)
    decided = [
        e.details["decision_record"] for e in events if e.type == EventType.DECISION_RECORD_RENDERED
    ]
    records = case.decision_records.filter(pk__in=decided).exclude(pdf="").order_by("number")
    for record in records:
        what = f"The PDF of decision record {record.number} of {case.reference}"
        path = f"decisions/decision-record-{record.number}.pdf"
        yield path, _opener(record.pdf, record.sha256, what)
    added = [e.details["source"] for e in events if e.type == EventType.SOURCE_ADDED]
    for source in case.sources.filter(pk__in=added).exclude(file="").order_by("pk"):
        path = f"sources/{source.pk}-{_safe_name(source.file_name)}"
        yield path, _opener(source.file, source.sha256, f"The file of source {source.title!r}")


def _opener(field_file: Any, sha256: str, what: str) -> Callable[[], IO[bytes]]:
    """Open the stored file only once its SHA-256 is checked (aia.stored_files): a file changed
    in storage stops the bundle with an error naming it, rather than going into it."""
    return lambda: stored_file_open(field_file, sha256=sha256, what=what)


def _safe_name(name: str) -> str:
    """The file's name as uploaded, reduced to letters, digits, dots, dashes and underscores."""
    try:
        safe = get_valid_filename(name)
    except SuspiciousFileOperation:
        return "file"
    return safe[-100:]


def _readme(case: Case) -> str:
    return README_TEXT.format(reference=case.reference)


README_TEXT = """\
Evidence bundle of case {reference}

This ZIP holds everything needed to check, without AIA, that the case's records are the
ones AIA kept:

  manifest.json      every other file, with its SHA-256 and its size in bytes, and the
                     head of the audit chain (its last event's number and hash)
  audit/events.json  the case's audit trail, oldest first: every event with its hash
                     and the hash of the event before it
  reports/           each signed report (PDF), superseded ones included
  decisions/         each record of the minister's answer to a report (PDF): a decision,
                     or a request for revision
  sources/           each file of the case's source library, named by its number

To check it with AIA's tools (no database needed):

  manage.py verify_bundle {reference}-evidence-bundle.zip [--anchor HASH ...]

It says each check that passed and stops at the first that fails, naming the file or the
event. An anchor is a chain head you noted or published earlier: a trail rewritten since
then no longer contains it.

To check it by hand:

1. The SHA-256 of each file (sha256sum) is the one manifest.json gives.
2. For each event of audit/events.json, in order: remove "hash" and "actor_name"; write
   the rest as JSON with its keys sorted, no space between items, in UTF-8 (characters
   not escaped); its SHA-256 is the event's "hash". Each event's "previous_hash" is the
   hash of the event before it (64 zeros for the first), and the numbers run from 1 with
   no gap. The last event is the manifest's chain head.
3. Each report's SHA-256 is the "sha256" of its "report_rendered" event, each decision
   record's the "sha256" of its "decision_record_rendered" event, and each source file's
   the "sha256" of its "source_added" event.
"""
