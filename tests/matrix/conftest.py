"""Sign-in for the matrix comes only from the shared fixtures (imported, not copied)."""

from tests.api.conftest import api_for  # noqa: F401 - a fixture, used by name
from tests.web.conftest import client_for  # noqa: F401 - a fixture, used by name
