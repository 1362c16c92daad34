"""Finding a case from the search box: by reference, situation, country, a warning, or words
in its sections, options and comments; only ever among the cases the user may see."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aia import permissions, search, selectors
from aia.models import Case, Comment, Option, Section, Situation, Trigger
from aia.models.choices import CaseState, Marking
from aia.services import cases as case_services
from aia.services.assessment import section_update
from aia.services.comments import comment_add, comment_reply
from aia.services.options import option_create, option_update
from aia.web.views.search import PAGE_SIZE
from tests.factories import case_in_state, new_case, option_data
from tests.web.helpers import case_url, error_summary, text

pytestmark = pytest.mark.django_db

URL = reverse("web:search")


def _search(client, query, **params):
    return client.get(URL, {"q": query, **params})


def _found(response) -> list[str]:
    """The case links of the results, in page order."""
    return re.findall(
        r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="([^"]+)"',
        (response.content.decode()),
    )


def _scoped(team, analysis: str):
    case = case_in_state(team, CaseState.SCOPING)
    section_update(case=case, actor=team.lead, code="scope", data={"analysis": analysis})
    return case


def test_every_page_has_the_search_box(team, client_for):
    page = client_for(team.lead).get(reverse("web:dashboard")).content.decode()
    assert f'action="{URL}" role="search"' in page
    assert 'name="q"' in page


def test_finds_a_case_by_its_reference(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)
    response = _search(client_for(team.lead), case.reference)
    assert response.status_code == 200
    assert _found(response) == [case_url(case)]
    page = text(response)
    assert "1 case found" in page
    assert "Case reference:" in page
    assert "Scoping" in page  # the state in words, not its name


def test_finds_a_case_by_its_situation(team, client_for):
    case = case_in_state(
        team, CaseState.SCOPING, situation={"country_code": "MM", "name": "Rakhine coast"}
    )
    case_in_state(team, CaseState.SCOPING)  # another case of the team's, elsewhere
    response = _search(client_for(team.lead), "Rakhine")
    assert _found(response) == [case_url(case)]
    assert "Situation:" in text(response)
    assert "<mark>Rakhine</mark> coast (MM)" in response.content.decode()


def test_finds_a_case_by_a_word_in_a_sections_analysis(team, client_for):
    case = _scoped(team, "Militias are massing near the Quorvath river crossing.")
    _scoped(team, "Nothing of note.")
    response = _search(client_for(team.official), "Quorvath")
    assert _found(response) == [case_url(case)]
    page = response.content.decode()
    assert "Section: " in text(response)
    assert "<mark>Quorvath</mark>" in page


def test_finds_a_case_by_an_options_text(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    other = case_in_state(team, CaseState.OPTIONS)
    option_create(
        case=case,
        actor=team.lead,
        data=option_data("sanctions", description="Freeze the assets of the Velmora consortium."),
    )
    response = _search(client_for(team.legal), "Velmora")
    assert _found(response) == [case_url(case)]
    assert case_url(other) not in response.content.decode()
    assert "Sanctions option: Option on sanctions:" in text(response)


def test_finds_a_case_by_a_word_in_a_comment_on_a_section_or_an_option(team, client_for):
    on_section = case_in_state(team, CaseState.ASSESSMENT)
    thread = comment_add(
        case=on_section, actor=team.legal, section_code="rf3", text_="Ask the Velmora liaison."
    )
    on_option = case_in_state(team, CaseState.OPTIONS)
    option = option_create(case=on_option, actor=team.lead, data=option_data("sanctions"))
    comment_add(
        case=on_option, actor=team.sro, option_id=str(option.pk), text_="Check with Velmora."
    )
    case_in_state(team, CaseState.ASSESSMENT)  # a case of the team's with no such comment
    response = _search(client_for(team.official), "Velmora")
    assert sorted(_found(response)) == sorted([case_url(on_section), case_url(on_option)])
    page = text(response)
    assert "Comment on section: " in page
    assert "Comment on option: Option on sanctions:" in page
    assert "<mark>Velmora</mark>" in response.content.decode()
    # A reply is searched like the comment it answers.
    comment_reply(case=on_section, actor=team.lead, comment_id=thread.pk, text_="Done: Tarquel.")
    assert _found(_search(client_for(team.legal), "Tarquel")) == [case_url(on_section)]
    for outsider in (team.other_official, team.other_legal, team.outsider):
        assert _found(_search(client_for(outsider), "Velmora")) == []


def test_a_word_is_found_once_written_and_not_once_removed(team, client_for):
    case = _scoped(team, "Militias gathered at the Quorvath crossing.")
    option_case = case_in_state(team, CaseState.OPTIONS)
    data = option_data("sanctions", rationale="The Dremmor bank finances the militias.")
    option = option_create(case=option_case, actor=team.lead, data=data)
    client = client_for(team.lead)
    assert _found(_search(client, "Quorvath")) == [case_url(case)]
    assert _found(_search(client, "Dremmor")) == [case_url(option_case)]

    section_update(case=case, actor=team.lead, code="scope", data={"analysis": "Ostrava ford."})
    option_update(
        case=option_case,
        actor=team.lead,
        option_id=option.pk,
        data={"rationale": "The Saltmere fund finances them."},
    )
    assert _found(_search(client, "Quorvath")) == []
    assert _found(_search(client, "Dremmor")) == []
    assert _found(_search(client, "Ostrava")) == [case_url(case)]
    assert _found(_search(client, "Saltmere")) == [case_url(option_case)]


def test_never_finds_a_case_of_another_team(team, client_for):
    _scoped(team, "The Quorvath crossing.")
    for outsider in (team.other_official, team.other_legal, team.other_sro, team.outsider):
        response = _search(client_for(outsider), "Quorvath")
        assert response.status_code == 200
        assert _found(response) == []
        assert "0 cases found" in text(response)


def test_never_finds_a_case_above_the_users_clearance(team, client_for):
    case = _scoped(team, "The Quorvath crossing.")
    assert case.marking == Marking.OFFICIAL_SENSITIVE
    team.lead.clearance = Marking.OFFICIAL
    team.lead.save()
    for query in ("Quorvath", case.reference):
        assert _found(_search(client_for(team.lead), query)) == []


def test_each_persona_finds_exactly_the_matching_cases_it_may_see(team, client_for):
    cases = [
        new_case(team),
        case_in_state(team, CaseState.SCOPING),
        case_in_state(team, CaseState.ASSESSMENT),
        case_in_state(team, CaseState.WITH_MINISTER),
        case_in_state(team, CaseState.WITHDRAWN),
    ]
    elsewhere = new_case(team)
    case_services.case_assign(
        case=elsewhere,
        actor=team.other_sro,
        lead_official=team.other_official,
        legal_adviser=team.other_legal,
        officials=[],
        minister=team.other_minister,
    )
    cases.append(elsewhere)
    for case in cases:
        case.refresh_from_db()
    for user in team.everyone().values():
        expected = {case.pk for case in cases if permissions.can_view_case(case, user)}
        found = {case.pk for case in selectors.case_search(user=user, query="Test situation")}
        assert found == expected, user.username
        if user.is_active and not permissions.is_integration_account(user):
            count = len(expected)
            page = text(_search(client_for(user), "Test situation"))
            assert f"{count} case{'s' if count != 1 else ''} found" in page, user.username


def test_the_snippet_escapes_what_people_typed(team, client_for):
    typed = '<script>alert("x")</script> near the Quorvath <b>crossing</b> & ford \ue001\ue000'
    _scoped(team, typed)
    response = _search(client_for(team.lead), "Quorvath")
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "<b>crossing" not in page
    assert "<mark>Quorvath</mark>" in page
    assert "crossing" in page
    assert "&amp; ford" in page
    assert "\ue000" not in page
    assert "\ue001" not in page
    if connection.vendor != "postgresql":  # PostgreSQL's headline leaves out tags altogether
        assert "&lt;b&gt;crossing&lt;/b&gt;" in page


def test_highlight_marks_only_well_formed_pairs_and_escapes_the_rest():
    start, stop = search.START, search.STOP
    marked = f"{stop}<i>{start}a&b{stop}</i>{start}{start}c{stop}"
    assert search.highlight(marked) == "&lt;i&gt;<mark>a&amp;b</mark>&lt;/i&gt;<mark>c</mark>"


def test_an_empty_search_says_what_to_type(team, client_for):
    response = _search(client_for(team.lead), "   ")
    assert response.status_code == 200
    message = "Enter a case reference, a situation, a country or words to search for"
    assert error_summary(response) == [message]
    assert 'class="govuk-error-message"' in response.content.decode()
    assert text(response).startswith("Error:")


def test_the_search_page_opened_from_a_link_shows_no_error(team, client_for):
    response = client_for(team.lead).get(URL)
    assert response.status_code == 200
    assert error_summary(response) == []


def test_results_come_a_page_at_a_time_at_a_constant_query_cost(team, client_for):
    cases = [new_case(team) for _ in range(PAGE_SIZE + 3)]
    client = client_for(team.sro)
    first = _search(client, "Test situation")
    assert len(_found(first)) == PAGE_SIZE
    assert f"{len(cases)} cases found" in text(first)
    assert "Page 1 of 2" in text(first)
    assert 'href="?q=Test+situation&amp;page=2" rel="next"' in first.content.decode()
    second = _search(client, "Test situation", page=2)
    assert len(_found(second)) == 3
    assert set(_found(first)) | set(_found(second)) == {case_url(case) for case in cases}

    def queries(page):
        with CaptureQueriesContext(connection) as captured:
            _search(client, "Test situation", page=page)
        return len(captured)

    # The session, user, code device and permissions; the unread notifications; then the
    # search's own six: the count, the page of cases, and where they matched (warnings,
    # sections, options, comments).
    assert queries(1) == queries(2) <= 15


@pytest.mark.postgres
def test_postgresql_ranks_the_best_match_first_and_highlights_stems(team, client_for):
    in_section = _scoped(team, "Reports of Quorvath militias massing at the border & beyond.")
    in_title = case_in_state(
        team, CaseState.SCOPING, situation={"country_code": "SD", "name": "Quorvath valley"}
    )
    client = client_for(team.lead)
    # Every word must be there: only the section has both.
    assert _found(_search(client, "quorvath militia")) == [case_url(in_section)]
    # A hit in the situation outranks one in a section's text.
    assert _found(_search(client, "Quorvath")) == [case_url(in_title), case_url(in_section)]
    page = _search(client, "militia").content.decode()
    assert "<mark>militias</mark>" in page  # the word's stem matched, and is highlighted
    assert "border &amp; beyond" in page


@pytest.mark.postgres
def test_postgresql_matches_each_kind_of_row_through_its_index(team):
    """The GIN indexes of migration 0017 are on the very expressions the search matches with;
    if the two drift apart the search still works but reads every row, so this says so."""
    from django.contrib.postgres.search import SearchQuery

    rows = {
        "case_search": (Case, search.CASE_FIELDS, "A"),
        "situation_search": (Situation, search.SITUATION_FIELDS, "A"),
        "section_search": (Section, search.SECTION_FIELDS, "D"),
        "option_search": (Option, search.OPTION_FIELDS, "D"),
        "comment_search": (Comment, search.COMMENT_FIELDS, "D"),
        "trigger_search": (Trigger, search.TRIGGER_FIELDS, "B"),
    }
    query = SearchQuery("Quorvath", config=search.CONFIG, search_type="websearch")
    with connection.cursor() as cursor:
        # The tables are nearly empty, so reading them whole is cheaper than any index. Leave
        # the planner only bitmap scans, which need an index the condition can use: without
        # that, it may walk another index end to end (the cases' ordering one) and filter.
        for method in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
    for index, (model, fields, weight) in rows.items():
        matching = model.objects.annotate(document=search._vector(fields, weight))
        plan = matching.filter(document=query).explain()
        assert index in plan, plan
