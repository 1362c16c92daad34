"""Ingesting triggers: the moment the UK is on notice (docs/architecture.md, *Trigger intake*).

``trigger_ingest`` takes a trigger its caller has validated (the API's input serializer, or
the demo's own data) and routes it: a trigger seen before returns its first result; a new one
opens a case for its situation, joins the situation's open case, or reopens it when the case
is being monitored. Each route is a small function below.

``discretionary_assessment_open`` is an SRO's way in without a qualifying trigger: it records
a trigger of kind ``discretionary`` with the SRO's reason and routes it the same way
(docs/architecture.md, *Discretionary assessments*).
"""

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from aia import permissions, selectors
from aia.exceptions import InvalidInput, PermissionRefused
from aia.models import Case, CaseReferenceCounter, Situation, Trigger, User
from aia.models.choices import (
    FINISHED_STATES,
    CaseState,
    EventType,
    Instrument,
    Marking,
    Track,
    TriggerKind,
    TriggerOutcome,
)
from aia.services.audit import case_event_chain, case_event_record, case_events_save
from aia.services.cases import case_reopen
from aia.services.notifications import notify_case_awaiting_team, notify_trigger_joined

# Concurrent requests can collide on the unique constraints (the same trigger posted twice,
# the same new situation): the loser's transaction is rolled back and it looks again.
ATTEMPTS = 3


@dataclass(frozen=True)
class SituationName:
    """The situation a trigger concerns, as its source names it."""

    country_code: str  # ISO 3166-1 alpha-2, upper case
    name: str
    area: str = ""


@dataclass(frozen=True)
class IngestResult:
    trigger: Trigger
    case: Case
    created: bool
    outcome: str
    # Whether the poster may see the case: only then may the answer name it.
    visible: bool


def trigger_ingest(
    *,
    actor: User | None,
    kind: str,
    source_body: str,
    reference: str,
    title: str,
    finding_date: datetime.date,
    finding: str,
    crimes: Sequence[str],
    situation: SituationName,
    instrument: str = Instrument.OTHER,
    groups_at_risk: str = "",
    summary: str = "",
    source_url: str = "",
    marking: str = Marking.OFFICIAL_SENSITIVE,
    reason: str = "",
) -> IngestResult:
    """Record a trigger and open, join or reopen its situation's case.

    Idempotent on ``(source_body, reference)``: replaying a trigger returns the first result
    with ``created=False``. Triggers for one situation are taken one at a time (its row is
    locked), so concurrent triggers never open two cases for it; the database refuses a
    second open case regardless. ``actor`` is ``None`` only for the system itself.
    ``reason`` is the SRO's, for a discretionary assessment only.
    """
    if actor is not None and not permissions.can_add_trigger(actor):
        raise PermissionRefused("Your account may not post triggers.")
    if kind == TriggerKind.DISCRETIONARY and not (
        actor is not None and permissions.can_open_discretionary_assessment(actor)
    ):
        raise PermissionRefused(
            "Only a senior responsible owner may open a discretionary assessment."
        )
    for _attempt in range(ATTEMPTS):
        existing = trigger_find(source_body=source_body, reference=reference, viewer=actor)
        if existing is not None:
            return existing
        trigger = Trigger(
            kind=kind,
            instrument=instrument or Instrument.OTHER,
            source_body=source_body,
            reference=reference,
            title=title,
            finding_date=finding_date,
            finding=finding,
            crimes=list(crimes),
            groups_at_risk=groups_at_risk,
            summary=summary,
            source_url=source_url,
            reason=reason if kind == TriggerKind.DISCRETIONARY else "",
            received_at=timezone.now(),
            received_by=actor,
        )
        try:
            return _route(trigger, situation, marking or Marking.OFFICIAL_SENSITIVE, actor)
        except IntegrityError:
            continue  # a concurrent request committed first: look again
    existing = trigger_find(source_body=source_body, reference=reference, viewer=actor)
    if existing is None:
        raise RuntimeError("Trigger ingestion kept colliding with concurrent requests.")
    return existing


def discretionary_assessment_open(
    *,
    actor: User,
    situation: SituationName,
    reason: str,
    knowledge_date: datetime.date,
    source_body: str,
    title: str,
    finding: str,
    crimes: Sequence[str],
    reference: str = "",
    groups_at_risk: str = "",
    summary: str = "",
    source_url: str = "",
    marking: str = Marking.OFFICIAL_SENSITIVE,
) -> IngestResult:
    """Open (or add to) the situation's assessment at an SRO's discretion, with no qualifying
    trigger: a post's report, an NGO's alert. The SRO's reason is kept and printed in the
    report, and ``knowledge_date`` (the day the SRO says the UK knew) counts as a finding date.

    The other fields are checked as a trigger's are (``trigger_input``); this checks what is
    its own: who may, a reason given and a date not in the future.
    """
    if not permissions.can_open_discretionary_assessment(actor):
        raise PermissionRefused(
            "Only a senior responsible owner may open a discretionary assessment."
        )
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = ["Enter why you are opening this assessment"]
    if knowledge_date > timezone.localdate():
        errors["knowledge_date"] = [
            "The date the UK knew of the risk must be today or in the past."
        ]
    if errors:
        raise InvalidInput("The discretionary assessment is not valid.", errors)
    return trigger_ingest(
        actor=actor,
        kind=TriggerKind.DISCRETIONARY,
        source_body=source_body,
        # The pair must be unique: an SRO's record without a reference of its own gets one.
        reference=reference or f"DISCRETIONARY-{uuid.uuid4().hex[:12].upper()}",
        title=title,
        finding_date=knowledge_date,
        finding=finding,
        crimes=crimes,
        situation=situation,
        groups_at_risk=groups_at_risk,
        summary=summary,
        source_url=source_url,
        marking=marking,
        reason=reason.strip(),
    )


def trigger_find(*, source_body: str, reference: str, viewer: User | None) -> IngestResult | None:
    """Return the result of the trigger ``(source_body, reference)`` if it was seen before,
    saying whether ``viewer`` may see its case (``None``: the system, which may).

    Only what the answer names is loaded (other fields load when first read): every feed
    replays its triggers, and most posts are replays.
    """
    trigger = (
        Trigger.objects.select_related("case")
        .only("id", "outcome", "case__id", "case__reference", "case__state")
        .filter(source_body=source_body, reference=reference)
        .first()
    )
    if trigger is None:
        return None
    visible = viewer is None or selectors.case_is_visible_to(user=viewer, case_id=trigger.case_id)
    return IngestResult(
        trigger, trigger.case, created=False, outcome=trigger.outcome, visible=visible
    )


@transaction.atomic
def _route(trigger: Trigger, name: SituationName, marking: str, actor: User | None):
    """Open, join or reopen the case of the trigger's situation, in one transaction."""
    situation, latest = _situation_locked(name)
    trigger.situation = situation
    if latest is None or latest.state in FINISHED_STATES:
        case = _case_open(trigger, marking, actor, previous=latest)
        visible = actor is None or permissions.can_view_case(case, actor)
        return IngestResult(
            trigger, case, created=True, outcome=TriggerOutcome.OPENED, visible=visible
        )
    # Whether the poster may see the case reads its officials, as telling its team does next.
    prefetch_related_objects([latest], "officials")
    outsider = actor is not None and not permissions.can_view_case(latest, actor)
    if outsider and not settings.AIA_INTAKE_JOIN_UNSEEN_CASES:
        raise PermissionRefused(
            "This situation has a case your account may not see, so the trigger was not "
            "recorded. Ask an SRO to record it."
        )
    outcome = (
        TriggerOutcome.REOPENED if latest.state == CaseState.MONITORING else TriggerOutcome.JOINED
    )
    case = _case_reopen(latest, trigger) if outcome == TriggerOutcome.REOPENED else latest
    case = _case_join(case, trigger, actor, outcome=outcome, outsider=outsider)
    return IngestResult(trigger, case, created=True, outcome=outcome, visible=not outsider)


def _situation_locked(name: SituationName) -> tuple[Situation, Case | None]:
    """Find or create the situation, and return it with its latest case, both locked.

    The situation's row is locked first, so that requests for one situation take turns: the
    latest case each one reads is final until it commits. A situation's open case is always
    its latest (a case opens only when none is open, and a finished case never reopens), so
    the latest case is either the open one or the one a new case follows.
    """
    # ``no_key``: a joining trigger's foreign key to the situation does not wait for the lock.
    situation, created = Situation.objects.select_for_update(no_key=True).get_or_create(
        country_code=name.country_code,
        key=Situation.make_key(name.name),
        defaults={"name": name.name, "area": name.area},
    )
    if created:
        return situation, None  # uncommitted, it is this request's alone, and has no case
    latest = Case.objects.select_for_update().filter(situation=situation).first()
    return situation, latest


def _case_open(
    trigger: Trigger, marking: str, actor: User | None, *, previous: Case | None
) -> Case:
    """Open a case for the trigger, record both in the audit trail and tell the SROs."""
    situation = trigger.situation
    now = timezone.now()
    case = Case(
        title=situation.name,
        situation=situation,
        marking=marking,
        track=Track.EXPEDITED if trigger.is_expedited else Track.STANDARD,
        knowledge_date=trigger.finding_date,
        previous_case=previous,
        opened_at=now,
        stage_started_at=now,
        reference=_next_reference(now.year),
    )
    case.set_stage_deadline()
    trigger.case = case
    trigger.outcome = TriggerOutcome.OPENED
    # Both events are chained before the case is saved, so it goes in with the chain's head.
    events = [
        case_event_chain(
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
        ),
        case_event_chain(
            case=case,
            actor=actor,
            type=EventType.TRIGGER_RECEIVED,
            details=_trigger_details(trigger, case),
        ),
    ]
    case.save(force_insert=True)
    trigger.save(force_insert=True)
    case_events_save(case=case, events=events, head=False)
    # The sections wait for the team (``case_assign``).
    notify_case_awaiting_team(case=case)
    return case


def _case_reopen(case: Case, trigger: Trigger) -> Case:
    """Reopen a monitored case as the system, on the trigger's behalf."""
    reason = f"New trigger: {trigger.source_body} {trigger.reference} ({trigger.finding_date})."
    return case_reopen(case=case, actor=None, reason=reason)


def _case_join(
    case: Case, trigger: Trigger, actor: User | None, *, outcome: str, outsider: bool
) -> Case:
    """Add the trigger to the case (locked by the caller), moving its knowledge date and
    track when the trigger says so, and tell the team; ``outsider`` says that the poster may
    not see the case (the audit trail and the team's notification say so)."""
    trigger.case = case
    trigger.outcome = outcome
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
    trigger.save(force_insert=True)
    case_event_record(
        case=case,
        actor=actor,
        type=EventType.TRIGGER_JOINED,
        details={**_trigger_details(trigger, case), "poster_may_see_case": not outsider},
    )
    notify_trigger_joined(case=case, trigger=trigger, outsider=actor if outsider else None)
    return case


def _trigger_details(trigger: Trigger, case: Case) -> dict[str, str]:
    """What the audit trail records of a trigger and where it took the case (and, for a
    discretionary assessment, the SRO's reason)."""
    details = {
        "trigger": str(trigger.id),
        "kind": trigger.kind,
        "source_body": trigger.source_body,
        "reference": trigger.reference,
        "finding_date": trigger.finding_date.isoformat(),
        "finding": trigger.finding,
        "outcome": trigger.outcome,
        "knowledge_date": case.knowledge_date.isoformat(),
        "track": case.track,
    }
    if trigger.is_discretionary:
        details["reason"] = trigger.reason
    return details


def _next_reference(year: int) -> str:
    """Take the year's next case number; the year's counter row stays locked until commit,
    so that references have no gaps."""
    counter, _created = CaseReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"AIA-{year}-{counter.last_number:04d}"
