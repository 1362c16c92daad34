import pytest
from django.test import Client

from tests.signing_in import sign_in_verified


@pytest.fixture
def client_for():
    """Return a test client signed in as the given user (past the one-time code step)."""

    def make(user) -> Client:
        return sign_in_verified(Client(), user)

    return make
