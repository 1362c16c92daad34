"""Canonical JSON and SHA-256: the form in which content is hashed for approvals, the audit
chain and report snapshots.

The same data always gives the same bytes: keys sorted, no insignificant whitespace, UTF-8.
"""

import hashlib
import json
from typing import Any


def canonical_json(data: Any) -> bytes:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def sha256_of(data: Any) -> str:
    """Return the hex SHA-256 of the canonical JSON form of ``data``."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


def sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
