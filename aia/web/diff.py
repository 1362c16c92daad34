"""What changed in a stage's content since its previous review, in words a reviewer can read.

``stage_diff`` compares the canonical content a reviewer last saw (``Review.content``) with
the stage's content now (``aia.content.stage_content``): section by section for the
assessment, option by option (and gap by gap) for the options. Long text gets a word diff.
Everything here is plain data; the templates escape it like any other user text.
"""

import datetime
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from aia.framework import FrameworkError, get_framework
from aia.models.choices import (
    Capacity,
    Confidence,
    Crime,
    LeadDepartment,
    Level,
    OptionCategory,
    Rating,
    Recommendation,
    RiskTrend,
)
from aia.wording import long_date

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"

SECTION_FIELDS: dict[str, str] = {
    "rating": "Rating",
    "capacity": "UK capacity",
    "exposure": "UK exposure",
    "confidence": "Confidence",
    "period_start": "Start of the period",
    "period_end": "End of the period",
    "groups_at_risk": "Groups at risk",
    "crimes_at_risk": "Crimes at risk",
    "likely_perpetrators": "Likely perpetrators",
    "indicators": "Indicators present",
    "analysis": "Analysis",
    "key_evidence": "Key evidence",
    "sources": "Sources",
}
# The submission's parts, reviewed with the options (aia.content.options_content).
SUBMISSION_FIELDS: dict[str, str] = {
    "issue": "The issue",
    "recommendation": "Recommendation",
    "handling": "Handling and communications",
    "trend": "Which way the risk is moving",
}
OPTION_FIELDS: dict[str, str] = {
    "category": "Category",
    "title": "Title",
    "description": "What the UK would do",
    "target_actors": "Whom it targets",
    "lead_department": "Lead department",
    "expected_effect": "Expected effect",
    "feasibility": "Feasibility",
    "risk_of_harm": "Risk of harm",
    "mitigation": "Mitigation",
    "timeframe": "Timeframe",
    "recommendation": "Recommendation",
    "rationale": "Rationale",
    "withdrawn": "Withdrawn",
    "withdrawal_reason": "Reason for withdrawal",
}
# Free text gets a word diff; everything else is shown as "before → now".
TEXT_FIELDS = {
    "analysis",
    "key_evidence",
    "groups_at_risk",
    "likely_perpetrators",
    "title",
    "description",
    "target_actors",
    "mitigation",
    "rationale",
    "withdrawal_reason",
    "reason",
}
CHOICES: dict[str, Any] = {
    "rating": Rating,
    "capacity": Capacity,
    "exposure": Capacity,
    "confidence": Confidence,
    "category": OptionCategory,
    "lead_department": LeadDepartment,
    "expected_effect": Level,
    "feasibility": Level,
    "risk_of_harm": Level,
    "recommendation": Recommendation,
    "trend": RiskTrend,
}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Segment:
    """A run of words that is unchanged, added or removed."""

    text: str
    change: str  # "same", "added" or "removed"


@dataclass
class FieldChange:
    name: str
    label: str
    before: str
    after: str
    # A word diff for free text; None for short values shown as before → after.
    segments: list[Segment] | None = None
    # For lists (sources, indicators): the entries added and removed.
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class ItemDiff:
    """One section, option or recorded gap, and how it changed."""

    key: str
    title: str
    status: str  # ADDED, REMOVED, CHANGED or UNCHANGED
    changes: list[FieldChange]
    current: dict[str, Any] | None

    @property
    def current_submission(self) -> list[tuple[str, str]]:
        """Return the submission's parts as (label, text), for the review page to show."""
        current = self.current or {}
        return [
            (label, display(name, current[name]) if current.get(name) else "")
            for name, label in SUBMISSION_FIELDS.items()
        ]


@dataclass
class StageDiff:
    has_previous: bool
    items: list[ItemDiff]

    @property
    def changed(self) -> list[ItemDiff]:
        return [item for item in self.items if item.status != UNCHANGED]


# ------------------------------------------------------------------------------
# Values as words
# ------------------------------------------------------------------------------
def display(name: str, value: Any) -> str:
    """Return a field's value as a reader sees it."""
    if value in (None, "", []):
        return "(empty)"
    if name in CHOICES:
        try:
            return str(CHOICES[name](value).label)
        except ValueError:
            return str(value)
    if name == "crimes_at_risk":
        return ", ".join(_crime(v) for v in value)
    if name == "indicators":
        return ", ".join(value)
    if name == "sources":
        return "; ".join(source_line(s) for s in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return written_date(value)


def written_date(value: Any) -> str:
    """A date, stored or kept as ``2026-12-05``, written out as people read it ("5 December
    2026"); anything else as it is."""
    if isinstance(value, datetime.date):
        return long_date(value)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return long_date(datetime.date.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def _crime(value: str) -> str:
    try:
        return str(Crime(value).label)
    except ValueError:
        return value


def source_line(source: dict[str, Any]) -> str:
    parts = [source.get("title") or "(untitled)"]
    if source.get("url"):
        parts.append(source["url"])
    if source.get("date"):
        parts.append(written_date(source["date"]))
    return ", ".join(parts)


def word_diff(before: str, after: str) -> list[Segment]:
    """Return the segments that turn ``before`` into ``after``, word by word.

    A lone unchanged word between two changes is folded into them, so a rewritten sentence
    reads as one removal and one addition rather than a patchwork.
    """
    old, new = _words(before), _words(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index in range(1, len(opcodes) - 1):
        tag, a1, a2, b1, b2 = opcodes[index]
        if tag == "equal" and a2 - a1 <= 1:
            opcodes[index] = ("replace", a1, a2, b1, b2)
    merged: list[list] = []
    for tag, a1, a2, b1, b2 in opcodes:
        changed = tag != "equal"
        if merged and changed and merged[-1][0] != "equal":
            merged[-1][2], merged[-1][4] = a2, b2
        else:
            merged.append(["replace" if changed else "equal", a1, a2, b1, b2])
    segments: list[Segment] = []
    for tag, a1, a2, b1, b2 in merged:
        if tag == "equal":
            segments.append(Segment("".join(old[a1:a2]), "same"))
        else:
            segments.append(Segment("".join(old[a1:a2]), "removed"))
            segments.append(Segment("".join(new[b1:b2]), "added"))
    return [segment for segment in segments if segment.text]


def _words(text: str) -> list[str]:
    """Split text into words, each keeping the whitespace after it."""
    return re.findall(r"\s+|\S+\s*", text or "")


def _field_change(name: str, label: str, before: Any, after: Any) -> FieldChange:
    change = FieldChange(name, label, display(name, before), display(name, after))
    if name in TEXT_FIELDS:
        change.segments = word_diff(before or "", after or "")
    elif isinstance(before, list) or isinstance(after, list):
        render = source_line if name == "sources" else (lambda v: display(name, [v]))
        old = [render(v) for v in before or []]
        new = [render(v) for v in after or []]
        change.added = [v for v in new if v not in old]
        change.removed = [v for v in old if v not in new]
    return change


def _compare(
    key: str, title: str, before: dict | None, after: dict | None, labels: dict[str, str]
) -> ItemDiff:
    if before is None:
        status = ADDED
    elif after is None:
        status = REMOVED
    else:
        status = UNCHANGED
    changes = []
    for name, label in labels.items():
        old = before.get(name) if before else None
        new = after.get(name) if after else None
        if (old in (None, "", [])) and (new in (None, "", [])):
            continue
        if old != new:
            changes.append(_field_change(name, label, old, new))
    if status == UNCHANGED and changes:
        status = CHANGED
    return ItemDiff(key=key, title=title, status=status, changes=changes, current=after)


def section_title(code: str) -> str:
    try:
        return get_framework().section(code).title
    except FrameworkError:
        return code


# ------------------------------------------------------------------------------
# Stages
# ------------------------------------------------------------------------------
def stage_diff(previous: dict[str, Any] | None, current: dict[str, Any]) -> StageDiff:
    """Compare a stage's content as last reviewed (or ``None``) with its content now."""
    if current.get("stage") == "assessment":
        items = _sections_diff(previous, current)
    else:
        items = _options_diff(previous, current)
    if previous is None:
        # Nothing to compare with: everything is simply there, not "added".
        for item in items:
            item.status, item.changes = UNCHANGED, []
    return StageDiff(has_previous=previous is not None, items=items)


def _sections_diff(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[ItemDiff]:
    before = {s["code"]: s for s in (previous or {}).get("sections", [])}
    after = {s["code"]: s for s in current.get("sections", [])}
    codes = list(after) + [code for code in before if code not in after]
    return [
        _compare(code, section_title(code), before.get(code), after.get(code), SECTION_FIELDS)
        for code in codes
    ]


def _options_diff(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[ItemDiff]:
    before = {o["id"]: o for o in (previous or {}).get("options", [])}
    after = {o["id"]: o for o in current.get("options", [])}
    keys = list(after) + [key for key in before if key not in after]
    items = []
    for key in keys:
        option = after.get(key) or before[key]
        title = f"{display('category', option.get('category'))}: {option.get('title', '')}"
        items.append(_compare(key, title, before.get(key), after.get(key), OPTION_FIELDS))
    before_submission = (previous or {}).get("submission")
    if current.get("submission") or before_submission:
        items.append(
            _compare(
                "submission",
                "The submission to the minister",
                before_submission,
                current.get("submission"),
                SUBMISSION_FIELDS,
            )
        )
    gaps_before = {g["category"]: g for g in (previous or {}).get("gaps", [])}
    gaps_after = {g["category"]: g for g in current.get("gaps", [])}
    for category in list(gaps_after) + [c for c in gaps_before if c not in gaps_after]:
        title = f"No {display('category', category).lower()} option: the reason recorded"
        items.append(
            _compare(
                f"gap-{category}",
                title,
                gaps_before.get(category),
                gaps_after.get(category),
                {"reason": "Reason"},
            )
        )
    return items
