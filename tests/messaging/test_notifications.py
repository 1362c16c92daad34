"""Hand-off notifications: the right people, in the app and by email, never outsiders."""

import pytest
from django.core import mail

from aia.models import Notification, OutboxTask
from aia.models.choices import CaseState
from aia.services import cases as s
from aia.services.notifications import notification_mark_read
from aia.services.outbox import outbox_sweep
from tests.factories import case_in_state, committing, fill_assessment, ingest, trigger_data

pytestmark = pytest.mark.django_db


def _recipients(kind=None):
    notes = Notification.objects.all()
    if kind:
        notes = notes.filter(kind=kind)
    return {n.user.username for n in notes}


def test_new_case_is_announced_to_the_sros_cleared_for_it(team):
    with committing():
        ingest(actor=team.integration, data=trigger_data())
    assert _recipients("case_awaiting_team") == {"sro", "other_sro"}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "other_sro@example.gov.uk",
        "sro@example.gov.uk",
    ]
    assert "new case awaiting a team" in mail.outbox[0].subject
    assert mail.outbox[0].subject.startswith("[OFFICIAL-SENSITIVE] AIA-")


def test_assignment_tells_the_team_and_no_one_else(team):
    case = case_in_state(team, "triggered")
    Notification.objects.all().delete()
    mail.outbox.clear()
    with committing():
        s.case_assign(
            case=case,
            actor=team.sro,
            lead_official=team.lead,
            legal_adviser=team.legal,
            officials=[team.official],
            minister=team.minister,
        )
    assert _recipients() == {"lead", "official", "legal", "minister"}
    emailed = {m.to[0].split("@")[0] for m in mail.outbox}
    assert emailed == {"lead", "official", "legal", "minister"}
    message = mail.outbox[0]
    assert message.subject.endswith(f"{team.sro.display_name} assigned the team")
    assert (
        f"{team.sro.display_name} assigned the team on {case.reference} ({case.title}). "
        "The case is now being scoped." in message.body
    )
    html = message.alternatives[0][0]
    assert f"/cases/{case.pk}/" in html
    assert "OFFICIAL-SENSITIVE" in message.body


def test_submission_for_review_goes_to_the_legal_adviser_only(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    fill_assessment(case, team.official)
    Notification.objects.all().delete()
    with committing():
        s.case_submit_assessment(case=case, actor=team.lead)
    assert _recipients() == {"legal"}


def test_hostile_case_titles_are_escaped_in_html_email(team):
    with committing():
        ingest(
            actor=team.sro,
            data=trigger_data(
                situation={"country_code": "SD", "name": "<script>alert(1)</script>"}
            ),
        )
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_user_who_turned_email_off_still_sees_the_notification_in_the_app(team):
    team.legal.email_notifications = False
    team.legal.save()
    case = case_in_state(team, CaseState.ASSESSMENT)
    fill_assessment(case, team.official)
    mail.outbox.clear()
    with committing():
        s.case_submit_assessment(case=case, actor=team.lead)
    note = Notification.objects.get(user=team.legal, kind="submitted")
    assert not note.email_wanted
    assert mail.outbox == []
    assert notification_mark_read(user=team.legal, notification_ids=[note.pk]) == 1


def test_the_actor_is_not_notified_of_their_own_action(team):
    case = case_in_state(team, CaseState.SIGN_OFF)
    Notification.objects.all().delete()
    with committing():
        s.case_return_for_revision(case=case, actor=team.sro, comment="Look again.")
    assert "sro" not in _recipients()
    assert _recipients() == {"lead", "official", "legal"}


def test_a_joined_trigger_tells_the_whole_team(team):
    situation = {"country_code": "MM", "name": "Myanmar"}
    case_in_state(team, CaseState.OPTIONS, situation=situation)
    Notification.objects.all().delete()
    with committing():
        ingest(actor=team.integration, data=trigger_data(situation=situation))
    assert _recipients("trigger_joined") == {"sro", "lead", "official", "legal", "minister"}


def test_report_ready_is_announced_to_the_sro_and_lead(team):
    case_in_state(team, CaseState.SIGN_OFF)
    Notification.objects.all().delete()
    case = case_in_state(team, CaseState.SIGNED_OFF)
    assert {
        n.user.username for n in Notification.objects.filter(case=case, kind="report_ready")
    } == {"sro", "lead"}


def test_an_email_is_sent_once_however_often_its_task_runs(team):
    from aia.tasks import notification_email

    with committing():
        ingest(actor=team.sro, data=trigger_data())
    note = Notification.objects.get(user=team.other_sro)
    sent_before = len(mail.outbox)
    assert notification_email.apply(kwargs={"notification_id": str(note.pk)}).get() is False
    assert len(mail.outbox) == sent_before


def test_outbox_rows_are_completed_and_the_sweeper_finds_nothing_left(team):
    with committing():
        case_in_state(team, CaseState.SIGNED_OFF)
    assert OutboxTask.objects.filter(completed_at__isnull=True).count() == 0
    assert outbox_sweep() == 0


def test_a_user_lists_only_their_notifications_about_cases_they_still_see(team):
    from aia import selectors

    case = case_in_state(team, CaseState.SCOPING)
    assert selectors.notification_list_for_user(user=team.official).filter(case=case).exists()
    s.case_team_update(
        case=case,
        actor=team.sro,
        lead_official=team.lead,
        legal_adviser=team.legal,
        officials=[],
        minister=team.minister,
    )
    assert not selectors.notification_list_for_user(user=team.official).filter(case=case).exists()
    assert selectors.notification_list_for_user(user=team.lead, unread_only=True).exists()
