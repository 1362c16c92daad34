"""Property-based fuzzing of the API from its own OpenAPI schema, against a live server.

Schemathesis loads the schema the server serves, generates requests for every operation
(valid and invalid ones) and checks each answer: never a 5xx, and always a status, content
type, headers and body that the schema documents. Requests authenticate with real tokens of
seeded users; half of the generated IDs are swapped for IDs of real cases, options and
reports, so the fuzz reaches past the 404s.
"""

import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

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
    # A live server needs committed data.
    pytest.mark.django_db(transaction=True),
]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 25
USERS = ("sro", "lead", "official", "legal", "auditor", "minister")


@pytest.fixture
def fuzz_world(live_server, settings):
    """Seed a team, cases across the states and tokens; return the schema and the IDs."""
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
    ids = {
        "case_id": [{"case_id": str(c.pk)} for c in cases],
        # An option only exists under its own case: swap both together.
        "option_id": [
            {"case_id": str(o.case_id), "option_id": str(o.pk)} for o in cases[3].options.all()
        ],
        "report_id": [{"report_id": str(r.pk)} for r in signed.reports.all()],
    }
    tokens = [Token.objects.get_or_create(user=team.everyone()[u])[0].key for u in USERS]
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    return {"schema": schema, "ids": ids, "tokens": tokens, "base_url": live_server.url}


def _pick(choices: list[dict], seed: str) -> dict:
    """Choose real IDs for half of the examples, deterministically from the generated value
    so that examples replay identically."""
    number = zlib.crc32(seed.encode())
    if not choices or number % 2:
        return {}
    return choices[(number // 2) % len(choices)]


def _fuzz(operation, mode: GenerationMode, world: dict) -> None:
    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        parameters = case.path_parameters or {}
        for name in ("option_id", "report_id", "case_id"):
            if name in parameters:
                parameters.update(_pick(world["ids"][name], str(parameters[name])))
                break
        token = world["tokens"][zlib.crc32(repr(case.body).encode()) % len(USERS)]
        case.call_and_validate(
            base_url=world["base_url"],
            headers={"Authorization": f"Token {token}"},
            checks=CHECKS,
        )

    check()


def test_the_api_answers_every_generated_request_as_its_schema_says(fuzz_world, subtests):
    operations = [result.ok() for result in fuzz_world["schema"].get_all_operations()]
    assert len(operations) >= 19
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            with subtests.test(operation=operation.label, mode=mode.value):
                try:
                    _fuzz(operation, mode, fuzz_world)
                except Unsatisfiable:
                    # Nothing about this operation can be made invalid (e.g. no parameters).
                    assert mode == GenerationMode.NEGATIVE
