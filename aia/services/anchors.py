"""Publishing every case's audit chain head outside the database (``aia.anchors``).

The digests go to the ``anchors`` storage (``STORAGES["anchors"]``), which the operator points
at an append-only directory or an object-locked bucket. A digest is never overwritten: each
run writes a new file named by the time it ran, and records the SHA-256 of the newest digest
already there. Running twice in one day is therefore safe: the second run writes a second
digest, as valid as the first and chained to it. (Two runs at the very same moment could both
chain to the same earlier digest; each is still a true record of the heads.)
"""

import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from aia.anchors import Head, digest_document
from aia.canonical import canonical_json, sha256_bytes
from aia.models import Case

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "anchors"
PREFIX = "chain-heads-"


@dataclass(frozen=True)
class WrittenDigest:
    name: str
    sha256: str
    cases: int
    previous_sha256: str | None


def anchor_digest_write() -> WrittenDigest:
    """Write a new digest of every case's chain head and return its name and SHA-256."""
    storage = storages[STORAGE_ALIAS]
    now = timezone.now()
    # Microseconds keep two runs in one second apart, and names sort in time order.
    name = f"{PREFIX}{now:%Y-%m-%dT%H-%M-%S-%fZ}.json"
    if storage.exists(name):
        raise FileExistsError(f"The digest {name} exists already; digests are never replaced.")
    previous = _latest(storage)
    heads = [
        Head(reference, sequence, head)
        for reference, sequence, head in Case.objects.filter(event_count__gt=0)
        .order_by("reference")
        .values_list("reference", "event_count", "last_event_hash")
    ]
    document = digest_document(created_at=now.isoformat(), previous=previous, heads=heads)
    content = canonical_json(document) + b"\n"
    saved = storage.save(name, ContentFile(content))
    digest = sha256_bytes(content)
    # The log is a second, independent place the digest's own hash is kept.
    logger.info("Chain-head digest %s written: %d cases, SHA-256 %s", saved, len(heads), digest)
    return WrittenDigest(saved, digest, len(heads), previous["sha256"] if previous else None)


def _latest(storage) -> dict[str, str] | None:
    """The newest digest already written, by name and SHA-256, or ``None`` for the first."""
    try:
        _, files = storage.listdir("")
    except FileNotFoundError:
        # A directory not made yet holds no digest; saving the first one makes it.
        return None
    names = sorted(f for f in files if f.startswith(PREFIX) and f.endswith(".json"))
    if not names:
        return None
    with storage.open(names[-1], "rb") as handle:
        return {"name": names[-1], "sha256": sha256_bytes(handle.read())}
