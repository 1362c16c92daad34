"""A test whose tool is missing is skipped on a developer's machine and fails in CI
(tests/tools.py), except PostgreSQL in the SQLite smoke run, which goes without it on purpose.

Each case runs pytest in a subprocess, with the suite's own hooks, on a small generated test
file, with no ``make`` on the PATH and SQLite as the database.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import ROOT

pytestmark = pytest.mark.smoke

CONFTEST = """
from tests.tools import pytest_configure, pytest_runtest_setup
"""
TESTS = """
import pytest


@pytest.mark.needs("make")
def test_needs_make():
    pass


@pytest.mark.postgres
def test_needs_postgresql():
    pass


@pytest.mark.smoke
@pytest.mark.postgres
def test_smoke_needs_postgresql():
    pass


def test_needs_nothing():
    pass
"""


def run_pytest(tmp_path: Path, *args: str, ci: str | None) -> tuple[int, dict[str, str], str]:
    """Run the generated tests; return pytest's exit status, each test's outcome and the
    output."""
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_generated.py").write_text(TESTS)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    smoke\n    postgres\n")
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "PYTEST_", "CI"))
    }
    env.update(
        PATH=str(empty),  # no make, nor anything else
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL="sqlite://:memory:",
    )
    if ci is not None:
        env["CI"] = ci
    result = subprocess.run(  # noqa: S603 - this interpreter, running pytest
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--rootdir",
            str(tmp_path),
            "-c",
            str(tmp_path / "pytest.ini"),
            "-v",
            "-rA",
            *args,
            str(tmp_path / "test_generated.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # -v prints "test_generated.py::test_needs_make SKIPPED (…)" as each test ends.
    outcomes = dict(re.findall(r"::(\w+) (PASSED|FAILED|ERROR|SKIPPED)", result.stdout))
    assert outcomes, result.stdout + result.stderr
    return result.returncode, outcomes, result.stdout


def test_a_missing_tool_skips_the_test_outside_ci(tmp_path):
    status, outcomes, _out = run_pytest(tmp_path, ci=None)

    assert status == 0
    assert outcomes == {
        "test_needs_make": "SKIPPED",
        "test_needs_postgresql": "SKIPPED",
        "test_smoke_needs_postgresql": "SKIPPED",
        "test_needs_nothing": "PASSED",
    }


def test_a_missing_tool_fails_the_test_in_ci(tmp_path):
    status, outcomes, out = run_pytest(tmp_path, ci="true")

    assert status == 1
    assert outcomes == {
        "test_needs_make": "ERROR",
        "test_needs_postgresql": "ERROR",
        "test_smoke_needs_postgresql": "ERROR",
        "test_needs_nothing": "PASSED",
    }
    assert "make is missing: install GNU make. With CI=true a missing tool fails" in out
    assert "postgresql is missing" in out


def test_the_sqlite_smoke_run_in_ci_goes_without_postgresql_on_purpose(tmp_path):
    status, outcomes, _out = run_pytest(tmp_path, "-m", "smoke", ci="true")

    assert status == 0
    assert outcomes == {"test_smoke_needs_postgresql": "SKIPPED"}
