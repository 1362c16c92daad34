"""The generated permission matrix (issue 7), and trigger intake's (``test_intake_matrix``).

Every persona (each role on and off the case's team, auditors, an SRO with the all-cases
permission, an integration account, a user with no role, anonymous) x cleared or not for the
case's marking x a case in each of the 12 states x every page, API endpoint and transition that
takes a case or a report in its path. Each cell's expected answer comes from ``oracle.py``, which
is written from docs/architecture.md alone; the test fails with a table of every cell that
differs.

The cases are built once, through the real services, in the one test's transaction. Every cell
runs in a savepoint that is rolled back, so an allowed write (a transition taken, an option
withdrawn) never reaches the next cell and the order of the cells does not matter.

"Not cleared" is the same users with their clearance lowered to OFFICIAL, the cases being marked
OFFICIAL-SENSITIVE (the default marking of a new case); that column is generated where clearance
decides (see ``cells_for``). Browsers sign in only through ``client_for`` and API clients only
through ``api_for`` (tests/web and tests/api), so the matrix signs in as the app requires.

Who contributed to a stage is a dimension too, where it decides (``oracle.CONTRIBUTING``): in
each four-eyes state, cases in which the legal adviser and the SRO, officials on the case as
well, edited the assessment or the options, against the four-eyes transitions.

Search is checked in the same run at the cost of one request per persona and clearance: every
case carries a shared word and one of its own, and searching the shared word must name each
case exactly when ``oracle.sees`` says the persona sees it (``search_mismatches``).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from aia.api.views.sections import SECTION_APIS
from aia.models import Case, Section, Trigger, User
from aia.models.choices import CaseState, Marking, Role
from aia.services import cases as case_services
from aia.services.assessment import section_update
from aia.services.options import option_create
from aia.workflow import transition_table
from tests.conftest import MATRIX_SUMMARY
from tests.factories import (
    PASSWORD,
    Team,
    UserFactory,
    case_in_state,
    fill_assessment,
    fill_options,
    fill_scope,
    new_case,
    option_data,
    trigger_data,
    walk,
)
from tests.matrix import oracle
from tests.matrix.oracle import PERSONAS, STATES, Persona

# Not a smoke test: the PostgreSQL run covers it; the SQLite smoke run stays quick.
pytestmark = pytest.mark.django_db

Expect = Callable[[Persona, bool, str], str]


@dataclass(frozen=True)
class Target:
    """One request a cell makes: where, how, with what, and what the oracle expects."""

    label: str
    surface: str  # "web" (a signed-in browser session) or "api" (a token)
    method: str
    url_name: str  # the URL's name, for the coverage check
    path: Callable[[World], str | None]  # None: the target does not apply to this case
    expect: Expect
    body: dict[str, Any] | None = None
    transition: str = ""  # the transition the request takes (or whose page it opens)


@dataclass
class World:
    """One case in a given state, with an option and a report where the state has them."""

    state: str
    case_id: str
    option_id: str | None
    report_id: str | None
    # The stage that the legal adviser and the SRO edited (the contributors dimension).
    contribution: str | None = None


def _case(url_name: str, **kwargs: Any) -> Callable[[World], str]:
    return lambda w: reverse(url_name, kwargs={"case_id": w.case_id, **kwargs})


def _option(name: str, suffix: str = "") -> Callable[[World], str | None]:
    def path(w: World) -> str | None:
        if w.option_id is None:
            return None
        return reverse(name, kwargs={"case_id": w.case_id, "option_id": w.option_id}) + suffix

    return path


def _report(name: str) -> Callable[[World], str | None]:
    return lambda w: reverse(name, kwargs={"report_id": w.report_id}) if w.report_id else None


def _transition(name: str) -> Expect:
    return lambda p, c, s: oracle.transition(p, c, s, name)


def _edit(kind: str) -> Expect:
    return lambda p, c, s: oracle.edit_content(p, c, s, kind)


# The inputs each transition needs, valid, so an allowed cell really takes it.
TRANSITION_BODIES: dict[str, dict[str, Any]] = {
    "assign": {
        "lead_official": "lead",
        "legal_adviser": "legal",
        "officials": ["official"],
        "minister": "minister",
    },
    "start_assessment": {},
    "submit_assessment": {},
    "return_assessment": {"comment": "Say more about the period."},
    "approve_assessment": {"comment": "Sound."},
    "submit_options": {},
    "return_options": {"comment": "Consider sanctions again."},
    "approve_options": {},
    "return_for_revision": {"comment": "Redo the options."},
    "sign_off": {"password": PASSWORD},
    "submit_to_minister": {},
    "record_decision": {"decision": "agreed", "note": "Proceed."},
    "request_revision": {"comment": "Look again at leverage."},
    "close": {"note": "The risk has receded."},
    "reopen": {"reason": "New reports of attacks."},
    "withdraw": {"reason": "Overtaken by a wider assessment."},
}
assert set(TRANSITION_BODIES) == set(oracle.TRANSITIONS)

# Pages of a transition that live elsewhere: their generic URL redirects to the dedicated page,
# which is a target of its own.
DEDICATED_PAGES = {"sign_off": "web:sign-off", "record_decision": "web:minister"}


def page(
    label: str,
    url_name: str,
    path: Callable[[World], str | None],
    expect: Expect,
    transition: str = "",
) -> Target:
    return Target(f"page: {label}", "web", "GET", url_name, path, expect, transition=transition)


def api(
    label: str,
    method: str,
    url_name: str,
    path: Callable[[World], str | None],
    expect: Expect,
    body: dict[str, Any] | None = None,
    transition: str = "",
) -> Target:
    return Target(f"api: {label}", "api", method, url_name, path, expect, body, transition)


# Reading a section does not depend on its kind, so the reads open the scope; the edits try the
# scope and a risk factor, whose editing states differ.
WEB_TARGETS = [
    page("case", "web:case", _case("web:case"), oracle.read),
    page("team", "web:team", _case("web:team"), oracle.change_team),
    page("dissent", "web:dissent", _case("web:dissent"), oracle.record_dissent),
    page("section scope", "web:section", _case("web:section", code="scope"), oracle.read),
    page("options", "web:options", _case("web:options"), oracle.read),
    page("option new", "web:option-new", _case("web:option-new"), _edit("options")),
    # The submission's page is its form for whoever may edit the options now, read-only else.
    page("submission", "web:submission", _case("web:submission"), oracle.read),
    # An option's page is its form for whoever may edit it now, a read-only view for the rest.
    page("option", "web:option", _option("web:option"), oracle.read),
    page(
        "option withdraw", "web:option-withdraw", _option("web:option-withdraw"), _edit("options")
    ),
    page("access log", "web:access-log", _case("web:access-log"), oracle.read_access_log),
    # The case page shows the latest audit entries; the audit trail page shows them all.
    page("audit trail", "web:audit-trail", _case("web:audit-trail"), oracle.read),
    page("evidence bundle", "web:bundle", _case("web:bundle"), oracle.read_bundle),
    page("source library", "web:sources", _case("web:sources"), oracle.read),
    page("review", "web:review", _case("web:review"), oracle.review_page),
    page("sign-off", "web:sign-off", _case("web:sign-off"), _transition("sign_off"), "sign_off"),
    # ASSUMPTION: the DRAFT preview shows the case's current content, which whoever sees the
    # case reads on the case page anyway; it is not the signed report that docs/architecture.md,
    # *Need-to-know*, keeps from the minister until it is submitted.
    page("report preview", "web:report-preview", _case("web:report-preview"), oracle.read),
    page(
        "minister",
        "web:minister",
        _case("web:minister"),
        _transition("record_decision"),
        "record_decision",
    ),
    page("report", "web:report", _report("web:report"), oracle.read_signed_report),
    page(
        "report download",
        "web:report-download",
        _report("web:report-download"),
        oracle.read_signed_report,
    ),
    *(
        page(
            f"transition {name}",
            "web:transition",
            _case("web:transition", name=name),
            _transition(name),
            name,
        )
        for name in oracle.TRANSITIONS
        if name not in DEDICATED_PAGES
    ),
]

API_TARGETS = [
    api("GET case", "GET", "api:case-detail", _case("api:case-detail"), oracle.read),
    api("GET sections", "GET", "api:case-sections", _case("api:case-sections"), oracle.read),
    api(
        "GET section scope",
        "GET",
        "api:case-section-scope",
        _case("api:case-section-scope"),
        oracle.read,
    ),
    api(
        "PATCH section scope",
        "PATCH",
        "api:case-section-scope",
        _case("api:case-section-scope"),
        _edit("scope"),
        {"analysis": "Scope revised by the matrix."},
    ),
    api(
        "PATCH section rf1",
        "PATCH",
        "api:case-section-rf1",
        _case("api:case-section-rf1"),
        _edit("risk_factor"),
        {"analysis": "Risk factor 1 revised by the matrix."},
    ),
    api("GET options", "GET", "api:case-options", _case("api:case-options"), oracle.read),
    api(
        "POST options",
        "POST",
        "api:case-options",
        _case("api:case-options"),
        _edit("options"),
        option_data("protection"),
    ),
    api("GET option", "GET", "api:case-option", _option("api:case-option"), oracle.read),
    api(
        "PATCH option",
        "PATCH",
        "api:case-option",
        _option("api:case-option"),
        _edit("options"),
        {"title": "Renamed by the matrix"},
    ),
    api(
        "DELETE option",
        "DELETE",
        "api:case-option",
        _option("api:case-option", "?reason=Superseded"),
        _edit("options"),
    ),
    api(
        "GET option gaps", "GET", "api:case-option-gaps", _case("api:case-option-gaps"), oracle.read
    ),
    api(
        "POST option gaps",
        "POST",
        "api:case-option-gaps",
        _case("api:case-option-gaps"),
        _edit("options"),
        {"category": "diplomacy", "reason": "No diplomatic channel is open."},
    ),
    # docs/architecture.md, *Roles*, names the audit trail for auditors; docs/web.md shows it
    # (the timeline) on the case page to whoever sees the case, so the team reads it too.
    api("GET events", "GET", "api:case-events", _case("api:case-events"), oracle.read),
    api("GET bundle", "GET", "api:case-bundle", _case("api:case-bundle"), oracle.read_bundle),
    # ASSUMPTION: the list of report versions is case metadata (the case page lists them too);
    # only opening a PDF is reading the report.
    api("GET reports", "GET", "api:case-reports", _case("api:case-reports"), oracle.read),
    # The list of decision records likewise: the case page lists them under the reports.
    api(
        "GET decision records",
        "GET",
        "api:case-decision-records",
        _case("api:case-decision-records"),
        oracle.read,
    ),
    api(
        "GET report pdf",
        "GET",
        "api:report-pdf",
        _report("api:report-pdf"),
        oracle.read_signed_report,
    ),
    *(
        api(
            f"transition {name}",
            "POST",
            f"api:case-transition-{name}",
            _case(f"api:case-transition-{name}"),
            _transition(name),
            TRANSITION_BODIES[name],
            name,
        )
        for name in oracle.TRANSITIONS
    ),
]

TARGETS = [*WEB_TARGETS, *API_TARGETS]
# The targets of the contributors dimension: the four-eyes transitions, on both surfaces.
FOUR_EYES_TARGETS = [t for t in TARGETS if t.transition in oracle.FOUR_EYES_TRANSITIONS]

# URLs with a case or a report in their path that the matrix does not request, and why.
NOT_IN_MATRIX = {
    "web:report-requeue": "POST-only housekeeping for a failed report; no report fails here",
    # Each section code has its own route, made by one function for every code
    # (aia.api.views.sections): the matrix reads and edits the scope and edits a risk factor.
    **{
        f"api:case-section-{code}": "the same view as the scope's and rf1's, for another code"
        for code in SECTION_APIS
        if code not in ("scope", "rf1")
    },
    # The templated routes answer only codes and names that are not sections or transitions.
    "api:case-section": "answers 404 for a code that is not a section",
    "api:case-transition": "answers 404 for a name that is not a transition",
    # Comments need a thread in the world; who may comment, reply and resolve, and the 404 for
    # a case one may not see, are in tests/services/test_comments.py and tests/web/.
    "web:comment-new": "tests/services/test_comments.py and tests/web/test_comments.py",
    "web:comment-reply": "tests/services/test_comments.py and tests/web/test_comments.py",
    "web:comment-resolve": "tests/services/test_comments.py and tests/web/test_comments.py",
    # Adding, citing and downloading need a source in the world; who may, in which states, and
    # the 404 for a case one may not see are in tests/services/ and tests/web/test_sources.py.
    **{
        f"web:source-{name}": "tests/services/test_sources.py and tests/web/test_sources.py"
        for name in ("new", "cite", "uncite", "file")
    },
}


# ------------------------------------------------------------------------------
# The world: a case in each state, built once through the real services
# ------------------------------------------------------------------------------
def build_worlds(team) -> list[World]:
    """Build one case per state. Each case also gets the content its state's own forward
    transition needs (scope, assessment, options), so the guards hold and an allowed cell
    answers 200; who wrote what is ``oracle.CONTRIBUTORS``."""
    prepare = {
        "scoping": lambda case: fill_scope(case, team.lead),
        "assessment": lambda case: fill_assessment(case, team.official),
        "options": lambda case: fill_options(case, team.official),
    }
    worlds = []
    for state in STATES:
        case = new_case(team) if state == "triggered" else case_in_state(team, state)
        if state in prepare:
            prepare[state](case)
        assert case.marking == Marking.OFFICIAL_SENSITIVE
        option = case.options.filter(version=case.version).order_by("created_at").first()
        report = case.reports.order_by("-number").first()
        worlds.append(
            World(
                state=state,
                case_id=str(case.pk),
                option_id=str(option.pk) if option else None,
                report_id=str(report.pk) if report else None,
            )
        )
    return worlds


def build_contributed_worlds(team: Team) -> list[World]:
    """Build, for each four-eyes state, one case per stage that can have been edited before it,
    in which the legal adviser and the SRO (given the official role by the caller) are named
    officials and both edited that stage; the lead and the second official fill the rest as
    in ``build_worlds``."""
    # Fresh users: a user caches its permissions, and these have just gained a role.
    team = replace(
        team, legal=User.objects.get(pk=team.legal.pk), sro=User.objects.get(pk=team.sro.pk)
    )
    return [
        World(state, str(_contributed_case(team, state, stage).pk), None, None, stage)
        for state in oracle.FOUR_EYES_STATES
        for stage in oracle.STAGE_CONTENT
        if oracle.could_have_edited(stage, state)
    ]


def _contributed_case(team: Team, state: str, stage: str) -> Case:
    s = case_services
    contributors = [team.legal, team.sro]
    officials = [team.official, *contributors]

    def name_adviser(case: Case, adviser: User) -> None:
        s.case_team_update(
            case=case,
            actor=team.sro,
            lead_official=team.lead,
            legal_adviser=adviser,
            officials=officials,
            minister=team.minister,
        )

    def approve(case: Case, approved: str, service: Callable[..., Case]) -> Case:
        if approved != stage:
            return service(case=case, actor=team.legal)
        # The legal adviser edited this stage: another adviser approves it, then hands back.
        name_adviser(case, team.other_legal)
        case = service(case=case, actor=team.other_legal)
        name_adviser(case, team.legal)
        return case

    case = s.case_assign(
        case=new_case(team),
        actor=team.sro,
        lead_official=team.lead,
        legal_adviser=team.legal,
        officials=officials,
        minister=team.minister,
    )
    case = walk(case, team, CaseState.ASSESSMENT)
    if stage == "assessment":
        for user in contributors:
            data = {"likely_perpetrators": f"Armed group A, as {user.username} sees it"}
            section_update(case=case, actor=user, code="scope", data=data)
    case = walk(case, team, CaseState.LEGAL_REVIEW)
    if state != CaseState.LEGAL_REVIEW:
        case = approve(case, "assessment", s.case_approve_assessment)
        if stage == "options":
            for user in contributors:
                data = option_data("protection", title=f"{user.username}'s option")
                option_create(case=case, actor=user, data=data)
        case = walk(case, team, CaseState.OPTIONS_REVIEW)
    if state == CaseState.SIGN_OFF:
        case = approve(case, "options", s.case_approve_options)
    assert case.state == state
    return case


def all_cases_sro() -> User:
    """An SRO who also holds the all-cases permission (docs/architecture.md, *Roles*)."""
    user = UserFactory(username="sro_all", roles=["sro"])
    user.user_permissions.add(Permission.objects.get(codename="view_all_cases"))
    return User.objects.get(pk=user.pk)


# ------------------------------------------------------------------------------
# Search: one search per persona and clearance finds exactly the cases the persona sees
# ------------------------------------------------------------------------------
SEARCH_WORD = "qzmatrixmark"


def plant_search_words(worlds: list[World]) -> dict[str, str]:
    """Write into each world's case the word every one of them shares and a word of its own;
    return each state's own word.

    The words go into the scope section's analysis, or, for a case that has no sections (its
    team was never named), its warning's title. They are written straight to the rows: a
    finished case's sections can no longer be edited through the services, and what is
    checked here is who finds the words, not how they were written.
    """
    words = {}
    for world in worlds:
        words[world.state] = f"qz{world.state.replace('_', '')}mark"
        text = f"Seen near {SEARCH_WORD} and {words[world.state]}."
        case = Case.objects.get(pk=world.case_id)
        section = Section.objects.filter(case=case, version=case.version, code="scope")
        if not section.update(analysis=text):
            Trigger.objects.filter(case=case).update(title=text)
    return words


def search_mismatches(clients, worlds, words, cleared: bool) -> tuple[int, list]:
    """Search the shared word as each persona: the results must name the case of each state
    (its reference or its own word) exactly when the persona sees it (``oracle.sees``, the
    case list's truth); anonymous is sent to sign in."""
    references = dict(
        Case.objects.filter(pk__in=[w.case_id for w in worlds]).values_list("pk", "reference")
    )
    target = Target("page: search", "web", "GET", "web:search", None, None)
    rows, searches = [], 0
    for persona in PERSONAS:
        if persona.anonymous and not cleared:
            continue
        response = clients[persona.key, "web"].get(reverse("web:search"), {"q": SEARCH_WORD})
        searches += 1
        page = response.content.decode() if response.status_code == 200 else ""
        for world in worlds:
            cell = Cell(persona, None if persona.anonymous else cleared, world, target)
            if persona.anonymous:
                want, got = oracle.SIGN_IN, outcome(response, "web")
            else:
                want = "found" if oracle.sees(persona, cleared, world.state) else "not found"
                named = (f"{references[uuid.UUID(world.case_id)]}:", words[world.state])
                got = "found" if any(text in page for text in named) else "not found"
            if got != want:
                rows.append((*cell.row(), want, got))
    return searches, rows


# ------------------------------------------------------------------------------
# Running a cell
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    persona: Persona
    cleared: bool | None  # None: anonymous, who has no clearance
    world: World
    target: Target

    def row(self) -> tuple[str, ...]:
        cleared = "-" if self.cleared is None else ("yes" if self.cleared else "no")
        return (
            self.persona.role,
            self.persona.team,
            ", ".join(sorted(self.persona.contributed)) or "-",
            cleared,
            self.world.state,
            self.target.label,
        )


def outcome(response, surface: str) -> str:
    """Reduce a response to the oracle's outcome classes."""
    status = response.status_code
    if 200 <= status < 300:
        return oracle.OK
    if surface == "web" and status == 302:
        location = response["Location"]
        if location.startswith(reverse("web:sign-in")):
            return oracle.SIGN_IN
        return f"302 to {location}"
    if surface == "api" and status == 401:
        return oracle.SIGN_IN
    return str(status)


def send(client, target: Target, path: str):
    method = getattr(client, target.method.lower())
    if target.surface == "api" and target.body is not None:
        return method(path, target.body, format="json")
    return method(path)


def run_cell(client, cell: Cell, path: str) -> str:
    """Make the cell's request in a savepoint that is always rolled back."""
    try:
        with transaction.atomic():
            response = send(client, cell.target, path)
            transaction.set_rollback(True)
    except Exception as error:
        return f"error {type(error).__name__}: {error}"[:120]
    if response.streaming:
        # Read the file to the end: the test client closes it then, without the request-finished
        # signal that would drop the database connection (and the test's transaction with it).
        b"".join(response.streaming_content)
    return outcome(response, cell.target.surface)


def cells_for(worlds: list[World]) -> list[tuple[Cell, str]]:
    """Return every applicable cell with its path, in a fixed order.

    The "not cleared" column is generated where clearance decides: for the personas who see
    the case when cleared. Lowering the clearance of someone who cannot see a case anyway only
    repeats their 404 (and would cost 4,000 more requests, a third of the run).
    """
    cells = []
    for cleared in (True, False):
        for persona in PERSONAS:
            if persona.anonymous and not cleared:
                continue  # anonymous has no clearance: one column for them
            for world in worlds:
                if not cleared and not oracle.sees(persona, True, world.state):
                    continue
                for target in TARGETS:
                    path = target.path(world)
                    if path is None:
                        continue
                    cell = Cell(persona, None if persona.anonymous else cleared, world, target)
                    cells.append((cell, path))
    return cells


def contributor_cells(worlds: list[World]) -> list[tuple[Cell, str]]:
    """Return the cells of the contributors dimension: on each case built by
    ``build_contributed_worlds``, each four-eyes place having edited the case's stage, cleared,
    against the four-eyes transitions."""
    return [
        (Cell(persona, True, world, target), target.path(world))
        for world in worlds
        for persona in oracle.CONTRIBUTING
        if persona.contributed == {world.contribution}
        for target in FOUR_EYES_TARGETS
    ]


def expected(cell: Cell) -> str:
    return cell.target.expect(cell.persona, bool(cell.cleared), cell.world.state)


def mismatch_table(rows: list[tuple[str, ...]]) -> str:
    header = ("role", "team", "edited", "cleared", "state", "target", "expected", "got")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row):
        return " | ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


# ------------------------------------------------------------------------------
# The tests
# ------------------------------------------------------------------------------
def test_the_oracle_knows_the_state_machine_the_app_runs():
    """The oracle's transition table (docs/architecture.md, *Transitions*) and the app's are the
    same machine, so the matrix tries every transition the app has (and only those)."""
    app = {name: (set(sources), target) for name, sources, target in transition_table()}
    design = {name: (set(t.sources), t.target) for name, t in oracle.TRANSITIONS.items()}
    assert app == design
    assert set(STATES) == set(CaseState.values)


def _case_or_report_urls() -> set[str]:
    """Return the names of the pages' and the API's URLs with a case or a report in the path."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                route = str(pattern.pattern)
                if namespace in ("web", "api") and ("case_id" in route or "report_id" in route):
                    names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_the_matrix_covers_every_url_with_a_case_or_a_report_in_its_path():
    covered = {target.url_name for target in TARGETS} | set(NOT_IN_MATRIX)
    assert _case_or_report_urls() <= covered
    transitions = {t.label.removeprefix("api: transition ") for t in API_TARGETS}
    assert set(oracle.TRANSITIONS) <= transitions


def test_the_contributors_dimension_asks_every_four_eyes_transition_on_both_surfaces():
    asked = {(target.surface, target.transition) for target in FOUR_EYES_TARGETS}
    assert asked == {
        (surface, name) for surface in ("web", "api") for name in oracle.FOUR_EYES_TRANSITIONS
    }


def _clients(users: dict[str, User], client_for, api_for) -> dict[tuple[str, str], Any]:
    """Return one signed-in browser session and one API token client per persona, made by the
    shared fixtures (anonymous gets bare clients)."""
    clients: dict[tuple[str, str], Any] = {}
    for persona in PERSONAS:
        if persona.anonymous:
            clients[persona.key, "web"], clients[persona.key, "api"] = Client(), APIClient()
        else:
            clients[persona.key, "web"] = client_for(users[persona.key])
            clients[persona.key, "api"] = api_for(users[persona.key])
    return clients


def test_permission_matrix(team, client_for, api_for, caplog, request):
    # Thousands of refusals would each log a warning, slowly, into the failure report.
    caplog.set_level(logging.ERROR, logger="django.request")
    caplog.set_level(logging.WARNING, logger="celery")
    started = time.monotonic()
    users = {**team.everyone(), "sro_all": all_cases_sro()}
    worlds = build_worlds(team)
    words = plant_search_words(worlds)
    clients = _clients(users, client_for, api_for)
    cells = cells_for(worlds)
    built = time.monotonic()

    mismatches: list[tuple[str, ...]] = []
    answers: Counter[str] = Counter()

    # Each phase prepares its cells in a transaction that is rolled back after them.
    def as_built() -> list[tuple[Cell, str]]:
        """Everyone cleared for OFFICIAL-SENSITIVE, the cases' marking; anonymous included."""
        return [(cell, path) for cell, path in cells if cell.cleared is not False]

    def not_cleared() -> list[tuple[Cell, str]]:
        """Everyone cleared only to OFFICIAL."""
        User.objects.update(clearance=Marking.OFFICIAL)
        return [(cell, path) for cell, path in cells if cell.cleared is False]

    def contributors() -> list[tuple[Cell, str]]:
        """The legal adviser and the SRO hold the official role too, and edited a stage."""
        official = Group.objects.get(name=Role.OFFICIAL)
        users["legal"].groups.add(official)
        users["sro"].groups.add(official)
        return contributor_cells(build_contributed_worlds(team))

    sizes, took, searches = [], [], 0
    for phase in (as_built, not_cleared, contributors):
        phase_started = time.process_time()
        with transaction.atomic():
            phase_cells = phase()
            for cell, path in phase_cells:
                want = expected(cell)
                got = run_cell(clients[cell.persona.key, cell.target.surface], cell, path)
                answers[want] += 1
                if got != want:
                    mismatches.append((*cell.row(), want, got))
            if phase is not contributors:
                asked, differ = search_mismatches(clients, worlds, words, phase is as_built)
                searches += asked
                mismatches += differ
            transaction.set_rollback(True)
        sizes.append(len(phase_cells))
        took.append(f"{time.process_time() - phase_started:.0f}s CPU")
    finished = time.monotonic()

    total = sum(sizes)
    assert sum(answers.values()) == total == len(cells) + sizes[2]
    summary = (
        f"{total} cells: {len(PERSONAS) - 1} personas + anonymous x {len(worlds)} states "
        f"x {len(TARGETS)} targets ({len(WEB_TARGETS)} pages, {len(API_TARGETS)} API requests "
        f"of which {len(oracle.TRANSITIONS)} transitions) with clearance: {sizes[0]}; "
        f"without, where clearance decides: {sizes[1]}; the legal adviser and the SRO having "
        f"edited a stage, in the four-eyes states x {len(FOUR_EYES_TARGETS)} four-eyes "
        f"targets: {sizes[2]}. Option and report targets only on cases that have one. "
        f"{searches} searches, one per persona and clearance, each checked against every "
        f"state. "
        "Expected: "
        + ", ".join(f"{count} {answer}" for answer, count in sorted(answers.items()))
        + f". Built in {built - started:.1f}s, ran in {finished - built:.1f}s "
        f"({' + '.join(took)}); {len(mismatches)} cells differ."
    )
    request.node.user_properties.append((MATRIX_SUMMARY, summary))
    if mismatches:
        pytest.fail(
            f"{len(mismatches)} of {total} cells differ from tests/matrix/oracle.py:"
            f"\n{mismatch_table(mismatches)}",
            pytrace=False,
        )


# ------------------------------------------------------------------------------
# Trigger intake: who may post, and what the answer tells them
# ------------------------------------------------------------------------------
def _intake_body(world: World, kind: str, number: int) -> dict[str, Any]:
    case = Case.objects.select_related("situation").get(pk=world.case_id)
    if kind == "replay":
        first = case.triggers.order_by("received_at").first()
        return trigger_data(source_body=first.source_body, reference=first.reference)
    situation = {"country_code": case.situation.country_code, "name": case.situation.name}
    if kind == "open":
        situation = {"country_code": "SD", "name": f"A situation of its own, {number}"}
    return trigger_data(situation=situation, reference=f"MATRIX/{kind}/{number}")


def intake_outcome(response) -> str:
    """Reduce an intake answer to the oracle's: its status, and whether it names the case."""
    if response.status_code in (200, 201):
        return (
            f"{response.status_code} {oracle.NAMED if response.json()['case'] else oracle.RECEIPT}"
        )
    return outcome(response, "api")


def test_intake_matrix(team, api_for, caplog, request):
    """Every persona, cleared or not, on or off the team, posts a trigger for a new situation,
    one for the situation of a case in each state, and replays that case's first trigger."""
    caplog.set_level(logging.ERROR, logger="django.request")
    caplog.set_level(logging.WARNING, logger="celery")
    users = {**team.everyone(), "sro_all": all_cases_sro()}
    worlds = build_worlds(team)
    clients = {
        persona.key: APIClient() if persona.anonymous else api_for(users[persona.key])
        for persona in PERSONAS
    }
    mismatches, numbers = [], iter(range(10**6))
    cells = 0
    for cleared in (True, False):
        with transaction.atomic():
            if not cleared:
                User.objects.update(clearance=Marking.OFFICIAL)
            for persona in PERSONAS:
                if persona.anonymous and not cleared:
                    continue
                for world in worlds:
                    for kind in oracle.INTAKE_KINDS:
                        body = _intake_body(world, kind, next(numbers))
                        want = oracle.intake(persona, cleared, world.state, kind)
                        with transaction.atomic():
                            response = clients[persona.key].post(
                                "/api/v1/triggers/", body, format="json"
                            )
                            got = intake_outcome(response)
                            transaction.set_rollback(True)
                        cells += 1
                        if got != want:
                            target = Target(f"api: intake {kind}", "api", "POST", "", None, None)
                            cell = Cell(
                                persona, None if persona.anonymous else cleared, world, target
                            )
                            mismatches.append((*cell.row(), want, got))
            transaction.set_rollback(True)
    request.node.user_properties.append(
        (
            MATRIX_SUMMARY,
            f"intake: {cells} cells ({len(PERSONAS)} personas x cleared or not x {len(worlds)} "
            f"states x {len(oracle.INTAKE_KINDS)} kinds); {len(mismatches)} differ.",
        )
    )
    if mismatches:
        pytest.fail(
            f"{len(mismatches)} of {cells} intake cells differ from tests/matrix/oracle.py:"
            f"\n{mismatch_table(mismatches)}",
            pytrace=False,
        )
