import pytest
from django.contrib.auth.models import Group, Permission

from aia.roles import ensure_role_groups
from tests.factories import Team, make_team


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team(db) -> Team:
    # Transactional tests flush the database, data migrations included: restore the roles.
    ensure_role_groups(Group, Permission)
    return make_team()
