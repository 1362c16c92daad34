"""Notifications and their outbox rows are written in a fixed number of queries, whatever the
number of recipients, and still once per user and occasion."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aia import permissions
from aia.models import Case, Notification, OutboxTask, User
from aia.models.choices import CaseState, Marking, Role
from aia.permission_loading import permissions_preload
from aia.services.notifications import (
    TEAM,
    notify,
    sros_for_triage,
    team_members,
)
from aia.services.outbox import outbox_enqueue_many
from tests.factories import UserFactory, case_in_state, committing, ingest, trigger_data

pytestmark = pytest.mark.django_db


def _notify(case, users, key="occasion", **kwargs):
    with transaction.atomic():
        return notify(
            case=case, users=users, kind="reminder", key=key, subject="S", body="B", **kwargs
        )


def test_preloaded_permissions_are_the_ones_django_loads(team):
    users = list(User.objects.all())
    with CaptureQueriesContext(connection) as queries:
        permissions_preload(users)
    assert len(queries) == 1
    for user in users:
        fresh = User.objects.get(pk=user.pk)
        assert user.get_user_permissions() == fresh.get_user_permissions(), user
        assert user.get_group_permissions() == fresh.get_group_permissions(), user
        assert user.get_all_permissions() == fresh.get_all_permissions(), user


def test_the_sros_for_triage_are_those_holding_the_permission_and_cleared(team):
    UserFactory(username="cleared_sro", roles=[Role.SRO], clearance=Marking.values[-1])
    UserFactory(username="uncleared_sro", roles=[Role.SRO], clearance=Marking.values[0])
    UserFactory(username="retired_sro", roles=[Role.SRO], is_active=False)
    case = case_in_state(team, CaseState.TRIGGERED)
    for marking in Marking.values:
        case.marking = marking
        expected = (
            User.objects.with_perm(
                permissions.ASSIGN_CASE,
                include_superusers=False,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            .filter(is_active=True, clearance__in=Marking.clearances_covering(marking))
            .order_by("pk")
        )
        with CaptureQueriesContext(connection) as queries:
            sros = sros_for_triage(case)
            answers = [sro.has_perm(permissions.VIEW_ALL_CASES) for sro in sros]
        assert [sro.username for sro in sros] == [user.username for user in expected], marking
        assert answers == [False] * len(sros)
        assert len(queries) <= 2  # one on PostgreSQL: the users with their permissions


def test_notifying_more_people_takes_no_more_queries(team):
    pk = case_in_state(team, CaseState.SCOPING).pk
    few = [team.lead, team.legal]
    many = list(User.objects.filter(is_active=True))
    counts = []
    for key, users in (("few", few), ("many", many)):
        # Fresh objects: neither the team nor anyone's permissions are loaded yet.
        case = Case.objects.get(pk=pk)
        fresh = User.objects.filter(pk__in=[u.pk for u in users])
        with CaptureQueriesContext(connection) as queries:
            created = _notify(case, list(fresh), key=key)
        counts.append(len(queries))
        assert {n.user_id for n in created} == {
            u.pk for u in fresh if permissions.can_view_case(case, u)
        }
    assert counts[0] == counts[1]
    emailed = Notification.objects.filter(key__regex=r"^(few|many):", email_wanted=True)
    assert emailed.exists()
    assert set(
        OutboxTask.objects.filter(task="aia.tasks.notification_email").values_list(
            "kwargs__notification_id", flat=True
        )
    ) >= {str(pk) for pk in emailed.values_list("pk", flat=True)}


def test_an_occasion_is_notified_once_however_often_it_runs(team):
    case = case_in_state(team, CaseState.SCOPING)
    users = team_members(case, ("lead_official", "legal_adviser"))
    first = _notify(case, users)
    outbox = OutboxTask.objects.count()
    assert {n.user for n in first} == {team.lead, team.legal}
    assert _notify(case, users) == []
    assert _notify(case, [*users, team.official]) != []  # only the official is new
    assert Notification.objects.filter(key__startswith="occasion:").count() == 3
    assert OutboxTask.objects.count() == outbox + 1


def test_outbox_rows_are_inserted_together_and_each_dispatched_after_commit(team):
    with committing() as callbacks, transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            rows = outbox_enqueue_many(
                task="aia.tasks.notification_email",
                kwargs_list=[{"notification_id": str(uuid.uuid4())} for _ in range(3)],
            )
        assert len(queries) == 1
        assert len({row.pk for row in rows}) == 3
    assert len(callbacks) == 3
    assert outbox_enqueue_many(task="aia.tasks.outbox_sweep", kwargs_list=[]) == []


def test_opening_a_case_takes_as_many_queries_for_ten_sros_as_for_two(team):
    ingest(actor=team.integration, data=trigger_data())  # the year's first reference
    counts = []
    for extra in (0, 8):
        for n in range(extra):
            UserFactory(username=f"extra_sro_{n}", roles=[Role.SRO])
        with CaptureQueriesContext(connection) as queries:
            result = ingest(actor=team.integration, data=trigger_data())
        counts.append(len(queries))
        assert result.outcome == "opened"
        notified = Notification.objects.filter(case=result.case, kind="case_awaiting_team")
        assert notified.count() == 2 + extra  # sro, other_sro and the extra ones
    assert counts[0] == counts[1]


def test_the_team_loads_with_its_permissions_in_three_queries(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    second = UserFactory(username="second_official", roles=[Role.OFFICIAL], last_name="Aaron")
    case.officials.add(second)
    expected = Case.objects.get(pk=case.pk)
    fresh = Case.objects.get(pk=case.pk)  # nothing of the team loaded yet
    with CaptureQueriesContext(connection) as queries:
        members = team_members(fresh, TEAM)
        for member in members:
            member.get_all_permissions()
    assert len(queries) == 3  # the officials, the named positions, their permissions
    # The officials as the ORM lists them (the user model's ordering), the named positions.
    assert list(fresh.officials.all()) == list(expected.officials.all())
    assert next(iter(fresh.officials.all())).username == "second_official"
    for position in ("sro", "lead_official", "legal_adviser", "minister"):
        assert getattr(fresh, position) == getattr(expected, position), position
    assert {u.pk for u in members} == {
        *(u.pk for u in expected.officials.all()),
        *(getattr(expected, f"{p}_id") for p in ("sro", "lead_official", "legal_adviser")),
        *([expected.minister_id] if expected.minister_id else []),
    }
    for member in members:
        stored = User.objects.get(pk=member.pk)
        assert member.get_all_permissions() == stored.get_all_permissions(), member
        assert member.get_group_permissions() == stored.get_group_permissions(), member
