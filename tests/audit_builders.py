"""Long audit trails, built fast for tests and benchmarks.

A real save goes through ``section_update``, about a hundred times slower; these append the
same kind of entry (a section save) with the audit service's own chaining, in one insert, at
the times given, so the trail's hash chain stays valid.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction

from aia.canonical import sha256_of
from aia.models import Case, User
from aia.models.choices import EventType, Stage
from aia.services.audit import case_event_chain, case_events_save


def section_saves(case: Case, saves: Iterable[tuple[User, str, datetime.datetime]]) -> Case:
    """Append one section save per (person, section code, time), in order; return the case
    with its new chain head. Each entry names a numbered field ("save 0001", ...) so that a
    test can find it on a page."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        events = []
        for actor, code, moment in saves:
            event = case_event_chain(
                case=case,
                actor=actor,
                type=EventType.SECTION_UPDATED,
                stage=Stage.ASSESSMENT,
                details={"section": code, "fields": [f"save_{case.event_count + 1:04d}"]},
            )
            event.occurred_at = moment
            event.hash = sha256_of(event.chained_content())
            case.last_event_hash = event.hash
            events.append(event)
        case_events_save(case=case, events=events)
    return case


def spaced(start: datetime.datetime, count: int, *, minutes: float) -> list[datetime.datetime]:
    """Return ``count`` moments from ``start``, ``minutes`` apart."""
    return [start + datetime.timedelta(minutes=minutes * n) for n in range(count)]
