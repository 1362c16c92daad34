"""Signed reports: freezing the snapshot, rendering it once, superseding it on revision."""

from django.db import transaction
from django.utils import timezone

from aia import permissions
from aia.canonical import sha256_of
from aia.exceptions import Conflict, PermissionRefused
from aia.models import AccessRecord, Case, Report, User
from aia.models.choices import EventType, ReportStatus
from aia.services.audit import case_event_record
from aia.services.locking import case_lock
from aia.services.notifications import notify_report
from aia.services.outbox import outbox_enqueue
from aia.services.rendering import DocumentKind, document_mark_failed, document_render
from aia.services.security import access_record


def _queue_render(report: Report) -> None:
    outbox_enqueue(task="aia.tasks.report_render", kwargs={"report_id": str(report.pk)})


def report_create_for_sign_off(*, case: Case, actor: User) -> Report:
    """Freeze the case into a new report version and queue its rendering after commit.

    Called by ``case_sign_off`` inside its transaction, with the case locked.
    """
    from aia.reports.snapshot import build_snapshot

    snapshot = build_snapshot(case)
    number = case.reports.count() + 1
    # The report a revision or a reopening superseded, if any, is superseded by this one.
    previous = case.reports.filter(superseded_at__isnull=False, superseded_by__isnull=True)
    replaced = list(previous.values_list("number", flat=True))
    last = previous.order_by("-number").first()
    if last is not None:
        snapshot["changes"] = _changes_since(last, snapshot)
    report = Report.objects.create(
        case=case,
        number=number,
        case_version=case.version,
        snapshot=snapshot,
        snapshot_hash=sha256_of(snapshot),
        status=ReportStatus.QUEUED,
        created_at=timezone.now(),
        signed_off_by=actor,
    )
    previous.update(superseded_by=report)
    details = {"report": str(report.pk), "number": number, "snapshot_hash": report.snapshot_hash}
    if replaced:
        details["supersedes"] = replaced
    case_event_record(case=case, actor=actor, type=EventType.REPORT_QUEUED, details=details)
    _queue_render(report)
    return report


def _changes_since(previous: Report, snapshot: dict) -> dict:
    """What changed since the report this one supersedes, frozen into the new snapshot (and
    so covered by its hash): the change annex a reader of a reopened or revised case needs."""
    from aia.reports.changes import snapshot_changes

    return {
        "since_report": previous.number,
        "since_version": previous.case_version,
        "since_sha256": previous.sha256,
        "since_snapshot_hash": previous.snapshot_hash,
        "since_signed_off_at": previous.snapshot.get("sign_off", {}).get("signed_off_at"),
        **snapshot_changes(previous.snapshot, snapshot),
    }


def report_supersede(*, case: Case, actor: User | None, reason: str) -> Report | None:
    """Mark the case's current report as superseded (the caller holds the case lock)."""
    report = case.reports.filter(superseded_at__isnull=True).order_by("-number").first()
    if report is None:
        return None
    report.superseded_at = timezone.now()
    report.save(update_fields=["superseded_at"])
    case_event_record(
        case=case,
        actor=actor,
        type=EventType.REPORT_SUPERSEDED,
        details={"report": str(report.pk), "number": report.number, "reason": reason},
    )
    return report


REPORT = DocumentKind(
    model=Report,
    label="Report",
    key="report",
    file_stem="report",
    rendered=EventType.REPORT_RENDERED,
    failed=EventType.REPORT_FAILED,
)


def report_render(*, report_id: str) -> Report:
    """Render a queued report to PDF, store it once and record its SHA-256 (safe to run
    twice; ``aia.services.rendering``), then tell the SRO it is ready."""
    from aia.reports.rendering import render_pdf

    return document_render(
        kind=REPORT,
        pk=report_id,
        render=lambda report: render_pdf(report.snapshot, snapshot_hash=report.snapshot_hash),
        on_ready=lambda case, report: _notify(case, report, ready=True),
    )


def report_mark_failed(*, report_id: str, reason: str) -> Report:
    """Record that rendering failed for good, with the reason the SRO will see."""
    return document_mark_failed(
        kind=REPORT,
        pk=report_id,
        reason=reason,
        on_failed=lambda case, report: _notify(case, report, ready=False),
    )


def _notify(case: Case, report: Report, *, ready: bool) -> None:
    notify_report(case=case, report_number=report.number, ready=ready, report_id=str(report.pk))


def report_requeue(*, report: Report, actor: User) -> Report:
    """Queue a failed report for rendering again (the case's SRO)."""
    with transaction.atomic():
        case = case_lock(report.case)
        report = Report.objects.select_for_update().get(pk=report.pk)
        if not permissions.can_sign_off_role(case, actor):
            raise PermissionRefused("Only the case's SRO can re-queue its report.")
        if report.status != ReportStatus.FAILED or report.superseded_at is not None:
            raise Conflict(
                "Only a failed, current report can be queued again.",
                {"status": report.status},
            )
        report.status = ReportStatus.QUEUED
        report.save(update_fields=["status"])
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.REPORT_QUEUED,
            details={"report": str(report.pk), "number": report.number, "requeued": True},
        )
        _queue_render(report)
    return report


def report_download_record(
    *, report: Report, actor: User, request=None, inline: bool = False
) -> Report:
    """Record that the user opened or downloaded the report: in the case's audit trail and
    the access log.

    The caller has already checked that the user may see the report (``report_get_for_user``).
    """
    if report.status != ReportStatus.READY:
        raise Conflict(
            "The report is not ready yet.", {"status": report.status, "report": str(report.pk)}
        )
    with transaction.atomic():
        case = case_lock(report.case)
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.REPORT_DOWNLOADED,
            details={
                "report": str(report.pk),
                "number": report.number,
                "sha256": report.sha256,
                "inline": inline,
            },
        )
        access_record(
            user=actor,
            case=case,
            report=report,
            what=AccessRecord.What.REPORT_VIEWED if inline else AccessRecord.What.REPORT_DOWNLOADED,
            request=request,
        )
    return report
