"""Opening a case from a trigger: the rows written are the same whichever way they are written,
the sections wait for the team, the reference is final and the audit chain holds."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aia import selectors
from aia.audit import verify_case_chain
from aia.exceptions import NotFound
from aia.framework import SECTION_CODES, get_framework
from aia.models import Case, CaseReferenceCounter, Notification, Section, Situation, User
from aia.models.choices import CaseState, Marking, Role, SectionKind, SectionStatus
from aia.services import triggers
from aia.services.notifications import sros_for_triage
from aia.services.triggers import trigger_ingest
from tests.factories import UserFactory, trigger_data, walk

pytestmark = pytest.mark.django_db


def test_a_case_has_no_section_rows_until_its_team_is_named_but_reads_as_not_started(team):
    case = trigger_ingest(actor=team.integration, data=trigger_data()).case
    assert not Section.objects.filter(case=case).exists()
    sections = selectors.section_list(case=case)
    assert [s.code for s in sections] == list(SECTION_CODES)
    assert {s.status for s in sections} == {SectionStatus.NOT_STARTED}
    assert all(s.pk is None and s.updated_by is None for s in sections)
    assert selectors.section_get(case=case, code="rf7").kind == SectionKind.RISK_FACTOR
    with pytest.raises(NotFound):
        selectors.section_get(case=case, code="rf15")


def test_naming_the_team_writes_every_section_at_the_models_defaults(team):
    case = walk(trigger_ingest(actor=team.integration, data=trigger_data()).case, team, "scoping")
    framework = get_framework()
    stored = {section.code: section for section in Section.objects.filter(case=case)}
    assert sorted(stored) == sorted(SECTION_CODES)
    for code in SECTION_CODES:
        expected = Section(case=case, version=1, code=code, kind=framework.section(code).kind)
        assert model_to_dict(stored[code], exclude=["id"]) == model_to_dict(
            expected, exclude=["id"]
        ), code
    assert [s.pk for s in selectors.section_list(case=case)] == [
        stored[code].pk for code in SECTION_CODES
    ]


def test_a_case_opened_with_its_sections_keeps_them_when_its_team_is_named(team):
    """Cases opened before the sections waited for the team have theirs in ``triggered``."""
    case = trigger_ingest(actor=team.integration, data=trigger_data()).case
    Section.objects.bulk_create(Section.untouched(case, case.version))
    before = set(Section.objects.filter(case=case).values_list("pk", flat=True))
    walk(case, team, "scoping")
    assert set(Section.objects.filter(case=case).values_list("pk", flat=True)) == before
    assert len(before) == len(SECTION_CODES)


def test_the_case_keeps_its_final_reference_and_a_sound_audit_chain(team):
    year = timezone.now().year
    results = [trigger_ingest(actor=team.integration, data=trigger_data()) for _ in range(3)]
    references = [Case.objects.get(pk=r.case.pk).reference for r in results]
    assert references == [f"AIA-{year}-{n:04d}" for n in (1, 2, 3)]
    assert [r.case.reference for r in results] == references
    for result in results:
        case = Case.objects.get(pk=result.case.pk)
        assert verify_case_chain(case) is None
        assert case.event_count == 2
        opened, received = case.events.order_by("sequence")
        assert (opened.type, opened.details["reference"]) == ("case_opened", case.reference)
        assert (received.type, received.details["trigger"]) == (
            "trigger_received",
            str(result.trigger.pk),
        )
        subjects = Notification.objects.filter(case=case).values_list("subject", flat=True)
        assert subjects
        assert all(case.reference in subject for subject in subjects)


def test_the_database_refuses_a_second_case_with_a_reference_already_taken(team):
    first = trigger_ingest(actor=team.integration, data=trigger_data()).case
    copy = Case(
        reference=first.reference,
        title="Another",
        situation=first.situation,
        state=CaseState.CLOSED,  # not a second open case: only the reference clashes
        knowledge_date=first.knowledge_date,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)
    assert Case.objects.filter(reference=first.reference).count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the written-out lookup is PostgreSQL's"
)
def test_the_written_out_query_finds_the_open_case_the_orm_loads_or_inserts_the_situation(team):
    situation = {"country_code": "SD", "name": "Sudan — Darfur", "area": "North Darfur"}
    case = trigger_ingest(actor=team.integration, data=trigger_data(situation=situation)).case
    walk(case, team, CaseState.ASSESSMENT)  # a team, a deadline, a version: fields filled in
    # The same situation, named as another feed might write it.
    same = Situation(country_code="SD", name="SUDAN —  Darfur", key="sudan — darfur")
    with transaction.atomic():
        located = triggers._situation_new_or_open_case_locked("default", same, case.marking)
    assert not located.new_situation
    assert located.sros is None
    assert same._state.adding  # the situation existed: nothing was inserted
    found, its_situation = located.case, located.situation
    expected = Case.objects.get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    for field in Situation._meta.concrete_fields:
        assert getattr(its_situation, field.attname) == getattr(
            expected.situation, field.attname
        ), field.name
    assert found.situation is its_situation
    assert not found._state.adding
    # A closed case is not open: the lookup finds nothing, and ingestion opens a new case.
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    with transaction.atomic():
        assert triggers._situation_new_or_open_case_locked("default", same, case.marking) is None
    # A new situation is inserted, and has no case.
    new = Situation(country_code="SD", name="Sudan — Kordofan", key="sudan — kordofan")
    with transaction.atomic():
        located = triggers._situation_new_or_open_case_locked("default", new, case.marking)
    assert (located.situation, located.case, located.new_situation) == (new, None, True)
    assert not new._state.adding
    assert Situation.objects.get(pk=new.pk).name == "Sudan — Kordofan"
    assert Situation.objects.filter(key=same.key).count() == 1
    again = trigger_ingest(
        actor=team.integration, data=trigger_data(situation=situation, reference="NEW-1")
    )
    assert (again.outcome, again.case.previous_case_id) == ("opened", case.pk)


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the written-out lookup is PostgreSQL's"
)
def test_the_lookup_reads_the_sros_a_new_situations_case_needs_for_each_marking(team):
    UserFactory(username="cleared_sro", roles=[Role.SRO], clearance=Marking.values[-1])
    UserFactory(username="uncleared_sro", roles=[Role.SRO], clearance=Marking.values[0])
    UserFactory(username="retired_sro", roles=[Role.SRO], is_active=False)
    for number, marking in enumerate(Marking.values):
        new = Situation(country_code="SD", name=f"Sudan {number}", key=f"sudan {number}")
        with transaction.atomic():
            located = triggers._situation_new_or_open_case_locked("default", new, marking)
        assert (located.case, located.new_situation) == (None, True)
        expected = sros_for_triage(Case(marking=marking))
        assert [sro.username for sro in located.sros] == [sro.username for sro in expected]
        assert "cleared_sro" in {sro.username for sro in located.sros}
        for sro in located.sros:  # their permissions as Django loads them
            stored = User.objects.get(pk=sro.pk)
            assert sro.get_all_permissions() == stored.get_all_permissions(), sro


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the statement counts are PostgreSQL's"
)
def test_a_new_trigger_opens_a_case_or_joins_one_in_six_statements(team):
    """The replay lookup, ``BEGIN``, the situation with its open case (and, for a new one,
    the SROs to tell), the case number when opening or the team to tell when joining, every
    row in one insert, ``COMMIT``."""
    trigger_ingest(actor=team.integration, data=trigger_data())  # the year's counter
    counts = {}
    for outcome, situation in (
        ("opened", {"country_code": "SD", "name": "Sudan — Kordofan"}),
        ("joined", {"country_code": "SD", "name": "Sudan — Kordofan"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            result = trigger_ingest(
                actor=team.integration,
                data=trigger_data(situation=situation, reference=f"COUNT-{outcome}"),
            )
        assert result.outcome == outcome
        counts[outcome] = len(queries)
    assert counts == {"opened": 6, "joined": 6}
    notified = Notification.objects.filter(case=result.case)
    assert set(notified.values_list("kind", flat=True)) == {"case_awaiting_team"}
    assert notified.count() == 2  # sro and other_sro; the joining trigger has no team to tell


def test_only_a_trigger_that_opens_a_case_takes_a_case_number(team):
    year = timezone.now().year
    darfur = {"country_code": "SD", "name": "Sudan — Darfur"}
    first = trigger_ingest(actor=team.integration, data=trigger_data(situation=darfur)).case
    assert first.reference == f"AIA-{year}-0001"  # the year's first: its counter is created
    for number in range(3):  # joining and replaying take none
        data = trigger_data(situation=darfur, reference=f"JOIN-{number}")
        assert trigger_ingest(actor=team.integration, data=data).outcome == "joined"
        assert not trigger_ingest(actor=team.integration, data=data).created
    second = trigger_ingest(actor=team.integration, data=trigger_data()).case
    assert second.reference == f"AIA-{year}-0002"
    # A situation whose case is closed has no open case: its next case takes the next number.
    Case.objects.filter(pk=first.pk).update(state=CaseState.CLOSED)
    data = trigger_data(situation=darfur, reference="AFTER-CLOSING")
    third = trigger_ingest(actor=team.integration, data=data)
    assert (third.outcome, third.case.previous_case_id) == ("opened", first.pk)
    assert Case.objects.get(pk=third.case.pk).reference == f"AIA-{year}-0003"
    assert CaseReferenceCounter.objects.get(year=year).last_number == 3
