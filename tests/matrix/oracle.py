"""The expected answer of every permission-matrix cell, written from docs/architecture.md.

This module is the *oracle*: it must never import the application's own permission code
(``aia.permissions``, ``aia.selectors``, the services or the django-fsm definitions), or the
matrix would only check the app against itself. Everything here is transcribed from the design
document; where the design is silent, the assumption is written next to the rule (``ASSUMPTION``).

An answer is one of the outcome classes below. The API and the pages use the same codes
(docs/architecture.md, *The REST API*): 404 for a case that does not exist *or* that the user
may not see, 403 for a case the user sees but whose action their role or place on the team
forbids, 409 for an action the user's role allows but the case's state (or a guard) forbids
now. The role is checked before the state: a user who could never take an action hears 403,
whatever the state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

OK = "ok"  # 2xx: the page, the data, or the action done
FORBIDDEN = "403"
HIDDEN = "404"
CONFLICT = "409"
SIGN_IN = "sign-in"  # anonymous: the page redirects to sign-in (302), the API answers 401

# ------------------------------------------------------------------------------
# docs/architecture.md, *States*: the states, in the order of the happy path, then the two ends.
# ------------------------------------------------------------------------------
STATES = (
    "triggered",
    "scoping",
    "assessment",
    "legal_review",
    "options",
    "options_review",
    "sign_off",
    "signed_off",
    "with_minister",
    "monitoring",
    "closed",
    "withdrawn",
)
FINISHED = ("closed", "withdrawn")
BEFORE_SIGNED_OFF = STATES[: STATES.index("signed_off")]

# Who may take a transition (docs/architecture.md, *Transitions*, column "who"). The positions
# are a user's place on the case's team; "any_sro" is any holder of the SRO role.
CASE_SRO = "sro"
TEAM_OFFICIAL = "team_official"  # the lead official or another official on the case
LEAD = "lead"
CASE_LEGAL_ADVISER = "legal_adviser"
CASE_MINISTER = "minister"
ANY_SRO = "any_sro"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    who: tuple[str, ...]
    four_eyes: tuple[str, ...] = ()  # the stages whose contributors may not take it


TRANSITIONS: dict[str, Transition] = {
    # "who: sro": any SRO may take on a case that is still awaiting a team.
    "assign": Transition(("triggered",), "scoping", (ANY_SRO,)),
    "start_assessment": Transition(("scoping",), "assessment", (TEAM_OFFICIAL,)),
    "submit_assessment": Transition(("assessment",), "legal_review", (TEAM_OFFICIAL,)),
    "return_assessment": Transition(("legal_review",), "assessment", (CASE_LEGAL_ADVISER,)),
    "approve_assessment": Transition(
        ("legal_review",), "options", (CASE_LEGAL_ADVISER,), four_eyes=("assessment",)
    ),
    "submit_options": Transition(("options",), "options_review", (TEAM_OFFICIAL,)),
    "return_options": Transition(("options_review",), "options", (CASE_LEGAL_ADVISER,)),
    "approve_options": Transition(
        ("options_review",), "sign_off", (CASE_LEGAL_ADVISER,), four_eyes=("options",)
    ),
    "return_for_revision": Transition(("sign_off",), "options", (CASE_SRO,)),
    "sign_off": Transition(
        ("sign_off",), "signed_off", (CASE_SRO,), four_eyes=("assessment", "options")
    ),
    # "who: sro or lead official". ASSUMPTION: the case's SRO (as for every other step after
    # assignment); an SRO off the team cannot see the case anyway.
    "submit_to_minister": Transition(("signed_off",), "with_minister", (CASE_SRO, LEAD)),
    "record_decision": Transition(("with_minister",), "monitoring", (CASE_MINISTER,)),
    "request_revision": Transition(("with_minister",), "options", (CASE_MINISTER,)),
    "close": Transition(("monitoring",), "closed", (CASE_SRO,)),
    "reopen": Transition(("monitoring",), "assessment", (CASE_SRO,)),
    # "any state before signed_off". ASSUMPTION: a case still awaiting a team has no SRO of its
    # own, so while it is `triggered` any SRO (who sees it and may assign it) may withdraw it at
    # triage; from `scoping` on only the case's SRO may.
    "withdraw": Transition(BEFORE_SIGNED_OFF, "withdrawn", (CASE_SRO,)),
}

# docs/architecture.md, *States*: content is editable only in its own editing state.
# ASSUMPTION: the scope is part of the assessment stage's content (it is what the legal adviser
# reviews with the risk analysis), so it is editable in `scoping` and still in `assessment`; the
# risk factors, the footprint and the dimensions only in `assessment`; the options register only
# in `options`.
EDITING_STATES = {
    "scope": ("scoping", "assessment"),
    "risk_factor": ("assessment",),
    "options": ("options",),
}

# The states from which the minister may read the signed report: once it has been submitted to
# them (docs/architecture.md, *Need-to-know*, "Ministers and the signed report").
SUBMITTED_TO_MINISTER = ("with_minister", "monitoring", "closed")


# ------------------------------------------------------------------------------
# docs/architecture.md, *Roles*: the users. A persona is a role with a place (or none) on the
# case's team.
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Persona:
    key: str  # the user's name in the test data
    role: str  # what the matrix prints in its "role" column
    # What it prints in its "team" column: the place the persona takes once the case has a team
    # (a `triggered` case has none yet), "off" for the same role off the team, "-" for no place.
    team: str
    roles: frozenset[str] = frozenset()
    position: str = ""  # LEAD, "official", CASE_SRO, CASE_LEGAL_ADVISER, CASE_MINISTER or ""
    all_cases: bool = False  # an auditor, or an SRO with the all-cases permission
    anonymous: bool = False
    # The contributors dimension (below): also named an official on the case, and the stages
    # whose content the persona edited in the case's current version.
    also_official: bool = False
    contributed: frozenset[str] = frozenset()


def _p(key, role, team, roles=(), position="", all_cases=False, anonymous=False) -> Persona:
    return Persona(key, role, team, frozenset(roles), position, all_cases, anonymous)


PERSONAS: tuple[Persona, ...] = (
    _p("lead", "official", "on (lead)", {"official"}, LEAD),
    _p("official", "official", "on", {"official"}, "official"),
    _p("other_official", "official", "off", {"official"}),
    _p("legal", "legal_adviser", "on", {"legal_adviser"}, CASE_LEGAL_ADVISER),
    _p("other_legal", "legal_adviser", "off", {"legal_adviser"}),
    _p("sro", "sro", "on", {"sro"}, CASE_SRO),
    _p("other_sro", "sro", "off", {"sro"}),
    _p("sro_all", "sro (all cases)", "off", {"sro"}, all_cases=True),
    _p("minister", "minister", "on", {"minister"}, CASE_MINISTER),
    _p("other_minister", "minister", "off", {"minister"}),
    _p("auditor", "auditor", "-", {"auditor"}, all_cases=True),
    _p("integration", "integration (add_trigger)", "-", {"add_trigger"}),
    _p("outsider", "no role", "-"),
    _p("anonymous", "anonymous", "-", anonymous=True),
)

# Who contributed to each stage's content in the test data (the matrix builds its cases so: the
# lead fills the scope and submits each stage; the team's second official, "official", fills
# the assessment and the options). The four-eyes rule (docs/architecture.md, *Integrity rules*)
# bars them from approving or signing off those stages; the legal adviser and the SRO
# contributed nothing.
CONTRIBUTORS = {"assessment": {"lead", "official"}, "options": {"lead", "official"}}

# The contributors dimension. The four-eyes rule decides only for the persona who holds a
# four-eyes transition's place (the legal adviser approves, the SRO signs off), in that
# transition's source state; so the matrix also builds cases in those states in which the
# legal adviser and the SRO, holding the official role too (docs/architecture.md, *Roles*: "a
# user may hold several roles") and named officials on the case, edited one stage's content in
# the current version, and asks the four-eyes transitions of them there. A stage's content can
# have been edited only if one of its editing states comes before the case's state.
STAGE_CONTENT = {"assessment": ("scope", "risk_factor"), "options": ("options",)}
FOUR_EYES_TRANSITIONS = tuple(name for name, t in TRANSITIONS.items() if t.four_eyes)
FOUR_EYES_STATES = tuple(
    state
    for state in STATES
    if any(state in TRANSITIONS[name].sources for name in FOUR_EYES_TRANSITIONS)
)


def could_have_edited(stage: str, state: str) -> bool:
    """Return whether the stage's content can have been edited before the case reached
    ``state`` on its way forward (docs/architecture.md, *States*, "editing states")."""
    editing = {s for kind in STAGE_CONTENT[stage] for s in EDITING_STATES[kind]}
    return any(STATES.index(s) <= STATES.index(state) for s in editing)


def contributing(persona: Persona, stage: str) -> Persona:
    """Return the persona as the contributors dimension has it: also an official on the case,
    having edited ``stage``'s content."""
    return replace(
        persona,
        role=f"{persona.role} + official",
        team=f"{persona.team} + official",
        roles=persona.roles | {"official"},
        also_official=True,
        contributed=frozenset({stage}),
    )


# The personas of the contributors dimension: each four-eyes place, having edited each stage.
CONTRIBUTING = tuple(
    contributing(persona, stage)
    for persona in PERSONAS
    if persona.position in (CASE_LEGAL_ADVISER, CASE_SRO)
    for stage in STAGE_CONTENT
)


def has_contributed(persona: Persona, stage: str) -> bool:
    """Return whether the persona edited or submitted the stage's content in the current
    version (docs/architecture.md, *Integrity rules*, "Four-eyes")."""
    return persona.key in CONTRIBUTORS[stage] or stage in persona.contributed


def has_team(state: str) -> bool:
    """A `triggered` case is awaiting a team (docs/architecture.md, *States*); from `assign` on
    it has one, and keeps it to the end."""
    return state != "triggered"


def holds(persona: Persona, position: str, state: str) -> bool:
    """Return whether the persona holds ``position`` on the case's team in ``state``."""
    if not has_team(state):
        return False
    if position == TEAM_OFFICIAL:
        return persona.position in (LEAD, "official") or persona.also_official
    return persona.position == position


def on_team(persona: Persona, state: str) -> bool:
    return has_team(state) and bool(persona.position)


def sees(persona: Persona, cleared: bool, state: str) -> bool:
    """docs/architecture.md, *Need-to-know*: a user sees a case only if on its team (or an
    auditor, or an SRO with the all-cases permission) and cleared for its marking; a new case
    without a team is seen by SROs and auditors."""
    if not cleared:
        return False
    if persona.all_cases or on_team(persona, state):
        return True
    return state == "triggered" and "sro" in persona.roles


def may_take(persona: Persona, name: str, state: str) -> bool:
    """Return whether the persona's role and place allow the transition (state aside)."""
    who = TRANSITIONS[name].who
    if name == "withdraw" and state == "triggered":
        who = (ANY_SRO,)  # see the ASSUMPTION at "withdraw"
    return any(
        "sro" in persona.roles if position == ANY_SRO else holds(persona, position, state)
        for position in who
    )


# ------------------------------------------------------------------------------
# The answers
# ------------------------------------------------------------------------------
def _gate(persona: Persona, cleared: bool, state: str) -> str | None:
    """Answer the cells every target answers alike: anonymous, and cases the user cannot see."""
    if persona.anonymous:
        return SIGN_IN
    if not sees(persona, cleared, state):
        return HIDDEN
    return None


def read(persona: Persona, cleared: bool, state: str) -> str:
    """Read anything about a case the user sees: the case page, sections, options, the
    audit trail (docs/architecture.md, *Roles*: the team sees its case; auditors read
    everything)."""
    return _gate(persona, cleared, state) or OK


def transition(persona: Persona, cleared: bool, state: str, name: str) -> str:
    """Take (or open the page of) a transition: role and place first, then the four-eyes rule
    (both 403), then state (409). Guards hold in the test data (see test_permission_matrix.py).

    docs/architecture.md, *Transitions*: a four-eyes refusal is a permission refusal, and
    "permission is checked before the state": whoever contributed to a stage of this version
    may never approve it, so is told so rather than told the state is wrong.
    """
    gate = _gate(persona, cleared, state)
    if gate:
        return gate
    rule = TRANSITIONS[name]
    if not may_take(persona, name, state):
        return FORBIDDEN
    if any(has_contributed(persona, stage) for stage in rule.four_eyes):
        return FORBIDDEN
    if state not in rule.sources:
        return CONFLICT
    return OK


def edit_content(persona: Persona, cleared: bool, state: str, kind: str) -> str:
    """Edit a section or the options register: docs/architecture.md, *Roles* (officials edit
    the sections and options of the cases they are on) and *States* (only in its editing
    state)."""
    gate = _gate(persona, cleared, state)
    if gate:
        return gate
    if not holds(persona, TEAM_OFFICIAL, state):
        return FORBIDDEN
    return OK if state in EDITING_STATES[kind] else CONFLICT


def read_signed_report(persona: Persona, cleared: bool, state: str) -> str:
    """Open a signed report's PDF: whoever sees the case, except that the case's minister
    reads it only once it has been submitted to them (docs/architecture.md, *Need-to-know*).
    ASSUMPTION: before then the minister, who sees the case, is refused with 403 rather than
    404."""
    gate = _gate(persona, cleared, state)
    if gate:
        return gate
    if holds(persona, CASE_MINISTER, state) and state not in SUBMITTED_TO_MINISTER:
        return FORBIDDEN
    return OK


def record_dissent(persona: Persona, cleared: bool, state: str) -> str:
    """docs/architecture.md, *Reviews and dissents*: anyone on the team may record a dissent
    on a stage. ASSUMPTION: not on a finished (closed or withdrawn) case, which can no longer
    change: 409 for the team."""
    gate = _gate(persona, cleared, state)
    if gate:
        return gate
    if not on_team(persona, state):
        return FORBIDDEN
    return CONFLICT if state in FINISHED else OK


def change_team(persona: Persona, cleared: bool, state: str) -> str:
    """docs/architecture.md, *Roles*: the SRO assigns teams. ASSUMPTION (the design was silent
    on changes after `assign`): the case's SRO may change the team of an assigned, open case;
    on a finished case that is 409. A case awaiting a team has no SRO yet, so nobody may
    (403)."""
    gate = _gate(persona, cleared, state)
    if gate:
        return gate
    if not holds(persona, CASE_SRO, state):
        return FORBIDDEN
    return CONFLICT if state in FINISHED else OK


def review_page(persona: Persona, cleared: bool, state: str) -> str:
    """The legal review page shows the stage under review (docs/web.md, *Pages*) to whoever
    sees the case; the approve and return buttons are the transitions'. ASSUMPTION: outside
    the two review states there is nothing to review: 409."""
    gate = _gate(persona, cleared, state)
    if gate:
        return gate
    return OK if state in ("legal_review", "options_review") else CONFLICT


def read_access_log(persona: Persona, cleared: bool, state: str) -> str:
    """Who viewed the case and opened its reports. ASSUMPTION (made before the design said
    so; docs/architecture.md, *Roles*, now does): this is oversight material, like the audit
    trail, not case content: auditors read it; others who see the case are refused (403). An
    all-cases SRO is not an auditor."""
    gate = _gate(persona, cleared, state)
    if gate:
        return gate
    return OK if "auditor" in persona.roles else FORBIDDEN


def read_bundle(persona: Persona, cleared: bool, state: str) -> str:
    """Download the case's evidence bundle (docs/architecture.md, *Evidence bundle*): auditors
    and the case's SRO, in any state; anyone else, even one who sees the case, is answered as
    for a case that does not exist (404)."""
    gate = _gate(persona, cleared, state)
    if gate:
        return gate
    if "auditor" in persona.roles or holds(persona, CASE_SRO, state):
        return OK
    return HIDDEN


# ------------------------------------------------------------------------------
# Trigger intake (docs/architecture.md, *Trigger intake* and *Roles*)
# ------------------------------------------------------------------------------
# Officials, SROs and integration accounts (which hold only the permission to add triggers)
# post triggers; nobody else.
POSTS_TRIGGERS = ("official", "sro", "add_trigger")
INTAKE_KINDS = ("open", "join", "replay")
NAMED, RECEIPT = "case", "receipt"


def intake(persona: Persona, cleared: bool, state: str, kind: str) -> str:
    """What posting a trigger answers, given the case in ``state`` it concerns.

    ``kind``: "open" is a trigger for a new situation; "join" one for the case's situation
    (which joins its open case, reopens it when it is monitored, or opens a new case when it is
    finished); "replay" the case's own first trigger again. A new trigger is 201, a replay 200;
    the answer names the case only to a poster who may see it, else it is a receipt
    (ASSUMPTION, the default policy: a poster who may not see the case still adds to it).
    """
    if persona.anonymous:
        return SIGN_IN
    if not any(role in persona.roles for role in POSTS_TRIGGERS):
        return FORBIDDEN
    status = "200" if kind == "replay" else "201"
    opens = kind == "open" or (kind == "join" and state in FINISHED)
    # A case the trigger opens awaits a team, as a `triggered` case does; an official who
    # opened it follows it as its reporter until the team is named (docs/architecture.md,
    # *Need-to-know*).
    reporter = opens and cleared and "official" in persona.roles
    visible = reporter or sees(persona, cleared, "triggered" if opens else state)
    return f"{status} {NAMED if visible else RECEIPT}"
