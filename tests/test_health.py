import socket

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_health_is_ok_with_the_database_and_no_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["database"] == "up"
    assert response.json()["broker"].startswith("not configured")


def test_health_is_unavailable_when_the_broker_is_down(client, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"  # nothing listens there
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "up", "broker": "down"}
