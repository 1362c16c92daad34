import pytest
from django.test import Client


@pytest.fixture
def client_for():
    """Return a test client signed in as the given user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
