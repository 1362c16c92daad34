"""Chain heads published outside the database catch a whole-chain rewrite inside it."""

import hashlib
import io
import json
import logging

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from aia import tasks
from aia.canonical import sha256_of
from aia.models import Case
from aia.models.choices import CaseState
from aia.services import cases as case_services
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchors_dir(settings, tmp_path):
    """The anchors storage, in a directory of the test's own."""
    location = tmp_path / "anchors"
    settings.STORAGES = {
        **settings.STORAGES,
        "anchors": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def _digests(directory) -> list:
    return sorted(directory.glob("chain-heads-*.json"))


def _rewrite_whole_chain(case) -> None:
    """Forge one event's details and recompute every hash after it and the case's head, as
    someone with write access to the database could: the chain then holds again."""
    previous = "0" * 64
    for event in case.events.order_by("sequence"):
        if event.sequence == 2:
            event.details = {"forged": True}
        event.previous_hash = previous
        event.hash = previous = sha256_of(event.chained_content())
        with connection.cursor() as cursor:
            # Raw SQL: the tamperer does not use our models (which refuse to change events).
            cursor.execute(
                "UPDATE aia_caseevent SET details = %s, previous_hash = %s, hash = %s "
                "WHERE id = %s",
                [json.dumps(event.details), event.previous_hash, event.hash, event.pk],
            )
    Case.objects.filter(pk=case.pk).update(last_event_hash=previous)


def test_a_digest_records_every_head_and_the_next_digest_chains_to_it(
    team, anchors_dir, caplog, capsys
):
    first_case = case_in_state(team, CaseState.SCOPING)
    second_case = case_in_state(team, CaseState.ASSESSMENT)
    with caplog.at_level(logging.INFO, logger="aia.services.anchors"):
        call_command("anchor_digest")
        # Run again at once: a second digest, as valid as the first and chained to it.
        call_command("anchor_digest")
    first, second = _digests(anchors_dir)
    first_data, second_data = json.loads(first.read_bytes()), json.loads(second.read_bytes())
    assert first_data["previous"] is None
    first_sha = hashlib.sha256(first.read_bytes()).hexdigest()
    assert second_data["previous"] == {"name": first.name, "sha256": first_sha}
    heads = {h["case"]: h for h in first_data["heads"]}
    for case in (first_case, second_case):
        case.refresh_from_db()
        assert heads[case.reference] == {
            "case": case.reference,
            "sequence": case.event_count,
            "hash": case.last_event_hash,
        }
    assert first_data["heads"] == second_data["heads"]
    # Each digest's own hash is logged, and printed by the command.
    assert first_sha in caplog.text
    assert hashlib.sha256(second.read_bytes()).hexdigest() in capsys.readouterr().out


def test_the_daily_task_writes_a_digest(team, anchors_dir):
    case_in_state(team, CaseState.SCOPING)
    name = tasks.chain_heads_digest()
    assert [p.name for p in _digests(anchors_dir)] == [name]
    job = django_settings.CELERY_BEAT_SCHEDULE["chain-heads-digest"]
    assert job["task"] == "aia.tasks.chain_heads_digest"


def test_a_whole_chain_rewrite_passes_alone_but_not_against_the_anchors(team, anchors_dir, capsys):
    case = case_in_state(team, CaseState.ASSESSMENT)
    other = case_in_state(team, CaseState.SCOPING)
    call_command("anchor_digest")
    [digest] = _digests(anchors_dir)
    case.refresh_from_db()
    anchor = case.last_event_hash
    # The chain may grow after the digest: its old head is still on it.
    case_services.case_withdraw(case=case, actor=team.sro, reason="Merged with another.")
    call_command("verify_audit", "--digest", str(digest), "--anchor", anchor)
    assert f"OK      anchor {anchor}: {case.reference} event #" in capsys.readouterr().out

    _rewrite_whole_chain(case)
    call_command("verify_audit")  # The rewritten chain holds on its own.
    assert "All 2 audit chains hold." in capsys.readouterr().out

    with pytest.raises(CommandError, match=rf"First broken link: {case.reference}: digest .*"):
        call_command("verify_audit", "--digest", str(digest))
    out = capsys.readouterr().out
    assert "the trail was rewritten after the digest was written" in out
    assert f"OK      {other.reference}" in out
    with pytest.raises(CommandError, match=f"anchor {anchor}: no event"):
        call_command("verify_audit", "--case", case.reference, "--anchor", anchor)


def test_a_file_that_is_not_a_digest_is_refused(team, tmp_path):
    case_in_state(team, CaseState.SCOPING)
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"heads": []}')
    with pytest.raises(CommandError, match=r"Cannot read .*not a chain-head digest"):
        call_command("verify_audit", "--digest", str(bogus))


def _bundle(case, tmp_path) -> str:
    from aia.bundles import bundle_build

    path = tmp_path / f"{case.reference}.zip"
    with bundle_build(case=case) as handle:
        path.write_bytes(handle.read())
    return str(path)


def test_verify_bundle_checks_the_case_head_in_a_digest(team, anchors_dir, tmp_path):
    case = case_in_state(team, CaseState.ASSESSMENT)
    call_command("anchor_digest")
    [digest] = _digests(anchors_dir)
    out = io.StringIO()
    call_command("verify_bundle", _bundle(case, tmp_path), "--digest", str(digest), stdout=out)
    assert f"OK      digest {digest}: {case.reference} event #" in out.getvalue()

    _rewrite_whole_chain(case)
    case.refresh_from_db()
    forged = _bundle(case, tmp_path)
    call_command("verify_bundle", forged, stdout=io.StringIO())  # holds on its own
    with pytest.raises(CommandError, match=f"BROKEN  digest {digest}: .*rewritten"):
        call_command("verify_bundle", forged, "--digest", str(digest), stdout=io.StringIO())
