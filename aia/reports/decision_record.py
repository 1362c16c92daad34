"""The decision record: the minister's answer to a signed report, frozen and rendered as a short
signed PDF through the report's own pipeline (``aia.reports.rendering.html_to_pdf``: the same
restricted fetcher, PDF/UA tagging, stylesheet and reproducible metadata).

The snapshot is built here, when the minister acts, from the case as it then stands; the PDF
is rendered from the snapshot alone, so the same snapshot always gives the same file.
"""

import datetime
from typing import Any

from django.template.loader import render_to_string

from aia.models import Case, Option, OptionDecision, Report, User
from aia.models.choices import Decision, DecisionRecordKind, LeadDepartment
from aia.reports.presentation import stylesheet
from aia.reports.rendering import html_to_pdf

TEMPLATE = "aia/decisions/decision_record.html"
# The snapshot's layout, so a later change of layout can still read older records.
SNAPSHOT_FORMAT = 1


def build_decision_snapshot(
    *,
    case: Case,
    kind: str,
    report: Report,
    actor: User,
    at: datetime.datetime,
    note: str,
    chain_head: tuple[int, str],
    decision: str = "",
) -> dict[str, Any]:
    """Freeze what the decision record shows: the answer, who gave it and when, the report
    it answers (with the SHA-256 of its PDF) and the audit chain's head."""
    options = []
    if kind == DecisionRecordKind.DECISION:
        decided = OptionDecision.objects.filter(case=case, version=case.version).select_related(
            "option"
        )
        options = [_option(d.option, d) for d in sorted(decided, key=lambda d: d.option.title)]
    sequence, head_hash = chain_head
    return {
        "format": SNAPSHOT_FORMAT,
        "kind": kind,
        "case": {
            "id": str(case.pk),
            "reference": case.reference,
            "title": case.title,
            "marking": case.marking,
            "version": case.version,
            "situation": case.situation.name,
        },
        "report": {
            "id": str(report.pk),
            "number": report.number,
            "sha256": report.sha256,
            "signed_at": report.created_at.isoformat(),
        },
        "decision": decision,
        "decision_label": _label(Decision, decision) if decision else "",
        "note": note,
        "options": options,
        "decided_by": {
            "id": actor.pk,
            "name": actor.display_name,
            "job_title": actor.job_title,
            "department": actor.department,
        },
        "decided_at": at.isoformat(),
        "chain_head": {"sequence": sequence, "hash": head_hash},
    }


def _option(option: Option, decision: OptionDecision) -> dict[str, Any]:
    return {
        "id": str(option.pk),
        "title": option.title,
        "lead_department": _label(LeadDepartment, option.lead_department),
        "decision": decision.decision,
        "agreed": decision.decision == Decision.AGREED,
        "note": decision.note,
    }


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def decision_context(snapshot: dict[str, Any], *, snapshot_hash: str) -> dict[str, Any]:
    """Return the template's context: the snapshot with real times for the ``date`` filter."""
    s = dict(snapshot)
    s["decided_at"] = datetime.datetime.fromisoformat(snapshot["decided_at"])
    s["report"] = dict(snapshot["report"])
    s["report"]["signed_at"] = datetime.datetime.fromisoformat(snapshot["report"]["signed_at"])
    report_hash = snapshot["report"]["sha256"]
    head_hash = snapshot["chain_head"]["hash"]
    return {
        "s": s,
        "css": stylesheet(),
        "revision": snapshot["kind"] == DecisionRecordKind.REVISION,
        "agreed_count": sum(1 for o in snapshot["options"] if o["agreed"]),
        "hash_halves": (snapshot_hash[:32], snapshot_hash[32:]),
        "report_hash_halves": (report_hash[:32], report_hash[32:]),
        "head_hash_halves": (head_hash[:32], head_hash[32:]),
    }


def decision_html(snapshot: dict[str, Any], *, snapshot_hash: str) -> str:
    return render_to_string(TEMPLATE, decision_context(snapshot, snapshot_hash=snapshot_hash))


def decision_metadata(snapshot: dict[str, Any], *, snapshot_hash: str) -> dict[str, Any]:
    """The PDF's metadata; its dates are the decision's, so the bytes are reproducible."""
    case = snapshot["case"]
    what = "Revision requested" if snapshot["kind"] == DecisionRecordKind.REVISION else "Decision"
    moment = (
        datetime.datetime.fromisoformat(snapshot["decided_at"])
        .astimezone(datetime.UTC)
        .replace(microsecond=0)
        .isoformat()
    )
    return {
        "title": f"{case['reference']} {what}: {case['title']}",
        "author": snapshot["decided_by"]["name"],
        "subject": (
            f"{case['marking']}. The minister's answer to signed report "
            f"{snapshot['report']['number']} of {case['reference']}."
        ),
        "keywords": [case["marking"], case["reference"], "Atrocity Impact Assessment decision"],
        "created": moment,
        "modified": moment,
        "custom": {
            "ProtectiveMarking": case["marking"],
            "CaseReference": case["reference"],
            "SnapshotSHA256": snapshot_hash,
            "ReportSHA256": snapshot["report"]["sha256"],
            "AuditChainHead": snapshot["chain_head"]["hash"],
        },
    }


def render_decision_pdf(snapshot: dict[str, Any], *, snapshot_hash: str) -> tuple[bytes, int]:
    """Render the decision record; return the PDF bytes and the page count."""
    html = decision_html(snapshot, snapshot_hash=snapshot_hash)
    return html_to_pdf(html, metadata=decision_metadata(snapshot, snapshot_hash=snapshot_hash))
