"""Malformed JSON, wrong types, unknown fields, oversized bodies, unknown transition names and
forged IDs each get a 4xx in the error envelope and change nothing."""

import uuid

import pytest
from rest_framework.test import APIClient

from aia.models.choices import CaseState
from tests.api.helpers import assert_envelope, db_fingerprint
from tests.factories import case_in_state, fill_options, new_case, trigger_data

pytestmark = pytest.mark.django_db


def path_for(name: str, team) -> str:
    """Create just what the endpoint needs and return its path."""
    if name == "triggers":
        return "/api/v1/triggers/"
    if name == "token":
        return "/api/v1/auth/token/"
    if name == "assign":
        return f"/api/v1/cases/{new_case(team).pk}/transitions/assign/"
    if name in ("transition", "section"):
        case = case_in_state(team, CaseState.ASSESSMENT)
        if name == "section":
            return f"/api/v1/cases/{case.pk}/sections/rf1/"
        return f"/api/v1/cases/{case.pk}/transitions/submit_assessment/"
    case = case_in_state(team, CaseState.OPTIONS)
    fill_options(case, team.official)
    if name == "option":
        return f"/api/v1/cases/{case.pk}/options/{case.options.first().pk}/"
    return f"/api/v1/cases/{case.pk}/{name}/"


@pytest.fixture
def target(team, name) -> str:
    return path_for(name, team)


# Which user writes to which endpoint (one who could succeed with a valid body).
WRITERS = {
    "triggers": ("post", "sro"),
    "transition": ("post", "lead"),
    "assign": ("post", "sro"),
    "section": ("patch", "official"),
    "options": ("post", "official"),
    "option": ("patch", "official"),
    "option-gaps": ("post", "official"),
    "token": ("post", None),
}

# A wrong type and an unknown field for each endpoint's body.
WRONG_TYPES = {
    "triggers": trigger_data(title=42, crimes="genocide", situation="Sudan"),
    "transition": {"comment": ["not", "text"], "officials": "lead"},
    "assign": {"lead_official": 7, "legal_adviser": True, "officials": "official"},
    "section": {"rating": 3, "analysis": {"text": "x"}, "sources": "none"},
    "options": {"category": 1, "title": None, "expected_effect": ["high"]},
    "option": {"title": 12},
    "option-gaps": {"category": "leverage", "reason": 5},
    "token": {"username": 1, "password": 2},
}
UNKNOWN_FIELDS = {
    "triggers": trigger_data(severity="high"),
    "transition": {"severity": "high"},
    "assign": {"lead_official": "lead", "legal_adviser": "legal", "sro": "other_sro"},
    "section": {"analysis": "Text.", "owner": "me"},
    "options": {"category": "diplomacy", "title": "T", "owner": "me"},
    "option": {"title": "New title", "owner": "me"},
    "option-gaps": {"category": "leverage", "reason": "None.", "owner": "me"},
    "token": {"username": "sro", "password": "x", "remember": True},
}


def client_for(name, team, api_for) -> APIClient:
    username = WRITERS[name][1]
    return api_for(team.everyone()[username]) if username else APIClient()


def send(client, name, path, body: bytes, content_type="application/json"):
    method = WRITERS[name][0]
    return getattr(client, method)(path, body, content_type=content_type)


MALFORMED = {
    "truncated": b"{",
    "trailing-comma": b'{"comment": "x",}',
    "open-array": b"[1, 2",
    "not-utf8": b"\xff\xfe",
    "nan": b'{"a": NaN}',
    "deeply-nested": b"[" * 5000 + b"]" * 5000,
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_malformed_json_is_400_and_changes_nothing(target, team, api_for, subtests, name):
    before = db_fingerprint()
    for kind, body in MALFORMED.items():
        with subtests.test(body=kind):
            response = send(client_for(name, team, api_for), name, target, body)
            assert_envelope(response, 400)
    assert db_fingerprint() == before


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_wrong_types_are_400_with_field_errors_and_change_nothing(target, team, api_for, name):
    before = db_fingerprint()
    response = send(client_for(name, team, api_for), name, target, _json(WRONG_TYPES[name]))
    body = assert_envelope(response, 400)
    assert body["extra"]["fields"]
    assert db_fingerprint() == before


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_unknown_fields_are_400_naming_them_and_change_nothing(target, team, api_for, name):
    before = db_fingerprint()
    response = send(client_for(name, team, api_for), name, target, _json(UNKNOWN_FIELDS[name]))
    fields = assert_envelope(response, 400)["extra"]["fields"]
    unknown = set(UNKNOWN_FIELDS[name]) - set(WRONG_TYPES[name]) - set(trigger_data())
    assert unknown & set(fields), fields
    assert db_fingerprint() == before


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_oversized_bodies_are_413_and_change_nothing(target, team, api_for, name, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = db_fingerprint()
    body = _json({"comment": "x" * 20_000})
    response = send(client_for(name, team, api_for), name, target, body)
    assert_envelope(response, 413)
    assert db_fingerprint() == before


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_bodies_that_are_not_objects_are_400_and_change_nothing(target, team, api_for, name):
    before = db_fingerprint()
    for body in (b"[]", b'"text"', b"42", b"null"):
        response = send(client_for(name, team, api_for), name, target, body)
        assert_envelope(response, 400)
    assert db_fingerprint() == before


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_form_encoded_bodies_are_415(target, team, api_for, name):
    before = db_fingerprint()
    response = send(
        client_for(name, team, api_for),
        name,
        target,
        b"comment=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert_envelope(response, 415)
    assert db_fingerprint() == before


@pytest.mark.parametrize("transition", ["approve", "sign-off", "SIGN_OFF", "delete", "__init__"])
def test_unknown_transition_names_are_404_and_change_nothing(team, api_for, transition):
    case = new_case(team)
    before = db_fingerprint()
    response = api_for(team.sro).post(
        f"/api/v1/cases/{case.pk}/transitions/{transition}/", {}, format="json"
    )
    body = assert_envelope(response, 404)
    assert "assign" in body["extra"]["transitions"]
    assert db_fingerprint() == before


def test_forged_ids_are_404_and_change_nothing(team, api_for):
    case = new_case(team)
    option_case = case_in_state(team, CaseState.OPTIONS)
    fill_options(option_case, team.official)
    option = option_case.options.first()
    forged = uuid.uuid4()
    client = api_for(team.official)
    before = db_fingerprint()
    requests = [
        ("get", f"/api/v1/cases/{forged}/", None),
        ("get", "/api/v1/cases/not-a-uuid/", None),
        ("get", "/api/v1/cases/1/", None),
        ("post", f"/api/v1/cases/{forged}/transitions/assign/", {}),
        ("get", f"/api/v1/cases/{forged}/sections/", None),
        ("patch", f"/api/v1/cases/{forged}/sections/rf1/", {"analysis": "x"}),
        ("get", f"/api/v1/cases/{case.pk}/sections/rf99/", None),
        ("patch", f"/api/v1/cases/{option_case.pk}/sections/rf99/", {"analysis": "x"}),
        ("get", f"/api/v1/cases/{forged}/options/", None),
        ("post", f"/api/v1/cases/{forged}/options/", {"title": "x"}),
        ("patch", f"/api/v1/cases/{option_case.pk}/options/{forged}/", {"title": "x"}),
        ("delete", f"/api/v1/cases/{option_case.pk}/options/{forged}/", None),
        # An option exists, but under another case.
        ("patch", f"/api/v1/cases/{case.pk}/options/{option.pk}/", {"title": "x"}),
        ("post", f"/api/v1/cases/{forged}/option-gaps/", {"category": "legal", "reason": "x"}),
        ("get", f"/api/v1/cases/{forged}/events/", None),
        ("get", f"/api/v1/cases/{forged}/reports/", None),
        ("get", f"/api/v1/reports/{forged}/pdf/", None),
        ("get", "/api/v1/reports/not-a-uuid/pdf/", None),
    ]
    for method, path, body in requests:
        response = getattr(client, method)(path, body, format="json")
        assert_envelope(response, 404)
    assert db_fingerprint() == before


def test_cases_the_user_may_not_see_are_404_like_missing_ones(team, api_for):
    case = new_case(team)  # unassigned: seen by SROs and auditors only
    before = db_fingerprint()
    for path in ("", "sections/", "sections/scope/", "options/", "events/", "reports/"):
        missing = api_for(team.outsider).get(f"/api/v1/cases/{uuid.uuid4()}/{path}")
        hidden = api_for(team.outsider).get(f"/api/v1/cases/{case.pk}/{path}")
        assert assert_envelope(hidden, 404) == assert_envelope(missing, 404)
    response = api_for(team.official).post(
        f"/api/v1/cases/{case.pk}/transitions/withdraw/", {"reason": "x"}, format="json"
    )
    assert_envelope(response, 404)
    assert db_fingerprint() == before


def test_unknown_routes_under_the_api_are_404_in_the_envelope(api_for, team, anon):
    for client in (anon, api_for(team.sro)):
        for path in ("/api/v1/nothing/", "/api/v1/cases/x/y/z/", "/api/v1/cases", "/api/v1/"):
            assert_envelope(client.get(path), 404)
        assert_envelope(client.post("/api/v1/nothing/", {}, format="json"), 404)


def test_a_route_that_does_not_exist_promises_no_methods(anon):
    # An ``Allow`` header on a 404 would tell a client which methods the missing route takes.
    for method in ("get", "options", "post"):
        response = getattr(anon, method)("/api/v1/cases/0/transitions/0/")
        assert_envelope(response, 404)
        assert not response.has_header("Allow")


def test_methods_an_endpoint_does_not_have_are_405(team, api_for):
    client = api_for(team.sro)
    case = new_case(team)
    assert_envelope(client.delete("/api/v1/triggers/"), 405)
    assert_envelope(client.put(f"/api/v1/cases/{case.pk}/", {}, format="json"), 405)
    assert_envelope(client.get(f"/api/v1/cases/{case.pk}/transitions/assign/"), 405)
    assert_envelope(client.post("/api/v1/cases/", {}, format="json"), 405)


@pytest.mark.parametrize("debug", [False, True])
def test_a_foreign_host_under_the_api_is_400_in_the_envelope(
    team, api_for, settings, caplog, debug
):
    settings.DEBUG = debug
    client = api_for(team.sro)
    before = db_fingerprint()
    for response in (
        client.get("/api/v1/cases/", HTTP_HOST="evil.example"),
        client.get("/api/v1/nothing/", HTTP_HOST="evil.example"),
        client.post("/api/v1/triggers/", trigger_data(), format="json", HTTP_HOST="evil.example"),
    ):
        body = assert_envelope(response, 400)
        assert body["message"] == "This service does not answer to that host name."
        assert body["extra"] == {"fields": {}}
        # Never Django's page, nor (with DEBUG) its list of settings.
        assert b"ALLOWED_HOSTS" not in response.content
        assert b"evil.example" not in response.content
    assert db_fingerprint() == before
    # Still in the security log, as Django writes it.
    refused = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(refused) == 3
    assert "evil.example" in refused[0].getMessage()


@pytest.mark.parametrize("debug", [False, True])
def test_a_foreign_host_outside_the_api_keeps_djangos_answer(settings, debug):
    settings.DEBUG = debug
    response = APIClient().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_paths_anywhere_under_the_api_are_404_in_the_envelope(anon, settings, debug):
    settings.DEBUG = debug
    for path in ("/api/", "/api/v2/cases/", "/api/v1", "/api/v1/nothing/"):
        for method in ("get", "post", "delete"):
            body = assert_envelope(getattr(anon, method)(path), 404)
            assert body == {"message": "There is no such endpoint.", "extra": {"path": path}}


def test_the_schema_and_docs_answer_a_wrong_method_with_405_in_the_envelope(anon):
    for path in ("/api/v1/schema/", "/api/v1/docs/"):
        response = anon.post(path, {}, format="json")
        assert_envelope(response, 405)
        assert response["Allow"]


def test_an_unexpected_error_with_debug_on_is_a_500_in_the_envelope(
    team, api_for, settings, monkeypatch
):
    settings.DEBUG = True

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("aia.selectors.case_list_for_user", broken)
    client = api_for(team.sro)
    client.raise_request_exception = False
    response = client.get("/api/v1/cases/")
    body = assert_envelope(response, 500)
    assert body["message"] == "Something went wrong on our side. The error has been logged."
    assert b"a bug" not in response.content


def test_requests_without_a_valid_token_are_401(anon, team):
    case = new_case(team)
    for path in ("/api/v1/cases/", f"/api/v1/cases/{case.pk}/", "/api/v1/triggers/"):
        response = anon.get(path)
        assert_envelope(response, 401)
        assert response["WWW-Authenticate"] == "Token"
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_envelope(anon.get("/api/v1/cases/"), 401)
    before = db_fingerprint()
    assert_envelope(anon.post("/api/v1/triggers/", trigger_data(), format="json"), 401)
    assert db_fingerprint() == before


def _json(data) -> bytes:
    import json

    return json.dumps(data).encode()
