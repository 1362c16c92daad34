"""Writing the hash-chained audit trail. Only other services call this module."""

import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from aia.canonical import canonical_json, sha256_of
from aia.models import Case, CaseEvent, User

GENESIS_HASH = "0" * 64


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
    event.save(force_insert=True)
    case.event_count = event.sequence
    case.last_event_hash = event.hash
    Case.objects.filter(pk=case.pk).update(
        event_count=case.event_count, last_event_hash=case.last_event_hash
    )
    return event
