"""docs/configuration.md documents every environment variable the settings read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"


def env_vars_read_by(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("env", "environ")
        )
        # os.getenv("X"), os.environ.get("X"), os.environ.setdefault("X", ...)
        is_os = isinstance(func, ast.Attribute) and (
            (func.attr == "getenv" and ast.unparse(func.value) == "os")
            or (func.attr in ("get", "setdefault") and ast.unparse(func.value) == "os.environ")
        )
        first = node.args[0]
        if (is_env or is_os) and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def documented() -> set[str]:
    table_rows = [line for line in DOC.read_text(encoding="utf-8").splitlines() if "|" in line]
    return {name for row in table_rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}


def test_scanner_finds_settings_variables():
    assert "DATABASE_URL" in env_vars_read_by(ROOT / "config" / "settings" / "base.py")


@pytest.mark.parametrize(
    "path",
    [*sorted((ROOT / "config" / "settings").glob("*.py")), ROOT / "config" / "celery.py"],
    ids=lambda p: p.name,
)
def test_every_settings_variable_is_documented(path):
    missing = sorted(env_vars_read_by(path) - documented())
    assert not missing, f"add {missing} (read in {path.name}) to docs/configuration.md"
