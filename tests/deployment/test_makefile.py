"""The Makefile, CI entry point and helper scripts parse and are wired together."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]
SHELL_SCRIPTS = [ROOT / ".ci" / "run", *sorted((ROOT / "scripts").glob("*.sh"))]

needs_make = pytest.mark.needs("make")


def make_dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "-n", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    assert result.returncode == 0, f"make -n {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


@needs_make
def test_make_test_parses_and_runs_the_test_script():
    out = make_dry_run("test")
    assert "scripts/test.sh" in out
    assert "postgresql redis-server" in out  # the Debian packages the tests need


@needs_make
def test_make_test_passes_pytest_args_through():
    out = make_dry_run("test", "PYTEST_ARGS=-k compose -x")
    assert re.search(r"scripts/test\.sh -k compose -x\s*$", out, re.MULTILINE)


@needs_make
def test_make_run_parses_and_serves_locally():
    out = make_dry_run("run")
    assert "migrate --noinput" in out
    assert "seed_demo --password" in out
    assert "runserver 127.0.0.1:8000" in out
    assert "config.settings.local" in out


@needs_make
@pytest.mark.parametrize(
    "target", ["help", "lint", "format", "migrations-check", "clean", "docs-diagram"]
)
def test_other_targets_parse(target):
    make_dry_run(target)


@needs_make
def test_default_goal_is_help():
    out = make_dry_run()
    assert "awk" in out  # `help` lists the targets with awk


def test_ci_runs_make_test():
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    code = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in code
    assert any(re.fullmatch(r"(exec )?make test( .*)?", line) for line in code)


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_parse(script):
    result = subprocess.run(
        ["bash", "-n", str(script)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_are_strict(script):
    assert "set -euo pipefail" in script.read_text(encoding="utf-8")


def test_test_script_runs_the_steps_in_order():
    text = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    steps = re.findall(r'^run_step "([^"]+)"', text, re.MULTILINE)
    assert steps == [
        "ruff check",
        "ruff format --check",
        "makemigrations --check",
        "start throwaway PostgreSQL and Redis",
        "pytest on PostgreSQL",
        "stop services",
        "pytest -m smoke on SQLite",
    ]
    assert re.search(rf"^TOTAL={len(steps)}$", text, re.MULTILINE)
    assert "trap on_exit EXIT" in text


# -- scripts/update_readme_diagram.py -------------------------------------------------------------


def load_diagram_script():
    spec = importlib.util.spec_from_file_location(
        "update_readme_diagram", ROOT / "scripts" / "update_readme_diagram.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_diagram_block_is_replaced():
    mod = load_diagram_script()
    readme = f"# AIA\n\nintro\n{mod.START}\nold stuff\n{mod.END}\n\nmore\n"
    updated = mod.replace_block(readme, "stateDiagram-v2\n  draft --> triggered\n")
    assert updated == (
        f"# AIA\n\nintro\n{mod.START}\n```mermaid\nstateDiagram-v2\n  draft --> triggered\n```\n"
        f"{mod.END}\n\nmore\n"
    )
    # Idempotent, and an already fenced block is kept as it is.
    assert mod.replace_block(updated, "stateDiagram-v2\n  draft --> triggered") == updated
    fenced = "```mermaid\nstateDiagram-v2\n```"
    assert f"{mod.START}\n{fenced}\n{mod.END}" in mod.replace_block(readme, fenced)


@pytest.mark.parametrize(
    "readme",
    ["no markers", "<!-- state-diagram:start --> only start", "<!-- state-diagram:end --> x"],
)
def test_readme_diagram_needs_both_markers(readme):
    mod = load_diagram_script()
    with pytest.raises(mod.DiagramError):
        mod.replace_block(readme, "stateDiagram-v2")


def test_readme_diagram_rejects_empty_output():
    mod = load_diagram_script()
    with pytest.raises(mod.DiagramError):
        mod.replace_block(f"{mod.START}\n{mod.END}", "  \n")
