from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aia.models import User


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Start every test with empty throttle counters (they live in the default cache)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_for() -> Callable[[User], APIClient]:
    """Return a client that authenticates as the user with a real API token."""

    def make(user: User) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def anon() -> APIClient:
    return APIClient()
