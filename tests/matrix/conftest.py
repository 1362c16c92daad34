"""Sign-in for the matrix comes only from the shared fixtures (imported, not copied), and the
matrix's size is printed in the terminal summary of every run that includes it."""

import pytest

from tests.api.conftest import api_for  # noqa: F401 - a fixture, used by name
from tests.web.conftest import client_for  # noqa: F401 - a fixture, used by name

MATRIX_SUMMARY = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(MATRIX_SUMMARY, [])
    if lines:
        terminalreporter.write_sep("-", "permission matrix")
        for line in lines:
            terminalreporter.write_line(line)
