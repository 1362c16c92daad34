"""Freeze a case into the plain data its report is rendered from.

The snapshot is complete on its own: the report template reads nothing else, so the signed
PDF can be re-rendered from it years later and an inquiry can read it as JSON.
"""

from collections import Counter
from typing import Any

from django.utils import timezone

from aia.canonical import sha256_of
from aia.content import assessment_content, options_content
from aia.framework import DIMENSION_CODES, FOOTPRINT, RISK_FACTOR_CODES, SCOPE, get_framework
from aia.models import Case, User
from aia.models.choices import (
    Capacity,
    CaseState,
    Confidence,
    Crime,
    EventType,
    Finding,
    Instrument,
    LeadDepartment,
    Level,
    OptionCategory,
    Rating,
    Recommendation,
    ReviewDecision,
    Stage,
    TriggerKind,
)

SNAPSHOT_SCHEMA = "aia-report-snapshot/1"

# Milestones of the knowledge-date chronology: (transition, label).
MILESTONES = (
    ("assign", "Team assigned"),
    ("start_assessment", "Assessment started"),
    ("submit_assessment", "Assessment submitted for legal review"),
    ("approve_assessment", "Assessment approved by the legal adviser"),
    ("submit_options", "Options submitted for legal review"),
    ("approve_options", "Options approved by the legal adviser"),
    ("sign_off", "Signed off by the SRO"),
)


def _person(user: User | None, role: str = "") -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.pk,
        "name": user.display_name,
        "username": user.username,
        "job_title": user.job_title,
        "department": user.department,
        "role": role,
    }


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _days_between(start, end) -> int:
    return (end - start).days


def build_snapshot(case: Case) -> dict[str, Any]:
    """Return the frozen, JSON-ready content of the case as it stands now."""
    framework = get_framework()
    now = timezone.now()
    version = case.version
    sections = {s["code"]: s for s in assessment_content(case)["sections"]}
    users = {u.pk: u for u in User.objects.filter(pk__in=_user_ids(case))}

    def person(user_id: int | None, role: str = "") -> dict[str, Any] | None:
        return _person(users.get(user_id), role) if user_id else None

    official_ids = set(case.officials.values_list("pk", flat=True))

    def position(user_id: int) -> str:
        """Return the user's place on the case team, for the legal advice record."""
        if user_id == case.sro_id:
            return "Senior Responsible Owner"
        if user_id == case.legal_adviser_id:
            return "Legal adviser"
        if user_id == case.minister_id:
            return "Minister"
        if user_id == case.lead_official_id:
            return "Lead official"
        if user_id in official_ids:
            return "Official"
        return ""

    triggers = [
        {
            "id": str(t.id),
            "kind": t.kind,
            "kind_label": _label(TriggerKind, t.kind),
            "instrument": t.instrument,
            "instrument_label": _label(Instrument, t.instrument),
            "source_body": t.source_body,
            "reference": t.reference,
            "title": t.title,
            "finding_date": t.finding_date.isoformat(),
            "finding": t.finding,
            "finding_label": _label(Finding, t.finding),
            "crimes": [_label(Crime, c) for c in t.crimes],
            "groups_at_risk": t.groups_at_risk,
            "summary": t.summary,
            "source_url": t.source_url,
            "received_at": t.received_at.isoformat(),
            "outcome": t.outcome,
            "days_after_knowledge_date": _days_between(case.knowledge_date, t.finding_date),
        }
        for t in case.triggers.order_by("finding_date", "received_at")
    ]

    events = list(case.events.order_by("sequence"))
    chronology = [
        {
            "label": "Knowledge date (earliest qualifying trigger)",
            "date": case.knowledge_date.isoformat(),
            "days": 0,
        }
    ]
    for transition, label in MILESTONES:
        matching = [e for e in events if e.transition == transition]
        if matching:
            latest = matching[-1]
            day = timezone.localtime(latest.occurred_at).date()
            chronology.append(
                {
                    "label": label,
                    "date": day.isoformat(),
                    "days": _days_between(case.knowledge_date, day),
                }
            )

    risk_factors = []
    for code in RISK_FACTOR_CODES:
        definition = framework.section(code)
        content = sections.get(code, {})
        indicator_texts = {i.number: i.text for i in definition.indicators}
        risk_factors.append(
            {
                "code": code,
                "number": definition.number,
                "title": definition.title,
                "group": definition.group,
                "rating": content.get("rating", ""),
                "rating_label": _label(Rating, content.get("rating", "")),
                "confidence": content.get("confidence", ""),
                "confidence_label": _label(Confidence, content.get("confidence", "")),
                "key_evidence": content.get("key_evidence", ""),
                "analysis": content.get("analysis", ""),
                "indicators": [
                    {"number": n, "text": indicator_texts.get(n, "")}
                    for n in content.get("indicators", [])
                ],
                "sources": content.get("sources", []),
            }
        )

    def dimension(code: str, level_field: str) -> dict[str, Any]:
        definition = framework.section(code)
        content = sections.get(code, {})
        return {
            "code": code,
            "title": definition.title,
            "level": content.get(level_field, ""),
            "level_label": _label(Capacity, content.get(level_field, "")),
            "confidence": content.get("confidence", ""),
            "confidence_label": _label(Confidence, content.get("confidence", "")),
            "analysis": content.get("analysis", ""),
            "sources": content.get("sources", []),
        }

    scope = sections.get(SCOPE, {})
    options = [
        {
            **option,
            "category_label": _label(OptionCategory, option["category"]),
            "lead_department_label": _label(LeadDepartment, option["lead_department"]),
            "expected_effect_label": _label(Level, option["expected_effect"]),
            "feasibility_label": _label(Level, option["feasibility"]),
            "risk_of_harm_label": _label(Level, option["risk_of_harm"]),
            "recommendation_label": _label(Recommendation, option["recommendation"]),
        }
        for option in options_content(case)["options"]
    ]
    gaps = options_content(case)["gaps"]

    reviews = [
        {
            "version": r.version,
            "stage": r.stage,
            "stage_label": _label(Stage, r.stage),
            "decision": r.decision,
            "decision_label": _label(ReviewDecision, r.decision),
            "reviewer": person(r.reviewer_id, position(r.reviewer_id)),
            "comment": r.comment,
            "content_hash": r.content_hash,
            "created_at": r.created_at.isoformat(),
            "voided_at": r.voided_at.isoformat() if r.voided_at else None,
            "voided_reason": r.voided_reason,
        }
        for r in case.reviews.order_by("created_at")
    ]
    dissents = [
        {
            "version": d.version,
            "stage": d.stage,
            "stage_label": _label(Stage, d.stage),
            "author": person(d.author_id, position(d.author_id)),
            "text": d.text,
            "created_at": d.created_at.isoformat(),
        }
        for d in case.dissents.order_by("created_at")
    ]
    standing = [
        r
        for r in reviews
        if r["version"] == version
        and r["decision"] == ReviewDecision.APPROVED
        and not r["voided_at"]
    ]

    sources: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}

    def cite(source: dict[str, Any], where: str) -> None:
        key = source.get("url") or f"title:{source.get('title')}"
        if key not in by_key:
            by_key[key] = {**source, "cited_in": []}
            sources.append(by_key[key])
        if where not in by_key[key]["cited_in"]:
            by_key[key]["cited_in"].append(where)

    for trigger in triggers:
        if trigger["source_url"]:
            cite(
                {
                    "title": f"{trigger['source_body']}: {trigger['title']}",
                    "url": trigger["source_url"],
                    "date": trigger["finding_date"],
                },
                "triggers",
            )
    for code in (SCOPE, *RISK_FACTOR_CODES, FOOTPRINT, *DIMENSION_CODES):
        for source in sections.get(code, {}).get("sources", []):
            cite(source, code)

    event_counts = Counter(e.type for e in events)
    return {
        "schema": SNAPSHOT_SCHEMA,
        "frozen_at": now.isoformat(),
        "framework_version": framework.version,
        "case": {
            "id": str(case.id),
            "reference": case.reference,
            "title": case.title,
            "situation": {
                "name": case.situation.name,
                "country_code": case.situation.country_code,
                "area": case.situation.area,
            },
            "marking": case.marking,
            "track": case.track,
            "version": version,
            "state": case.state,
            "state_label": _label(CaseState, case.state),
            "knowledge_date": case.knowledge_date.isoformat(),
            "opened_at": case.opened_at.isoformat(),
            "days_since_knowledge_date": _days_between(case.knowledge_date, timezone.localdate()),
        },
        "team": {
            "sro": person(case.sro_id, "Senior Responsible Owner"),
            "lead_official": person(case.lead_official_id, "Lead official"),
            "officials": [person(o.pk, "Official") for o in case.officials.all()],
            "legal_adviser": person(case.legal_adviser_id, "Legal adviser"),
            "minister": person(case.minister_id, "Minister"),
        },
        "triggers": triggers,
        "chronology": chronology,
        "scope": {
            "analysis": scope.get("analysis", ""),
            "period_start": scope.get("period_start"),
            "period_end": scope.get("period_end"),
            "groups_at_risk": scope.get("groups_at_risk", ""),
            "crimes_at_risk": [_label(Crime, c) for c in scope.get("crimes_at_risk", [])],
            "likely_perpetrators": scope.get("likely_perpetrators", ""),
            "sources": scope.get("sources", []),
        },
        "risk_factors": risk_factors,
        "uk_footprint": dimension(FOOTPRINT, "exposure"),
        "dimensions": [dimension(code, "capacity") for code in DIMENSION_CODES],
        "options": options,
        "option_gaps": [
            {**g, "category_label": _label(OptionCategory, g["category"])} for g in gaps
        ],
        "reviews": reviews,
        "dissents": dissents,
        "sign_off": {
            "signed_off_by": person(case.signed_off_by_id, "Senior Responsible Owner"),
            "signed_off_at": case.signed_off_at.isoformat() if case.signed_off_at else None,
            "approvals": standing,
            "assessment_hash": sha256_of(assessment_content(case)),
            "options_hash": sha256_of(options_content(case)),
        },
        "audit": {
            "event_count": case.event_count,
            "chain_head": case.last_event_hash,
            "first_event_at": events[0].occurred_at.isoformat() if events else None,
            "last_event_at": events[-1].occurred_at.isoformat() if events else None,
            "counts": [
                {"type": t, "label": _label(EventType, t), "count": n}
                for t, n in sorted(event_counts.items())
            ],
        },
        "sources": sources,
    }


def _user_ids(case: Case) -> set[int]:
    ids = {
        case.sro_id,
        case.lead_official_id,
        case.legal_adviser_id,
        case.minister_id,
        case.signed_off_by_id,
    }
    ids.update(case.officials.values_list("pk", flat=True))
    ids.update(case.reviews.values_list("reviewer_id", flat=True))
    ids.update(case.dissents.values_list("author_id", flat=True))
    return {i for i in ids if i}
