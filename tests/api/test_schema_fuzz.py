"""Property-based fuzzing of the API from its own OpenAPI schema, against a live server.

Schemathesis loads the schema the server serves and runs every check it has (no 5xx; a
status, content type, headers and body the schema documents; a request the schema allows is
accepted and one it refuses is refused; authentication is not ignored; a method the schema
does not list is a 405; …) through every phase: the schema's examples, coverage (the edges of
each parameter and field), fuzzing (random valid and invalid requests) and stateful
(sequences of calls, each using what the one before answered).

It runs as its command line runs (``schemathesis run``, the same engine and the settings of
``schemathesis.toml`` beside this file, where each exception says why), once with an
official's token and once with an SRO's. Half of the generated IDs are swapped for IDs of real
cases, options and reports, and a valid team names real people (``schemathesis_hooks.py``),
so the fuzz reaches past the 404s and into the transitions.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aia.models.choices import CaseState
from tests.factories import (
    case_in_state,
    fill_options,
    make_team,
    new_case,
    restore_permissions_and_roles,
)

pytestmark = [
    pytest.mark.slow,
    # Two runs of two workers write at once: SQLite would answer "database table is locked".
    pytest.mark.postgres,
    # A live server needs committed data.
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
USERS = ("official", "sro")
# Whom a valid ``assign`` names in each place.
TEAM_PLACES = {
    "lead_official": "lead",
    "legal_adviser": "legal",
    "minister": "minister",
    "officials": "official",
}
# A bound on each run, well above what it takes (two to three minutes). Not Schemathesis's
# ``--max-time``: with it, fuzzing and the stateful phase repeat until the time is spent.
MAX_SECONDS = 600


@pytest.fixture
def fuzz_world(live_server, settings, tmp_path):
    """Seed a team, cases across the states and tokens; return the world the hooks read."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "100000/min", "triggers": "100000/min"},
    }
    # Whatever ran before may have flushed the database, or left it as migrated.
    restore_permissions_and_roles()
    team = make_team()
    cases = [new_case(team)]
    for state in (CaseState.SCOPING, CaseState.ASSESSMENT, CaseState.OPTIONS):
        cases.append(case_in_state(team, state))
    fill_options(cases[-1], team.official)
    signed = case_in_state(team, CaseState.SIGNED_OFF)
    cases.append(signed)
    people = team.everyone()
    world = {
        "ids": {
            "case_id": [{"case_id": str(c.pk)} for c in cases],
            # An option only exists under its own case: swap both together.
            "option_id": [
                {"case_id": str(o.case_id), "option_id": str(o.pk)} for o in cases[3].options.all()
            ],
            "report_id": [{"report_id": str(r.pk)} for r in signed.reports.all()],
        },
        "people": {place: people[user].username for place, user in TEAM_PLACES.items()},
    }
    # Generate the schema once before the two runs ask for it at once: drf-spectacular loads
    # its extensions on first use, and two threads doing that together can fail.
    assert APIClient().get("/api/v1/schema/").status_code == 200
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    tokens = {user: Token.objects.get_or_create(user=people[user])[0].key for user in USERS}
    return {"file": path, "tokens": tokens, "url": live_server.url, "reports": tmp_path}


def _schemathesis_run(world: dict, user: str) -> tuple[int | None, str]:
    """Run Schemathesis as ``user``; return its exit status (None if it ran out of time) and
    its output (what it had printed, if it ran out of time)."""
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        f"{world['url']}/api/v1/schema/?format=json",
        "--header",
        f"Authorization: Token {world['tokens'][user]}",
        "--workers",
        "2",
        "--report",
        "junit",
        "--report-dir",
        str(world["reports"] / user),
    ]
    env = {**os.environ, "AIA_FUZZ_WORLD": str(world["file"])}
    log = world["reports"] / f"{user}.log"
    with log.open("w") as output:
        try:
            status = subprocess.run(  # noqa: S603 (our own command line)
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=MAX_SECONDS,
            ).returncode
        except subprocess.TimeoutExpired:
            status = None
    return status, log.read_text()


def test_the_api_answers_every_generated_request_and_sequence_as_its_schema_says(fuzz_world):
    # An official's run and an SRO's run, at once (the live server answers in threads).
    with ThreadPoolExecutor(len(USERS)) as pool:
        answers = pool.map(lambda user: _schemathesis_run(fuzz_world, user), USERS)
        runs = dict(zip(USERS, answers, strict=True))
    for user, (status, output) in runs.items():
        assert status == 0, f"As {user} (exit status {status}):\n{output[-20_000:]}"
        # Fuzzing and the stateful phase ran to their end: one cut short by an error, or
        # skipped for want of links, is marked otherwise. (The schema has no examples, and
        # the coverage phase is left to runs by hand: schemathesis.toml.)
        for phase in ("Fuzzing", "Stateful"):
            assert f"✅ {phase}" in output, f"As {user}:\n{output[-20_000:]}"
