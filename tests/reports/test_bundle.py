"""The evidence bundle and ``manage.py verify_bundle``, which checks it without the database.

One bundle is built once for the module (a case with a source file, signed off, sent back by
the minister, signed off again and decided: two reports, the first superseded, and two
decision records, the request for revision and the decision). Every check of it, and of each
tampered copy, runs with the database blocked (pytest-django refuses any query), so the tests
show that the verification needs none.
"""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from aia.bundle_check import NOT_HASHED
from aia.bundles import bundle_build
from aia.canonical import sha256_bytes, sha256_of
from aia.models import AccessRecord
from aia.models.choices import CaseState
from aia.services import cases as case_services
from aia.services.sources import source_add
from tests.factories import (
    case_in_state,
    committing,
    make_team,
    restore_permissions_and_roles,
    walk,
)
from tests.source_files import PDF, SOURCE, upload

pytestmark = pytest.mark.django_db

MANIFEST, EVENTS, REPORT = "manifest.json", "audit/events.json", "reports/report-1.pdf"
REVISION, DECISION = "decisions/decision-record-1.pdf", "decisions/decision-record-2.pdf"


@dataclass
class Built:
    zip: bytes
    reference: str
    source_path: str


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory) -> Built:
    media = tmp_path_factory.mktemp("bundle-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        restore_permissions_and_roles()
        team = make_team()
        case = case_in_state(team, CaseState.ASSESSMENT)
        source = source_add(
            case=case, actor=team.official, data=SOURCE, upload=upload("Mission report.pdf", PDF)
        )
        case = walk(case, team, CaseState.WITH_MINISTER)
        with committing():
            case = case_services.case_request_revision(
                case=case, actor=team.minister, comment="Add the partners' positions."
            )
        case = walk(case, team, CaseState.MONITORING)
        with bundle_build(case=case) as handle:
            result = Built(handle.read(), case.reference, f"sources/{source.pk}-Mission_report.pdf")
        transaction.set_rollback(True)
    return result


@pytest.fixture
def verify(django_db_blocker, tmp_path) -> Callable[..., str]:
    """Run ``manage.py verify_bundle`` on a bundle's content, with the database blocked, and
    return what it printed."""

    def run(content: bytes, *anchors: str) -> str:
        path = tmp_path / "bundle.zip"
        path.write_bytes(content)
        out = io.StringIO()
        arguments = [str(path), *(f"--anchor={anchor}" for anchor in anchors)]
        with django_db_blocker.block():
            call_command("verify_bundle", *arguments, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def broken(verify) -> Callable[..., str]:
    """Run ``verify_bundle``, which must exit with 1, and return its message."""

    def run(content: bytes, *anchors: str) -> str:
        with pytest.raises(CommandError) as raised:
            verify(content, *anchors)
        assert raised.value.returncode == 1
        return str(raised.value)

    return run


def _files(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(content: bytes, files: dict[str, bytes], *, fix_manifest: bool = True) -> bytes:
    """Write ``files`` as a new bundle; with ``fix_manifest``, as a careful forger would,
    with the manifest giving each file's new SHA-256 and size."""
    files = dict(files)
    if fix_manifest:
        manifest = json.loads(files[MANIFEST])
        manifest["files"] = [
            {"path": path, "sha256": sha256_bytes(data), "size": len(data)}
            for path, data in files.items()
            if path != MANIFEST
        ]
        files[MANIFEST] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def _with_events(content: bytes, events: list[dict[str, Any]], **manifest: Any) -> bytes:
    files = _files(content)
    files[EVENTS] = json.dumps(events).encode()
    if manifest:
        files[MANIFEST] = json.dumps({**json.loads(files[MANIFEST]), **manifest}).encode()
    return _rezip(content, files)


def _events(content: bytes) -> list[dict[str, Any]]:
    return json.loads(_files(content)[EVENTS])


def _rechain(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recompute every hash, as someone able to rewrite the whole trail could."""
    previous = "0" * 64
    for event in events:
        event["previous_hash"] = previous
        event["hash"] = previous = sha256_of(
            {k: v for k, v in event.items() if k not in NOT_HASHED}
        )
    return events


def _first(events: list[dict[str, Any]], type: str) -> dict[str, Any]:
    return next(event for event in events if event["type"] == type)


# ------------------------------------------------------------------------------
# A bundle as built
# ------------------------------------------------------------------------------
def test_a_fresh_bundle_verifies_without_the_database(built, django_db_blocker, verify):
    with django_db_blocker.block(), pytest.raises(RuntimeError, match="Database access"):
        AccessRecord.objects.exists()  # the block holds
    output = verify(built.zip)
    events = _events(built.zip)
    head = events[-1]["hash"]
    assert f"OK      files: case {built.reference}: the 7 files the manifest lists have" in output
    assert f"events #1 to #{len(events)} recomputed and chained; the last is " in output
    assert head in output
    rendered = [e["sequence"] for e in events if e["type"] == "report_rendered"]
    assert (
        f"OK      {REPORT}: the SHA-256 the audit trail recorded (event #{rendered[0]})" in output
    )
    assert (
        f"OK      reports/report-2.pdf: the SHA-256 the audit trail recorded (event #{rendered[1]})"
        in output
    )
    decided = [e["sequence"] for e in events if e["type"] == "decision_record_rendered"]
    for path, sequence in zip((REVISION, DECISION), decided, strict=True):
        assert f"OK      {path}: the SHA-256 the audit trail recorded (event #{sequence})" in output
    assert f"OK      {built.source_path}: the SHA-256 the audit trail recorded" in output
    assert output.rstrip().endswith("All checks passed: the bundle is intact.")


def test_the_bundle_holds_the_reports_the_sources_the_trail_and_a_manifest(built):
    files = _files(built.zip)
    assert list(files) == [
        "README.txt",
        EVENTS,
        REPORT,
        "reports/report-2.pdf",
        REVISION,
        DECISION,
        built.source_path,
        MANIFEST,
    ]
    assert files[REPORT].startswith(b"%PDF")
    assert files[DECISION].startswith(b"%PDF")
    assert files[built.source_path] == PDF
    manifest = json.loads(files[MANIFEST])
    assert manifest["format"] == 1
    assert manifest["case"]["reference"] == built.reference
    events = json.loads(files[EVENTS])
    assert manifest["chain_head"] == {"sequence": len(events), "hash": events[-1]["hash"]}
    assert [entry["path"] for entry in manifest["files"]] == list(files)[:-1]
    assert all(e["actor_name"] for e in events)
    assert f"manage.py verify_bundle {built.reference}-evidence-bundle.zip" in (
        files["README.txt"].decode()
    )


def test_an_anchor_in_the_chain_passes(built, verify):
    events = _events(built.zip)
    output = verify(built.zip, events[4]["hash"].upper())
    assert f"OK      anchor {events[4]['hash']}: event #5" in output


def test_a_bundle_unzipped_and_zipped_again_with_its_folders_still_verifies(built, verify):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for folder in ("audit/", "reports/", "decisions/", "sources/"):
            archive.writestr(folder, b"")
        for path, data in _files(built.zip).items():
            archive.writestr(path, data)
    assert "All checks passed" in verify(buffer.getvalue())


def test_the_schema_documents_the_bundle_as_a_zip(schema):
    responses = schema["paths"]["/api/v1/cases/{case_id}/bundle/"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"application/zip"}
    assert {"401", "404"} <= set(responses)


# ------------------------------------------------------------------------------
# Tampering: each names the first break
# ------------------------------------------------------------------------------
def test_one_byte_of_a_report_changed_is_named(built, broken):
    files = _files(built.zip)
    pdf = bytearray(files[REPORT])
    pdf[200] ^= 1
    files[REPORT] = bytes(pdf)
    message = broken(_rezip(built.zip, files, fix_manifest=False))
    assert message == f"BROKEN  {REPORT}: its SHA-256 or size is not the manifest's (changed)"


def test_a_report_swapped_with_the_manifest_made_to_match_is_named(built, broken):
    files = _files(built.zip)
    files[REPORT] = files["reports/report-2.pdf"]
    message = broken(_rezip(built.zip, files))
    rendered = _first(_events(built.zip), "report_rendered")["sequence"]
    assert message == (
        f"BROKEN  {REPORT}: its SHA-256 is not the one the audit trail recorded for it "
        f"(event #{rendered})"
    )


def test_a_report_left_out_is_named(built, broken):
    files = _files(built.zip)
    del files[REPORT]
    message = broken(_rezip(built.zip, files))
    assert "records report 1, which is missing from the bundle" in message


def test_a_decision_record_changed_swapped_or_left_out_is_named(built, broken):
    files = _files(built.zip)
    pdf = bytearray(files[DECISION])
    pdf[200] ^= 1
    files[DECISION] = bytes(pdf)
    message = broken(_rezip(built.zip, files, fix_manifest=False))
    assert message == f"BROKEN  {DECISION}: its SHA-256 or size is not the manifest's (changed)"

    files[DECISION] = _files(built.zip)[REVISION]
    message = broken(_rezip(built.zip, files))
    rendered = [e for e in _events(built.zip) if e["type"] == "decision_record_rendered"]
    assert message == (
        f"BROKEN  {DECISION}: its SHA-256 is not the one the audit trail recorded for it "
        f"(event #{rendered[1]['sequence']})"
    )

    del files[DECISION]
    message = broken(_rezip(built.zip, files))
    assert "records decision record 2, which is missing from the bundle" in message


def test_one_events_details_changed_is_named(built, broken):
    events = _events(built.zip)
    events[5]["details"]["tampered"] = True
    # Without touching the manifest, the file itself no longer matches it.
    files = _files(built.zip)
    files[EVENTS] = json.dumps(events).encode()
    message = broken(_rezip(built.zip, files, fix_manifest=False))
    assert message.startswith(f"BROKEN  {EVENTS}: its SHA-256 or size")
    # With the manifest made to match, the chain names the event.
    message = broken(_with_events(built.zip, events))
    assert message == "BROKEN  audit trail: event #6: its content does not match its hash (altered)"


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (
            3,
            "audit trail: event #4: expected event #4, found #5 "
            "(an event was removed or reordered)",
        ),
        (-1, "events were removed from the end, or the manifest was changed"),
    ],
)
def test_an_event_removed_is_named(built, index, expected, broken):
    events = _events(built.zip)
    del events[index]
    assert expected in broken(_with_events(built.zip, events))


def test_the_manifest_edited_is_named(built, broken):
    files = _files(built.zip)
    manifest = json.loads(files[MANIFEST])
    manifest["chain_head"]["hash"] = "a" * 64
    files[MANIFEST] = json.dumps(manifest).encode()
    message = broken(_rezip(built.zip, files, fix_manifest=False))
    assert "the manifest's chain head is event #" in message
    assert "a" * 64 in message

    manifest = json.loads(_files(built.zip)[MANIFEST])
    manifest["files"][2]["sha256"] = "b" * 64
    files[MANIFEST] = json.dumps(manifest).encode()
    message = broken(_rezip(built.zip, files, fix_manifest=False))
    assert message == f"BROKEN  {REPORT}: its SHA-256 or size is not the manifest's (changed)"

    files = _files(built.zip)
    files["notes.txt"] = b"added later"
    message = broken(_rezip(built.zip, files, fix_manifest=False))
    assert message == "BROKEN  notes.txt: in the bundle but not listed in the manifest"

    files[MANIFEST] = b"{not json"
    message = broken(_rezip(built.zip, files, fix_manifest=False))
    assert message == "BROKEN  manifest.json: not valid JSON"


def test_a_chain_rewritten_consistently_holds_but_not_against_an_earlier_anchor(
    built, verify, broken
):
    events = _events(built.zip)
    anchor = events[-1]["hash"]  # the head, as noted when the bundle was first downloaded
    events[5]["details"]["rewritten"] = True
    events = _rechain(events)
    forged = _with_events(
        built.zip,
        events,
        chain_head={"sequence": len(events), "hash": events[-1]["hash"]},
    )
    assert "All checks passed" in verify(forged)
    message = broken(forged, anchor)
    assert message == (
        f"BROKEN  anchor {anchor}: no event of the audit trail has this hash (the trail was "
        "rewritten, or the anchor is from another case)"
    )
    # An anchor from before the rewritten event still holds.
    assert "OK      anchor" in verify(forged, events[2]["hash"])


@pytest.mark.parametrize("content", [None, b"not a zip", b""])
def test_a_file_that_is_not_a_readable_zip_exits_with_2(tmp_path, django_db_blocker, content):
    path = tmp_path / "bundle.zip"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match="Cannot read") as raised, django_db_blocker.block():
        call_command("verify_bundle", str(path), stdout=io.StringIO())
    assert raised.value.returncode == 2


# ------------------------------------------------------------------------------
# Downloading: auditors and the case's SRO, access-logged; 404 for anyone else
# ------------------------------------------------------------------------------
def test_the_api_and_the_page_serve_the_bundle_to_auditors_and_the_sro_only(
    team, client_for, api_for, verify
):
    case = case_in_state(team, CaseState.SCOPING)
    api_url = f"/api/v1/cases/{case.pk}/bundle/"
    web_url = f"/cases/{case.pk}/bundle/"
    for user in (team.auditor, team.sro):
        for client, url in ((api_for(user), api_url), (client_for(user), web_url)):
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            assert response["Content-Type"] == "application/zip"
            assert response["Content-Disposition"] == (
                f'attachment; filename="{case.reference}-evidence-bundle.zip"'
            )
            assert response["Cache-Control"] == "private, no-store"
            assert "All checks passed" in verify(b"".join(response.streaming_content))
        downloads = AccessRecord.objects.filter(
            user=user, case=case, what=AccessRecord.What.BUNDLE_DOWNLOADED
        )
        assert downloads.count() == 2
    for user in (team.official, team.minister, team.other_official, team.other_sro):
        answer = api_for(user).get(api_url)
        assert answer.status_code == 404, user
        assert answer.json() == {"message": "Case not found.", "extra": {}}
        assert client_for(user).get(web_url).status_code == 404, user
    assert not AccessRecord.objects.filter(
        what=AccessRecord.What.BUNDLE_DOWNLOADED, user__in=[team.official, team.minister]
    ).exists()


def test_the_case_page_links_to_the_bundle_for_those_who_may_download_it(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)
    link = f'href="/cases/{case.pk}/bundle/"'
    for user, shown in ((team.auditor, True), (team.sro, True), (team.lead, False)):
        page = client_for(user).get(f"/cases/{case.pk}/").content.decode()
        assert (link in page) is shown, user
        assert ("Download the evidence bundle (ZIP)" in page) is shown, user
