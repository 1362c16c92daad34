"""The OpenAPI 3 schema and its docs page."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.api.contract import TRANSITION_NAMES

pytestmark = pytest.mark.django_db

# docs/architecture.md, *The REST API*: every contract path and method.
CONTRACT = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/triggers/": {"get", "post"},
    "/api/v1/cases/": {"get"},
    "/api/v1/cases/{case_id}/": {"get"},
    "/api/v1/cases/{case_id}/transitions/{name}/": {"post"},
    "/api/v1/cases/{case_id}/sections/": {"get"},
    "/api/v1/cases/{case_id}/sections/{code}/": {"get", "patch"},
    "/api/v1/cases/{case_id}/options/": {"get", "post"},
    "/api/v1/cases/{case_id}/options/{option_id}/": {"patch", "delete"},
    "/api/v1/cases/{case_id}/events/": {"get"},
    "/api/v1/cases/{case_id}/reports/": {"get"},
    "/api/v1/cases/{case_id}/bundle/": {"get"},
    "/api/v1/reports/{report_id}/pdf/": {"get"},
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_the_schema_validates_with_no_warnings(tmp_path):
    # The same check as `manage.py spectacular --validate --fail-on-warn`.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")
    assert (tmp_path / "s.yaml").read_text().startswith("openapi: 3.")


def test_every_contract_path_and_method_is_documented(schema):
    for path, methods in CONTRACT.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_the_transition_name_is_documented_as_the_sixteen_names(schema):
    operation = schema["paths"]["/api/v1/cases/{case_id}/transitions/{name}/"]["post"]
    name = next(p for p in operation["parameters"] if p["name"] == "name")
    assert set(name["schema"]["enum"]) == TRANSITION_NAMES
    for field in ("comment", "reason", "lead_official", "legal_adviser", "decision", "note"):
        assert f"`{field}`" in operation["description"]


def test_every_operation_documents_its_errors_in_the_envelope(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert success, (path, method)
        errors = {code for code in responses if code[0] in "45"}
        expected = {"400", "413", "415", "429"} if path.endswith("/auth/token/") else {"401"}
        if "{" in path:
            expected.add("404")
        if method in ("post", "patch") or path.endswith("/auth/token/"):
            expected |= {"400", "413", "415"}
        assert expected <= errors, (path, method, errors)
        for code in errors:
            ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[1] in {"Error", "ValidationError", "ThrottledError"}


def test_every_field_of_every_component_has_a_type(schema):
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            assert spec.keys() & {"type", "$ref", "allOf", "oneOf", "anyOf"}, (name, field)


def test_the_schema_is_served_without_a_token(anon):
    response = anon.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-valid-token")
    assert anon.get("/api/v1/schema/").status_code == 200


def test_the_docs_page_uses_only_local_assets_and_no_inline_script(anon):
    response = anon.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html)
    assert "<script>" not in html  # a strict Content-Security-Policy allows no inline script
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    page_script = next(src for src in scripts if src.startswith("/api/v1/docs/?script"))
    for asset in set(assets) - {page_script}:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    script = anon.get(page_script.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    code = script.content.decode()
    assert "SwaggerUIBundle" in code
    assert "/api/v1/schema/" in code
    assert not re.search(r"https?://", code)
    assert '"validatorUrl": null' in code
