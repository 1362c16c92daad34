"""Comments on sections and options: who may comment, reply and resolve, and the audit trail
each step leaves."""

import pytest

from aia import selectors
from aia.exceptions import Conflict, InvalidInput, NotFound, PermissionRefused
from aia.models import Notification
from aia.models.choices import CaseState, EventType, Stage
from aia.services import cases as case_services
from aia.services.comments import comment_add, comment_reply, comment_resolve
from tests.factories import case_in_state, committing

pytestmark = pytest.mark.django_db


def _events(case, type_):
    return list(case.events.filter(type=type_).order_by("sequence"))


def test_the_legal_adviser_comments_an_official_replies_and_resolves(team):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    comment = comment_add(case=case, actor=team.legal, section_code="rf8", text_=" Cite it. ")
    assert comment.text == "Cite it."
    assert comment.stage == Stage.ASSESSMENT
    assert comment.section.code == "rf8"

    reply = comment_reply(case=case, actor=team.official, comment_id=comment.pk, text_="Done.")
    assert reply.parent == comment
    assert reply.section == comment.section
    # A reply to a reply joins the same thread.
    again = comment_reply(case=case, actor=team.legal, comment_id=reply.pk, text_="Thanks.")
    assert again.parent == comment

    resolved = comment_resolve(case=case, actor=team.lead, comment_id=reply.pk)
    assert resolved.pk == comment.pk
    assert resolved.resolved_by == team.lead
    assert resolved.resolved_at is not None

    [added] = _events(case, EventType.COMMENT_ADDED)
    assert added.actor == team.legal
    assert added.stage == Stage.ASSESSMENT
    assert added.details == {"comment": comment.pk, "section": "rf8", "text": "Cite it."}
    replies = _events(case, EventType.COMMENT_REPLIED)
    assert [(e.actor, e.details["text"]) for e in replies] == [
        (team.official, "Done."),
        (team.legal, "Thanks."),
    ]
    [done] = _events(case, EventType.COMMENT_RESOLVED)
    assert done.actor == team.lead
    assert done.details["comment"] == comment.pk

    [thread] = selectors.comment_thread_list(case=case, section=comment.section)
    assert [r.text for r in thread.replies.all()] == ["Done.", "Thanks."]


def test_a_comment_on_an_option_belongs_to_the_options_stage(team):
    case = case_in_state(team, CaseState.OPTIONS_REVIEW)
    option = selectors.option_list(case=case).first()
    comment = comment_add(case=case, actor=team.legal, option_id=str(option.pk), text_="Costs?")
    assert comment.stage == Stage.OPTIONS
    assert comment.option == option
    [event] = _events(case, EventType.COMMENT_ADDED)
    assert event.details["option"] == str(option.pk)
    assert selectors.comment_thread_list(case=case, stage=Stage.OPTIONS) == [comment]
    assert selectors.comment_thread_list(case=case, stage=Stage.ASSESSMENT) == []


def test_the_sro_may_comment_but_not_the_minister_nor_someone_off_the_team(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    comment_add(case=case, actor=team.sro, section_code="scope", text_="Widen it.")
    with pytest.raises(PermissionRefused):
        comment_add(case=case, actor=team.minister, section_code="scope", text_="No.")
    # An auditor sees every case but takes no part in it.
    with pytest.raises(PermissionRefused):
        comment_add(case=case, actor=team.auditor, section_code="scope", text_="No.")
    assert len(_events(case, EventType.COMMENT_ADDED)) == 1


def test_only_an_official_on_the_team_resolves(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    comment = comment_add(case=case, actor=team.legal, section_code="scope", text_="Widen it.")
    for actor in (team.legal, team.sro, team.other_official):
        with pytest.raises((PermissionRefused, NotFound)):
            comment_resolve(case=case, actor=actor, comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.resolved_at is None
    assert _events(case, EventType.COMMENT_RESOLVED) == []


def test_a_case_one_may_not_see_answers_not_found(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    comment = comment_add(case=case, actor=team.legal, section_code="scope", text_="Widen it.")
    with pytest.raises(NotFound):
        comment_add(case=case, actor=team.other_legal, section_code="scope", text_="Hm.")
    with pytest.raises(NotFound):
        comment_reply(case=case, actor=team.other_official, comment_id=comment.pk, text_="Hm.")
    with pytest.raises(NotFound):
        comment_resolve(case=case, actor=team.other_official, comment_id=comment.pk)
    with pytest.raises(NotFound):
        selectors.case_get_for_user(user=team.other_official, case_id=case.pk)


def test_empty_text_unknown_targets_and_resolved_threads_are_refused(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    with pytest.raises(InvalidInput) as error:
        comment_add(case=case, actor=team.legal, section_code="scope", text_="  ")
    assert error.value.fields == {"text": ["Enter the comment."]}
    with pytest.raises(NotFound):
        comment_add(case=case, actor=team.legal, section_code="rf99", text_="Hm.")
    with pytest.raises(NotFound):
        comment_reply(case=case, actor=team.legal, comment_id="12345", text_="Hm.")
    comment = comment_add(case=case, actor=team.legal, section_code="scope", text_="Widen it.")
    comment_resolve(case=case, actor=team.official, comment_id=comment.pk)
    with pytest.raises(Conflict):
        comment_reply(case=case, actor=team.legal, comment_id=comment.pk, text_="Hm.")
    with pytest.raises(Conflict):
        comment_resolve(case=case, actor=team.official, comment_id=comment.pk)


def test_a_finished_case_takes_no_comments(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    with committing():
        case = case_services.case_withdraw(case=case, actor=team.sro, reason="Overtaken.")
    with pytest.raises(Conflict):
        comment_add(case=case, actor=team.legal, section_code="scope", text_="Hm.")


def _told(case, user):
    return list(
        Notification.objects.filter(case=case, user=user, kind=Notification.Kind.COMMENT)
        .order_by("created_at")
        .values_list("body", flat=True)
    )


def test_the_people_a_comment_concerns_are_told_without_its_words(team):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    comment = comment_add(case=case, actor=team.legal, section_code="rf8", text_="Secret words.")
    where = f"{case.reference} ({case.title})"
    section = "the section \u201cTriggering factors\u201d"
    for member in (team.lead, team.official):
        [body] = _told(case, member)
        assert body.startswith(f"{team.legal.display_name} commented on {section}")
        assert where in body
        assert "Secret words." not in body
    # Not the author, nor the SRO or the minister, whom the thread does not concern.
    assert _told(case, team.legal) == []
    assert _told(case, team.sro) == []
    assert _told(case, team.minister) == []

    comment_reply(case=case, actor=team.official, comment_id=comment.pk, text_="More words.")
    [answered] = _told(case, team.legal)[-1:]
    assert answered.startswith(f"{team.official.display_name} answered a comment on {section}")
    assert len(_told(case, team.lead)) == 2
    comment_resolve(case=case, actor=team.official, comment_id=comment.pk)
    assert _told(case, team.legal)[-1].startswith(f"{team.official.display_name} resolved")
    # The replier hears of the resolution only if someone else resolved it.
    assert len(_told(case, team.official)) == 1
