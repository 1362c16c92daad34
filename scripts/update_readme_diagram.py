#!/usr/bin/env python3
"""Rewrite the case state diagram in README.md from the code (`make docs-diagram`).

Runs ``manage.py state_diagram`` and replaces everything between the markers

    <!-- state-diagram:start -->
    <!-- state-diagram:end -->

with a fenced ``mermaid`` block of its output. ``--check`` changes nothing and exits 1 when the
README is out of date (usable in CI).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- state-diagram:start -->"
END = "<!-- state-diagram:end -->"


class DiagramError(Exception):
    pass


def as_mermaid_block(diagram: str) -> str:
    """Return the command's output as a fenced mermaid block (it may or may not be fenced)."""
    text = diagram.strip()
    if not text:
        raise DiagramError("state_diagram printed nothing")
    if text.startswith("```"):
        return text
    return f"```mermaid\n{text}\n```"


def replace_block(readme: str, diagram: str) -> str:
    """Return ``readme`` with the text between the markers replaced by ``diagram``."""
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise DiagramError(f"README must contain {START} and {END} exactly once each")
    head, rest = readme.split(START)
    _old, tail = rest.split(END)
    if END in head:
        raise DiagramError(f"{END} comes before {START}")
    return f"{head}{START}\n{as_mermaid_block(diagram)}\n{END}{tail}"


def generate_diagram() -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "state_diagram"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DiagramError(
            f"manage.py state_diagram failed (exit {result.returncode}):\n{result.stderr}"
        )
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--check", action="store_true", help="fail if the README is out of date")
    args = parser.parse_args(argv)

    try:
        readme = args.readme.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"{args.readme} not found", file=sys.stderr)
        return 1
    try:
        updated = replace_block(readme, generate_diagram())
    except DiagramError as exc:
        print(f"{args.readme}: {exc}", file=sys.stderr)
        return 1

    if updated == readme:
        print(f"{args.readme.name}: state diagram is up to date")
        return 0
    if args.check:
        print(f"{args.readme.name}: state diagram is out of date; run `make docs-diagram`")
        return 1
    args.readme.write_text(updated, encoding="utf-8")
    print(f"{args.readme.name}: state diagram updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
