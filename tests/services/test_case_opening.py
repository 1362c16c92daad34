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
from aia.models import Case, CaseReferenceCounter, Notification, Section, Situation
from aia.models.choices import CaseState, Marking, Role, SectionKind, SectionStatus
from aia.services.notifications import sros_for_triage
from tests.factories import UserFactory, ingest, trigger_data, walk

pytestmark = pytest.mark.django_db

# Queries to open a case for a new situation, and to join a case awaiting its team (in a test's
# transaction, where ``atomic`` blocks are savepoints).
OPENING_QUERIES = 17
JOINING_QUERIES = 9


def test_a_case_has_no_section_rows_until_its_team_is_named_but_reads_as_not_started(team):
    case = ingest(actor=team.integration, data=trigger_data()).case
    assert not Section.objects.filter(case=case).exists()
    sections = selectors.section_list(case=case)
    assert [s.code for s in sections] == list(SECTION_CODES)
    assert {s.status for s in sections} == {SectionStatus.NOT_STARTED}
    assert all(s.pk is None and s.updated_by is None for s in sections)
    assert selectors.section_get(case=case, code="rf7").kind == SectionKind.RISK_FACTOR
    with pytest.raises(NotFound):
        selectors.section_get(case=case, code="rf15")


def test_naming_the_team_writes_every_section_at_the_models_defaults(team):
    case = walk(ingest(actor=team.integration, data=trigger_data()).case, team, "scoping")
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
    case = ingest(actor=team.integration, data=trigger_data()).case
    Section.objects.bulk_create(Section.untouched(case, case.version))
    before = set(Section.objects.filter(case=case).values_list("pk", flat=True))
    walk(case, team, "scoping")
    assert set(Section.objects.filter(case=case).values_list("pk", flat=True)) == before
    assert len(before) == len(SECTION_CODES)


def test_the_case_keeps_its_final_reference_and_a_sound_audit_chain(team):
    year = timezone.now().year
    results = [ingest(actor=team.integration, data=trigger_data()) for _ in range(3)]
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
    first = ingest(actor=team.integration, data=trigger_data()).case
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


def test_a_trigger_naming_the_situation_another_way_joins_its_open_case(team):
    situation = {"country_code": "SD", "name": "Sudan — Darfur", "area": "North Darfur"}
    case = ingest(actor=team.integration, data=trigger_data(situation=situation)).case
    walk(case, team, CaseState.ASSESSMENT)  # a team, a deadline, a version: fields filled in
    # The same situation, named as another feed might write it.
    same = {"country_code": "sd", "name": "SUDAN —  Darfur"}
    joined = ingest(actor=team.integration, data=trigger_data(situation=same))
    assert (joined.outcome, joined.case.pk) == ("joined", case.pk)
    assert Situation.objects.filter(key="sudan — darfur").count() == 1
    assert Situation.objects.get(key="sudan — darfur").name == "Sudan — Darfur"
    # A closed case is not open: the next trigger opens a new case linked to it.
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    again = ingest(actor=team.integration, data=trigger_data(situation=same, reference="NEW-1"))
    assert (again.outcome, again.case.previous_case_id) == ("opened", case.pk)
    # Another area's name is another situation, with a case of its own.
    other = {"country_code": "SD", "name": "Sudan — Kordofan"}
    kordofan = ingest(actor=team.integration, data=trigger_data(situation=other))
    assert (kordofan.outcome, kordofan.case.previous_case_id) == ("opened", None)
    assert Situation.objects.get(key="sudan — kordofan").name == "Sudan — Kordofan"


def test_a_new_case_is_announced_to_the_sros_cleared_for_its_marking(team):
    UserFactory(username="cleared_sro", roles=[Role.SRO], clearance=Marking.values[-1])
    UserFactory(username="uncleared_sro", roles=[Role.SRO], clearance=Marking.values[0])
    UserFactory(username="retired_sro", roles=[Role.SRO], is_active=False)
    for marking in Marking.values:
        case = ingest(actor=team.integration, data=trigger_data(marking=marking)).case
        told = Notification.objects.filter(case=case, kind="case_awaiting_team")
        expected = sros_for_triage(Case(marking=marking))
        assert sorted(told.values_list("user__username", flat=True)) == sorted(
            sro.username for sro in expected
        )
        assert "cleared_sro" in {sro.username for sro in expected}
        assert "retired_sro" not in {sro.username for sro in expected}
        assert ("uncleared_sro" in {sro.username for sro in expected}) == (
            marking == Marking.values[0]
        )


def test_opening_or_joining_a_case_takes_a_fixed_number_of_queries(team):
    """Whatever the situation, opening a case or joining one asks the same queries: the
    replay lookup, the situation and its latest case (both locked), the case number when
    opening, the rows, the people to tell with their permissions; and, in tests, the
    savepoints of the transaction."""
    ingest(actor=team.integration, data=trigger_data())  # the year's counter
    counts = {}
    for outcome, situation in (
        ("opened", {"country_code": "SD", "name": "Sudan — Kordofan"}),
        ("joined", {"country_code": "SD", "name": "Sudan — Kordofan"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            result = ingest(
                actor=team.integration,
                data=trigger_data(situation=situation, reference=f"COUNT-{outcome}"),
            )
        assert result.outcome == outcome
        counts[outcome] = len(queries)
    assert counts == {"opened": OPENING_QUERIES, "joined": JOINING_QUERIES}
    notified = Notification.objects.filter(case=result.case)
    assert set(notified.values_list("kind", flat=True)) == {"case_awaiting_team"}
    assert notified.count() == 2  # sro and other_sro; the joining trigger has no team to tell


def test_only_a_trigger_that_opens_a_case_takes_a_case_number(team):
    year = timezone.now().year
    darfur = {"country_code": "SD", "name": "Sudan — Darfur"}
    first = ingest(actor=team.integration, data=trigger_data(situation=darfur)).case
    assert first.reference == f"AIA-{year}-0001"  # the year's first: its counter is created
    for number in range(3):  # joining and replaying take none
        data = trigger_data(situation=darfur, reference=f"JOIN-{number}")
        assert ingest(actor=team.integration, data=data).outcome == "joined"
        assert not ingest(actor=team.integration, data=data).created
    second = ingest(actor=team.integration, data=trigger_data()).case
    assert second.reference == f"AIA-{year}-0002"
    # A situation whose case is closed has no open case: its next case takes the next number.
    Case.objects.filter(pk=first.pk).update(state=CaseState.CLOSED)
    data = trigger_data(situation=darfur, reference="AFTER-CLOSING")
    third = ingest(actor=team.integration, data=data)
    assert (third.outcome, third.case.previous_case_id) == ("opened", first.pk)
    assert Case.objects.get(pk=third.case.pk).reference == f"AIA-{year}-0003"
    assert CaseReferenceCounter.objects.get(year=year).last_number == 3
