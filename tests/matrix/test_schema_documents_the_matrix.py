"""Every status the permission matrix's oracle expects from an API request is documented for
that operation in the OpenAPI schema, so that clients (and the schema fuzz) are never surprised.

The schema fuzz meets these answers only when its randomly chosen IDs happen to name a case
in the right state for the right user; this checks every persona, clearance and state at once,
from the oracle alone (no requests).
"""

import re
import uuid

from tests.matrix import oracle
from tests.matrix.test_permission_matrix import API_TARGETS, World

# The oracle's outcome classes as HTTP statuses ("ok" is any 2xx).
STATUSES = {oracle.FORBIDDEN: "403", oracle.HIDDEN: "404", oracle.CONFLICT: "409"}


def _operation(schema: dict, method: str, path: str) -> dict:
    for template, item in schema["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path.split("?")[0]):
            return item[method.lower()]
    raise AssertionError(f"{method} {path} is not in the schema")


def test_every_status_the_oracle_expects_is_documented(schema):
    world = World("any", str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()))
    undocumented = []
    for target in API_TARGETS:
        operation = _operation(schema, target.method, target.path(world))
        documented = set(operation["responses"])
        expected = {
            target.expect(persona, cleared, state)
            for persona in (*oracle.PERSONAS, *oracle.CONTRIBUTING)
            for cleared in (True, False)
            for state in oracle.STATES
        }
        for outcome in sorted(expected):
            if outcome == oracle.OK:
                found = any(code.startswith("2") for code in documented)
            elif outcome == oracle.SIGN_IN:
                found = "401" in documented
            else:
                found = STATUSES[outcome] in documented
            if not found:
                undocumented.append(f"{target.label}: {outcome} (documented: {sorted(documented)})")
    assert not undocumented, "\n".join(undocumented)
