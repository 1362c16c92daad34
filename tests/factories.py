"""Factories and a walker that moves cases through real transitions (never by writing state)."""

import itertools
from dataclasses import dataclass
from typing import Any

import factory
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.test import TestCase

from aia.api.views.triggers import trigger_input
from aia.framework import DIMENSION_CODES, RISK_FACTOR_CODES, get_framework
from aia.models import Case, Option, User
from aia.models.choices import CaseState, Marking, Recommendation, Role
from aia.roles import ensure_role_groups
from aia.services import cases as case_services
from aia.services.assessment import section_update
from aia.services.options import option_create
from aia.services.triggers import IngestResult, trigger_ingest

PASSWORD = "correct-horse-battery-staple"
_situation_numbers = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.uk")
    clearance = Marking.OFFICIAL_SENSITIVE
    # Hashed on creation; changing it later goes through ``user_password_change``, which
    # revokes the API token and logs the change.
    password = factory.LazyFunction(lambda: make_password(PASSWORD))

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        self.save()


def ingest(*, actor: User | None, data: dict[str, Any]) -> IngestResult:
    """Ingest a trigger's body as the API does: checked by its input serializer, then
    handed to the service."""
    return trigger_ingest(actor=actor, **trigger_input(data))


def trigger_data(**overrides: Any) -> dict[str, Any]:
    """Return a valid trigger payload for a fresh situation unless overridden."""
    number = next(_situation_numbers)
    data = {
        "kind": "inquiry_finding",
        "instrument": "report",
        "source_body": "Independent International Fact-Finding Mission",
        "reference": f"A/HRC/TEST/{number}",
        "title": f"Findings of the mission, part {number}",
        "finding_date": "2024-09-06",
        "finding": "serious_risk",
        "crimes": ["genocide", "crimes_against_humanity"],
        "groups_at_risk": "Civilians of the test region",
        "summary": "Reasonable grounds to believe atrocity crimes are at serious risk.",
        "source_url": "https://www.ohchr.org/en/hr-bodies/hrc/test",
        "situation": {"country_code": "SD", "name": f"Test situation {number}"},
    }
    data.update(overrides)
    return data


@dataclass
class Team:
    sro: User
    lead: User
    official: User
    legal: User
    minister: User
    auditor: User
    other_sro: User
    other_official: User
    other_legal: User
    other_minister: User
    outsider: User
    integration: User

    def everyone(self) -> dict[str, User]:
        return dict(vars(self))


def restore_permissions_and_roles() -> None:
    """Put back the permissions and role groups migrations make, which a transactional
    test's flush removes (rows already there are kept)."""
    create_permissions(apps.get_app_config("aia"), verbosity=0)
    create_permissions(apps.get_app_config("authtoken"), verbosity=0)
    ensure_role_groups(Group, Permission)


def make_team() -> Team:
    def user(name: str, *roles: str, **kwargs: Any) -> User:
        return UserFactory(username=name, roles=list(roles), **kwargs)

    integration = user(
        "feed",
    )
    from django.contrib.auth.models import Permission

    integration.user_permissions.add(Permission.objects.get(codename="add_trigger"))
    return Team(
        sro=user("sro", Role.SRO),
        lead=user("lead", Role.OFFICIAL),
        official=user("official", Role.OFFICIAL),
        legal=user("legal", Role.LEGAL_ADVISER),
        minister=user("minister", Role.MINISTER),
        auditor=user("auditor", Role.AUDITOR),
        other_sro=user("other_sro", Role.SRO),
        other_official=user("other_official", Role.OFFICIAL),
        other_legal=user("other_legal", Role.LEGAL_ADVISER),
        other_minister=user("other_minister", Role.MINISTER),
        outsider=user("outsider"),
        integration=User.objects.get(pk=integration.pk),
    )


SCOPE = {
    "analysis": "Situation in the test region, focusing on attacks on civilians.",
    "period_start": "2023-04-15",
    "period_end": "2025-12-31",
    "groups_at_risk": "Masalit and other non-Arab communities",
    "crimes_at_risk": ["genocide", "crimes_against_humanity", "war_crimes"],
    "likely_perpetrators": "Armed group A and allied militias",
}
SOURCE = {
    "title": "Report of the mission",
    "url": "https://www.ohchr.org/en/test",
    "date": "2024-09-06",
}


def fill_scope(case: Case, actor: User) -> None:
    section_update(case=case, actor=actor, code="scope", data=SCOPE)


def fill_assessment(case: Case, actor: User) -> None:
    framework = get_framework()
    for code in RISK_FACTOR_CODES:
        indicators = [i.number for i in framework.section(code).indicators][:2]
        section_update(
            case=case,
            actor=actor,
            code=code,
            data={
                "rating": "present",
                "confidence": "medium",
                "analysis": f"Analysis of {code}.",
                "key_evidence": f"Key evidence for {code}.",
                "indicators": indicators,
                "sources": [SOURCE],
            },
        )
    section_update(
        case=case,
        actor=actor,
        code="uk_footprint",
        data={"exposure": "medium", "confidence": "high", "analysis": "UK aid and trade links."},
    )
    for code in DIMENSION_CODES:
        section_update(
            case=case,
            actor=actor,
            code=code,
            data={
                "capacity": "medium",
                "confidence": "medium",
                "analysis": f"UK capacity: {code}.",
            },
        )


def option_data(category: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "category": category,
        "title": f"Option on {category}",
        "description": "What the UK would do.",
        "target_actors": "Leaders of armed group A",
        "lead_department": "fcdo",
        "expected_effect": "medium",
        "feasibility": "high",
        "risk_of_harm": "low",
        "mitigation": "Coordinate with partners.",
        "timeframe": "Three months",
        "recommendation": "recommended",
        "rationale": "Proportionate and achievable.",
    }
    data.update(overrides)
    return data


def fill_options(case: Case, actor: User) -> None:
    for category in ("diplomacy", "sanctions", "legal", "leverage"):
        option_create(case=case, actor=actor, data=option_data(category))


# The path of a case from trigger to closure, as (state reached, step).
def _steps(team: Team):
    s = case_services
    return [
        (
            CaseState.SCOPING,
            lambda c: s.case_assign(
                case=c,
                actor=team.sro,
                lead_official=team.lead,
                legal_adviser=team.legal,
                officials=[team.official],
                minister=team.minister,
            ),
        ),
        (
            CaseState.ASSESSMENT,
            lambda c: (fill_scope(c, team.lead), s.case_start_assessment(case=c, actor=team.lead))[
                -1
            ],
        ),
        (
            CaseState.LEGAL_REVIEW,
            lambda c: (
                fill_assessment(c, team.official),
                s.case_submit_assessment(case=c, actor=team.lead),
            )[-1],
        ),
        (
            CaseState.OPTIONS,
            lambda c: s.case_approve_assessment(case=c, actor=team.legal, comment="Sound."),
        ),
        (
            CaseState.OPTIONS_REVIEW,
            lambda c: (
                fill_options(c, team.official),
                s.case_submit_options(case=c, actor=team.lead),
            )[-1],
        ),
        (CaseState.SIGN_OFF, lambda c: s.case_approve_options(case=c, actor=team.legal)),
        (
            CaseState.SIGNED_OFF,
            lambda c: s.case_sign_off(case=c, actor=team.sro, password=PASSWORD),
        ),
        (CaseState.WITH_MINISTER, lambda c: s.case_submit_to_minister(case=c, actor=team.sro)),
        (
            CaseState.MONITORING,
            lambda c: s.case_record_decision(
                case=c, actor=team.minister, decision="agreed", note="Proceed."
            ),
        ),
        (
            CaseState.CLOSED,
            lambda c: s.case_close(case=c, actor=team.sro, note="Risk has receded."),
        ),
    ]


def committing():
    """Run the on-commit callbacks (e.g. report rendering) that the test transaction holds."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def new_case(team: Team, **trigger_overrides: Any) -> Case:
    return ingest(actor=team.sro, data=trigger_data(**trigger_overrides)).case


def walk(case: Case, team: Team, to_state: str) -> Case:
    """Move the case forward through real services until it reaches ``to_state``."""
    if to_state == CaseState.WITHDRAWN:
        # Withdraw once the team is named, so the case has an SRO and a team to refuse.
        case = walk(case, team, CaseState.SCOPING)
        return case_services.case_withdraw(
            case=case, actor=team.sro, reason="Overtaken by a wider assessment."
        )
    for reached, step in _steps(team):
        if case.state == to_state:
            break
        if _order(reached) <= _order(case.state):
            continue
        with committing():
            case = step(case)
        case.refresh_from_db()
    assert case.state == to_state, f"walked to {case.state}, wanted {to_state}"
    return case


def case_in_state(team: Team, state: str, **trigger_overrides: Any) -> Case:
    return walk(new_case(team, **trigger_overrides), team, state)


def _order(state: str) -> int:
    return [s.value for s in CaseState].index(state)


def case_decided_in_part(team: Team) -> tuple[Case, Option, list[Option]]:
    """A case whose minister agreed every recommended option but the first, which they refused."""
    case = case_in_state(team, CaseState.WITH_MINISTER)
    recommended = list(
        case.options.filter(recommendation=Recommendation.RECOMMENDED).order_by("title")
    )
    assert len(recommended) >= 2
    refused, *agreed = recommended
    decisions = {str(option.pk): "agreed" for option in agreed} | {str(refused.pk): "not_agreed"}
    case_services.case_record_decision(
        case=case,
        actor=team.minister,
        decision="agreed_in_part",
        note="Not the travel ban: it would end the talks.",
        option_decisions=decisions,
    )
    case.refresh_from_db()
    return case, refused, agreed
