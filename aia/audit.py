"""Verifying the hash-chained audit trail: the case's events in the database
(``verify_case_chain``), or any copy of them, such as an evidence bundle's (``chain_walk``)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aia.canonical import sha256_of

if TYPE_CHECKING:
    from aia.models import Case

# The ``previous_hash`` of a case's first event. (``aia.services.audit`` writes it.)
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainBreak:
    """The first place where a case's audit chain does not hold."""

    case_reference: str
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"{self.case_reference}: event #{self.sequence}: {self.problem}"


@dataclass(frozen=True)
class Link:
    """One event as the chain sees it: its place, its hash, and the content the hash covers
    (``CaseEvent.chained_content``)."""

    sequence: int
    previous_hash: str
    hash: str
    content: dict[str, Any]


@dataclass(frozen=True)
class ChainEnd:
    """Where a chain that holds ends: its last event's sequence (0 for none) and hash."""

    sequence: int
    hash: str


def chain_walk(reference: str, links: Iterable[Link]) -> ChainBreak | ChainEnd:
    """Walk the links in the order given and return the first broken one, or where the chain
    ends if every link holds.

    Detects changed content (an event's hash no longer matches it), and reordering and removal
    (sequence gaps or a ``previous_hash`` that points elsewhere). It needs no database: the
    links may come from the database or from a copy of the trail.
    """
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    for link in links:
        if link.sequence != expected_sequence:
            return ChainBreak(
                reference,
                expected_sequence,
                f"expected event #{expected_sequence}, found #{link.sequence} "
                "(an event was removed or reordered)",
            )
        if link.previous_hash != previous_hash:
            return ChainBreak(reference, link.sequence, "its link to the previous event is broken")
        if sha256_of(link.content) != link.hash:
            return ChainBreak(
                reference, link.sequence, "its content does not match its hash (altered)"
            )
        previous_hash = link.hash
        expected_sequence += 1
    return ChainEnd(expected_sequence - 1, previous_hash)


def verify_case_chain(case: "Case") -> ChainBreak | None:
    """Return the first broken link of the case's audit chain, or ``None`` if it holds.

    Besides what ``chain_walk`` detects, detects removal of the newest events (the case's
    recorded head no longer matches the last event).
    """
    # Read events in storage order (by primary key), not by sequence, so a reordering shows.
    links = (
        Link(event.sequence, event.previous_hash, event.hash, event.chained_content())
        for event in case.events.order_by("pk").iterator()
    )
    end = chain_walk(case.reference, links)
    if isinstance(end, ChainBreak):
        return end
    if end.sequence != case.event_count or end.hash != (case.last_event_hash or GENESIS_HASH):
        return ChainBreak(
            case.reference,
            end.sequence + 1,
            f"the case records {case.event_count} events but the chain has {end.sequence} "
            "(events were removed from the end)",
        )
    return None
