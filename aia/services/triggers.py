"""Ingesting triggers: the moment the UK is on notice (DESIGN §5)."""

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import IntegrityError, connection, connections, router, transaction
from django.utils import timezone

from aia import permissions
from aia.exceptions import PermissionRefused
from aia.inserts import (
    insert_if_new,
    insert_if_new_statement,
    insert_together,
    inserted,
    update_statement,
)
from aia.models import Case, CaseReferenceCounter, Situation, Trigger, User
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
from aia.permission_loading import user_from_row, users_with_permission_sql
from aia.services.audit import case_event_chain
from aia.services.cases import _reopen_locked
from aia.services.notifications import (
    case_awaiting_team_notifications,
    email_outbox_rows,
    officials_known,
    sros_for_triage,
    sros_for_triage_params,
    trigger_joined_notifications,
)
from aia.services.outbox import outbox_dispatch_after_commit
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
# Each choice's values, listed once (``Choices.values`` builds a new list on every read).
_VALUES = {
    choices: tuple(choices.values) for choices in (TriggerKind, Instrument, Finding, Crime, Marking)
}

# The finished states as plain text, each its own parameter of the open-case lookup: psycopg
# sends text at once, where a list (of enum members, at that) costs it a type inspection on
# every new cursor.
_FINISHED_VALUES = tuple(state.value for state in FINISHED_STATES)

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
            errors, data, "kind", _VALUES[TriggerKind], required=True, label="trigger kind"
        ),
        "instrument": choice(errors, data, "instrument", _VALUES[Instrument]) or Instrument.OTHER,
        "source_body": text(
            errors, data, "source_body", required=True, max_length=200, label="source body"
        ),
        "reference": text(errors, data, "reference", required=True, max_length=200),
        "title": text(errors, data, "title", required=True, max_length=MAX_SHORT_TEXT),
        "finding_date": date(
            errors, data, "finding_date", required=True, not_future=True, label="finding date"
        ),
        "finding": choice(errors, data, "finding", _VALUES[Finding], required=True),
        "crimes": choice_list(errors, data, "crimes", _VALUES[Crime], required=True),
        "groups_at_risk": text(
            errors, data, "groups_at_risk", max_length=2000, label="groups at risk"
        ),
        "summary": text(errors, data, "summary"),
        "source_url": url(errors, data.get("source_url"), "source_url", label="source URL"),
        "marking": choice(errors, data, "marking", _VALUES[Marking]) or Marking.OFFICIAL_SENSITIVE,
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
    with ``created=False``. Ingestion for one situation is serialised by locking its open
    case's row or, when it has none, the situation's row, so concurrent triggers never open
    two cases for it (and the database refuses a second open case regardless).
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
            # A concurrent request created the same trigger or case reference first (the
            # unique constraints refuse the second): look again with its work committed.
            continue
    existing = _existing(clean)
    if existing is None:
        raise RuntimeError("Trigger ingestion kept colliding with concurrent requests.")
    return existing


def _existing(clean: dict[str, Any]) -> IngestResult | None:
    """Return the result of a trigger seen before (one indexed lookup), or ``None``.

    Only what the answer names is loaded (the trigger's id and outcome, the case's id,
    reference and state); other fields load when first read. On PostgreSQL the query is
    written out once from the models' names: most triggers are new, and building the ORM's
    query cost more than running it.
    """
    db = router.db_for_read(Trigger)
    if connections[db].vendor != "postgresql":
        trigger = next(
            iter(
                Trigger.objects.select_related("case")
                .only("id", "outcome", "case__id", "case__reference", "case__state")
                .filter(source_body=clean["source_body"], reference=clean["reference"])
                .order_by()[:1]
            ),
            None,
        )
        if trigger is None:
            return None
        case = trigger.case
    else:
        with connections[db].cursor() as cursor:
            cursor.execute(_existing_sql(db), [clean["source_body"], clean["reference"]])
            row = cursor.fetchone()
        if row is None:
            return None
        # ``from_db`` takes the values in the models' field order.
        trigger_id, case_id, outcome, reference, state = row
        trigger = Trigger.from_db(db, ["id", "case_id", "outcome"], [trigger_id, case_id, outcome])
        case = Case.from_db(db, ["id", "reference", "state"], [case_id, reference, state])
        Trigger.case.field.set_cached_value(trigger, case)
    return IngestResult(trigger=trigger, case=case, created=False, outcome=trigger.outcome)


@cache
def _existing_sql(db: str) -> str:
    """``_existing``'s query: the columns of ``_existing``'s ``from_db`` calls, in order."""
    quote = connections[db].ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    return (
        f"SELECT t.{column(Trigger, 'id')}, t.{column(Trigger, 'case')}, "  # noqa: S608 - quoted model names, no input
        f"t.{column(Trigger, 'outcome')}, c.{column(Case, 'reference')}, c.{column(Case, 'state')} "
        f"FROM {quote(Trigger._meta.db_table)} t "
        f"JOIN {quote(Case._meta.db_table)} c "
        f"ON c.{column(Case, 'id')} = t.{column(Trigger, 'case')} "
        f"WHERE t.{column(Trigger, 'source_body')} = %s AND t.{column(Trigger, 'reference')} = %s"
    )


@dataclass(frozen=True)
class _Located:
    """Where a new trigger goes: its situation; the situation's open case, its row locked,
    or ``None``; whether this request created the situation (then it has no cases yet); and,
    when the lookup read them with the rest, the SROs to tell of a case opened for it
    (``None``: not read)."""

    situation: Situation
    case: Case | None
    new_situation: bool
    sros: list[User] | None = None


def _situation_locked(clean: dict[str, Any]) -> _Located:
    """Find or create the trigger's situation and find its open case. The open case's row is
    locked until commit; without one, the situation's row is, so that no two requests open
    a case for it.

    The situation is inserted unless it exists (a concurrent insert of the same situation
    waits for the first to commit). On PostgreSQL the same query finds and locks its open
    case (only the case's row: a request on the other path locks the situation and then the
    case, and taking them in the opposite order here could deadlock with it), and, for a
    situation it creates, reads the SROs to tell. A situation that existed without an open case
    is then locked and its open case looked up again: a concurrent request may have opened
    one meanwhile.
    """
    lookup = {
        "country_code": clean["country_code"],
        "key": Situation.make_key(clean["situation_name"]),
    }
    situation = Situation(**lookup, name=clean["situation_name"], area=clean["area"])
    db = router.db_for_write(Case)
    if connections[db].vendor == "postgresql" and _open_case_sql(db) is not None:
        located = _situation_new_or_open_case_locked(db, situation, clean["marking"])
        if located is not None:
            return located
    elif insert_if_new(situation):
        # Uncommitted, the new row is this request's alone until commit.
        return _Located(situation, None, new_situation=True)
    # ``FOR NO KEY UPDATE``: it excludes other requests taking this path, but not a joining
    # request's foreign-key checks on the situation (which hold the open case's lock that
    # this path takes next: a plain ``FOR UPDATE`` here could deadlock with them).
    situation = Situation.objects.select_for_update(no_key=True).get(**lookup)
    return _Located(situation, _open_case_locked(situation), new_situation=False)


def _open_case_locked(situation: Situation) -> Case | None:
    """Return the situation's open case, locked, or ``None``."""
    cases = (
        Case.objects.select_for_update()
        .filter(situation=situation)
        .exclude(state__in=FINISHED_STATES)
        .order_by()
    )
    return next(iter(cases[:1]), None)


def _situation_new_or_open_case_locked(
    db: str, situation: Situation, marking: str
) -> _Located | None:
    """Insert the new ``situation`` unless one with its key exists and find that one's open
    case, its row locked, with the situation (one written-out query, PostgreSQL).

    - When the situation was inserted (its key is set and it is marked as saved): it, no
      case, and the SROs who may take on a new case marked ``marking`` (``sros_for_triage``,
      with their permissions), read in the same query.
    - When it existed with an open case: that situation and the case. The case's team is not
      read here: the query reads other tables as they were when it began, which may be
      before a change of team it waited for (the case's row itself is read as locked).
    - ``None`` when it existed without an open case, or was inserted by a concurrent request
      that had not committed when this query began (it waited for that one, and its
      snapshot predates it): the caller looks again.

    The statement runs on one snapshot: a situation it inserts has no cases, and the insert
    waits only for a concurrent insert of the same situation, which this query cannot see,
    so it holds no lock while waiting. When the situation exists, the insert does nothing
    (it still draws a number from the table's ID sequence). The SROs are read only when
    there is no open case.
    """
    insert_sql, insert_params = insert_if_new_statement(situation, using=db)
    sql, case_fields, situation_fields = _situation_new_or_open_case_sql(db, insert_sql)
    with connections[db].cursor() as cursor:
        cursor.execute(
            sql,
            [
                *insert_params,
                situation.country_code,
                situation.key,
                *_FINISHED_VALUES,
                *sros_for_triage_params(marking),
            ],
        )
        rows = cursor.fetchall()
    # Every row has the new key and the case and situation (or none); then one SRO each, or
    # none (a row of nulls).
    case_end = 1 + len(case_fields)
    sro_start = case_end + len(situation_fields)
    new_key, first = rows[0][0], rows[0]
    if new_key is not None:
        inserted(situation, new_key, using=db)
        sros = [user_from_row(db, row[sro_start:])[0] for row in rows if row[sro_start] is not None]
        return _Located(situation, None, new_situation=True, sros=sros)
    if first[1] is None:
        return None
    case = Case.from_db(db, case_fields, first[1:case_end])
    existing = Situation.from_db(db, situation_fields, first[case_end:sro_start])
    Case.situation.field.set_cached_value(case, existing)
    return _Located(existing, case, new_situation=False)


@cache
def _situation_new_or_open_case_sql(
    db: str, insert_sql: str
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``_situation_new_or_open_case_locked``'s query around the situation's ``INSERT …
    ON CONFLICT DO NOTHING RETURNING`` (the same text for every situation).

    The SROs come from ``sros_for_triage``'s query in a lateral subquery, run only when
    there is no open case: ``OFFSET 0`` keeps PostgreSQL from merging the subquery into the
    query, so it checks the condition once, before running it (``EXPLAIN ANALYZE``: "never
    executed" when there is an open case).
    """
    open_sql, case_fields, situation_fields = _open_case_sql(db)
    quote = connections[db].ops.quote_name
    case_id = f"open_case.{quote(_OPEN_CASE_PREFIX + Case._meta.pk.column)}"
    sql = (
        f"WITH new_situation AS ({insert_sql}), open_case AS ({open_sql}) "  # noqa: S608 - built from model names, no input
        "SELECT (SELECT * FROM new_situation), open_case.*, sros.* "
        "FROM (VALUES (1)) AS one LEFT JOIN open_case ON true "
        f"LEFT JOIN LATERAL (SELECT * FROM ({users_with_permission_sql(db)}) AS holders "
        f"WHERE {case_id} IS NULL OFFSET 0) AS sros ON true "
        # As ``sros_for_triage`` gives them.
        f"ORDER BY sros.{quote(User._meta.pk.column)}"
    )
    return sql, case_fields, situation_fields


# The open case's columns are named after the case's (``c_``) and the situation's (``s_``),
# so that the SROs' subquery can name the case's key.
_OPEN_CASE_PREFIX, _SITUATION_PREFIX = "c_", "s_"


@cache
def _open_case_sql(db: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """The query that finds a situation's open case (by the situation's country and key) and
    locks its row, and the case's and situation's fields in the order of its columns (every
    concrete field: ``from_db`` builds whole instances); or ``None`` if a field needs
    converting from what psycopg returns (the models have none)."""
    quote = connections[db].ops.quote_name
    case_fields = Case._meta.concrete_fields
    situation_fields = Situation._meta.concrete_fields
    if any(hasattr(field, "from_db_value") for field in (*case_fields, *situation_fields)):
        return None  # a field needs converting from the database: the ORM's path reads it

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    columns = [
        f"c.{quote(field.column)} AS {quote(_OPEN_CASE_PREFIX + field.column)}"
        for field in case_fields
    ] + [
        f"s.{quote(field.column)} AS {quote(_SITUATION_PREFIX + field.column)}"
        for field in situation_fields
    ]
    finished = ", ".join(["%s"] * len(_FINISHED_VALUES))
    sql = (
        f"SELECT {', '.join(columns)} "  # noqa: S608 - quoted model names, no input
        f"FROM {quote(Case._meta.db_table)} c "
        f"JOIN {quote(Situation._meta.db_table)} s "
        f"ON s.{column(Situation, 'id')} = c.{column(Case, 'situation')} "
        f"WHERE s.{column(Situation, 'country_code')} = %s "
        f"AND s.{column(Situation, 'key')} = %s "
        f"AND c.{column(Case, 'state')} NOT IN ({finished}) "
        "FOR UPDATE OF c"
    )
    return (
        sql,
        tuple(field.attname for field in case_fields),
        tuple(field.attname for field in situation_fields),
    )


def _trigger_details(trigger: Trigger, case: Case) -> dict[str, Any]:
    return {
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


@transaction.atomic
def _ingest(actor: User | None, clean: dict[str, Any]) -> IngestResult:
    located = _situation_locked(clean)
    situation, case = located.situation, located.case
    # A concurrent request may have committed the same trigger while this one waited for the
    # lock: inserting it again below then fails on the unique constraint, everything here is
    # rolled back, and ``trigger_ingest`` returns the first result.
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
    if case is None:
        previous = None if located.new_situation else situation.cases.order_by("-opened_at").first()
        case = _case_open(
            situation, trigger, clean["marking"], actor, previous=previous, sros=located.sros
        )
        return IngestResult(trigger=trigger, case=case, created=True, outcome=OPENED)
    if case.state == CaseState.MONITORING:
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

    changed = []
    if trigger.finding_date < case.knowledge_date:
        case.knowledge_date = trigger.finding_date
        changed.append("knowledge_date")
    if trigger.is_expedited and case.track != Track.EXPEDITED:
        case.track = Track.EXPEDITED
        # The shorter targets apply to the stage under way from now on.
        case.set_stage_deadline()
        changed.extend(["track", "stage_deadline"])
    event = case_event_chain(
        case=case,
        actor=actor,
        type=EventType.TRIGGER_JOINED,
        details=_trigger_details(trigger, case),
    )
    notes = trigger_joined_notifications(
        case=case,
        trigger_id=str(trigger.id),
        source=f"{trigger.source_body}, {trigger.title} ({trigger.finding_date})",
    )
    emails = email_outbox_rows(notes)
    # The trigger, its event and notifications, and one update of the case (the changed
    # dates and the audit chain's head), in one statement.
    case_update = update_statement(case, [*changed, "event_count", "last_event_hash"])
    insert_together([trigger], [event], notes, emails, also=[case_update])
    outbox_dispatch_after_commit(emails)
    return IngestResult(trigger=trigger, case=case, created=True, outcome=outcome)


def _case_open(
    situation: Situation,
    trigger: Trigger,
    marking: str,
    actor: User | None,
    *,
    previous: Case | None,
    sros: list[User] | None,
) -> Case:
    """Open a case for the trigger and record both in the audit trail; tell the ``sros``
    (``sros_for_triage``'s, asked here when ``None``).

    The year's reference counter row stays locked from the moment a number is taken until
    commit, so references have no gaps; only what needs the reference happens after it.
    """
    case = Case(
        title=situation.name,
        situation=situation,
        marking=marking,
        track=Track.EXPEDITED if trigger.is_expedited else Track.STANDARD,
        knowledge_date=trigger.finding_date,
        previous_case=previous,
    )
    # Whom to tell depends on the marking alone, and a case just opened has no officials:
    # both settled, with all else that does not need the reference, before the number is
    # taken, so that the counter's lock is held for as little as possible (openings wait on
    # it for each other).
    if sros is None:
        sros = sros_for_triage(case)
    officials_known(case, [])
    now = timezone.now()
    case.opened_at = case.stage_started_at = now
    case.set_stage_deadline()
    trigger.case = case
    trigger.outcome = OPENED
    case.reference = _next_reference(now.year)
    # Both events are chained before anything is written, so the case row goes in with the
    # chain's head already on it (no second write of the row).
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
    notes = case_awaiting_team_notifications(case=case, sros=sros)
    emails = email_outbox_rows(notes)
    # The case, its trigger, first events and notifications in one statement. The sections
    # wait for the team (``case_assign``).
    insert_together([case], [trigger], events, notes, emails)
    outbox_dispatch_after_commit(emails)
    return case


def _next_reference(year: int) -> str:
    """Take the year's next case number (one query), locking the year's counter row."""
    table = CaseReferenceCounter._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {quote('last_number')} = {quote('last_number')} + 1 "  # noqa: S608 - quoted model names, no input
            f"WHERE {quote('year')} = %s RETURNING {quote('last_number')}",
            [year],
        )
        row = cursor.fetchone()
    if row is None:
        # The year's first case: create its counter (a concurrent creator is fine) and retry.
        CaseReferenceCounter.objects.get_or_create(year=year)
        return _next_reference(year)
    return f"AIA-{year}-{row[0]:04d}"
