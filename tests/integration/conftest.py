import pytest

from tests.api.conftest import api_for  # noqa: F401 - a fixture, used by name
from tests.integration.stack import RedisServer
from tests.web.conftest import client_for  # noqa: F401 - a fixture, used by name


@pytest.fixture
def redis():
    """A throwaway redis-server for the test, which it may stop and start again."""
    server = RedisServer()
    server.start()
    yield server
    server.close()
