"""What changed between two signed reports of a case, from their frozen snapshots.

When a monitored case is reopened, or a minister sends a signed report back and a revised one
is signed, the reader of the new report needs to see what is different without laying two
long documents side by side. ``snapshot_changes`` compares the two snapshots and returns
plain data: what was added, what changed (with the old and the new text) and what was
withdrawn or removed. The result is frozen into the new snapshot, which is hashed, so it must
be JSON-ready and the same snapshots must always give the same bytes: everything here is a
pure function and every list has a fixed order.
"""

import datetime
from typing import Any

# The kinds of thing compared, in the order the annex lists them.
KIND_LABELS = {
    "trigger": "Trigger",
    "section": "Assessment section",
    "option": "Option",
    "option_gap": "Option category without an option",
}
_KIND_ORDER = {kind: index for index, kind in enumerate(KIND_LABELS)}

# The fields of each part of the record that a reader would call its content, with the label
# a reader sees; coded values are compared by their labels, which is what the report prints.
SCOPE_FIELDS = (
    ("analysis", "Analysis"),
    ("period_start", "Start of the period assessed"),
    ("period_end", "End of the period assessed"),
    ("groups_at_risk", "Groups at risk"),
    ("crimes_at_risk", "Crimes at risk"),
    ("likely_perpetrators", "Likely perpetrators"),
)
RISK_FACTOR_FIELDS = (
    ("rating_label", "Rating"),
    ("confidence_label", "Confidence"),
    ("indicators", "Indicators"),
    ("key_evidence", "Key evidence"),
    ("analysis", "Analysis"),
)
FOOTPRINT_FIELDS = (
    ("level_label", "UK exposure"),
    ("confidence_label", "Confidence"),
    ("analysis", "Analysis"),
)
DIMENSION_FIELDS = (
    ("level_label", "UK capacity"),
    ("confidence_label", "Confidence"),
    ("analysis", "Analysis"),
)
OPTION_FIELDS = (
    ("title", "Title"),
    ("category_label", "Category"),
    ("recommendation_label", "Recommendation"),
    ("description", "Description"),
    ("target_actors", "Target actors"),
    ("lead_department_label", "Lead department"),
    ("expected_effect_label", "Expected effect"),
    ("feasibility_label", "Feasibility"),
    ("risk_of_harm_label", "Risk of harm"),
    ("mitigation", "Mitigation"),
    ("timeframe", "Timeframe"),
    ("rationale", "Rationale"),
)
TRIGGER_FIELDS = (
    ("finding_label", "Finding"),
    ("finding_date", "Date of the finding"),
    ("summary", "Summary"),
    ("groups_at_risk", "Groups at risk"),
)
SOURCES_FIELD = ("sources", "Sources cited")
# Fields whose change is a change of judgement: the annex's summary counts them apart.
RATING_FIELDS = frozenset({"rating_label", "level_label", "recommendation_label"})


def snapshot_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Return what was added, changed and withdrawn between the ``old`` and ``new`` snapshots.

    Each item names its kind, a readable label and its fields; a changed field carries the
    old and the new text (coded values as their labels), an added item only new text and a
    withdrawn item only old text. Options are matched by their ID, which a reopened case
    carries forward; an option withdrawn in the new snapshot counts as withdrawn.
    """
    old_parts = _parts(old)
    new_parts = _parts(new)
    added, changed, withdrawn = [], [], []
    for key in sorted(
        set(old_parts) | set(new_parts), key=lambda k: _order(old_parts, new_parts, k)
    ):
        before, after = old_parts.get(key), new_parts.get(key)
        if before is None or before["withdrawn"]:
            if after is not None and not after["withdrawn"]:
                added.append(_item(after, _fields(None, after)))
        elif after is None or after["withdrawn"]:
            withdrawn.append(_withdrawn_item(before, after))
        else:
            fields = _fields(before, after)
            if fields:
                changed.append(_item(after, fields))
    return {
        "added": added,
        "changed": changed,
        "withdrawn": withdrawn,
        "counts": {
            "added": len(added),
            "changed": len(changed),
            "withdrawn": len(withdrawn),
            "ratings_changed": sum(
                1 for item in changed for f in item["fields"] if f["name"] in RATING_FIELDS
            ),
        },
    }


def changes_summary(changes: dict[str, Any]) -> str:
    """Return the change annex in one plain sentence, for the summary or a contents line."""
    counts = changes.get("counts", {})
    parts = [
        _count(counts.get("added", 0), "part added", "parts added"),
        _count(counts.get("changed", 0), "part changed", "parts changed"),
        _count(counts.get("withdrawn", 0), "part withdrawn", "parts withdrawn"),
    ]
    parts = [p for p in parts if p]
    if not parts:
        return "Nothing in the assessment or the options changed."
    ratings = counts.get("ratings_changed", 0)
    sentence = _join(parts)
    if ratings:
        sentence += f", including {_count(ratings, 'rating', 'ratings')}"
    return sentence[0].upper() + sentence[1:] + "."


# ------------------------------------------------------------------------------
# The parts of a snapshot that are compared, each flattened to labelled text
# ------------------------------------------------------------------------------
def _parts(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return every comparable part of the snapshot by a stable key, in the report's order."""
    cited = _cited_sources(snapshot.get("sources", []))
    parts: dict[str, dict[str, Any]] = {}
    for kind, key, label, values, note in (
        *_trigger_parts(snapshot),
        *_section_parts(snapshot, cited),
        *_option_parts(snapshot, cited),
    ):
        parts[key] = {
            "kind": kind,
            "key": key,
            "label": label,
            "values": values,
            # An option withdrawn in the snapshot, with its reason (which may be empty).
            "withdrawn": note is not None,
            "note": note or "",
            "position": len(parts),
        }
    return parts


def _trigger_parts(snapshot: dict[str, Any]):
    for t in snapshot.get("triggers", []):
        label = f"{t.get('source_body', '')}: {t.get('title', '')}".strip(": ")
        yield "trigger", f"trigger:{t['id']}", label, _texts(t, TRIGGER_FIELDS), None


def _section_parts(snapshot: dict[str, Any], cited: dict[str, str]):
    """The scope, the risk factors, the UK footprint and the dimensions, in framework order."""
    scope = snapshot.get("scope")
    if scope is not None:
        yield (
            "section",
            "section:scope",
            "Scope",
            _section(scope, SCOPE_FIELDS, cited, "scope"),
            None,
        )
    for rf in snapshot.get("risk_factors", []):
        label = f"Risk factor {rf.get('number', '')}: {rf.get('title', '')}"
        values = _section(rf, RISK_FACTOR_FIELDS, cited)
        yield "section", f"section:{rf['code']}", label, values, None
    footprint = snapshot.get("uk_footprint")
    sections = [(footprint, FOOTPRINT_FIELDS)] if footprint else []
    sections += [(d, DIMENSION_FIELDS) for d in snapshot.get("dimensions", [])]
    for section, fields in sections:
        values = _section(section, fields, cited)
        yield "section", f"section:{section['code']}", section.get("title", ""), values, None


def _option_parts(snapshot: dict[str, Any], cited: dict[str, str]):
    """The recorded gaps in the core categories, then the options, by category and title."""
    for g in snapshot.get("option_gaps", []):
        values = {"reason": ("Reason", g.get("reason", ""))}
        label = g.get("category_label") or g["category"]
        yield "option_gap", f"gap:{g['category']}", label, values, None
    for o in sorted(snapshot.get("options", []), key=_option_order):
        values = _section(o, OPTION_FIELDS, cited, f"option:{o['id']}")
        note = o.get("withdrawal_reason", "") if o.get("withdrawn") else None
        yield "option", f"option:{o['id']}", o.get("title", ""), values, note


def _section(part, fields, cited, place=None) -> dict[str, tuple[str, str]]:
    values = _texts(part, fields)
    values[SOURCES_FIELD[0]] = (SOURCES_FIELD[1], cited.get(place or part.get("code", ""), ""))
    return values


def _texts(part: dict[str, Any], fields) -> dict[str, tuple[str, str]]:
    """Return each field of the part as (label, text) by name."""
    return {name: (label, _text(name, part.get(name))) for name, label in fields}


def _text(name: str, value: Any) -> str:
    """Return a field's value as the text a reader sees: dates written out, lists one a line."""
    if value is None:
        return ""
    if name == "indicators":
        return "\n".join(f"{i.get('number', '')}. {i.get('text', '')}".strip() for i in value)
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if name in ("period_start", "period_end", "finding_date") and value:
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day.day} {day:%B %Y}"
    return str(value)


def _cited_sources(sources: list[dict[str, Any]]) -> dict[str, str]:
    """Return, for each place a source is cited, the titles of its sources one a line."""
    places: dict[str, list[str]] = {}
    for source in sources:
        title = source.get("title") or source.get("url") or ""
        for place in source.get("cited_in", []):
            places.setdefault(place, []).append(title)
    return {place: "\n".join(sorted(titles)) for place, titles in places.items()}


def _option_order(option: dict[str, Any]) -> tuple[str, str, str]:
    return (option.get("category", ""), option.get("title", ""), option.get("id", ""))


def _order(old_parts, new_parts, key: str) -> tuple[int, int, int, str]:
    """Order parts by kind, then where the new report has them (else the old), then key."""
    part = new_parts.get(key) or old_parts[key]
    in_new = 0 if key in new_parts else 1
    return (_KIND_ORDER[part["kind"]], in_new, part["position"], key)


# ------------------------------------------------------------------------------
# Items of the annex
# ------------------------------------------------------------------------------
def _fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, str]]:
    """Return the fields that differ (for an added part: every field with text)."""
    fields = []
    for name, (label, new_text) in after["values"].items():
        old_text = before["values"].get(name, (label, ""))[1] if before else ""
        if old_text != new_text:
            fields.append({"name": name, "label": label, "old": old_text, "new": new_text})
    return fields


def _item(part: dict[str, Any], fields: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "kind": part["kind"],
        "kind_label": KIND_LABELS[part["kind"]],
        "key": part["key"],
        "label": part["label"],
        "fields": fields,
        "note": "",
    }


def _withdrawn_item(before: dict[str, Any], after: dict[str, Any] | None) -> dict[str, Any]:
    """An item the new report no longer has in force: its old text, and why if it says."""
    fields = [
        {"name": name, "label": label, "old": text, "new": ""}
        for name, (label, text) in before["values"].items()
        if text
    ]
    item = _item(before, fields)
    if after is not None and after["withdrawn"]:
        item["note"] = after["note"] or "Withdrawn; no reason was recorded."
    elif before["kind"] == "option_gap":
        item["note"] = "The category now has an option."
    else:
        item["note"] = "No longer in the report."
    return item


def _count(n: int, one: str, many: str) -> str:
    if not n:
        return ""
    return f"1 {one}" if n == 1 else f"{n} {many}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
