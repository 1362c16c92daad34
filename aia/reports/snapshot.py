"""Freeze a case into the plain data its report is rendered from.

The snapshot is complete on its own: the report template reads nothing else, so the signed
PDF can be re-rendered from it years later and an inquiry can read it as JSON.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from aia.canonical import sha256_of
from aia.content import assessment_content, options_content, submission_content
from aia.deadlines import decision_needed_by
from aia.framework import (
    DIMENSION_CODES,
    FOOTPRINT,
    RISK_FACTOR_CODES,
    SCOPE,
    Framework,
    get_framework,
)
from aia.models import (
    Case,
    CaseEvent,
    Citation,
    Comment,
    Dissent,
    Reliability,
    Review,
    Situation,
    Source,
    Trigger,
    User,
)
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
    RiskTrend,
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


def build_snapshot(case: Case) -> dict[str, Any]:
    """Return the frozen, JSON-ready content of the case as it stands now."""
    framework = get_framework()
    now = timezone.now()
    data = load_report_data(case)
    sections = {s["code"]: s for s in data.assessment["sections"]}
    people = People.of(case, data)
    triggers = build_triggers(data.triggers, case.knowledge_date)
    reviews = build_reviews(data.reviews, people)
    return {
        "schema": SNAPSHOT_SCHEMA,
        "frozen_at": now.isoformat(),
        "framework_version": framework.version,
        "case": build_case(case, data.situation, today=timezone.localdate(now)),
        "team": build_team(case, data.officials, people),
        "triggers": triggers,
        "chronology": build_chronology(data.events, case.knowledge_date),
        "scope": build_scope(sections.get(SCOPE, {})),
        "risk_factors": build_risk_factors(framework, sections),
        "uk_footprint": build_uk_footprint(framework, sections),
        "dimensions": build_dimensions(framework, sections),
        "submission": build_submission(case, sections.get(SCOPE, {}), data.options, now=now),
        "options": build_options(data.options["options"]),
        "option_gaps": build_option_gaps(data.options["gaps"]),
        "reviews": reviews,
        "dissents": build_dissents(data.dissents, people),
        "comments": build_comments(framework, data.comments, people),
        "sign_off": build_sign_off(case, reviews, people, data.assessment, data.options),
        "audit": build_audit(case, data.events),
        "sources": build_sources(triggers, sections, data.library),
    }


# ------------------------------------------------------------------------------
# Loading: every query the snapshot needs, in one place
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportData:
    """What the builders read: the case's related rows and its stages' canonical content."""

    situation: Situation
    officials: list[User]
    triggers: list[Trigger]
    events: list[CaseEvent]
    reviews: list[Review]
    dissents: list[Dissent]
    comments: list[Comment]
    # The case's library sources cited in the current version, each with those citations.
    library: list[Source]
    # Every user the report names, by id.
    users: dict[int, User]
    # The canonical content that the reviews approved and the sign-off hashes cover.
    assessment: dict[str, Any]
    options: dict[str, Any]


def load_report_data(case: Case) -> ReportData:
    """Load everything the report needs about the case, so the builders run no queries."""
    officials = list(case.officials.all())
    reviews = list(case.reviews.order_by("created_at"))
    dissents = list(case.dissents.order_by("created_at"))
    comments = list(case.comments.select_related("section", "option").order_by("created_at", "pk"))
    user_ids = {
        case.sro_id,
        case.lead_official_id,
        case.legal_adviser_id,
        case.minister_id,
        case.signed_off_by_id,
        *(o.pk for o in officials),
        *(r.reviewer_id for r in reviews),
        *(d.author_id for d in dissents),
        *(c.author_id for c in comments),
        *(c.resolved_by_id for c in comments),
    }
    users = User.objects.filter(pk__in={i for i in user_ids if i})
    return ReportData(
        library=_library(case),
        situation=case.situation,
        officials=officials,
        triggers=list(case.triggers.order_by("finding_date", "received_at")),
        events=list(case.events.order_by("sequence")),
        reviews=reviews,
        dissents=dissents,
        comments=comments,
        users={u.pk: u for u in users},
        assessment=assessment_content(case),
        options=options_content(case),
    )


def _library(case: Case) -> list[Source]:
    """Return the library sources the current version cites, each with ``cited`` (its
    citations in this version, by section code or option id), in two queries."""
    citations = Prefetch(
        "citations",
        queryset=Citation.objects.filter(
            Q(section__version=case.version) | Q(option__version=case.version)
        ).select_related("section", "option"),
        to_attr="cited",
    )
    sources = case.sources.prefetch_related(citations).order_by("added_at", "pk")
    return [source for source in sources if source.cited]


# ------------------------------------------------------------------------------
# Builders: one per part of the report, pure functions of loaded data
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class People:
    """The users a report names, and the place each one holds on the case team."""

    users: dict[int, User]
    sro_id: int | None
    legal_adviser_id: int | None
    minister_id: int | None
    lead_official_id: int | None
    official_ids: frozenset[int]

    @classmethod
    def of(cls, case: Case, data: ReportData) -> "People":
        """Return the people of the case, from its loaded data."""
        return cls(
            users=data.users,
            sro_id=case.sro_id,
            legal_adviser_id=case.legal_adviser_id,
            minister_id=case.minister_id,
            lead_official_id=case.lead_official_id,
            official_ids=frozenset(o.pk for o in data.officials),
        )

    def person(self, user_id: int | None, role: str = "") -> dict[str, Any] | None:
        """Return the user as the report names them, in the given role (None for no one)."""
        return _person(self.users.get(user_id), role) if user_id else None

    def position(self, user_id: int) -> str:
        """Return the user's place on the case team, for the legal advice record."""
        if user_id == self.sro_id:
            return "Senior Responsible Owner"
        if user_id == self.legal_adviser_id:
            return "Legal adviser"
        if user_id == self.minister_id:
            return "Minister"
        if user_id == self.lead_official_id:
            return "Lead official"
        if user_id in self.official_ids:
            return "Official"
        return ""

    def on_the_record(self, user_id: int) -> dict[str, Any] | None:
        """Return the user with their place on the team, as reviews and dissents name them."""
        return self.person(user_id, self.position(user_id))


def build_case(case: Case, situation: Situation, *, today: datetime.date) -> dict[str, Any]:
    """Return the case's identity, state and age in days since its knowledge date."""
    return {
        "id": str(case.id),
        "reference": case.reference,
        "title": case.title,
        "situation": {
            "name": situation.name,
            "country_code": situation.country_code,
            "area": situation.area,
        },
        "marking": case.marking,
        "track": case.track,
        "version": case.version,
        "state": case.state,
        "state_label": _label(CaseState, case.state),
        "knowledge_date": case.knowledge_date.isoformat(),
        "opened_at": case.opened_at.isoformat(),
        "days_since_knowledge_date": _days_between(case.knowledge_date, today),
    }


def build_team(case: Case, officials: list[User], people: People) -> dict[str, Any]:
    """Return the case team, each member with their role."""
    return {
        "sro": people.person(case.sro_id, "Senior Responsible Owner"),
        "lead_official": people.person(case.lead_official_id, "Lead official"),
        "officials": [people.person(o.pk, "Official") for o in officials],
        "legal_adviser": people.person(case.legal_adviser_id, "Legal adviser"),
        "minister": people.person(case.minister_id, "Minister"),
    }


def build_triggers(triggers: list[Trigger], knowledge_date: datetime.date) -> list[dict[str, Any]]:
    """Return the triggers, oldest finding first, with their labels and day counts."""
    return [
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
            # An SRO's discretionary assessment, and why (docs/reports.md).
            "discretionary": t.is_discretionary,
            "reason": t.reason,
            "received_at": t.received_at.isoformat(),
            "outcome": t.outcome,
            "days_after_knowledge_date": _days_between(knowledge_date, t.finding_date),
        }
        for t in triggers
    ]


def build_chronology(
    events: list[CaseEvent], knowledge_date: datetime.date
) -> list[dict[str, Any]]:
    """Return the knowledge date and the latest time each milestone was reached since."""
    chronology = [
        {
            "label": "Knowledge date (earliest qualifying trigger)",
            "date": knowledge_date.isoformat(),
            "days": 0,
        }
    ]
    for transition, label in MILESTONES:
        matching = [e for e in events if e.transition == transition]
        if matching:
            day = timezone.localtime(matching[-1].occurred_at).date()
            chronology.append(
                {
                    "label": label,
                    "date": day.isoformat(),
                    "days": _days_between(knowledge_date, day),
                }
            )
    return chronology


def build_scope(scope: dict[str, Any]) -> dict[str, Any]:
    """Return the scope section, with the crimes at risk as labels."""
    return {
        "analysis": scope.get("analysis", ""),
        "period_start": scope.get("period_start"),
        "period_end": scope.get("period_end"),
        "groups_at_risk": scope.get("groups_at_risk", ""),
        "crimes_at_risk": [_label(Crime, c) for c in scope.get("crimes_at_risk", [])],
        "likely_perpetrators": scope.get("likely_perpetrators", ""),
        "sources": scope.get("sources", []),
    }


def build_risk_factors(
    framework: Framework, sections: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return the risk factors in framework order, with the chosen indicators' texts."""
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
    return risk_factors


def build_uk_footprint(framework: Framework, sections: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return the UK footprint section, its exposure as the level."""
    return _dimension(framework, sections, FOOTPRINT, "exposure")


def build_dimensions(
    framework: Framework, sections: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return the AIA dimensions in framework order, each capacity as the level."""
    return [_dimension(framework, sections, code, "capacity") for code in DIMENSION_CODES]


def _dimension(
    framework: Framework, sections: dict[str, dict[str, Any]], code: str, level_field: str
) -> dict[str, Any]:
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


def build_submission(
    case: Case, scope: dict[str, Any], options: dict[str, Any], *, now: datetime.datetime
) -> dict[str, Any]:
    """Return the submission to the minister: the officials' words, the decision sought and
    the date it is needed by (from the track's deadlines as of sign-off, or of now for a
    draft), and the groups at risk as the scope records them."""
    recommended = [
        o
        for o in options["options"]
        if o["recommendation"] == Recommendation.RECOMMENDED and not o.get("withdrawn")
    ]
    needed_by = decision_needed_by(case.track, case.signed_off_at or now)
    count = len(recommended)
    if count:
        sought = (
            f"Whether to agree the recommendation and the {count} recommended "
            f"option{'s' if count != 1 else ''} below, each of which may be agreed or not."
        )
    else:
        sought = "Whether to agree the recommendation below."
    return {
        **submission_content(case),
        "decision_sought": sought,
        "decision_needed_by": needed_by.isoformat() if needed_by else None,
        "groups_at_risk": scope.get("groups_at_risk", ""),
        "trend": _label(RiskTrend, case.submission_trend) if case.submission_trend else "",
    }


def build_options(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the options' canonical content with a label beside each coded value."""
    return [
        {
            **option,
            "category_label": _label(OptionCategory, option["category"]),
            "lead_department_label": _label(LeadDepartment, option["lead_department"]),
            "expected_effect_label": _label(Level, option["expected_effect"]),
            "feasibility_label": _label(Level, option["feasibility"]),
            "risk_of_harm_label": _label(Level, option["risk_of_harm"]),
            "recommendation_label": _label(Recommendation, option["recommendation"]),
        }
        for option in options
    ]


def build_option_gaps(gaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the core categories without an option, with the recorded reasons."""
    return [{**g, "category_label": _label(OptionCategory, g["category"])} for g in gaps]


def build_reviews(reviews: list[Review], people: People) -> list[dict[str, Any]]:
    """Return every review, voided ones included, each reviewer with their place on the team."""
    return [
        {
            "version": r.version,
            "stage": r.stage,
            "stage_label": _label(Stage, r.stage),
            "decision": r.decision,
            "decision_label": _label(ReviewDecision, r.decision),
            "reviewer": people.on_the_record(r.reviewer_id),
            "comment": r.comment,
            "content_hash": r.content_hash,
            "created_at": r.created_at.isoformat(),
            "voided_at": r.voided_at.isoformat() if r.voided_at else None,
            "voided_reason": r.voided_reason,
        }
        for r in reviews
    ]


def build_dissents(dissents: list[Dissent], people: People) -> list[dict[str, Any]]:
    """Return the recorded dissents, each author with their place on the team."""
    return [
        {
            "version": d.version,
            "stage": d.stage,
            "stage_label": _label(Stage, d.stage),
            "author": people.on_the_record(d.author_id),
            "text": d.text,
            "created_at": d.created_at.isoformat(),
        }
        for d in dissents
    ]


def build_comments(
    framework: Framework, comments: list[Comment], people: People
) -> list[dict[str, Any]]:
    """Return the comment threads on sections and options, in every version, each with its
    replies: how the legal advice was discussed where it applied."""
    threads: dict[int, dict[str, Any]] = {}
    for c in comments:
        entry = {
            "author": people.on_the_record(c.author_id),
            "text": c.text,
            "created_at": c.created_at.isoformat(),
        }
        if c.parent_id is not None:
            if c.parent_id in threads:
                threads[c.parent_id]["replies"].append(entry)
            continue
        on = framework.section(c.section.code).title if c.section_id else c.option.title
        threads[c.pk] = {
            **entry,
            "version": c.version,
            "stage": c.stage,
            "stage_label": _label(Stage, c.stage),
            "on": on,
            "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
            "resolved_by": people.on_the_record(c.resolved_by_id) if c.resolved_by_id else None,
            "replies": [],
        }
    return list(threads.values())


def build_sign_off(
    case: Case,
    reviews: list[dict[str, Any]],
    people: People,
    assessment: dict[str, Any],
    options: dict[str, Any],
) -> dict[str, Any]:
    """Return who signed off and when, the approvals standing for the version, and the hashes.

    ``reviews`` are the built reviews; ``assessment`` and ``options`` the stages' canonical
    content.
    """
    standing = [
        r
        for r in reviews
        if r["version"] == case.version
        and r["decision"] == ReviewDecision.APPROVED
        and not r["voided_at"]
    ]
    return {
        "signed_off_by": people.person(case.signed_off_by_id, "Senior Responsible Owner"),
        "signed_off_at": case.signed_off_at.isoformat() if case.signed_off_at else None,
        "approvals": standing,
        "assessment_hash": sha256_of(assessment),
        "options_hash": sha256_of(options),
    }


def build_audit(case: Case, events: list[CaseEvent]) -> dict[str, Any]:
    """Return the audit trail's head, span and the number of events of each type."""
    event_counts = Counter(e.type for e in events)
    return {
        "event_count": case.event_count,
        "chain_head": case.last_event_hash,
        "first_event_at": events[0].occurred_at.isoformat() if events else None,
        "last_event_at": events[-1].occurred_at.isoformat() if events else None,
        "counts": [
            {"type": t, "label": _label(EventType, t), "count": n}
            for t, n in sorted(event_counts.items())
        ],
    }


def build_sources(
    triggers: list[dict[str, Any]],
    sections: dict[str, dict[str, Any]],
    library: list[Source] = (),
) -> list[dict[str, Any]]:
    """Return every source cited, once each, with where it is cited.

    A source typed on a section is known by its URL, else its title; a library source is
    one source however often it is cited, with its reliability and, for a file, its SHA-256.
    An option's place is ``option:<id>``. ``triggers`` are the built triggers; sources keep
    the order they are first cited in, the library's after the typed ones.
    """
    sources: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}

    def cite(source: dict[str, Any], where: str, key: str = "") -> None:
        key = key or source.get("url") or f"title:{source.get('title')}"
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
    codes = (SCOPE, *RISK_FACTOR_CODES, FOOTPRINT, *DIMENSION_CODES)
    order = {code: index for index, code in enumerate(codes)}
    for source in library:
        places = sorted(
            (c.section.code if c.section_id else f"option:{c.option.copied_from_id or c.option_id}")
            for c in source.cited
        )
        places.sort(key=lambda place: (place.startswith("option:"), order.get(place, len(codes))))
        for place in places:
            cite(_library_entry(source), place, key=f"library:{source.pk}")
    return sources


def _library_entry(source: Source) -> dict[str, Any]:
    return {
        "title": source.title,
        "url": source.url,
        "date": source.published_on.isoformat() if source.published_on else "",
        "library": True,
        "author": source.author,
        "reliability": source.reliability,
        "reliability_label": _label(Reliability, source.reliability),
        "file_name": source.file_name,
        "size": source.size,
        "sha256": source.sha256,
    }


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


def _days_between(start: datetime.date, end: datetime.date) -> int:
    return (end - start).days
