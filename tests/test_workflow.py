"""The README shows the state machine as it really is."""

from pathlib import Path

import pytest
from django.core.management import call_command

from aia.workflow import mermaid_diagram

pytestmark = pytest.mark.smoke

README = Path(__file__).resolve().parent.parent / "README.md"


def test_state_diagram_command_prints_the_live_diagram(capsys):
    call_command("state_diagram")
    out = capsys.readouterr().out
    assert out.startswith("stateDiagram-v2")
    assert "sign_off --> signed_off: sign_off" in out
    assert out.count("-->") == 25


def test_readme_diagram_matches_the_live_state_machine():
    text = README.read_text()
    start = text.index("<!-- state-diagram:start -->")
    end = text.index("<!-- state-diagram:end -->")
    block = text[start:end]
    assert f"```mermaid\n{mermaid_diagram()}```" in block, (
        "README's state diagram is stale: run `make docs-diagram`."
    )
