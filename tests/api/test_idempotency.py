"""An Idempotency-Key makes a POST that creates something safe to repeat."""

import uuid

import pytest

from aia.models import Option, Submission, Trigger
from aia.models.choices import CaseState
from tests.api.helpers import assert_envelope, db_fingerprint
from tests.factories import case_in_state, trigger_data

pytestmark = pytest.mark.django_db

OPTION = {
    "category": "sanctions",
    "title": "Designate the commanders",
    "description": "Asset freezes and travel bans.",
    "lead_department": "hmt_ofsi",
    "expected_effect": "medium",
    "feasibility": "high",
    "risk_of_harm": "low",
    "recommendation": "recommended",
    "rationale": "Targets those responsible.",
}


def options_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/options/"


def post(client, path, body, key):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_an_option_posted_twice_with_one_key_is_created_once(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    client, key = api_for(team.official), str(uuid.uuid4())
    first = post(client, options_url(case), OPTION, key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    again = post(client, options_url(case), OPTION, key)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Option.objects.filter(case=case).count() == 1
    # Without a key, or with a new one, it is another option.
    assert post(client, options_url(case), OPTION, str(uuid.uuid4())).status_code == 201
    assert client.post(options_url(case), OPTION, format="json").status_code == 201
    assert Option.objects.filter(case=case).count() == 3


def test_a_key_used_for_another_request_is_refused(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    client, key = api_for(team.official), "my-key"
    assert post(client, options_url(case), OPTION, key).status_code == 201
    before = db_fingerprint()
    body = assert_envelope(post(client, options_url(case), {**OPTION, "title": "Other"}, key), 409)
    assert "another request" in body["message"]
    assert db_fingerprint() == before


def test_keys_are_each_users_own(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    assert post(api_for(team.official), options_url(case), OPTION, "k").status_code == 201
    assert post(api_for(team.lead), options_url(case), OPTION, "k").status_code == 201
    assert Option.objects.filter(case=case).count() == 2


def test_a_refused_request_keeps_nothing_and_the_key_may_be_used_again(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS)
    client, key = api_for(team.official), "retry-me"
    refused = post(client, options_url(case), {**OPTION, "title": ""}, key)
    assert_envelope(refused, 400)
    assert not Submission.objects.exists()
    assert post(client, options_url(case), {**OPTION, "title": ""}, key).status_code == 400
    assert post(client, options_url(case), OPTION, key).status_code == 201


@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_an_unusable_key_is_a_clear_400(team, api_for, key):
    case = case_in_state(team, CaseState.OPTIONS)
    body = assert_envelope(post(api_for(team.official), options_url(case), OPTION, key), 400)
    assert "Idempotency-Key" in body["extra"]["fields"]
    assert not Option.objects.filter(case=case).exists()


def test_a_trigger_and_a_transition_replay_their_first_answer(team, api_for):
    client, data = api_for(team.sro), trigger_data()
    first = post(client, "/api/v1/triggers/", data, "trigger-1")
    again = post(client, "/api/v1/triggers/", data, "trigger-1")
    # Without the key the repeat would answer 200 (a known trigger); with it, the first 201.
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Trigger.objects.count() == 1
    case = case_in_state(team, CaseState.MONITORING)
    url = f"/api/v1/cases/{case.pk}/transitions/close/"
    closed = post(client, url, {"note": "Done."}, "close-1")
    assert closed.status_code == 200
    # Repeated, the transition is not refused as taken already: the answer is the first one.
    assert post(client, url, {"note": "Done."}, "close-1").json() == closed.json()


def test_the_schema_documents_the_header_on_each_creating_post(schema):
    for path in (
        "/api/v1/triggers/",
        "/api/v1/cases/{case_id}/options/",
        "/api/v1/cases/{case_id}/option-gaps/",
        "/api/v1/cases/{case_id}/transitions/{name}/",
    ):
        parameters = schema["paths"][path]["post"]["parameters"]
        header = [p["in"] for p in parameters if p["name"] == "Idempotency-Key"]
        assert header == ["header"], path


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_option(team, api_for):
    from tests.services.test_concurrency import run_together

    case = case_in_state(team, CaseState.OPTIONS)
    clients = [api_for(team.official) for _ in range(8)]
    responses = run_together(8, lambda i: post(clients[i], options_url(case), OPTION, "same"))
    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["id"] for r in responses}) == 1
    assert Option.objects.filter(case=case).count() == 1
