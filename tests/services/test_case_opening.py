"""Opening a case from a trigger: the rows written are the same whichever way they are written
(on PostgreSQL the sections go in with one ``INSERT … SELECT``), the reference is final and the
audit chain holds."""

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from aia.audit import verify_case_chain
from aia.framework import SECTION_CODES, get_framework
from aia.models import Case, Notification, Section
from aia.services.triggers import trigger_ingest
from tests.factories import trigger_data

pytestmark = pytest.mark.django_db


def test_the_sections_are_those_the_models_defaults_give(team):
    case = trigger_ingest(actor=team.integration, data=trigger_data()).case
    framework = get_framework()
    stored = {section.code: section for section in Section.objects.filter(case=case)}
    assert sorted(stored) == sorted(SECTION_CODES)
    for code in SECTION_CODES:
        expected = Section(case=case, version=1, code=code, kind=framework.section(code).kind)
        assert model_to_dict(stored[code], exclude=["id"]) == model_to_dict(
            expected, exclude=["id"]
        ), code


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
