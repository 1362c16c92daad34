"""Returned work comes first: the banner on the case page after a return, comment threads on
sections and options (reply, resolve), and the review page's list of comments."""

import re

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from aia import selectors
from aia.models import Comment
from aia.models.choices import CaseState, EventType
from aia.services import cases as case_services
from aia.services.comments import comment_add, comment_resolve
from tests.factories import case_in_state, committing
from tests.web.helpers import case_url, error_summary, text

pytestmark = pytest.mark.django_db


def _returned(team, state=CaseState.LEGAL_REVIEW, comment="Rework RF8: cite the <b>sources</b>."):
    case = case_in_state(team, state)
    with committing():
        if state == CaseState.LEGAL_REVIEW:
            case_services.case_return_assessment(case=case, actor=team.legal, comment=comment)
        else:
            case_services.case_return_options(case=case, actor=team.legal, comment=comment)
    case.refresh_from_db()
    return case


def _section_url(case, code):
    return case_url(case, "web:section", code=code)


def test_the_case_page_opens_with_who_returned_the_assessment_when_and_why(team, client_for):
    case = _returned(team)
    comment_add(case=case, actor=team.legal, section_code="rf8", text_="No source for this.")
    response = client_for(team.official).get(case_url(case))
    html = response.content.decode()
    banner = html[html.index('id="returned"') : html.index("</ul>", html.index('id="returned"'))]
    # The banner comes before the case's heading.
    assert html.index('id="returned"') < html.index('class="govuk-heading-l"')
    review = case.reviews.get(decision="returned")
    when = date_filter(timezone.localtime(review.created_at), "j F Y")
    page = text(response)
    assert f"{team.legal.display_name} returned the assessment to the officials on {when}." in page
    assert "Rework RF8: cite the &lt;b&gt;sources&lt;/b&gt;." in banner
    assert "<b>sources</b>" not in html
    assert "No source for this." in banner
    assert _section_url(case, "rf8") in banner


def test_the_banner_goes_once_the_stage_is_resubmitted(team, client_for):
    case = _returned(team)
    with committing():
        case_services.case_submit_assessment(case=case, actor=team.lead)
    assert 'id="returned"' not in client_for(team.official).get(case_url(case)).content.decode()


def test_returned_options_show_the_banner_too(team, client_for):
    case = _returned(team, CaseState.OPTIONS_REVIEW, comment="Add a sanctions option.")
    page = text(client_for(team.lead).get(case_url(case)))
    assert "returned the options to the officials on" in page
    assert "Add a sanctions option." in page


def test_a_section_with_an_open_comment_is_returned_until_an_official_resolves_it(team, client_for):
    case = _returned(team)
    legal = client_for(team.legal)
    response = legal.post(
        reverse("web:comment-new", kwargs={"case_id": case.pk}),
        {"section": "rf8", "text": "Which report says so?"},
    )
    assert response.status_code == 302
    assert response["Location"] == _section_url(case, "rf8") + "#comments"

    official = client_for(team.official)
    page = official.get(_section_url(case, "rf8")).content.decode()
    assert 'id="returned-tag"' in page
    assert "1 open comment" in page
    assert "Which report says so?" in page
    assert "Resolve" in page
    # The legal adviser may reply but not resolve.
    legal_page = legal.get(_section_url(case, "rf8")).content.decode()
    assert "/resolve/" not in legal_page

    [thread] = Comment.objects.filter(case=case)
    reply_url = reverse("web:comment-reply", kwargs={"case_id": case.pk, "comment_id": thread.pk})
    official.post(reply_url, {"text": "The mission's report, paragraph 12."})
    page = text(official.get(_section_url(case, "rf8")))
    assert "The mission's report, paragraph 12." in page

    resolve_url = reverse(
        "web:comment-resolve", kwargs={"case_id": case.pk, "comment_id": thread.pk}
    )
    response = official.post(resolve_url, follow=True)
    assert "The comment is resolved." in text(response)
    html = response.content.decode()
    assert 'id="returned-tag"' not in html
    assert "Resolved comments (1)" in text(response)
    assert f"Resolved by {team.official.display_name}" in text(response)
    types = list(case.events.filter(type__startswith="comment_").values_list("type", flat=True))
    assert types == [
        EventType.COMMENT_ADDED,
        EventType.COMMENT_REPLIED,
        EventType.COMMENT_RESOLVED,
    ]
    # The audit trail says what each was.
    assert "Which report says so?" in text(official.get(case_url(case, "web:audit-trail")))


def test_an_empty_comment_is_refused_on_a_page_of_its_own(team, client_for):
    case = _returned(team)
    response = client_for(team.legal).post(
        reverse("web:comment-new", kwargs={"case_id": case.pk}), {"section": "rf8", "text": " "}
    )
    assert response.status_code == 400
    assert error_summary(response) == ["Enter the comment."]
    assert 'name="section" value="rf8"' in response.content.decode()
    assert not Comment.objects.exists()


def test_someone_off_the_case_gets_not_found(team, client_for):
    case = _returned(team)
    comment = comment_add(case=case, actor=team.legal, section_code="rf8", text_="Hm.")
    outsider = client_for(team.other_official)
    assert outsider.get(_section_url(case, "rf8")).status_code == 404
    response = outsider.post(
        reverse("web:comment-new", kwargs={"case_id": case.pk}), {"section": "rf8", "text": "x"}
    )
    assert response.status_code == 404
    for name in ("web:comment-reply", "web:comment-resolve"):
        url = reverse(name, kwargs={"case_id": case.pk, "comment_id": comment.pk})
        assert outsider.post(url, {"text": "x"}).status_code == 404
    assert Comment.objects.count() == 1


def test_the_minister_may_read_but_not_comment(team, client_for):
    case = _returned(team)
    response = client_for(team.minister).post(
        reverse("web:comment-new", kwargs={"case_id": case.pk}), {"section": "rf8", "text": "x"}
    )
    assert response.status_code == 403
    url = reverse("web:comment-new", kwargs={"case_id": case.pk}) + "?section=rf8"
    assert client_for(team.minister).get(url).status_code == 403
    assert client_for(team.legal).get(url).status_code == 200


def test_an_option_carries_its_thread(team, client_for):
    case = _returned(team, CaseState.OPTIONS_REVIEW, comment="Rethink the sanctions.")
    option = selectors.option_list(case=case).first()
    comment_add(case=case, actor=team.legal, option_id=option.pk, text_="Too slow to bite.")
    url = case_url(case, "web:option", option_id=option.pk)
    page = client_for(team.official).get(url).content.decode()
    assert 'id="returned-tag"' in page
    assert "Too slow to bite." in page
    assert "/resolve/" in page


def test_the_review_page_lists_open_and_resolved_comments(team, client_for):
    case = _returned(team)
    first = comment_add(case=case, actor=team.legal, section_code="rf8", text_="Cite it.")
    comment_add(case=case, actor=team.legal, section_code="scope", text_="Widen the period.")
    comment_resolve(case=case, actor=team.official, comment_id=first.pk)
    with committing():
        case_services.case_submit_assessment(case=case, actor=team.lead)
    legal = client_for(team.legal)
    response = legal.get(case_url(case, "web:review"))
    html = response.content.decode()
    open_part = html[html.index('id="open-comments"') : html.index('id="resolved-comments"')]
    resolved_part = html[html.index('id="resolved-comments"') :]
    assert "Widen the period." in open_part
    assert "Cite it." not in open_part
    assert "Cite it." in resolved_part
    assert "Open (1)" in text(response)
    assert "Resolved (1)" in text(response)

    # A comment started from the review page goes back to the item on the review page.
    links = re.findall(r'href="([^"]*comments/new/[^"]*)"', html)
    [link] = [link for link in links if "section=rf8" in link]
    assert "from=review" in link
    form_page = legal.get(link.replace("&amp;", "&"))
    assert form_page.status_code == 200
    assert "Comment on" in text(form_page)
    assert 'name="from" value="review"' in form_page.content.decode()
    response = legal.post(
        reverse("web:comment-new", kwargs={"case_id": case.pk}),
        {"section": "rf8", "text": "One more.", "from": "review"},
    )
    assert response["Location"] == case_url(case, "web:review") + "#item-rf8"


def test_the_task_list_and_options_register_mark_what_has_open_comments(team, client_for):
    case = _returned(team)
    comment_add(case=case, actor=team.legal, section_code="rf8", text_="Which report?")
    comment_add(case=case, actor=team.legal, section_code="rf8", text_="And the date?")
    html = client_for(team.official).get(case_url(case)).content.decode()
    status = html[html.index('id="status-rf8"') :][:200]
    assert "Returned" in status
    assert "2 open comments to deal with" in html
    # Other sections keep their own status.
    assert "Returned" not in html[html.index('id="status-rf1"') :][:200]

    for thread in Comment.objects.filter(case=case):
        comment_resolve(case=case, actor=team.official, comment_id=thread.pk)
    html = client_for(team.official).get(case_url(case)).content.decode()
    assert "Returned" not in html[html.index('id="status-rf8"') :][:200]
    assert "open comment" not in html.split('id="assessment"')[1].split('id="reviews"')[0]


def test_an_option_with_an_open_comment_is_marked_in_the_register(team, client_for):
    case = _returned(team, CaseState.OPTIONS_REVIEW, comment="Add a sanctions option.")
    option = selectors.option_list(case=case).first()
    comment_add(case=case, actor=team.legal, option_id=option.pk, text_="Which partners?")
    html = client_for(team.lead).get(case_url(case)).content.decode()
    register = html.split('id="options"')[1].split('id="reviews"')[0]
    assert "Returned" in register
    assert case_url(case, "web:option", option_id=option.pk) + "#comments" in register
