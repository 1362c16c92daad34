"""Decision records: the minister's answer to a signed report, frozen when it is given and
rendered once to a signed PDF, like the report (``aia.services.reports``)."""

from django.db import transaction
from django.utils import timezone

from aia.canonical import sha256_of
from aia.exceptions import Conflict
from aia.models import AccessRecord, Case, DecisionRecord, Report, User
from aia.models.choices import EventType, ReportStatus
from aia.services.audit import case_event_record
from aia.services.locking import case_lock
from aia.services.outbox import outbox_enqueue
from aia.services.rendering import DocumentKind, document_mark_failed, document_render
from aia.services.security import access_record


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


DECISION_RECORD = DocumentKind(
    model=DecisionRecord,
    label="Decision record",
    key="decision_record",
    file_stem="decision-record",
    rendered=EventType.DECISION_RECORD_RENDERED,
    failed=EventType.DECISION_RECORD_FAILED,
)


def decision_record_render(*, decision_record_id: str) -> DecisionRecord:
    """Render a queued decision record to PDF, store it once and record its SHA-256 (safe to
    run twice; ``aia.services.rendering``)."""
    from aia.reports.decision_record import render_decision_pdf

    return document_render(
        kind=DECISION_RECORD,
        pk=decision_record_id,
        render=lambda record: render_decision_pdf(
            record.snapshot, snapshot_hash=record.snapshot_hash
        ),
    )


def decision_record_mark_failed(*, decision_record_id: str, reason: str) -> DecisionRecord:
    """Record that rendering failed for good, with the reason shown on the case page."""
    return document_mark_failed(kind=DECISION_RECORD, pk=decision_record_id, reason=reason)


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
