"""Decision records: the minister's answer to a signed report, frozen when it is given and
rendered once to a signed PDF, like the report (``aia.services.reports``)."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from aia.canonical import sha256_bytes, sha256_of
from aia.exceptions import Conflict
from aia.models import AccessRecord, Case, DecisionRecord, Report, User
from aia.models.choices import EventType, ReportStatus
from aia.services.audit import case_event_record
from aia.services.locking import case_lock
from aia.services.outbox import outbox_enqueue
from aia.services.security import access_record

logger = logging.getLogger(__name__)


def _queue_render(record: DecisionRecord) -> None:
    outbox_enqueue(
        task="aia.tasks.decision_record_render", kwargs={"decision_record_id": str(record.pk)}
    )


def decision_record_create(
    *, case: Case, report: Report, actor: User, kind: str, note: str, decision: str = ""
) -> DecisionRecord:
    """Freeze the minister's answer to ``report`` and queue its rendering after commit.

    Called by ``case_record_decision`` and ``case_request_revision`` inside their transaction,
    with the case locked, after the event that records the answer: the chain head frozen here
    includes it, so the PDF anchors the trail up to the answer.
    """
    from aia.reports.decision_record import build_decision_snapshot

    now = timezone.now()
    head = (case.event_count, case.last_event_hash)
    snapshot = build_decision_snapshot(
        case=case,
        kind=kind,
        report=report,
        actor=actor,
        at=now,
        note=note,
        chain_head=head,
        decision=decision,
    )
    record = DecisionRecord.objects.create(
        case=case,
        number=case.decision_records.count() + 1,
        kind=kind,
        report=report,
        snapshot=snapshot,
        snapshot_hash=sha256_of(snapshot),
        chain_sequence=head[0],
        chain_hash=head[1],
        created_at=now,
        recorded_by=actor,
    )
    case_event_record(
        case=case,
        actor=actor,
        type=EventType.DECISION_RECORD_QUEUED,
        details={
            "decision_record": str(record.pk),
            "number": record.number,
            "kind": kind,
            "report": str(report.pk),
            "snapshot_hash": record.snapshot_hash,
        },
    )
    _queue_render(record)
    return record


def decision_record_render(*, decision_record_id: str) -> DecisionRecord:
    """Render a queued decision record to PDF, store it once and record its SHA-256.

    Safe to run twice: a ready record is left exactly as it is. A rendering error propagates
    so that the task can retry; ``decision_record_mark_failed`` records the final failure.
    """
    from aia.reports.decision_record import render_decision_pdf

    with transaction.atomic():
        record = DecisionRecord.objects.select_for_update().get(pk=decision_record_id)
        if record.status == ReportStatus.READY:
            return record
        record.status = ReportStatus.RENDERING
        record.attempts += 1
        record.save(update_fields=["status", "attempts"])

    # Render outside any transaction: it holds no lock meanwhile.
    pdf_bytes, page_count = render_decision_pdf(record.snapshot, snapshot_hash=record.snapshot_hash)
    digest = sha256_bytes(pdf_bytes)

    with transaction.atomic():
        case = case_lock(record.case)
        record = DecisionRecord.objects.select_for_update().get(pk=decision_record_id)
        if record.status == ReportStatus.READY:
            # Another worker finished first; keep its file.
            return record
        name = f"{case.reference}-decision-record-{record.number}-{digest[:12]}.pdf"
        record.pdf.save(name, ContentFile(pdf_bytes), save=False)
        record.sha256 = digest
        record.page_count = page_count
        record.status = ReportStatus.READY
        record.rendered_at = timezone.now()
        record.failure_reason = ""
        record.save(
            update_fields=["pdf", "sha256", "page_count", "status", "rendered_at", "failure_reason"]
        )
        case_event_record(
            case=case,
            actor=None,
            type=EventType.DECISION_RECORD_RENDERED,
            details={
                "decision_record": str(record.pk),
                "number": record.number,
                "sha256": digest,
                "pages": page_count,
            },
        )
    return record


def decision_record_mark_failed(*, decision_record_id: str, reason: str) -> DecisionRecord:
    """Record that rendering failed for good, with the reason shown on the case page."""
    with transaction.atomic():
        record = DecisionRecord.objects.select_for_update().get(pk=decision_record_id)
        if record.status == ReportStatus.READY:
            return record
        case = case_lock(record.case)
        record.status = ReportStatus.FAILED
        record.failure_reason = reason[:2000]
        record.save(update_fields=["status", "failure_reason"])
        case_event_record(
            case=case,
            actor=None,
            type=EventType.DECISION_RECORD_FAILED,
            details={
                "decision_record": str(record.pk),
                "number": record.number,
                "reason": reason[:500],
            },
        )
    logger.error("Decision record %s failed to render: %s", decision_record_id, reason)
    return record


def decision_record_download_record(
    *, record: DecisionRecord, actor: User, request=None, inline: bool = False
) -> DecisionRecord:
    """Record that the user opened or downloaded the decision record: in the case's audit
    trail and the access log.

    The caller has already checked that the user may see it (``decision_record_get_for_user``).
    """
    if record.status != ReportStatus.READY:
        raise Conflict(
            "The decision record is not ready yet.",
            {"status": record.status, "decision_record": str(record.pk)},
        )
    with transaction.atomic():
        case = case_lock(record.case)
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.DECISION_RECORD_DOWNLOADED,
            details={
                "decision_record": str(record.pk),
                "number": record.number,
                "sha256": record.sha256,
                "inline": inline,
            },
        )
        access_record(
            user=actor,
            case=case,
            decision_record=record,
            what=(
                AccessRecord.What.DECISION_RECORD_VIEWED
                if inline
                else AccessRecord.What.DECISION_RECORD_DOWNLOADED
            ),
            request=request,
        )
    return record
