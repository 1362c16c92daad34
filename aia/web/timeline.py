"""The audit trail as people read it: the latest entries on the case page, a page at a time on
the audit trail page, with repeated saves of one section shown together.

Grouping is for display only. Every save stays its own entry in the hash-chained trail, and the
audit trail page still lists each one (its number and hash) inside its group.

Pages are counted from the chain's head stored on the case (``case.event_count``): sequence
numbers run from 1 without gaps, so a page is a range of them, read in one query however long
the trail and however deep the page.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.utils import timezone

from aia.models import Case, CaseEvent
from aia.models.choices import EventType
from aia.web import selectors as web_selectors

# Saves of one section by one person less than this far apart read as one sitting.
GROUP_MINUTES = 30
GROUP_GAP = datetime.timedelta(minutes=GROUP_MINUTES)
LATEST_COUNT = 20  # entries on the case page
PAGE_SIZE = 50  # entries on a page of the audit trail


@dataclass
class TimelineEntry:
    """One line of the timeline: a single event, or a run of saves of one section."""

    events: list[CaseEvent] = field(default_factory=list)  # newest first
    continues_older: bool = False  # the run goes on beyond the oldest entry shown
    continues_newer: bool = False  # the run goes on beyond the newest entry shown

    @property
    def newest(self) -> CaseEvent:
        return self.events[0]

    @property
    def oldest(self) -> CaseEvent:
        return self.events[-1]

    @property
    def is_group(self) -> bool:
        return len(self.events) > 1

    @property
    def count(self) -> int:
        return len(self.events)

    @property
    def section(self) -> str:
        return (self.newest.details or {}).get("section", "")

    @property
    def same_day(self) -> bool:
        return (
            timezone.localtime(self.oldest.occurred_at).date()
            == timezone.localtime(self.newest.occurred_at).date()
        )


def joins(newer: CaseEvent, older: CaseEvent) -> bool:
    """Whether two neighbouring events belong to one run: saves of the same section, in the
    same version, by the same person (never the system), less than ``GROUP_GAP`` apart."""
    return (
        newer.type == older.type == EventType.SECTION_UPDATED
        and newer.actor_id is not None
        and newer.actor_id == older.actor_id
        and newer.version == older.version
        and (newer.details or {}).get("section") == (older.details or {}).get("section")
        and newer.occurred_at - older.occurred_at <= GROUP_GAP
    )


def group_events(
    events: list[CaseEvent], *, newer: CaseEvent | None = None, older: CaseEvent | None = None
) -> list[TimelineEntry]:
    """Group neighbouring events (newest first) into entries.

    ``newer`` and ``older`` are the events just outside the window, if any: they are not shown,
    but say whether the first or last run carries on beyond it.
    """
    entries: list[TimelineEntry] = []
    for event in events:
        if entries and joins(entries[-1].oldest, event):
            entries[-1].events.append(event)
        else:
            entries.append(TimelineEntry(events=[event]))
    if entries and newer is not None and joins(newer, entries[0].newest):
        entries[0].continues_newer = True
    if entries and older is not None and joins(entries[-1].oldest, older):
        entries[-1].continues_older = True
    return entries


def _window(case: Case, *, newest: int, oldest: int) -> list[TimelineEntry]:
    """Return the entries for the events numbered ``oldest`` to ``newest``, reading one event
    either side (in the same query) to tell whether a run carries on beyond the window."""
    rows = web_selectors.case_event_range(case=case, newest=newest + 1, oldest=max(oldest - 1, 1))
    newer = rows[0] if rows and rows[0].sequence > newest else None
    older = rows[-1] if rows and rows[-1].sequence < oldest else None
    shown = [event for event in rows if oldest <= event.sequence <= newest]
    return group_events(shown, newer=newer, older=older)


def latest_entries(case: Case, *, count: int = LATEST_COUNT) -> list[TimelineEntry]:
    """Return the case's latest ``count`` events as timeline entries, newest first."""
    if not case.event_count:
        return []
    return _window(case, newest=case.event_count, oldest=max(case.event_count - count + 1, 1))


def trail_page(case: Case, number: str | None) -> tuple[Page, list[TimelineEntry]]:
    """Return the page of the audit trail asked for (newest first) and its entries.

    The paginator counts sequence numbers, not rows, so it costs no query.
    """
    page = Paginator(range(case.event_count, 0, -1), PAGE_SIZE).get_page(number)
    numbers = page.object_list
    if not numbers:
        return page, []
    return page, _window(case, newest=numbers[0], oldest=numbers[-1])
