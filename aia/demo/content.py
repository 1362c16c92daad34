"""What the demo contains: the demo users, and the demo cases read from ``cases/*.yaml``.

The cases are data, not code. Each YAML file describes one case: the public-record triggers
that open and join it, the state to walk it to, its team, and the text its officials, legal
adviser, SRO and minister enter on the way. Facts in them come from the published findings
they cite (see docs/demo.md); people's names are invented.
"""

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aia.models.choices import CaseState, Marking, Role

CASES_DIR = Path(__file__).resolve().parent / "cases"

# The order the cases are seeded in, which is also the order of their references on a fresh
# database. The second Ethiopia case must come after the first: its trigger opens a new case
# only once the first is closed.
CASE_FILES = (
    "myanmar.yaml",
    "sudan.yaml",
    "ethiopia-tigray.yaml",
    "ethiopia-2023.yaml",
    "dprk.yaml",
    "syria-yazidis.yaml",
    "venezuela.yaml",
    "ukraine.yaml",
)


@dataclass(frozen=True)
class DemoUser:
    """A demo account. ``permissions`` are granted to the user directly, besides the roles."""

    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    job_title: str
    department: str
    clearance: str = Marking.OFFICIAL_SENSITIVE
    permissions: tuple[str, ...] = ()
    shows: str = ""

    @property
    def email(self) -> str:
        # .invalid can never be delivered to, so a misconfigured mailer cannot reach anyone.
        return f"{self.username}@demo.aia.invalid"


DEMO_USERS = (
    DemoUser(
        "sro",
        "Helen",
        "Marsh",
        (Role.SRO,),
        "Director, Multilateral Policy (UK Focal Point for R2P)",
        "FCDO Multilateral Policy Directorate",
        permissions=("aia.view_all_cases",),
        shows="An SRO who may also see every case she is cleared for.",
    ),
    DemoUser(
        "sro2",
        "David",
        "Okonjo",
        (Role.SRO,),
        "Director, Africa",
        "FCDO Africa Directorate",
        shows="An SRO who sees only his own cases and those awaiting a team.",
    ),
    DemoUser(
        "official",
        "Priya",
        "Raman",
        (Role.OFFICIAL,),
        "Senior Policy Adviser, Horn of Africa and Sudan",
        "FCDO Africa Directorate",
        shows="Lead official on the Sudan and Ethiopia cases.",
    ),
    DemoUser(
        "official2",
        "Tom",
        "Hadley",
        (Role.OFFICIAL,),
        "Atrocity Prevention Adviser",
        "FCDO Multilateral Policy Directorate",
        shows="Lead official on the Myanmar, DPRK, Syria and Venezuela cases.",
    ),
    DemoUser(
        "official_mod",
        "Fiona",
        "Grant",
        (Role.OFFICIAL,),
        "Defence Engagement Policy Lead",
        "Ministry of Defence",
        shows="An official from another department invited onto cases.",
    ),
    DemoUser(
        "official_os",
        "Sam",
        "Adeyemi",
        (Role.OFFICIAL,),
        "Policy Officer",
        "FCDO Indo-Pacific Directorate",
        clearance=Marking.OFFICIAL,
        shows="Cleared only to OFFICIAL: on the OFFICIAL-marked DPRK case, and no other.",
    ),
    DemoUser(
        "legal",
        "James",
        "Whitlock",
        (Role.LEGAL_ADVISER,),
        "Legal Adviser",
        "FCDO Legal Directorate",
    ),
    DemoUser(
        "legal2",
        "Aisha",
        "Karim",
        (Role.LEGAL_ADVISER,),
        "Assistant Legal Adviser",
        "FCDO Legal Directorate",
    ),
    DemoUser(
        "minister",
        "Catherine",
        "Ellison",
        (Role.MINISTER,),
        "Minister of State for the United Nations and Human Rights",
        "FCDO",
    ),
    DemoUser(
        "auditor",
        "Martin",
        "Cole",
        (Role.AUDITOR,),
        "Internal Audit Manager",
        "Government Internal Audit Agency",
        shows="Reads every case and its audit trail; changes nothing.",
    ),
    DemoUser(
        "feed",
        "Early-warning",
        "feed",
        (),
        "Integration account (posts triggers over the API)",
        "FCDO",
        permissions=("aia.add_trigger",),
        shows="No role: holds only the permission to post triggers.",
    ),
)

# Public documents several cases cite, by id (a case file may also declare its own).
SOURCES_FILE = Path(__file__).resolve().parent / "sources.yaml"

_CASE_KEYS = {
    "key",
    "target",
    "team",
    "triggers",
    "sources",
    "scope",
    "sections",
    "submission",
    "authors",
    "comments",
    "assessment_return",
    "options",
    "option_gaps",
    "options_return",
    "dissents",
    "decision",
    "closing_note",
    "withdrawal",
    "reopen",
}


@dataclass(frozen=True)
class DemoCase:
    """One demo case as its YAML file describes it.

    ``triggers`` are ingested first (the first opens the case, the rest join it);
    ``reopen`` holds a trigger ingested once the case reaches monitoring, which reopens it in a
    new version, and the section changes officials then make. ``target`` is the state the
    walk stops in (in the last version).
    """

    key: str
    target: str
    triggers: tuple[dict[str, Any], ...]
    team: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    scope: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    assessment_return: dict[str, Any] | None = None
    options: tuple[dict[str, Any], ...] = ()
    option_gaps: dict[str, str] = field(default_factory=dict)
    options_return: dict[str, Any] | None = None
    # The submission to the minister: issue, recommendation, handling and trend.
    submission: dict[str, str] = field(default_factory=dict)
    dissents: tuple[dict[str, Any], ...] = ()
    decision: dict[str, Any] | None = None
    closing_note: str = ""
    withdrawal: dict[str, str] | None = None
    reopen: dict[str, Any] | None = None

    @property
    def target_version(self) -> int:
        return 2 if self.reopen else 1

    @property
    def situation_name(self) -> str:
        return self.triggers[0]["situation"]["name"]

    def source(self, source_id: str) -> dict[str, Any]:
        """Return the source cited as ``source_id`` as ``{title, url, date}``."""
        catalogue = {**common_sources(), **self.sources}
        if source_id not in catalogue:
            raise ValueError(f"{self.key}: unknown source {source_id!r}.")
        return dict(catalogue[source_id])


@functools.cache
def common_sources() -> dict[str, dict[str, Any]]:
    """Return the sources every case may cite, read once from ``sources.yaml``."""
    with open(SOURCES_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_case(path: Path) -> DemoCase:
    """Read one case file, refusing unknown top-level keys (usually typos)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    unknown = set(data) - _CASE_KEYS
    if unknown:
        raise ValueError(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}.")
    if data["target"] not in CaseState.values:
        raise ValueError(f"{path.name}: unknown target state {data['target']!r}.")
    for name in ("triggers", "options", "dissents"):
        if name in data:
            data[name] = tuple(data[name])
    return DemoCase(**data)


def demo_cases() -> list[DemoCase]:
    """Return the demo cases in seeding order."""
    return [load_case(CASES_DIR / name) for name in CASE_FILES]
