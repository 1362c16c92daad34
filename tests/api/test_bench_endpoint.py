"""GET/POST /api/v1/_bench/ping/, the bare endpoint bench/api_bench.py compares against."""

import pytest

from tests.api.helpers import assert_envelope

pytestmark = pytest.mark.django_db

PING = "/api/v1/_bench/ping/"


def test_the_bench_endpoint_does_not_exist_unless_enabled(team, api_for, settings):
    settings.AIA_BENCH_ENDPOINTS = False
    assert_envelope(api_for(team.sro).get(PING), 404)


def test_the_enabled_bench_endpoint_answers_behind_token_authentication(
    team, api_for, anon, settings
):
    settings.AIA_BENCH_ENDPOINTS = True
    assert api_for(team.sro).get(PING).json() == {"ok": True}
    posted = api_for(team.sro).post(PING, {"a": 1, "b": 2}, format="json")
    assert posted.json() == {"ok": True, "fields": 2}
    assert_envelope(anon.get(PING), 401)


def test_the_bench_endpoint_is_not_in_the_schema(anon):
    assert "_bench" not in anon.get("/api/v1/schema/?format=json").content.decode()
