import pytest

from tests.factories import Team, make_team


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team(db) -> Team:
    return make_team()
