"""Turn a frozen snapshot into what the report template shows.

Presentation only: grouping and numbering options, counting ratings, readable labels for the
places a source is cited, the chart geometry and real date objects for Django's ``date``
filter. Nothing here adds facts to the snapshot, so the same snapshot always gives the same
report.
"""

import datetime
import functools
from collections import Counter
from pathlib import Path
from typing import Any

from aia.models.choices import (
    CORE_OPTION_CATEGORIES,
    OptionCategory,
    Rating,
    Recommendation,
    ReviewDecision,
    Stage,
)
from aia.reports.chart import chart_geometry

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
STYLESHEET = ASSETS_DIR / "report.css"

# The record after the submission, as annexes in the order docs/reports.md gives ("What is in
# it"): (anchor, title). The record details (the hashes) and the audit summary close it.
SECTIONS = (
    ("summary", "Summary and recommended options"),
    ("triggers", "Triggers and knowledge-date chronology"),
    ("scope", "Scope"),
    ("risk", "Risk analysis"),
    ("impact", "UK footprint and the eight AIA dimensions"),
    ("options", "Options by category"),
    ("chart", "Options by expected effect and feasibility"),
    ("legal", "Legal advice record"),
    ("dissents", "Dissents"),
    ("sign_off", "Sign-off"),
    ("sources", "Sources"),
    ("audit", "Record details and audit summary"),
)
# A report that replaces an earlier signed one opens its record with what changed since.
CHANGES_ANNEX = ("changes", "What changed since the last signed report")
# Annexes are lettered A, B, C…
ANNEX_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SECTION_TITLES = tuple(title for _, title in SECTIONS)

# A symbol next to each rating, so that no meaning rests on colour alone.
RATING_SYMBOLS = {
    Rating.PRESENT: "●",
    Rating.PARTIALLY_PRESENT: "◐",
    Rating.ABSENT: "○",
    Rating.UNKNOWN: "?",
}
RECOMMENDATION_SYMBOLS = {
    Recommendation.RECOMMENDED: "●",
    Recommendation.FOR_CONSIDERATION: "○",
    Recommendation.NOT_RECOMMENDED: "□",
}
GROUP_LABELS = {
    "common": "Common to all atrocity crimes",
    "genocide": "Specific to genocide",
    "crimes_against_humanity": "Specific to crimes against humanity",
    "war_crimes": "Specific to war crimes",
}
# Who reviews each stage; the snapshot records the person, the stage implies the role.
STAGE_ROLES = {
    Stage.ASSESSMENT: "Legal adviser",
    Stage.OPTIONS: "Legal adviser",
    Stage.SIGN_OFF: "Senior Responsible Owner",
    Stage.MINISTER: "Minister",
}
_DATE_KEYS = {
    "knowledge_date",
    "finding_date",
    "date",
    "period_start",
    "period_end",
    "decision_needed_by",
}
# The classes the shared submission text takes in the report (the minister's page gives
# GOV.UK ones).
REPORT_CLASSES = {
    "pre": "prewrap",
    "strong": "recommendation",
    "table": "data submission-options",
    "narrow": "narrow",
}
# What a snapshot frozen before the submission existed shows in its place.
NO_SUBMISSION = {
    "issue": "",
    "recommendation": "",
    "handling": "",
    "decision_sought": "",
    "decision_needed_by": None,
    "groups_at_risk": "",
    "trend": "",
}


@functools.cache
def stylesheet() -> str:
    """Return the report's print stylesheet, inlined so the HTML needs nothing else."""
    css = STYLESHEET.read_text(encoding="utf-8")
    # The stylesheet is ours, but a stray closing tag would end the <style> element early.
    if "</" in css:
        raise ValueError("report.css must not contain '</'.")
    return css


def report_context(
    snapshot: dict[str, Any], *, snapshot_hash: str = "", draft: bool = False
) -> dict[str, Any]:
    """Return the template context for the report of ``snapshot``."""
    # _with_dates builds new containers throughout, so the snapshot itself is never changed.
    s = _with_dates(snapshot)
    for rf in s["risk_factors"]:
        rf["rating_symbol"] = RATING_SYMBOLS.get(rf["rating"], "")
        rf["group_label"] = GROUP_LABELS.get(rf["group"], rf["group"])
    for option in s["options"]:
        option["recommendation_symbol"] = RECOMMENDATION_SYMBOLS.get(option["recommendation"], "")
    groups, options = _option_groups(s)
    live = [o for o in options if not o["withdrawn"]]
    # Snapshots frozen before discretionary assessments existed have no such key.
    discretionary = [t for t in s["triggers"] if t.get("discretionary")]
    contents = annexes(changes=bool(s.get("changes")))
    return {
        "s": s,
        "discretionary": discretionary,
        "draft": draft,
        "css": stylesheet(),
        "snapshot_hash": snapshot_hash,
        "hash_halves": (snapshot_hash[:32], snapshot_hash[32:]) if snapshot_hash else None,
        "sections": {entry["anchor"]: entry for entry in contents},
        "contents": contents,
        "submission": {**NO_SUBMISSION, **s.get("submission", {})},
        "legal_view": [
            r for r in s["sign_off"]["approvals"] if r["stage"] in (Stage.ASSESSMENT, Stage.OPTIONS)
        ],
        "current_dissents": [d for d in s["dissents"] if d["version"] == s["case"]["version"]],
        # The shared submission text (_submission_body.html) in the report's own styles.
        "cls": REPORT_CLASSES,
        "hl": 2,
        "idp": "sub-",
        "rating_counts": _rating_counts(s["risk_factors"]),
        "present_factors": [rf for rf in s["risk_factors"] if rf["rating"] == Rating.PRESENT],
        "option_groups": groups,
        "options_numbered": options,
        "recommended": [o for o in live if o["recommendation"] == Recommendation.RECOMMENDED],
        "option_counts": _option_counts(options),
        "chart": chart_geometry(live),
        "reviews": _reviews(s["reviews"]),
        "approvals": _reviews(s["sign_off"]["approvals"]),
        "returns_count": sum(1 for r in s["reviews"] if r["decision"] == ReviewDecision.RETURNED),
        "voided_count": sum(1 for r in s["reviews"] if r["voided_at"]),
        "sources": _sources(s),
        "rating_symbols": {str(k): v for k, v in RATING_SYMBOLS.items()},
    }


def annexes(*, changes: bool = False) -> list[dict[str, str]]:
    """Return the record's annexes in order, each with its anchor, letter and title; with
    ``changes``, the change briefing comes first."""
    sections = (CHANGES_ANNEX, *SECTIONS) if changes else SECTIONS
    return [
        {"anchor": anchor, "number": letter, "title": title}
        for letter, (anchor, title) in zip(ANNEX_LETTERS, sections, strict=False)
    ]


def _with_dates(value: Any, key: str = "") -> Any:
    """Return ``value`` with ISO dates and times turned into objects, recursively."""
    if isinstance(value, dict):
        return {k: _with_dates(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_dates(v, key) for v in value]
    if isinstance(value, str) and value:
        try:
            if key.endswith("_at"):
                return datetime.datetime.fromisoformat(value)
            if key in _DATE_KEYS:
                return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _rating_counts(risk_factors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter(rf["rating"] for rf in risk_factors)
    return [
        {
            "rating": rating.value,
            "label": rating.label,
            "symbol": RATING_SYMBOLS[rating],
            "count": counts.get(rating.value, 0),
        }
        for rating in Rating
    ]


def _option_groups(s: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Group the options by category in the register's order and number them O1, O2, …"""
    gaps = {g["category"]: g["reason"] for g in s["option_gaps"]}
    core = {c.value for c in CORE_OPTION_CATEGORIES}
    numbered: list[dict[str, Any]] = []
    groups = []
    for category in OptionCategory:
        members = [o for o in s["options"] if o["category"] == category]
        for option in members:
            option["number"] = len(numbered) + 1
            numbered.append(option)
        if members or category.value in core or category.value in gaps:
            groups.append(
                {
                    "category": category.value,
                    "label": category.label,
                    "core": category.value in core,
                    "options": members,
                    "gap_reason": gaps.get(category.value, ""),
                }
            )
    # Options in a category the code does not know yet still reach the report.
    known = {c.value for c in OptionCategory}
    strays = [o for o in s["options"] if o["category"] not in known]
    for option in strays:
        option["number"] = len(numbered) + 1
        numbered.append(option)
    if strays:
        groups.append(
            {
                "category": "other",
                "label": "Other categories",
                "core": False,
                "options": strays,
                "gap_reason": "",
            }
        )
    return groups, numbered


def _option_counts(options: list[dict[str, Any]]) -> dict[str, int]:
    live = [o for o in options if not o["withdrawn"]]
    return {
        "total": len(options),
        "recommended": sum(o["recommendation"] == Recommendation.RECOMMENDED for o in live),
        "for_consideration": sum(
            o["recommendation"] == Recommendation.FOR_CONSIDERATION for o in live
        ),
        "not_recommended": sum(o["recommendation"] == Recommendation.NOT_RECOMMENDED for o in live),
        "withdrawn": len(options) - len(live),
    }


def _reviews(reviews: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**review, "number": number, "role": STAGE_ROLES.get(review["stage"], "Reviewer")}
        for number, review in enumerate(reviews, start=1)
    ]


def _sources(s: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the sources with readable names for the places that cite them."""
    places = {"scope": "Scope", "triggers": "Triggers"}
    for rf in s["risk_factors"]:
        places[rf["code"]] = f"RF{rf['number']}"
    places[s["uk_footprint"]["code"]] = "UK footprint"
    for dimension in s["dimensions"]:
        places[dimension["code"]] = dimension["title"]
    for option in s["options"]:
        # Numbered by _option_groups, which report_context runs first.
        places[f"option:{option['id']}"] = f"O{option.get('number', '')}: {option['title']}"
    return [
        {
            **source,
            "number": number,
            "cited_in_labels": [places.get(code, code) for code in source.get("cited_in", [])],
        }
        for number, source in enumerate(s["sources"], start=1)
    ]
