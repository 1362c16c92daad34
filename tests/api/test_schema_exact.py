"""What a client generated from the schema needs, and what the server does to match it:
one exact body per transition and per section kind, refused unknown fields, shared enums,
the PDF as bytes, and the token sent as ``Bearer``."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aia.api.views.sections import SECTION_KINDS
from aia.framework import RISK_FACTOR_CODES
from aia.models.choices import CaseState
from aia.services.assessment import EDITABLE_FIELDS
from aia.services.transitions import TRANSITIONS
from tests.factories import case_in_state, new_case

pytestmark = pytest.mark.django_db

CASE = "/api/v1/cases/{case_id}/"


def component(schema, ref_holder: dict) -> dict:
    name = ref_holder["$ref"].rsplit("/", 1)[1]
    return schema["components"]["schemas"][name]


def body_schema(schema, path: str, method: str) -> dict | None:
    body = schema["paths"][path][method].get("requestBody")
    if body is None:
        return None
    return component(schema, body["content"]["application/json"]["schema"])


def test_each_transition_has_its_own_operation_with_exactly_its_inputs(schema):
    for name, spec in TRANSITIONS.items():
        body = body_schema(schema, f"{CASE}transitions/{name}/", "post")
        if not spec.inputs:
            assert body is None, name
            continue
        assert set(body["properties"]) == set(spec.input_names()), name
        assert set(body.get("required", [])) == {i.name for i in spec.inputs if i.required}
        assert body["additionalProperties"] is False, name


def test_each_section_has_its_kinds_body_and_answer_and_nothing_else(schema):
    for code in ("scope", RISK_FACTOR_CODES[0], "uk_footprint"):
        item = schema["paths"][f"{CASE}sections/{code}/"]
        body = body_schema(schema, f"{CASE}sections/{code}/", "patch")
        answer = component(
            schema, item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        )
        fields = set(EDITABLE_FIELDS[SECTION_KINDS[code]])
        assert set(body["properties"]) == fields, code
        assert body["additionalProperties"] is False
        assert fields <= set(answer["properties"]), code
        others = set().union(*EDITABLE_FIELDS.values()) - fields
        assert not others & set(answer["properties"]), code


def test_every_request_body_refuses_fields_it_does_not_declare(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None or "$ref" not in media["schema"]:
                continue
            body = component(schema, media["schema"])
            if "properties" in body:
                assert body["additionalProperties"] is False, (method, path)


def test_choices_in_paths_and_queries_reuse_the_component_enums(schema):
    inline = [
        (path, parameter["name"])
        for path, item in schema["paths"].items()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if "enum" in parameter["schema"] and parameter["name"] != "name"
    ]
    assert inline == []
    cases = schema["paths"]["/api/v1/cases/"]["get"]["parameters"]
    state = next(p for p in cases if p["name"] == "state")
    assert state["schema"]["$ref"].endswith("/CaseStateEnum")


def test_a_sections_answer_types_its_choices_and_lacks_other_kinds_fields(team, api_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    client = api_for(team.official)
    factor = client.get(f"/api/v1/cases/{case.pk}/sections/rf1/").json()
    assert factor["rating"] == ""
    assert "capacity" not in factor
    assert "exposure" not in factor
    footprint = client.get(f"/api/v1/cases/{case.pk}/sections/uk_footprint/").json()
    assert "rating" not in footprint
    assert "indicators" not in footprint


def test_a_transition_refuses_a_field_of_another_transition(team, api_for):
    case = new_case(team)
    answer = api_for(team.sro).post(
        f"/api/v1/cases/{case.pk}/transitions/assign/",
        {"lead_official": "lead", "legal_adviser": "legal", "reason": "x"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["extra"]["fields"]["reason"] == [
        f"Not needed to {TRANSITIONS['assign'].phrase}."
    ]


def test_a_name_that_is_not_a_transition_is_404_listing_them(team, api_for):
    case = new_case(team)
    answer = api_for(team.sro).post(f"/api/v1/cases/{case.pk}/transitions/nope/", {})
    assert answer.status_code == 404
    assert set(answer.json()["extra"]["transitions"]) == set(TRANSITIONS)


def test_the_pdf_is_served_as_bytes_to_a_client_that_asks_for_them(team, api_for, schema):
    case = case_in_state(team, CaseState.SIGNED_OFF)
    url = f"/api/v1/reports/{case.reports.get().pk}/pdf/"
    client = api_for(team.legal)
    as_bytes = client.get(url, HTTP_ACCEPT="application/octet-stream")
    assert as_bytes.status_code == 200
    assert as_bytes["Content-Type"] == "application/octet-stream"
    assert b"".join(as_bytes.streaming_content).startswith(b"%PDF")
    for accept in ("application/pdf", "*/*", "application/pdf, application/octet-stream;q=0.5"):
        assert client.get(url, HTTP_ACCEPT=accept)["Content-Type"] == "application/pdf", accept
    documented = schema["paths"]["/api/v1/reports/{report_id}/pdf/"]["get"]["responses"]["200"]
    assert set(documented["content"]) == {"application/pdf", "application/octet-stream"}


def test_the_token_works_after_bearer_as_after_token(team, schema):
    key = Token.objects.create(user=team.official).key
    for keyword in ("Token", "Bearer", "bearer"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
        assert client.get("/api/v1/cases/").status_code == 200, keyword
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    answer = client.get("/api/v1/cases/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Token"
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    security = schema["paths"]["/api/v1/cases/"]["get"]["security"]
    assert {"bearerAuth": []} in security
    assert {"tokenAuth": []} in security
