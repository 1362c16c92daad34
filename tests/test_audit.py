"""The audit trail is append-only and tamper-evident: verify_audit finds any change."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from aia.audit import verify_case_chain
from aia.models import CaseEvent
from aia.models.choices import CaseState
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(team):
    return case_in_state(team, CaseState.OPTIONS)


def _sql(statement: str, params: list) -> None:
    # Raw SQL: the tamperer does not use our models (which refuse to change events).
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _event(case, sequence):
    return CaseEvent.objects.get(case=case, sequence=sequence)


def test_clean_chain_verifies(case, capsys):
    assert verify_case_chain(case) is None
    call_command("verify_audit")
    assert "All 1 audit chains hold." in capsys.readouterr().out


def test_events_cannot_be_changed_or_deleted_through_the_models(case):
    event = _event(case, 2)
    event.details = {"forged": True}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(case=case).delete()
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(case=case).update(details={})


def test_altered_content_is_detected(case):
    event = _event(case, 3)
    _sql("UPDATE aia_caseevent SET details = %s WHERE id = %s", ['{"forged": true}', event.pk])
    problem = verify_case_chain(case)
    assert problem.sequence == 3
    assert "altered" in problem.problem
    with pytest.raises(CommandError, match=r"First broken link: .*event #3"):
        call_command("verify_audit")


def test_altered_actor_is_detected(case, team):
    event = _event(case, 4)
    _sql("UPDATE aia_caseevent SET actor_id = %s WHERE id = %s", [team.outsider.pk, event.pk])
    assert verify_case_chain(case).sequence == 4


def test_reordered_events_are_detected(case):
    second, third = _event(case, 2), _event(case, 3)
    _sql("UPDATE aia_caseevent SET sequence = 999 WHERE id = %s", [second.pk])
    _sql("UPDATE aia_caseevent SET sequence = 2 WHERE id = %s", [third.pk])
    _sql("UPDATE aia_caseevent SET sequence = 3 WHERE id = %s", [second.pk])
    problem = verify_case_chain(case)
    assert problem.sequence == 2


def test_a_deleted_event_in_the_middle_is_detected(case):
    _sql("DELETE FROM aia_caseevent WHERE id = %s", [_event(case, 3).pk])
    problem = verify_case_chain(case)
    assert problem.sequence == 3
    assert "removed" in problem.problem


def test_deleted_newest_events_are_detected(case):
    last = case.events.order_by("-sequence").first()
    _sql("DELETE FROM aia_caseevent WHERE id = %s", [last.pk])
    case.refresh_from_db()
    problem = verify_case_chain(case)
    assert problem is not None
    assert "removed from the end" in problem.problem


def test_a_recomputed_hash_still_breaks_the_next_link(case):
    # A careful tamperer rewrites an event and its own hash; the next event still points at
    # the old hash.
    from aia.canonical import sha256_of

    event = _event(case, 2)
    event.details = {"forged": True}
    new_hash = sha256_of(event.chained_content())
    _sql(
        "UPDATE aia_caseevent SET details = %s, hash = %s WHERE id = %s",
        ['{"forged": true}', new_hash, event.pk],
    )
    assert verify_case_chain(case).sequence == 3


def test_verify_audit_names_only_the_broken_case(team, capsys):
    good = case_in_state(team, CaseState.SCOPING)
    bad = case_in_state(team, CaseState.SCOPING)
    _sql("UPDATE aia_caseevent SET type = 'forged' WHERE id = %s", [_event(bad, 1).pk])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"OK      {good.reference}" in out
    assert f"BROKEN  {bad.reference}: event #1" in out
