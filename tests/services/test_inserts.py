"""``aia.inserts``: several models' new rows in one statement, the rows ``bulk_create`` writes."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aia.inserts import insert_if_new, insert_together, update_statement
from aia.models import Case, CaseEvent, Notification, OutboxTask, Situation, Trigger
from aia.models.choices import EventType, Marking, Track

pytestmark = pytest.mark.django_db

# Text a hand-written conversion could get wrong: quotes, backslashes, new lines, non-ASCII.
AWKWARD = 'Sudan — "Darfur" \\ El Fasher\n<b>Zamzam</b> \u00e9\u4e2d'
WHEN = datetime.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=datetime.UTC)


def _rows(team, n: int):
    """One new case (in a situation of its own) with a trigger, two events, a notification and
    an outbox row, all unsaved; ``n`` keeps unique fields apart."""
    situation = Situation.objects.create(country_code="SD", name=f"Darfur {n}", key=f"darfur {n}")
    case = Case(
        reference=f"AIA-1999-{n:04d}",
        title=AWKWARD,
        situation=situation,
        marking=Marking.values[-1],
        track=Track.EXPEDITED,
        knowledge_date=datetime.date(2024, 2, 29),
        opened_at=WHEN,
        stage_started_at=WHEN,
        stage_deadline=datetime.date(2026, 3, 9),
        event_count=2,
        last_event_hash=f"{n:064d}",
    )
    trigger = Trigger(
        kind="icj_finding",
        source_body=f"ICJ {n}",
        reference=f"ref {n}",
        title=AWKWARD,
        finding_date=datetime.date(2024, 2, 29),
        finding="serious_risk",
        crimes=["genocide", AWKWARD],
        groups_at_risk=AWKWARD,
        source_url="https://example.org/a?b=c&d=e",
        situation=situation,
        case=case,
        received_at=WHEN,
        received_by=team.integration,
        outcome="opened",
    )
    events = [
        CaseEvent(
            case=case,
            sequence=sequence,
            type=EventType.CASE_OPENED,
            actor=actor,
            version=1,
            occurred_at=WHEN,
            details={"text": AWKWARD, "nested": {"list": [1, 2.5, None, True]}, "n": sequence},
            previous_hash="0" * 64,
            hash=f"{n:032d}{sequence:032d}",
        )
        for sequence, actor in ((1, None), (2, team.sro))
    ]
    note = Notification(
        key=f"test:{n}",
        user=team.sro,
        case=case,
        kind=Notification.Kind.CASE_AWAITING_TEAM,
        subject=AWKWARD,
        body=AWKWARD,
        created_at=WHEN,
        email_wanted=False,
    )
    outbox = OutboxTask(task="aia.tasks.notification_email", kwargs={"x": AWKWARD}, created_at=WHEN)
    return case, trigger, events, note, outbox


# The fields each pair differs in by construction (keys, unique values, the case they name).
DIFFERENT = {
    *("id", "reference", "source_body", "hash", "key"),
    *("case_id", "situation_id", "last_event_hash"),
}


def _stored(obj) -> dict:
    row = type(obj).objects.filter(pk=obj.pk).values().get()
    return {name: value for name, value in row.items() if name not in DIFFERENT}


@pytest.mark.smoke
def test_the_rows_are_those_bulk_create_writes_and_go_in_one_statement(team):
    case, trigger, events, note, outbox = _rows(team, 1)
    twins = _rows(team, 2)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            insert_together([case], [trigger], events, [note], [outbox])
        if connection.vendor == "postgresql":
            assert len(queries) == 1
        for twin in (twins[0], twins[1], twins[3], twins[4]):
            type(twin).objects.bulk_create([twin])
        CaseEvent.objects.bulk_create(twins[2])
    # Keys the database assigns are set, and every instance counts as saved.
    assert all(event.pk for event in events)
    assert len({event.pk for event in events}) == 2
    for obj in (case, trigger, *events, note, outbox):
        assert not obj._state.adding
        assert obj._state.db == "default"
    pairs = [
        (case, twins[0]),
        (trigger, twins[1]),
        *zip(events, twins[2], strict=True),
        (note, twins[3]),
        (outbox, twins[4]),
    ]
    for ours, theirs in pairs:
        assert _stored(ours) == _stored(theirs), type(ours).__name__
    assert CaseEvent.objects.get(pk=events[0].pk).details["text"] == AWKWARD
    assert CaseEvent.objects.get(pk=events[0].pk).occurred_at == WHEN


def _converted_rows(team, n: int):
    """A case, trigger and notification whose values are not of the type their fields keep
    as they are: text for a date and a number, a date and time in another zone, a date and
    time for a date, naive ones (London's time), a choice's member."""
    case, trigger, _events, note, _outbox = _rows(team, n)
    case.knowledge_date = "2024-02-29"
    case.event_count = "2"
    case.opened_at = datetime.datetime(2026, 3, 4, 23, 30, 1, 5, tzinfo=KOLKATA)
    case.stage_deadline = datetime.datetime(2026, 3, 9, 23, 30, tzinfo=datetime.UTC)
    case.track = Track.EXPEDITED
    case.stage_started_at = NAIVE_SUMMER
    trigger.finding_date = datetime.date(2024, 2, 29)
    note.created_at = NAIVE_WINTER
    return case, trigger, note


KOLKATA = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
NAIVE_SUMMER = datetime.datetime(2026, 7, 1, 12, 0)  # noqa: DTZ001 - naive on purpose
NAIVE_WINTER = datetime.datetime(2026, 1, 1, 0, 0, 0, 1)  # noqa: DTZ001 - naive on purpose


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_values_the_fields_convert_are_written_as_they_convert_them(team):
    ours = _converted_rows(team, 6)
    theirs = _converted_rows(team, 7)
    with transaction.atomic():
        insert_together(*([obj] for obj in ours))
        for obj in theirs:
            type(obj).objects.bulk_create([obj])
    for mine, twin in zip(ours, theirs, strict=True):
        assert _stored(mine) == _stored(twin), type(mine).__name__
    stored = Case.objects.get(pk=ours[0].pk)
    assert stored.knowledge_date == datetime.date(2024, 2, 29)
    assert stored.event_count == 2
    assert stored.opened_at == datetime.datetime(2026, 3, 4, 18, 0, 1, 5, tzinfo=datetime.UTC)
    # A naive time is London's: 12:00 in July is 11:00 UTC.
    assert stored.stage_started_at == datetime.datetime(2026, 7, 1, 11, 0, tzinfo=datetime.UTC)


def test_a_value_the_database_computes_goes_through_django_s_insert_compiler(team):
    before = timezone.now() - datetime.timedelta(seconds=1)  # SQLite keeps milliseconds
    outbox = OutboxTask(task="aia.tasks.outbox_sweep", kwargs={}, created_at=Now())
    with transaction.atomic():
        insert_together([outbox])
    assert OutboxTask.objects.get(pk=outbox.pk).created_at >= before


def test_a_broken_constraint_fails_the_whole_statement(team):
    case, trigger, events, note, outbox = _rows(team, 3)
    with transaction.atomic():
        insert_together([case], [trigger], events, [note], [outbox])
    again = _rows(team, 4)
    again[1].source_body, again[1].reference = trigger.source_body, trigger.reference
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together([again[0]], [again[1]], again[2], [again[3]], [again[4]])
    assert not Case.objects.filter(reference=again[0].reference).exists()
    assert not OutboxTask.objects.filter(pk=again[4].pk).exists()


def test_saved_instances_mixed_groups_and_nothing_are_refused(team):
    situation = Situation.objects.create(country_code="SD", name="Darfur", key="darfur")
    with pytest.raises(ValueError, match="saved already"):
        insert_together([situation])
    mixed = [OutboxTask(task="t", created_at=WHEN), Situation(country_code="SD", name="x")]
    with pytest.raises(TypeError, match="one model"):
        insert_together(mixed)
    with pytest.raises(ValueError, match="Nothing"):
        insert_together([], [])


def test_insert_if_new_inserts_a_row_once(team):
    first = Situation(country_code="MM", name="Rakhine", key="rakhine")
    second = Situation(country_code="MM", name="RAKHINE", key="rakhine")
    with transaction.atomic():
        assert insert_if_new(first) is True
        assert first.pk
        assert not first._state.adding
        assert insert_if_new(second) is False
    assert second.pk is None
    assert second._state.adding
    assert Situation.objects.filter(key="rakhine").count() == 1
    assert Situation.objects.get(key="rakhine").name == "Rakhine"


def test_a_field_set_when_added_gets_its_time_as_bulk_create_gives_it(team):
    """``Situation.created_at`` is ``auto_now_add``: its ``pre_save`` sets it, while plain
    date fields are read as they are."""
    before = timezone.now()
    ours = Situation(country_code="MM", name="Kachin", key="kachin", created_at=WHEN)
    theirs = Situation(country_code="MM", name="Shan", key="shan", created_at=WHEN)
    with transaction.atomic():
        insert_together([ours])
        Situation.objects.bulk_create([theirs])
    for situation in (ours, theirs):
        assert situation.created_at >= before
        assert Situation.objects.get(pk=situation.pk).created_at == situation.created_at


def test_a_group_is_all_keyed_or_all_unkeyed(team):
    with pytest.raises(ValueError, match="every instance"):
        insert_together([OutboxTask(task="t", created_at=WHEN), OutboxTask(id=None, task="t")])


def test_uuid_keys_chosen_in_python_are_kept(team):
    key = uuid.uuid4()
    with transaction.atomic():
        insert_together([OutboxTask(id=key, task="t", created_at=WHEN)])
    assert OutboxTask.objects.filter(pk=key).exists()


def test_an_update_goes_in_the_same_statement_as_save_would_write_it(team):
    case, *_, outbox = _rows(team, 5)
    with transaction.atomic():
        insert_together([case])
    case.knowledge_date = datetime.date(2023, 1, 2)
    case.last_event_hash = AWKWARD
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            insert_together(
                [outbox], also=[update_statement(case, ["knowledge_date", "last_event_hash"])]
            )
        if connection.vendor == "postgresql":
            assert len(queries) == 1
    stored = Case.objects.get(pk=case.pk)
    assert stored.knowledge_date == datetime.date(2023, 1, 2)
    assert stored.last_event_hash == AWKWARD
    assert stored.title == AWKWARD  # the other fields untouched
    assert OutboxTask.objects.filter(pk=outbox.pk).exists()
    with pytest.raises(ValueError, match="not saved"):
        update_statement(Case(), ["title"])
