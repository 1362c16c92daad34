"""The tools and services some tests need, and what becomes of a test without one.

``make test`` (and so CI) provides them all. A test says what it needs with a marker:
``pytest.mark.postgres`` for PostgreSQL, ``pytest.mark.needs("<tool>")`` for the rest (the
names are the keys of ``TOOLS``). Without it, the test is skipped on a developer's machine, but
fails when ``CI=true``: in CI a missing tool is a broken build, never a silent pass. The one
deliberate exception is the SQLite smoke run (``pytest -m smoke``, step 7 of scripts/test.sh),
which goes without PostgreSQL on purpose.

tests/conftest.py installs the hooks below; nothing here imports Django before a test runs.
"""

import importlib.util
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("AIA_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _commands(*names: str) -> Callable[[], bool]:
    return lambda: all(shutil.which(name) for name in names)


# name: (whether it is here, how to get it)
TOOLS: dict[str, tuple[Callable[[], bool], str]] = {
    "postgresql": (_on_postgresql, "set DATABASE_URL to a PostgreSQL database (make test does)"),
    "redis": (_commands("redis-server"), "apt-get install redis-server (make test does)"),
    "chromium": (
        lambda: Path(CHROMIUM).exists() or bool(shutil.which(CHROMIUM)),
        f"apt-get install chromium, or set AIA_CHROMIUM (now {CHROMIUM})",
    ),
    "axe-core": (AXE.exists, "node_modules/axe-core is missing: run `make assets` (npm ci)"),
    "poppler": (_commands("pdftotext", "pdffonts"), "apt-get install poppler-utils"),
    "make": (_commands("make"), "install GNU make"),
    "systemd-analyze": (_commands("systemd-analyze"), "apt-get install systemd (make test does)"),
    "moto": (
        lambda: importlib.util.find_spec("moto") is not None,
        "pip install -r requirements-dev.txt (make test does): moto's S3 server",
    ),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def needed_by(item: pytest.Item) -> list[str]:
    """Return the tools the test's markers say it needs."""
    tools = [marker.args[0] for marker in item.iter_markers("needs")]
    if item.get_closest_marker("postgres"):
        tools.append("postgresql")
    return tools


def missing_on_purpose(tool: str, config: pytest.Config) -> bool:
    """Return whether this run goes without the tool by design: the SQLite smoke run."""
    return tool == "postgresql" and config.getoption("markexpr", default="") == "smoke"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"needs(tool): needs a tool or service, one of {', '.join(TOOLS)} (tests/tools.py)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test whose tool is missing, or fail it under CI; before any fixture runs."""
    for tool in needed_by(item):
        if tool not in TOOLS:
            pytest.fail(f"needs({tool!r}): no such tool in tests/tools.py", pytrace=False)
        present, how = TOOLS[tool]
        if present():
            continue
        reason = f"{tool} is missing: {how}"
        if in_ci() and not missing_on_purpose(tool, item.config):
            pytest.fail(f"{reason}. With CI=true a missing tool fails the test.", pytrace=False)
        pytest.skip(reason)
