"""Checking a case's evidence bundle from its own files alone, without the database.

A bundle (``aia.bundles`` makes it) is a ZIP holding ``manifest.json``, the case's audit trail
as ``audit/events.json``, and the documents the trail recorded (signed reports, decision
records, source files).
``bundle_verify`` takes only the ZIP: it recomputes what AIA computed when it wrote the trail
(``aia.audit.chain_walk``, ``aia.canonical``), so a bundle can be checked anywhere, long after,
by someone with no access to AIA. It stops at the first break and says where it is.
"""

import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from aia.anchors import Head, head_problem
from aia.audit import GENESIS_HASH, ChainBreak, Link, chain_walk
from aia.models.choices import EventType

FORMAT = 1
MANIFEST = "manifest.json"
README = "README.txt"
EVENTS = "audit/events.json"
# In each event of ``audit/events.json``, what its hash does not cover: the hash itself and the
# actor's name, a label for the reader (the hash covers the actor's id).
NOT_HASHED = ("hash", "actor_name")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document the bundle carries, whose SHA-256 an audit event recorded when the
    document came into AIA: the bundle's copy must have that SHA-256."""

    name: str
    path: re.Pattern[str]  # where it sits in the bundle; group 1 is the key below
    event_type: str  # the event that recorded its SHA-256 in ``details["sha256"]``
    key: str  # the detail of that event which names the document


# A new kind of document is added here and in ``aia.bundles``.
DOCUMENT_KINDS = (
    DocumentKind(
        "report", re.compile(r"reports/report-(\d+)\.pdf"), EventType.REPORT_RENDERED, "number"
    ),
    DocumentKind(
        "decision record",
        re.compile(r"decisions/decision-record-(\d+)\.pdf"),
        EventType.DECISION_RECORD_RENDERED,
        "number",
    ),
    DocumentKind(
        "source file", re.compile(r"sources/(\d+)-[^/]+"), EventType.SOURCE_ADDED, "source"
    ),
)


class BundleBroken(Exception):
    """The first check that failed; the message says where."""


class BundleUnreadable(Exception):
    """The file is not a ZIP that can be read."""


def bundle_verify(
    file: str | IO[bytes],
    anchors: Iterable[str] = (),
    digests: Mapping[str, Mapping[str, Head]] | None = None,
) -> Iterator[str]:
    """Check the bundle and yield one line for each check that passes, in order: the files
    against the manifest, the audit chain from its first event to the manifest's head, each
    document against the SHA-256 its event recorded, each anchor (a chain head published
    earlier) against the chain, and the case's head in each digest (``aia.anchors``; by the
    digest's name). Raise ``BundleBroken`` at the first check that fails."""
    try:
        archive = zipfile.ZipFile(file)
    except (OSError, zipfile.BadZipFile) as error:
        raise BundleUnreadable(f"This is not a ZIP file that can be read: {error}") from error
    with archive:
        manifest = _manifest(archive)
        yield _check_files(archive, manifest)
        events = _events(archive)
        yield _check_chain(manifest, events)
        yield from _check_documents(manifest, events)
        yield from _check_anchors(events, anchors)
        yield from _check_digests(manifest, events, digests or {})


# ------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------
def _read_json(archive: zipfile.ZipFile, path: str) -> Any:
    try:
        return json.loads(archive.read(path))
    except KeyError:
        raise BundleBroken(f"{path}: missing from the bundle") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise BundleBroken(f"{path}: damaged in the ZIP ({error})") from None
    except ValueError:
        raise BundleBroken(f"{path}: not valid JSON") from None


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    manifest = _read_json(archive, MANIFEST)
    try:
        if manifest["format"] != FORMAT:
            raise BundleBroken(f"{MANIFEST}: format {manifest['format']!r}, not {FORMAT}")
        for entry in manifest["files"]:
            str(entry["path"]), str(entry["sha256"]), int(entry["size"])
        int(manifest["chain_head"]["sequence"]), str(manifest["chain_head"]["hash"])
        str(manifest["case"]["id"]), str(manifest["case"]["reference"])
    except (KeyError, TypeError, ValueError):
        raise BundleBroken(f"{MANIFEST}: does not have the fields a manifest has") from None
    return manifest


def _events(archive: zipfile.ZipFile) -> list[Link]:
    entries = _read_json(archive, EVENTS)
    if not isinstance(entries, list):
        raise BundleBroken(f"{EVENTS}: not a list of events")
    links = []
    for index, entry in enumerate(entries, start=1):
        try:
            content = {key: value for key, value in entry.items() if key not in NOT_HASHED}
            links.append(Link(entry["sequence"], entry["previous_hash"], entry["hash"], content))
        except (AttributeError, KeyError):
            raise BundleBroken(f"{EVENTS}: entry {index} is not an event") from None
    return links


def _file_digest(archive: zipfile.ZipFile, path: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(path) as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise BundleBroken(f"{path}: damaged in the ZIP ({error})") from None
    return digest.hexdigest(), size


# ------------------------------------------------------------------------------
# The checks
# ------------------------------------------------------------------------------
def _check_files(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> str:
    """Every file the manifest lists is there with its SHA-256 and size; nothing else is."""
    # Folders have no content: a bundle unzipped and zipped again by hand may list them.
    names = [name for name in archive.namelist() if not name.endswith("/")]
    listed = [entry["path"] for entry in manifest["files"]]
    for paths, where in ((names, "the bundle"), (listed, "the manifest")):
        seen: set[str] = set()
        for path in paths:
            if path in seen:
                raise BundleBroken(f"{path}: appears twice in {where}")
            seen.add(path)
    for entry in manifest["files"]:
        path = entry["path"]
        if path not in names:
            raise BundleBroken(f"{path}: listed in the manifest but missing from the bundle")
        digest, size = _file_digest(archive, path)
        if digest != entry["sha256"] or size != entry["size"]:
            raise BundleBroken(f"{path}: its SHA-256 or size is not the manifest's (changed)")
    for path in names:
        if path != MANIFEST and path not in listed:
            raise BundleBroken(f"{path}: in the bundle but not listed in the manifest")
    for path in listed:
        if path not in (README, EVENTS) and _kind_of(path) is None:
            raise BundleBroken(f"{path}: not a file an evidence bundle holds")
    if EVENTS not in listed:
        raise BundleBroken(f"{EVENTS}: missing from the manifest")
    case = manifest["case"]
    return (
        f"files: case {case['reference']}: the {len(listed)} files the manifest lists have "
        "their SHA-256 and size, and no other file is present"
    )


def _check_chain(manifest: dict[str, Any], events: list[Link]) -> str:
    """The chain holds from event #1 to its last event, which is the manifest's head."""
    case = manifest["case"]
    end = chain_walk(case["reference"], events)
    if isinstance(end, ChainBreak):
        raise BundleBroken(f"audit trail: event #{end.sequence}: {end.problem}")
    for link in events:
        if link.content.get("case") != case["id"]:
            raise BundleBroken(f"audit trail: event #{link.sequence} belongs to another case")
    head = manifest["chain_head"]
    if (end.sequence, end.hash) != (head["sequence"], head["hash"]):
        raise BundleBroken(
            f"audit trail: the manifest's chain head is event #{head['sequence']} "
            f"({head['hash']}), but the trail ends at event #{end.sequence} ({end.hash}): "
            "events were removed from the end, or the manifest was changed"
        )
    if end.hash == GENESIS_HASH:
        return "audit trail: empty"
    return (
        f"audit trail: events #1 to #{end.sequence} recomputed and chained; the last is the "
        f"manifest's chain head {end.hash}"
    )


def _kind_of(path: str) -> tuple[DocumentKind, str] | None:
    for kind in DOCUMENT_KINDS:
        match = kind.path.fullmatch(path)
        if match:
            return kind, match.group(1)
    return None


def _recorded(kind: DocumentKind, events: list[Link]) -> dict[str, tuple[str, int]]:
    """Return each document of the kind the trail recorded: its key -> (SHA-256, event)."""
    recorded = {}
    for link in events:
        details = link.content.get("details")
        if (
            link.content.get("type") == kind.event_type
            and isinstance(details, dict)
            and details.get("sha256")
            and kind.key in details
        ):
            recorded[str(details[kind.key])] = (details["sha256"], link.sequence)
    return recorded


def _check_documents(manifest: dict[str, Any], events: list[Link]) -> Iterator[str]:
    """Each document has the SHA-256 its audit event recorded, and each document the trail
    recorded is in the bundle. (The files were checked against the manifest already.)"""
    for kind in DOCUMENT_KINDS:
        recorded = _recorded(kind, events)
        present = set()
        for entry in manifest["files"]:
            found = _kind_of(entry["path"])
            if found is None or found[0] is not kind:
                continue
            path, key = entry["path"], found[1]
            present.add(key)
            if key not in recorded:
                raise BundleBroken(f"{path}: no event of the audit trail records this {kind.name}")
            sha256, sequence = recorded[key]
            if entry["sha256"] != sha256:
                raise BundleBroken(
                    f"{path}: its SHA-256 is not the one the audit trail recorded for it "
                    f"(event #{sequence})"
                )
            yield f"{path}: the SHA-256 the audit trail recorded (event #{sequence})"
        for key, (_sha256, sequence) in recorded.items():
            if key not in present:
                raise BundleBroken(
                    f"audit trail: event #{sequence} records {kind.name} {key}, which is missing "
                    "from the bundle"
                )


def _check_anchors(events: list[Link], anchors: Iterable[str]) -> Iterator[str]:
    """Each anchor (a chain head printed or published before) is a hash of the chain: a chain
    rewritten from an earlier event on, however consistently, no longer holds it."""
    hashes = {link.hash: link.sequence for link in events}
    for anchor in anchors:
        anchor = anchor.strip().lower()
        if anchor not in hashes:
            raise BundleBroken(
                f"anchor {anchor}: no event of the audit trail has this hash (the trail was "
                "rewritten, or the anchor is from another case)"
            )
        yield f"anchor {anchor}: event #{hashes[anchor]}"


def _check_digests(
    manifest: dict[str, Any], events: list[Link], digests: Mapping[str, Mapping[str, Head]]
) -> Iterator[str]:
    """The case's head in each chain-head digest is on the bundle's chain, at its sequence."""
    reference = manifest["case"]["reference"]
    hashes = {link.sequence: str(link.hash).lower() for link in events}
    for name, heads in digests.items():
        head = heads.get(reference)
        if head is None:
            yield f"digest {name}: records no head of {reference} (written before the case)"
            continue
        problem = head_problem(head, hashes)
        if problem:
            raise BundleBroken(f"digest {name}: {problem}")
        yield f"digest {name}: {reference} event #{head.sequence} is on the chain"
