from pathlib import Path

import pytest

from tests import tools
from tests.factories import Team, make_team, restore_permissions_and_roles

# A test that needs a missing tool is skipped, or fails with CI=true (tests/tools.py).
pytest_runtest_setup = tools.pytest_runtest_setup


# Tests that share something beyond their own test database (the one Redis server, the compose
# stack, the browser, the SMTP catcher) run on one pytest-xdist worker, one after another; the
# rest are spread over the workers. `make test` runs two.
SHARED_OUTSIDE_THE_DATABASE = ("e2e", "integration", "messaging", "deployment")
SHARED_MODULES = ("test_health.py", "test_tools.py")
# The permission matrix is the longest test by far (about a quarter of the run's work), so it
# must start first: left in collection order it started halfway through and the other worker
# then sat idle while it finished. `--dist loadgroup` hands out the largest groups first, so
# "shared" goes to one worker and this group, the next largest, to the other at the start.
MATRIX = "matrix"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        part = item.path.relative_to(here).parts
        if part[0] in SHARED_OUTSIDE_THE_DATABASE or part[0] in SHARED_MODULES:
            item.add_marker(pytest.mark.xdist_group("shared"))
        elif part[0] == MATRIX:
            item.add_marker(pytest.mark.xdist_group(MATRIX))


# The permission matrix's size, printed in the terminal summary of every run that includes it.
# Its tests attach the line to their report, which pytest-xdist carries from the worker that ran
# them back to the process that prints the summary (a worker's own summary is never shown).
MATRIX_SUMMARY = "permission matrix summary"
_matrix_summaries: list[str] = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        _matrix_summaries.extend(
            value for name, value in report.user_properties if name == MATRIX_SUMMARY
        )


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _matrix_summaries:
        terminalreporter.write_sep("-", "permission matrix")
        for line in _matrix_summaries:
            terminalreporter.write_line(line)


def pytest_configure(config):
    tools.pytest_configure(config)
    config.addinivalue_line(
        "markers", "real_reports: render the full signed report instead of a one-page stand-in"
    )


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _one_page_reports(request, monkeypatch):
    """Render a one-page PDF instead of the full report, outside the tests about reports.

    Most tests walk cases past sign-off for reasons that have nothing to do with the report's
    layout, and the full report takes seconds to lay out. The stand-in is still a real PDF
    rendered by WeasyPrint from the snapshot, through the same service and task, so hashes,
    storage and states behave as they do in production. ``tests/reports`` and tests marked
    ``real_reports`` render the real thing.
    """
    if "tests/reports/" in str(request.node.path) or request.node.get_closest_marker(
        "real_reports"
    ):
        return
    from weasyprint import HTML

    from aia.reports import rendering

    def one_page(snapshot, *, snapshot_hash):
        html = f"<p>{snapshot['case']['reference']} {snapshot_hash}</p>"
        return HTML(string=html, url_fetcher=rendering.SafeURLFetcher()).write_pdf(), 1

    monkeypatch.setattr(rendering, "render_pdf", one_page)


@pytest.fixture
def team(db) -> Team:
    # Transactional tests flush the database, data migrations included.
    restore_permissions_and_roles()
    return make_team()


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    """The API's OpenAPI schema, as drf-spectacular generates it."""
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)
