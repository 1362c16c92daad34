"""Chain-head digests: every case's audit chain head, published outside the database.

Anyone who can write to the database can rewrite a case's whole audit trail and its head
together, and the chain still holds. A digest written regularly to storage the database
cannot rewrite (an append-only directory or an object-locked bucket) fixes each head as it
stood: a trail rewritten after the digest no longer has the digest's hash at the digest's
sequence. Each digest also records the SHA-256 of the one before it, so removing or altering
a digest breaks that chain in turn.

This module reads and checks digests without the database, so ``verify_audit`` and
``verify_bundle`` share it; ``aia.services.anchors`` writes them.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DIGEST_SCHEMA = "aia-chain-heads/1"


@dataclass(frozen=True)
class Head:
    """One case's chain head as a digest recorded it."""

    reference: str
    sequence: int
    hash: str


class DigestUnreadable(ValueError):
    """The file is not a chain-head digest AIA wrote."""


def digest_document(
    *, created_at: str, previous: dict[str, str] | None, heads: Iterable[Head]
) -> dict[str, Any]:
    """Return the digest as JSON-ready data; heads in case-reference order."""
    return {
        "schema": DIGEST_SCHEMA,
        "created_at": created_at,
        "previous": previous,
        "heads": [
            {"case": h.reference, "sequence": h.sequence, "hash": h.hash}
            for h in sorted(heads, key=lambda h: h.reference)
        ],
    }


def digest_heads(content: bytes) -> dict[str, Head]:
    """Return the heads a digest file records, by case reference."""
    try:
        data = json.loads(content)
        if data["schema"] != DIGEST_SCHEMA:
            raise DigestUnreadable(f"schema {data['schema']!r}, not {DIGEST_SCHEMA}")
        heads = [
            Head(str(h["case"]), int(h["sequence"]), str(h["hash"]).lower()) for h in data["heads"]
        ]
    except DigestUnreadable:
        raise
    except (ValueError, KeyError, TypeError) as error:
        raise DigestUnreadable(f"not a chain-head digest ({error})") from None
    return {h.reference: h for h in heads}


def head_problem(head: Head, hashes: Mapping[int, str]) -> str | None:
    """Return why the chain (``hashes``: each event's hash by sequence) does not hold the
    digest's head, or ``None`` when it does."""
    found = hashes.get(head.sequence)
    if found is None:
        return (
            f"the digest records event #{head.sequence} with hash {head.hash}, but the trail "
            "checked has no such event (events were removed, or it was copied before the "
            "digest was written)"
        )
    if found != head.hash:
        return (
            f"the digest records event #{head.sequence} with hash {head.hash}, but the chain "
            f"has {found} (the trail was rewritten after the digest was written)"
        )
    return None
