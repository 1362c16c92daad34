"""PostgreSQL connections prepare repeated statements unless turned off for a pooler."""

import pytest
from django.db import connection

from config.settings.base import database_from_url

POSTGRES = "postgres://aia@db.example:5432/aia"


def test_postgresql_binds_parameters_on_the_server_and_prepares_repeated_statements(
    monkeypatch,
):
    monkeypatch.delenv("AIA_DB_PREPARED_STATEMENTS", raising=False)
    database = database_from_url(POSTGRES)
    assert database["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    assert database["ATOMIC_REQUESTS"] is False


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    monkeypatch.setenv("AIA_DB_PREPARED_STATEMENTS", "false")
    assert "server_side_binding" not in database_from_url(POSTGRES).get("OPTIONS", {})


def test_sqlite_is_left_as_it_is():
    assert database_from_url("sqlite:///:memory:").get("OPTIONS", {}) == {}


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_test_database_connection_prepares_statements():
    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 5
    with connection.cursor() as cursor:
        for _ in range(6):
            cursor.execute("SELECT %s::int + 1", [41])
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1
