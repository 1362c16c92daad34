"""Rendering a signed document once: the lifecycle a report and a decision record share.

A document is frozen (its snapshot) when it is signed or given, queued through the outbox,
then rendered by a worker: outside any transaction, because rendering takes seconds, and
stored under the case's lock. A document that is ready is never rendered or stored again, so
a task run twice, or by two workers at once, leaves the first file exactly as it is.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from aia.canonical import sha256_bytes
from aia.models import Case
from aia.models.choices import ReportStatus
from aia.services.audit import case_event_record
from aia.services.locking import case_lock

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentKind:
    """What differs between the kinds of signed document."""

    model: type[models.Model]
    label: str  # "Report", in the log
    key: str  # the document's ID in its audit events' details: "report"
    file_stem: str  # in the stored file's name: AIA-2026-0001-report-2-<digest>.pdf
    rendered: str  # the event types
    failed: str


def document_render(
    *,
    kind: DocumentKind,
    pk: Any,
    render: Callable[[Any], tuple[bytes, int]],
    on_ready: Callable[[Case, Any], None] | None = None,
) -> Any:
    """Render a queued document with ``render`` (its PDF and page count), store it once and
    record its SHA-256 in the case's audit trail; ``on_ready`` runs in the same transaction.

    Safe to run twice: a document that is ready is left exactly as it is. A rendering error
    propagates so that the task can retry; ``document_mark_failed`` records the final failure.
    """
    manager = kind.model.objects
    with transaction.atomic():
        document = manager.select_for_update().get(pk=pk)
        if document.status == ReportStatus.READY:
            return document
        document.status = ReportStatus.RENDERING
        document.attempts += 1
        document.save(update_fields=["status", "attempts"])

    # Render outside any transaction: it takes seconds and holds no lock.
    pdf_bytes, page_count = render(document)
    digest = sha256_bytes(pdf_bytes)

    with transaction.atomic():
        case = case_lock(document.case)
        document = manager.select_for_update().get(pk=pk)
        if document.status == ReportStatus.READY:
            # Another worker finished first; keep its file.
            return document
        name = f"{case.reference}-{kind.file_stem}-{document.number}-{digest[:12]}.pdf"
        document.pdf.save(name, ContentFile(pdf_bytes), save=False)
        document.sha256 = digest
        document.page_count = page_count
        document.status = ReportStatus.READY
        document.rendered_at = timezone.now()
        document.failure_reason = ""
        document.save(
            update_fields=["pdf", "sha256", "page_count", "status", "rendered_at", "failure_reason"]
        )
        details = {kind.key: str(document.pk), "number": document.number}
        details |= {"sha256": digest, "pages": page_count}
        case_event_record(case=case, actor=None, type=kind.rendered, details=details)
        if on_ready is not None:
            on_ready(case, document)
    return document


def document_mark_failed(
    *,
    kind: DocumentKind,
    pk: Any,
    reason: str,
    on_failed: Callable[[Case, Any], None] | None = None,
) -> Any:
    """Record that rendering failed for good, with the reason the case page shows."""
    with transaction.atomic():
        document = kind.model.objects.select_for_update().get(pk=pk)
        if document.status == ReportStatus.READY:
            return document
        case = case_lock(document.case)
        document.status = ReportStatus.FAILED
        document.failure_reason = reason[:2000]
        document.save(update_fields=["status", "failure_reason"])
        details = {kind.key: str(document.pk), "number": document.number, "reason": reason[:500]}
        case_event_record(case=case, actor=None, type=kind.failed, details=details)
        if on_failed is not None:
            on_failed(case, document)
    logger.error("%s %s failed to render: %s", kind.label, pk, reason)
    return document
