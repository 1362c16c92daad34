"""Writing the hash-chained audit trail. Only other services call this module."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from aia.audit import GENESIS_HASH
from aia.canonical import canonical_json, sha256_of
from aia.models import Case, CaseEvent, User


def case_event_record(
    *,
    case: Case,
    actor: User | None,
    type: str,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    stage: str = "",
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append an event to the case's audit trail and move the chain's head.

    The caller must hold the case's row lock (every service takes it first), which is what
    keeps sequence numbers and the chain free of races.
    """
    event = case_event_chain(
        case=case,
        actor=actor,
        type=type,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        stage=stage,
        details=details,
    )
    case_events_save(case=case, events=[event])
    return event


def case_event_chain(
    *,
    case: Case,
    actor: User | None,
    type: str,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    stage: str = "",
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    """Return the case's next audit event, chained onto the head, without saving it; move the
    head (``case.event_count`` and ``case.last_event_hash``) in memory.

    The caller saves the events it chained, in order, with ``case_events_save`` (or, for a
    case not inserted yet, inserts the case with its head and then the events), in the same
    transaction, holding the case's row lock.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the service's transaction.")
    event = CaseEvent(
        case=case,
        sequence=case.event_count + 1,
        type=type,
        actor=actor,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        version=case.version,
        stage=stage,
        occurred_at=timezone.now(),
        # Round-trip through JSON so the stored details are exactly what the hash covers.
        details=json.loads(canonical_json(details or {})),
        previous_hash=case.last_event_hash or GENESIS_HASH,
    )
    event.hash = sha256_of(event.chained_content())
    case.event_count = event.sequence
    case.last_event_hash = event.hash
    return event


def case_events_save(*, case: Case, events: Sequence[CaseEvent], head: bool = True) -> None:
    """Insert events chained by ``case_event_chain`` (one query) and, unless ``head`` is false
    because the caller writes the case row itself, store the chain's head on the case."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the service's transaction.")
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        CaseEvent.objects.bulk_create(events)
    if head:
        Case.objects.filter(pk=case.pk).update(
            event_count=case.event_count, last_event_hash=case.last_event_hash
        )
