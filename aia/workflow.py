"""Read-only views of the case state machine, derived from the live definition on ``Case``."""

from aia.models import Case
from aia.models.choices import CaseState


def transition_table() -> list[tuple[str, tuple[str, ...], str]]:
    """Return ``(name, sources, target)`` for every transition, sorted by name."""
    table: dict[str, tuple[set[str], str]] = {}
    for transition in Case().get_all_state_transitions():
        sources, _target = table.setdefault(transition.name, (set(), transition.target))
        sources.add(transition.source)
    return sorted(
        (name, tuple(sorted(sources)), target) for name, (sources, target) in table.items()
    )


def mermaid_diagram() -> str:
    """Return a Mermaid ``stateDiagram-v2`` of the case states and transitions."""
    lines = ["stateDiagram-v2", f"    [*] --> {CaseState.TRIGGERED}"]
    for transition in sorted(
        Case().get_all_state_transitions(),
        key=lambda t: ([s.value for s in CaseState].index(t.source), t.name),
    ):
        lines.append(f"    {transition.source} --> {transition.target}: {transition.name}")
    lines.append(f"    {CaseState.CLOSED} --> [*]")
    lines.append(f"    {CaseState.WITHDRAWN} --> [*]")
    return "\n".join(lines) + "\n"
