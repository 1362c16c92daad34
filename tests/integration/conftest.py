import pytest

from tests.integration.stack import RedisServer


@pytest.fixture
def redis():
    """A throwaway redis-server for the test, which it may stop and start again."""
    server = RedisServer()
    server.start()
    yield server
    server.close()
