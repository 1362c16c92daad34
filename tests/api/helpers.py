"""Assertions and small helpers shared by the API tests."""

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aia.models import Case, CaseEvent, Option, OptionGap, Report, Section, Situation, Trigger


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs=kwargs)


def case_url(case: Case, suffix: str = "") -> str:
    return f"/api/v1/cases/{case.pk}/{suffix}"


def transition_url(case: Case, name: str) -> str:
    return case_url(case, f"transitions/{name}/")


def assert_envelope(response, status: int) -> dict[str, Any]:
    """Assert the response is an error of ``status`` in the envelope, and return its body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "extra"}, body
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["extra"], dict)
    return body


def field_errors(response, status: int = 400) -> dict[str, list[str]]:
    return assert_envelope(response, status)["extra"]["fields"]


def db_fingerprint() -> dict[str, Any]:
    """Return what a refused request must leave unchanged: row counts and every case's state."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Case, CaseEvent, Option, OptionGap, Report, Section, Situation, Trigger)
        },
        "cases": sorted(
            Case.objects.values_list("pk", "state", "version", "event_count", "marking")
        ),
        "sections": sorted(
            Section.objects.values_list("pk", "status", "analysis", "rating", "updated_at")
        ),
        "options": sorted(Option.objects.values_list("pk", "title", "withdrawn_at")),
    }


def queries_for(client, path: str, params: dict | None = None) -> tuple[int, dict[str, Any]]:
    """Return how many queries a GET took, and its JSON body."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content[:500]
    return len(queries), response.json()
