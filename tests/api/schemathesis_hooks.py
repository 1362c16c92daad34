"""Schemathesis hooks for fuzzing the API (``schemathesis.toml`` loads them).

They tell the generator what a schema cannot: which IDs and accounts exist, and that the
dates of what was already seen are not in the future. With ``AIA_FUZZ_WORLD`` naming a JSON
file of real IDs and usernames (``test_schema_fuzz.py`` writes one), half of the generated IDs
are swapped for real ones and a valid team names real people; without it, IDs come only from
what the API answers (the stateful phase).
"""

import datetime
import json
import os
import zlib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import schemathesis
from hypothesis import strategies as st

_WORLD_FILE = os.environ.get("AIA_FUZZ_WORLD")
WORLD: dict[str, Any] = json.loads(Path(_WORLD_FILE).read_text()) if _WORLD_FILE else {}

# A source's date, a finding's date and the start of a period may not be after today (London
# time): JSON Schema has no maximum for a date, so the schema says it in words only.
YESTERDAY = datetime.datetime.now(ZoneInfo("Europe/London")).date() - datetime.timedelta(days=1)
schemathesis.openapi.format(
    "date", st.dates(datetime.date(1990, 1, 1), YESTERDAY).map(datetime.date.isoformat)
)


def _pick(choices: list[dict], seed: str) -> dict:
    """Real IDs for half of the values, chosen from the generated value itself, so that a
    run replays identically."""
    number = zlib.crc32(seed.encode())
    if not choices or number % 2:
        return {}
    return choices[(number // 2) % len(choices)]


@schemathesis.hook
def map_path_parameters(context, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    if not path_parameters:
        return path_parameters  # a negative case may leave them out
    ids = WORLD.get("ids", {})
    for name in ("option_id", "report_id", "case_id"):
        if name in path_parameters:
            return {**path_parameters, **_pick(ids.get(name, []), str(path_parameters[name]))}
    return path_parameters


@schemathesis.hook
def map_case(context, case):
    """Make a valid body valid in what the schema can only say in words: dates of what was
    already seen are not in the future (the stateful phase draws them without the ``date``
    format above), a period's end is not before its start, and a valid ``assign`` body names
    real people of the right role (an unknown username is a 400)."""
    if not (
        case.meta is not None
        and case.meta.generation.mode.is_positive
        and isinstance(case.body, dict)
    ):
        return case
    _no_future_dates(case.body)
    _a_whole_period(case.body)
    people = WORLD.get("people")
    if people and case.operation.path.endswith("/transitions/assign/"):
        for place, username in people.items():
            value = case.body.get(place)
            if isinstance(value, str):
                case.body[place] = username
            elif isinstance(value, list):
                case.body[place] = [username] if value else []
    return case


def _a_whole_period(body: dict[str, Any]) -> None:
    """Send a scope's period as a whole: its end may not be before its start, and that is
    checked against the stored date when a change names only one of them, which no schema can
    know. A change of one date therefore also sends the other, and an end generated before the
    start is moved to the start."""
    start, end = body.get("period_start"), body.get("period_end")
    if not isinstance(start, str) and not isinstance(end, str):
        return
    try:
        start_date = datetime.date.fromisoformat(start) if isinstance(start, str) else None
        end_date = datetime.date.fromisoformat(end) if isinstance(end, str) else None
    except ValueError:
        return
    if start_date is None and "period_start" not in body:
        body["period_start"] = min(end_date, YESTERDAY).isoformat()
        return
    missing_end = end_date is None and "period_end" not in body
    if missing_end or (start_date and end_date and end_date < start_date):
        body["period_end"] = start_date.isoformat()


def _no_future_dates(body: Any) -> None:
    """Move any date after yesterday in ``body`` (nested too) back to yesterday."""
    items = body.items() if isinstance(body, dict) else enumerate(body)
    for key, value in list(items):
        if isinstance(value, dict | list):
            _no_future_dates(value)
        elif isinstance(value, str) and len(value) == 10:
            try:
                date = datetime.date.fromisoformat(value)
            except ValueError:
                continue
            if date > YESTERDAY:
                body[key] = YESTERDAY.isoformat()
