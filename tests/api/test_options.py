"""The options register: /api/v1/cases/{id}/options/ and /option-gaps/."""

import pytest

from aia.models import Option, Review
from aia.models.choices import CaseState
from aia.services.options import option_create
from tests.api.helpers import assert_envelope, db_fingerprint, field_errors, queries_for
from tests.factories import case_decided_in_part, case_in_state, fill_options, option_data

pytestmark = pytest.mark.django_db


def options_url(case, option=None):
    return f"/api/v1/cases/{case.pk}/options/{f'{option.pk}/' if option else ''}"


def test_officials_add_options_and_everyone_on_the_case_reads_them(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    response = api_for(team.official).post(options_url(case), option_data("sanctions"))
    assert response.status_code == 201
    created = response.json()
    assert created["category"] == "sanctions"
    assert created["created_by"]["username"] == "official"
    assert created["withdrawn_at"] is None
    listed = api_for(team.legal).get(options_url(case)).json()
    assert [o["id"] for o in listed] == [created["id"]]
    one = api_for(team.auditor).get(f"{options_url(case)}{created['id']}/").json()
    assert one == created


def test_creating_an_option_validates_every_field(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    before = db_fingerprint()
    response = api_for(team.official).post(options_url(case), {"title": "Only a title"})
    assert {
        "category",
        "lead_department",
        "expected_effect",
        "feasibility",
        "risk_of_harm",
        "recommendation",
    } <= set(field_errors(response))
    response = api_for(team.official).post(
        options_url(case), option_data("diplomacy", feasibility="certain", title="x" * 301)
    )
    assert {"feasibility", "title"} <= set(field_errors(response))
    assert db_fingerprint() == before


def test_patching_an_option_changes_the_fields_sent(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    fill_options(case, team.official)
    option = case.options.get(category="legal")
    response = api_for(team.lead).patch(
        options_url(case, option), {"feasibility": "low", "title": "ICJ referral"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["feasibility"], body["title"], body["category"]) == (
        "low",
        "ICJ referral",
        "legal",
    )


def test_deleting_an_option_withdraws_it_and_keeps_it_on_the_record(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    fill_options(case, team.official)
    option = case.options.get(category="leverage")
    response = api_for(team.official).delete(f"{options_url(case, option)}?reason=Superseded.")
    assert response.status_code == 200
    assert response.json()["withdrawn_at"] is not None
    assert response.json()["withdrawal_reason"] == "Superseded."
    listed = api_for(team.official).get(options_url(case)).json()
    assert str(option.pk) in {o["id"] for o in listed}
    before = db_fingerprint()
    again = api_for(team.official).delete(options_url(case, option))
    assert again.status_code == 200
    assert db_fingerprint() == before
    assert_envelope(api_for(team.official).patch(options_url(case, option), {"title": "x"}), 409)


def test_a_change_after_approval_voids_the_approval_visibly(team, api_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    minister = api_for(team.minister)
    minister.post(
        f"/api/v1/cases/{case.pk}/transitions/request_revision/",
        {"comment": "Add a protection option."},
        format="json",
    )
    approval = Review.objects.get(case=case, stage="options", decision="approved")
    assert approval.voided_at is None
    option = case.options.filter(version=case.version).first()
    assert (
        api_for(team.official).patch(options_url(case, option), {"timeframe": "Now"}).status_code
        == 200
    )
    approval.refresh_from_db()
    assert approval.voided_at is not None
    events = api_for(team.auditor).get(f"/api/v1/cases/{case.pk}/events/?page_size=100").json()
    assert "review_voided" in [e["type"] for e in events["results"]]


@pytest.mark.parametrize("who", ["legal", "sro", "auditor"])
def test_only_officials_on_the_team_may_edit_options(team, api_for, who):
    case = case_in_state(team, CaseState.OPTIONS)
    fill_options(case, team.official)
    option = case.options.first()
    client = api_for(team.everyone()[who])
    before = db_fingerprint()
    assert_envelope(client.post(options_url(case), option_data("defence")), 403)
    assert_envelope(client.patch(options_url(case, option), {"title": "x"}), 403)
    assert_envelope(client.delete(options_url(case, option)), 403)
    gap = {"category": "legal", "reason": "None."}
    assert_envelope(client.post(f"/api/v1/cases/{case.pk}/option-gaps/", gap), 403)
    assert db_fingerprint() == before


def test_the_register_is_editable_only_in_options(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS_REVIEW)
    option = case.options.first()
    client = api_for(team.official)
    before = db_fingerprint()
    assert_envelope(client.post(options_url(case), option_data("defence")), 409)
    assert_envelope(client.patch(options_url(case, option), {"title": "x"}), 409)
    assert_envelope(client.delete(options_url(case, option)), 409)
    gap = {"category": "legal", "reason": "None."}
    assert_envelope(client.post(f"/api/v1/cases/{case.pk}/option-gaps/", gap), 409)
    assert db_fingerprint() == before


def test_gaps_record_why_a_core_category_has_no_option(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    client = api_for(team.official)
    url = f"/api/v1/cases/{case.pk}/option-gaps/"
    recorded = client.post(url, {"category": "sanctions", "reason": "Already sanctioned."})
    assert recorded.status_code == 200
    assert recorded.json()[0]["category"] == "sanctions"
    assert recorded.json()[0]["recorded_by"]["username"] == "official"
    assert client.get(url).json() == recorded.json()
    assert "category" in field_errors(client.post(url, {"category": "defence", "reason": "x"}))
    assert client.post(url, {"category": "sanctions", "reason": ""}).json() == []


def test_options_list_takes_a_constant_number_of_queries(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    client = api_for(team.auditor)
    option_create(case=case, actor=team.official, data=option_data("diplomacy"))
    small, _ = queries_for(client, options_url(case))
    for number in range(11):
        option_create(case=case, actor=team.lead, data=option_data("legal", title=f"{number}"))
    large, body = queries_for(client, options_url(case))
    assert len(body) == Option.objects.filter(case=case).count() == 12
    assert small == large


def test_the_api_gives_each_options_decision_or_null(team, api_for):
    case, refused, agreed = case_decided_in_part(team)
    options = api_for(team.sro).get(f"/api/v1/cases/{case.pk}/options/").json()
    decisions = {option["id"]: option["decision"] for option in options}
    assert decisions[str(refused.pk)] == "not_agreed"
    assert all(decisions[str(option.pk)] == "agreed" for option in agreed)
    not_put = case.options.exclude(recommendation="recommended")
    assert all(decisions[str(option.pk)] is None for option in not_put)
    one = api_for(team.sro).get(f"/api/v1/cases/{case.pk}/options/{refused.pk}/").json()
    assert one["decision"] == "not_agreed"
