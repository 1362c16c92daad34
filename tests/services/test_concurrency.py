"""Concurrent requests on PostgreSQL: no duplicate triggers or cases, one winner per transition.

These tests use real threads, each with its own database connection, so they need committed
data (``transaction=True``) and a database with row locks (``postgres``: tests/tools.py).
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from aia.exceptions import ApplicationError, Conflict
from aia.models import Case, CaseEvent, CaseReferenceCounter, Notification, Trigger
from aia.models.choices import CaseState, Role
from aia.services import cases as s
from tests.factories import UserFactory, case_in_state, fill_assessment, ingest, trigger_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at the same moment; return the results
    (or the exceptions raised) in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as exc:  # the caller inspects every outcome
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_concurrent_replays_of_one_trigger_create_one_trigger_and_one_case(team):
    data = trigger_data(situation={"country_code": "SD", "name": "Sudan — Darfur"})

    results = run_together(50, lambda _i: ingest(actor=team.integration, data=data))

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert sum(r.created for r in results) == 1
    assert len({r.case.pk for r in results}) == 1
    assert Trigger.objects.count() == 1
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 2  # case opened, trigger received


def test_concurrent_different_triggers_for_one_situation_share_one_case(team):
    situation = {"country_code": "SD", "name": "Sudan — Darfur"}

    results = run_together(
        10,
        lambda i: ingest(
            actor=team.integration, data=trigger_data(situation=situation, reference=f"REF-{i}")
        ),
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Case.objects.count() == 1
    assert Trigger.objects.count() == 10
    assert sorted(r.outcome for r in results) == ["joined"] * 9 + ["opened"]
    case = Case.objects.get()
    sequences = list(case.events.values_list("sequence", flat=True))
    assert sequences == list(range(1, 12))
    # The nine that joined took no case number: the year's counter counts one case.
    counter = CaseReferenceCounter.objects.get(year=timezone.now().year)
    assert counter.last_number == int(case.reference.rsplit("-", 1)[1]) == 1


def test_concurrent_triggers_for_new_situations_get_distinct_references(team):
    results = run_together(
        8,
        lambda i: ingest(
            actor=team.integration,
            data=trigger_data(situation={"country_code": "SD", "name": f"Area {i}"}),
        ),
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    # Distinct and without gaps: a number taken by a request that then rolled back is
    # rolled back with it.
    year = timezone.now().year
    references = sorted(r.case.reference for r in results)
    first = int(references[0].rsplit("-", 1)[1])
    assert references == [f"AIA-{year}-{n:04d}" for n in range(first, first + 8)]


def test_two_users_taking_the_same_transition_at_once_one_wins(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    fill_assessment(case, team.official)
    users = [team.lead, team.official]

    results = run_together(2, lambda i: s.case_submit_assessment(case=case, actor=users[i]))

    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, ApplicationError)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert isinstance(losers[0], Conflict)
    assert "legal review" in losers[0].message
    assert Case.objects.get(pk=case.pk).state == CaseState.LEGAL_REVIEW
    assert CaseEvent.objects.filter(case=case, transition="submit_assessment").count() == 1


def test_concurrent_edits_of_one_case_keep_the_audit_chain_intact(team):
    from aia.audit import verify_case_chain
    from aia.services.assessment import section_update

    case = case_in_state(team, CaseState.ASSESSMENT)
    codes = ["rf1", "rf2", "rf3", "rf4", "rf5", "rf6", "rf7", "rf8"]
    before = case.events.filter(type="section_updated").count()

    results = run_together(
        len(codes),
        lambda i: section_update(
            case=case, actor=team.official, code=codes[i], data={"analysis": f"Edit {i}"}
        ),
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    case.refresh_from_db()
    assert verify_case_chain(case) is None
    assert case.events.filter(type="section_updated").count() == before + len(codes)


def backend_pid() -> int:
    """Return the PostgreSQL backend of this thread's database connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_until_blocked(waiter: int, *, timeout: float = 30) -> bool:
    """Wait until backend ``waiter`` waits for a lock that this thread's backend holds;
    return whether it did within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [waiter])
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


def test_a_trigger_joining_a_case_while_its_team_changes_tells_the_new_team(team):
    """The trigger waits for the case's lock, held by a change of team; it then tells the
    team as that change left it, officials included (read after the lock, not before)."""
    case = case_in_state(team, CaseState.ASSESSMENT)
    newcomer = UserFactory(username="newcomer", roles=[Role.OFFICIAL])
    situation = {"country_code": case.situation.country_code, "name": case.situation.name}
    trigger_backend = backend_pid()
    locked, done = threading.Event(), threading.Event()
    trigger_waited: list[bool] = []

    def change_team() -> None:
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)
                locked.set()
                # Change the team only once the trigger below is waiting for this lock.
                trigger_waited.append(wait_until_blocked(trigger_backend))
                Case.objects.get(pk=case.pk).officials.add(newcomer)
        finally:
            done.set()
            connections.close_all()

    thread = threading.Thread(target=change_team)
    thread.start()
    assert locked.wait(timeout=30)
    result = ingest(
        actor=team.integration, data=trigger_data(situation=situation, reference="RACE-1")
    )
    thread.join(timeout=60)
    assert done.is_set()
    assert trigger_waited == [True], "the trigger never waited for the case's lock"
    assert result.outcome == "joined"
    told = Notification.objects.filter(case=case, kind=Notification.Kind.TRIGGER_JOINED)
    assert newcomer.pk in set(told.values_list("user_id", flat=True))
