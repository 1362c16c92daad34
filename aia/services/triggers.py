"""Ingesting triggers: the moment the UK is on notice (DESIGN §5)."""

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from aia import permissions
from aia.exceptions import PermissionRefused
from aia.framework import SECTION_CODES, get_framework
from aia.models import Case, CaseReferenceCounter, Section, Situation, Trigger, User
from aia.models.choices import (
    FINISHED_STATES,
    CaseState,
    Crime,
    EventType,
    Finding,
    Instrument,
    Marking,
    Track,
    TriggerKind,
)
from aia.services.audit import case_event_record
from aia.services.cases import _reopen_locked
from aia.services.notifications import notify_case_awaiting_team, notify_trigger_joined
from aia.validation import (
    MAX_SHORT_TEXT,
    Errors,
    choice,
    choice_list,
    date,
    text,
    unknown_fields,
    url,
)

TRIGGER_FIELDS = (
    "kind",
    "instrument",
    "source_body",
    "reference",
    "title",
    "finding_date",
    "finding",
    "crimes",
    "groups_at_risk",
    "summary",
    "source_url",
    "situation",
    "marking",
)
SITUATION_FIELDS = ("country_code", "name", "area")

# How ingestion treated a trigger.
OPENED, JOINED, REOPENED = "opened", "joined", "reopened"


@dataclass(frozen=True)
class IngestResult:
    trigger: Trigger
    case: Case
    created: bool
    outcome: str


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors = Errors()
    if not isinstance(data, dict):
        errors.add("non_field_errors", "Send the trigger as a JSON object.")
        errors.raise_if_any("The trigger is not valid.")
    unknown_fields(errors, data, TRIGGER_FIELDS)
    clean: dict[str, Any] = {
        "kind": choice(
            errors, data, "kind", TriggerKind.values, required=True, label="trigger kind"
        ),
        "instrument": choice(errors, data, "instrument", Instrument.values) or Instrument.OTHER,
        "source_body": text(
            errors, data, "source_body", required=True, max_length=200, label="source body"
        ),
        "reference": text(errors, data, "reference", required=True, max_length=200),
        "title": text(errors, data, "title", required=True, max_length=MAX_SHORT_TEXT),
        "finding_date": date(
            errors, data, "finding_date", required=True, not_future=True, label="finding date"
        ),
        "finding": choice(errors, data, "finding", Finding.values, required=True),
        "crimes": choice_list(errors, data, "crimes", Crime.values, required=True),
        "groups_at_risk": text(
            errors, data, "groups_at_risk", max_length=2000, label="groups at risk"
        ),
        "summary": text(errors, data, "summary"),
        "source_url": url(errors, data.get("source_url"), "source_url", label="source URL"),
        "marking": choice(errors, data, "marking", Marking.values) or Marking.OFFICIAL_SENSITIVE,
    }
    situation = data.get("situation")
    if not isinstance(situation, dict):
        errors.add("situation", "Give the situation as {country_code, name}.")
    else:
        for field in situation:
            if field not in SITUATION_FIELDS:
                errors.add(f"situation.{field}", "This field is not recognised here.")
        code = situation.get("country_code")
        if not isinstance(code, str) or not re.fullmatch(r"[A-Za-z]{2}", code.strip()):
            errors.add("situation.country_code", "Enter the ISO 3166-1 two-letter country code.")
        else:
            clean["country_code"] = code.strip().upper()
        nested = Errors()
        clean["situation_name"] = text(
            nested, situation, "name", required=True, max_length=200, label="situation name"
        )
        clean["area"] = text(nested, situation, "area", max_length=200, label="area")
        for field, messages in nested.fields.items():
            for message in messages:
                errors.add(f"situation.{field}", message)
    errors.raise_if_any("The trigger is not valid.")
    return clean


def trigger_ingest(*, actor: User | None, data: dict[str, Any]) -> IngestResult:
    """Record a trigger and open, join or reopen the situation's case.

    Idempotent on ``(source_body, reference)``: replaying a trigger returns the first result
    with ``created=False``. Ingestion for one situation is serialised by locking the situation
    row, so concurrent triggers never open two cases for it.
    """
    clean = _clean(data)
    if actor is not None and not permissions.can_add_trigger(actor):
        raise PermissionRefused("Your account may not post triggers.")
    for _attempt in range(3):
        existing = _existing(clean)
        if existing is not None:
            return existing
        try:
            return _ingest(actor, clean)
        except IntegrityError:
            # A concurrent request created the same trigger, situation or counter first:
            # look again with its work committed.
            continue
    existing = _existing(clean)
    if existing is None:
        raise RuntimeError("Trigger ingestion kept colliding with concurrent requests.")
    return existing


def _existing(clean: dict[str, Any]) -> IngestResult | None:
    trigger = (
        Trigger.objects.select_related("case")
        .filter(source_body=clean["source_body"], reference=clean["reference"])
        .first()
    )
    if trigger is None:
        return None
    return IngestResult(trigger=trigger, case=trigger.case, created=False, outcome=trigger.outcome)


@transaction.atomic
def _ingest(actor: User | None, clean: dict[str, Any]) -> IngestResult:
    situation, _ = Situation.objects.get_or_create(
        country_code=clean["country_code"],
        key=Situation.make_key(clean["situation_name"]),
        defaults={"name": clean["situation_name"], "area": clean["area"]},
    )
    situation = Situation.objects.select_for_update().get(pk=situation.pk)
    # Another request may have committed the same trigger while this one waited for the lock.
    existing = _existing(clean)
    if existing is not None:
        return existing

    trigger = Trigger(
        kind=clean["kind"],
        instrument=clean["instrument"],
        source_body=clean["source_body"],
        reference=clean["reference"],
        title=clean["title"],
        finding_date=clean["finding_date"],
        finding=clean["finding"],
        crimes=clean["crimes"],
        groups_at_risk=clean["groups_at_risk"],
        summary=clean["summary"],
        source_url=clean["source_url"],
        situation=situation,
        received_at=timezone.now(),
        received_by=actor,
    )
    case = (
        Case.objects.select_for_update()
        .filter(situation=situation)
        .exclude(state__in=FINISHED_STATES)
        .first()
    )
    if case is None:
        case = _case_open(situation, trigger, clean["marking"], actor)
        outcome = OPENED
    elif case.state == CaseState.MONITORING:
        _reopen_locked(
            case,
            None,
            f"New trigger: {trigger.source_body} {trigger.reference} ({trigger.finding_date}).",
        )
        outcome = REOPENED
    else:
        outcome = JOINED

    trigger.case = case
    trigger.outcome = outcome
    trigger.save(force_insert=True)

    changed = []
    if trigger.finding_date < case.knowledge_date:
        case.knowledge_date = trigger.finding_date
        changed.append("knowledge_date")
    if trigger.is_expedited and case.track != Track.EXPEDITED:
        case.track = Track.EXPEDITED
        # The shorter targets apply to the stage under way from now on.
        case.set_stage_deadline()
        changed.extend(["track", "stage_deadline"])
    if changed:
        case.save(update_fields=changed)
    case_event_record(
        case=case,
        actor=actor,
        type=EventType.TRIGGER_RECEIVED if outcome == OPENED else EventType.TRIGGER_JOINED,
        details={
            "trigger": str(trigger.id),
            "kind": trigger.kind,
            "source_body": trigger.source_body,
            "reference": trigger.reference,
            "finding_date": trigger.finding_date.isoformat(),
            "finding": trigger.finding,
            "outcome": outcome,
            "knowledge_date": case.knowledge_date.isoformat(),
            "track": case.track,
        },
    )
    if outcome == OPENED:
        notify_case_awaiting_team(case=case)
    else:
        notify_trigger_joined(
            case=case,
            trigger_id=str(trigger.id),
            source=f"{trigger.source_body}, {trigger.title} ({trigger.finding_date})",
        )
    return IngestResult(trigger=trigger, case=case, created=True, outcome=outcome)


def _case_open(situation: Situation, trigger: Trigger, marking: str, actor: User | None) -> Case:
    previous = situation.cases.order_by("-opened_at").first()
    now = timezone.now()
    case = Case(
        reference=_next_reference(now.year),
        title=situation.name,
        situation=situation,
        marking=marking,
        track=Track.EXPEDITED if trigger.is_expedited else Track.STANDARD,
        knowledge_date=trigger.finding_date,
        previous_case=previous,
        opened_at=now,
        stage_started_at=now,
    )
    case.set_stage_deadline()
    case.save(force_insert=True)
    framework = get_framework()
    Section.objects.bulk_create(
        Section(case=case, version=1, code=code, kind=framework.section(code).kind)
        for code in SECTION_CODES
    )
    case_event_record(
        case=case,
        actor=actor,
        type=EventType.CASE_OPENED,
        to_state=case.state,
        details={
            "reference": case.reference,
            "situation": {"country_code": situation.country_code, "name": situation.name},
            "previous_case": str(previous.pk) if previous else None,
            "marking": case.marking,
        },
    )
    return case


def _next_reference(year: int) -> str:
    counter, _ = CaseReferenceCounter.objects.get_or_create(year=year)
    counter = CaseReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"AIA-{year}-{counter.last_number:04d}"
