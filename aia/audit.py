"""Verifying the hash-chained audit trail."""

from dataclasses import dataclass

from aia.canonical import sha256_of
from aia.models import Case
from aia.services.audit import GENESIS_HASH


@dataclass(frozen=True)
class ChainBreak:
    """The first place where a case's audit chain does not hold."""

    case_reference: str
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"{self.case_reference}: event #{self.sequence}: {self.problem}"


def verify_case_chain(case: Case) -> ChainBreak | None:
    """Return the first broken link of the case's audit chain, or ``None`` if it holds.

    Detects changed content (an event's hash no longer matches it), reordering and removal
    (sequence gaps or a ``previous_hash`` that points elsewhere), and removal of the newest
    events (the case's recorded head no longer matches the last event).
    """
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    # Read events in storage order (by primary key), not by sequence, so a reordering shows.
    for event in case.events.order_by("pk").iterator():
        if event.sequence != expected_sequence:
            return ChainBreak(
                case.reference,
                expected_sequence,
                f"expected event #{expected_sequence}, found #{event.sequence} "
                "(an event was removed or reordered)",
            )
        if event.previous_hash != previous_hash:
            return ChainBreak(
                case.reference, event.sequence, "its link to the previous event is broken"
            )
        if sha256_of(event.chained_content()) != event.hash:
            return ChainBreak(
                case.reference, event.sequence, "its content does not match its hash (altered)"
            )
        previous_hash = event.hash
        expected_sequence += 1
    last = expected_sequence - 1
    if last != case.event_count or previous_hash != (case.last_event_hash or GENESIS_HASH):
        return ChainBreak(
            case.reference,
            last + 1,
            f"the case records {case.event_count} events but the chain has {last} "
            "(events were removed from the end)",
        )
    return None
