"""Seed a development database with the demo users and cases.

Cases are built only through the real services, as the user who would act at each step:
triggers through ``trigger_ingest``, content through the section and options services, every
state change through its transition service. Nothing here writes a case's state or content.
Only the demo users, their roles (group memberships) and their permissions are written
directly.

Seeding is idempotent. Triggers are unique on ``(source_body, reference)``, so ingesting them
again finds the cases they opened; a case is walked only while it is short of its target, so
a second run changes nothing, and a case someone has since moved on by hand is left alone.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from aia.api.views.triggers import trigger_input
from aia.demo.content import DEMO_USERS, DemoCase, DemoUser, demo_cases
from aia.framework import DIMENSION_CODES, FOOTPRINT, RISK_FACTOR_CODES, SCOPE
from aia.models import Case, Dissent, Review, Trigger, User
from aia.models.choices import (
    FINISHED_STATES,
    CaseState,
    Recommendation,
    ReportStatus,
    ReviewDecision,
    Stage,
)
from aia.permissions import requires_second_factor
from aia.services import cases as case_services
from aia.services.assessment import section_update
from aia.services.comments import comment_add, comment_reply, comment_resolve
from aia.services.decision_records import decision_record_render
from aia.services.notifications import notification_mark_all_read
from aia.services.options import (
    case_submission_update,
    option_create,
    option_gap_record,
    option_update,
)
from aia.services.reports import report_render
from aia.services.reviews import dissent_record
from aia.services.security import user_password_change
from aia.services.triggers import trigger_ingest

PRODUCTION_SETTINGS = "config.settings.production"
TEST_SETTINGS = "config.settings.test"

ASSESSMENT_SECTION_CODES = (*RISK_FACTOR_CODES, FOOTPRINT, *DIMENSION_CODES)
_STATE_ORDER = {state: index for index, state in enumerate(CaseState.values)}
# More steps than the longest path (trigger to closed, with returns and a reopening) needs.
_MAX_STEPS = 40

DEMO_DEVICE = "Demo authenticator"


class DemoSeedError(Exception):
    """Seeding was refused or could not finish; the message says why."""


@dataclass(frozen=True)
class SeededCase:
    plan: DemoCase
    case: Case
    # What this run did: "opened", "walked" (an existing case moved on) or "unchanged".
    action: str


@dataclass(frozen=True)
class SeedResult:
    users: list[User]
    cases: list[SeededCase]


def seeding_refusal_reason() -> str | None:
    """Return why demo data must not be seeded with the current settings, or ``None``.

    Demo users share one known password, so seeding is refused under the production settings
    and, to catch a production-like configuration under another name, whenever ``DEBUG`` is
    off, except under the test settings.
    """
    # override_settings (and so pytest-django's ``settings`` fixture) hides SETTINGS_MODULE
    # unless it is overridden itself: fall back to the variable Django was started with.
    module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if module == PRODUCTION_SETTINGS:
        return (
            f"seed_demo refuses to run under the production settings ({module}): demo users "
            "share a known password."
        )
    if not settings.DEBUG and module != TEST_SETTINGS:
        return (
            f"seed_demo runs only with DEBUG on (config.settings.local) or under "
            f"{TEST_SETTINGS}; the settings in use ({module or 'unknown'}) have DEBUG off."
        )
    return None


def seed_demo(*, password: str, log: Callable[[str], None] | None = None) -> SeedResult:
    """Create or update the demo users, then open and walk the demo cases.

    ``log`` receives one line per case saying what was done.
    """
    reason = seeding_refusal_reason()
    if reason:
        raise DemoSeedError(reason)
    if not password:
        raise DemoSeedError("The demo users need a password.")
    log = log or (lambda line: None)
    users = demo_users_ensure(password=password)
    # Fresh copies, so that no permission cache from the set-up outlives it.
    people = {user.username: user for user in User.objects.filter(pk__in=[u.pk for u in users])}
    seeded = []
    for plan in demo_cases():
        seeded_case = _seed_case(plan, people, password)
        log(_describe(seeded_case))
        seeded.append(seeded_case)
    # Walking the cases hands them on a hundred times in a minute, for everyone at once: left
    # unread, those notifications would greet each demo user as a backlog of hand-offs that
    # never happened to them. What happens after seeding is new, and counted as such.
    notification_mark_all_read(users=users)
    return SeedResult(users=users, cases=seeded)


# ------------------------------------------------------------------------------
# Users
# ------------------------------------------------------------------------------
@transaction.atomic
def demo_users_ensure(*, password: str) -> list[User]:
    """Create the demo users, or bring existing ones back to their documented set-up."""
    return [_user_ensure(spec, password) for spec in DEMO_USERS]


def _user_ensure(spec: DemoUser, password: str) -> User:
    # A new account gets its password as it is created; resetting an existing one's is a
    # change of password (its API token is revoked and the change logged).
    user, created = User.objects.get_or_create(
        username=spec.username, defaults={"password": make_password(password)}
    )
    wanted = {
        "first_name": spec.first_name,
        "last_name": spec.last_name,
        "email": spec.email,
        "job_title": spec.job_title,
        "department": spec.department,
        "clearance": spec.clearance,
        "is_active": True,
    }
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    # Only set the password when it differs, so that a second run writes nothing.
    if not created and not user.check_password(password):
        user_password_change(user=user, password=password)
    if changed:
        user.save(update_fields=changed)
    user.groups.set(Group.objects.filter(name__in=spec.roles))
    if len(spec.roles) != user.groups.count():
        raise DemoSeedError(f"Missing role groups for {spec.username}: run migrate first.")
    user.user_permissions.set(_permissions(spec.permissions))
    # The roles that sign in with a one-time code get an authenticator already set up, whose
    # current code `manage.py demo_code USERNAME` prints (a second run keeps the same key).
    if requires_second_factor(User.objects.get(pk=user.pk)) and not (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    ):
        TOTPDevice.objects.create(user=user, name=DEMO_DEVICE, confirmed=True)
    return user


def _permissions(names: tuple[str, ...]) -> list[Permission]:
    permissions = []
    for name in names:
        app_label, codename = name.split(".")
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return permissions


# ------------------------------------------------------------------------------
# Cases
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Walk:
    """What a walk needs: the plan, the demo users by username and their password."""

    plan: DemoCase
    people: dict[str, User]
    password: str

    def user(self, username: str) -> User:
        return self.people[username]

    def team(self, role: str) -> User:
        return self.people[self.plan.team[role]]

    def author(self, code: str) -> User:
        """Return the official who writes a section (the lead official unless named)."""
        return self.people[self.plan.authors.get(code, self.plan.team["lead_official"])]

    def at_target(self, case: Case) -> bool:
        return case.state == self.plan.target and case.version == self.plan.target_version


def _seed_case(plan: DemoCase, people: dict[str, User], password: str) -> SeededCase:
    results = [_ingest(trigger, people) for trigger in plan.triggers]
    case = Case.objects.get(pk=results[0].case.pk)
    opened = results[0].created
    walk = _Walk(plan=plan, people=people, password=password)
    if not opened and not _is_short_of_target(case, plan):
        return SeededCase(plan=plan, case=case, action="unchanged")
    case = _walk(walk, case)
    return SeededCase(plan=plan, case=case, action="opened" if opened else "walked")


def _ingest(trigger: dict[str, Any], people: dict[str, User]):
    # The demo's triggers are data, checked as the API checks a posted trigger.
    data = {name: value for name, value in trigger.items() if name != "posted_by"}
    return trigger_ingest(actor=people[trigger["posted_by"]], **trigger_input(data))


def _is_short_of_target(case: Case, plan: DemoCase) -> bool:
    """Return whether an existing case still lies on the way to its target.

    A finished case, or one at or past its target (someone may have moved it on by hand),
    is left as it is.
    """
    if case.state in FINISHED_STATES:
        return False
    if plan.target == CaseState.WITHDRAWN:
        # Withdrawn at triage: once a team has it, it is no longer the demo's to withdraw.
        return case.state == CaseState.TRIGGERED
    progress = (case.version, _STATE_ORDER[case.state])
    return progress < (plan.target_version, _STATE_ORDER[plan.target])


def _walk(walk: _Walk, case: Case) -> Case:
    """Take the case one step at a time until its state's handler says it has arrived."""
    for _step in range(_MAX_STEPS):
        case = Case.objects.get(pk=case.pk)
        _record_dissents(walk, case)
        if _HANDLERS[case.state](walk, case):
            return Case.objects.get(pk=case.pk)
    raise DemoSeedError(f"{walk.plan.key}: the walk did not reach {walk.plan.target}.")


def _returned(case: Case, stage: str) -> bool:
    """Return whether the stage was returned for changes in the case's current version."""
    return Review.objects.filter(
        case=case, version=case.version, stage=stage, decision=ReviewDecision.RETURNED
    ).exists()


def _record_dissents(walk: _Walk, case: Case) -> None:
    for dissent in walk.plan.dissents:
        if dissent["when"] != case.state or dissent.get("version", 1) != case.version:
            continue
        author = walk.user(dissent["author"])
        already = Dissent.objects.filter(
            case=case, version=case.version, stage=dissent["stage"], author=author
        ).exists()
        if not already:
            dissent_record(case=case, actor=author, stage=dissent["stage"], text_=dissent["text"])


def _section_data(walk: _Walk, data: dict[str, Any]) -> dict[str, Any]:
    """Return a section's data with its cited source ids replaced by the sources."""
    data = dict(data)
    if "sources" in data:
        data["sources"] = [walk.plan.source(source_id) for source_id in data["sources"]]
    return data


def _update_sections(walk: _Walk, case: Case, sections: dict[str, dict[str, Any]]) -> None:
    for code, data in sections.items():
        section_update(
            case=case, actor=walk.author(code), code=code, data=_section_data(walk, data)
        )


# ------------------------------------------------------------------------------
# One handler per state: do what the case's team would do next, and return True when the
# case has arrived where the plan wants it. Every step is safe to repeat.
# ------------------------------------------------------------------------------
def _on_triggered(walk: _Walk, case: Case) -> bool:
    plan = walk.plan
    if plan.target == CaseState.TRIGGERED:
        return True
    if plan.target == CaseState.WITHDRAWN:
        case_services.case_withdraw(
            case=case, actor=walk.user(plan.withdrawal["by"]), reason=plan.withdrawal["reason"]
        )
        return False
    case_services.case_assign(
        case=case,
        actor=walk.team("sro"),
        lead_official=walk.team("lead_official"),
        legal_adviser=walk.team("legal_adviser"),
        officials=[walk.user(name) for name in plan.team.get("officials", [])],
        minister=walk.team("minister"),
    )
    return False


def _on_scoping(walk: _Walk, case: Case) -> bool:
    _update_sections(walk, case, {SCOPE: walk.plan.scope})
    if walk.at_target(case):
        return True
    case_services.case_start_assessment(case=case, actor=walk.team("lead_official"))
    return False


def _on_assessment(walk: _Walk, case: Case) -> bool:
    plan = walk.plan
    if walk.at_target(case):
        # A reopened case stops with the officials' first revisions; a first version with the
        # sections written so far.
        _update_sections(walk, case, plan.reopen["revisions"] if plan.reopen else plan.sections)
        return True
    if _returned(case, Stage.ASSESSMENT):
        _update_sections(walk, case, plan.assessment_return["revisions"])
    else:
        sections = {code: plan.sections[code] for code in ASSESSMENT_SECTION_CODES}
        _update_sections(walk, case, sections)
    case_services.case_submit_assessment(case=case, actor=walk.team("lead_official"))
    return False


def _on_legal_review(walk: _Walk, case: Case) -> bool:
    plan = walk.plan
    legal = walk.team("legal_adviser")
    if plan.assessment_return and not _returned(case, Stage.ASSESSMENT):
        case_services.case_return_assessment(
            case=case, actor=legal, comment=plan.assessment_return["comment"]
        )
        return False
    if walk.at_target(case):
        return True
    case_services.case_approve_assessment(
        case=case, actor=legal, comment=plan.comments.get("approve_assessment", "")
    )
    return False


def _on_options(walk: _Walk, case: Case) -> bool:
    plan = walk.plan
    returned = _returned(case, Stage.OPTIONS)
    if plan.options_return and returned:
        _revise_options(walk, case, plan.options_return)
    else:
        _ensure_options(walk, case)
    if walk.at_target(case) and (returned or not plan.options_return):
        return True
    case_services.case_submit_options(case=case, actor=walk.team("lead_official"))
    return False


def _ensure_options(walk: _Walk, case: Case) -> None:
    existing = set(case.options.filter(version=case.version).values_list("title", flat=True))
    for option in walk.plan.options:
        if option["title"] in existing:
            continue
        data = {name: value for name, value in option.items() if name != "by"}
        author = walk.user(option.get("by", walk.plan.team["lead_official"]))
        option_create(case=case, actor=author, data=data)
    for category, reason in walk.plan.option_gaps.items():
        option_gap_record(
            case=case, actor=walk.team("lead_official"), category=category, reason=reason
        )
    if walk.plan.submission:
        case_submission_update(
            case=case, actor=walk.team("lead_official"), data=walk.plan.submission
        )


def _comment_on_options(walk: _Walk, case: Case, threads: list[dict[str, Any]]) -> None:
    """Start the legal adviser's comment threads on single options, with a return."""
    for thread in threads:
        option = case.options.get(version=case.version, title=thread["option"])
        comment_add(
            case=case, actor=walk.team("legal_adviser"), option_id=option.pk, text_=thread["text"]
        )


def _answer_comments(walk: _Walk, case: Case, author: User, threads: list[dict[str, Any]]) -> None:
    """Reply to and resolve the threads the officials have dealt with (once each)."""
    for thread in threads:
        comment = case.comments.get(
            version=case.version, parent__isnull=True, option__title=thread["option"]
        )
        if thread.get("reply") and not comment.replies.exists():
            comment_reply(case=case, actor=author, comment_id=comment.pk, text_=thread["reply"])
        if thread.get("resolved") and not comment.is_resolved:
            comment_resolve(case=case, actor=author, comment_id=comment.pk)


def _revise_options(walk: _Walk, case: Case, revision: dict[str, Any]) -> None:
    """Make the changes the officials made in answer to a legal adviser's return."""
    author = walk.user(revision.get("by", walk.plan.team["lead_official"]))
    _answer_comments(walk, case, author, revision.get("threads", []))
    for change in revision.get("changes", []):
        option = case.options.get(version=case.version, title=change["title"])
        option_update(case=case, actor=author, option_id=option.pk, data=change["data"])
    existing = set(case.options.filter(version=case.version).values_list("title", flat=True))
    for option in revision.get("add", []):
        if option["title"] not in existing:
            option_create(case=case, actor=author, data=option)


def _on_options_review(walk: _Walk, case: Case) -> bool:
    plan = walk.plan
    legal = walk.team("legal_adviser")
    if plan.options_return and not _returned(case, Stage.OPTIONS):
        _comment_on_options(walk, case, plan.options_return.get("threads", []))
        case_services.case_return_options(
            case=Case.objects.get(pk=case.pk), actor=legal, comment=plan.options_return["comment"]
        )
        return False
    if walk.at_target(case):
        return True
    case_services.case_approve_options(
        case=case, actor=legal, comment=plan.comments.get("approve_options", "")
    )
    return False


def _on_sign_off(walk: _Walk, case: Case) -> bool:
    if walk.at_target(case):
        return True
    case_services.case_sign_off(
        case=case,
        actor=walk.team("sro"),
        password=walk.password,
        comment=walk.plan.comments.get("sign_off", ""),
    )
    return False


def _on_signed_off(walk: _Walk, case: Case) -> bool:
    _ensure_report_ready(case)
    if walk.at_target(case):
        return True
    case_services.case_submit_to_minister(case=case, actor=walk.team("sro"))
    return False


def _ensure_report_ready(case: Case) -> None:
    """Make sure the signed report is rendered before it goes to the minister.

    Rendering is queued when the sign-off commits. Without a broker it has already run
    in-process by now; with one, a worker may not have got to it, and inside a test's
    transaction it has not run at all. Rendering is idempotent, so render it here if needed.
    """
    report = case.reports.filter(superseded_at__isnull=True).order_by("-number").first()
    if report is None:
        raise DemoSeedError(f"{case.reference} is signed off but has no report.")
    if report.status in (ReportStatus.QUEUED, ReportStatus.RENDERING):
        report = report_render(report_id=str(report.pk))
    if report.status != ReportStatus.READY:
        raise DemoSeedError(
            f"The report of {case.reference} did not render: {report.failure_reason or '?'}"
        )


def _on_with_minister(walk: _Walk, case: Case) -> bool:
    if walk.at_target(case):
        return True
    decision = walk.plan.decision
    recommended = {
        option.title: str(option.pk)
        for option in case.options.filter(
            version=case.version,
            withdrawn_at__isnull=True,
            recommendation=Recommendation.RECOMMENDED,
        )
    }
    per_option = {recommended[title]: value for title, value in decision.get("options", {}).items()}
    case_services.case_record_decision(
        case=case,
        actor=walk.team("minister"),
        decision=decision["decision"],
        note=decision["note"],
        option_decisions=per_option or None,
    )
    _ensure_decision_records_ready(case)
    return False


def _ensure_decision_records_ready(case: Case) -> None:
    """Render the decision records the minister's answers queued, as for the report
    (``_ensure_report_ready``): rendering is idempotent, so a worker that also ran is harmless."""
    queued = case.decision_records.filter(status__in=(ReportStatus.QUEUED, ReportStatus.RENDERING))
    for record_id in queued.values_list("pk", flat=True):
        record = decision_record_render(decision_record_id=str(record_id))
        if record.status != ReportStatus.READY:
            raise DemoSeedError(
                f"A decision record of {case.reference} did not render: "
                f"{record.failure_reason or '?'}"
            )


def _on_monitoring(walk: _Walk, case: Case) -> bool:
    plan = walk.plan
    if plan.reopen and case.version < plan.target_version:
        # The new finding reopens the case in a new version (the system takes the step).
        _ingest(plan.reopen["trigger"], walk.people)
        return False
    if walk.at_target(case):
        return True
    case_services.case_close(case=case, actor=walk.team("sro"), note=plan.closing_note)
    return False


def _on_finished(walk: _Walk, case: Case) -> bool:
    return True


_HANDLERS: dict[str, Callable[[_Walk, Case], bool]] = {
    CaseState.TRIGGERED: _on_triggered,
    CaseState.SCOPING: _on_scoping,
    CaseState.ASSESSMENT: _on_assessment,
    CaseState.LEGAL_REVIEW: _on_legal_review,
    CaseState.OPTIONS: _on_options,
    CaseState.OPTIONS_REVIEW: _on_options_review,
    CaseState.SIGN_OFF: _on_sign_off,
    CaseState.SIGNED_OFF: _on_signed_off,
    CaseState.WITH_MINISTER: _on_with_minister,
    CaseState.MONITORING: _on_monitoring,
    CaseState.CLOSED: _on_finished,
    CaseState.WITHDRAWN: _on_finished,
}


def _describe(seeded: SeededCase) -> str:
    case = seeded.case
    where = case.state + (f" (version {case.version})" if case.version > 1 else "")
    done = {
        "opened": f"opened, now {where}",
        "walked": f"walked on, now {where}",
        "unchanged": f"already {where}; left as it is",
    }[seeded.action]
    return f"{case.reference} {case.title}: {done}."


def demo_case_for(plan: DemoCase) -> Case | None:
    """Return the case the plan's first trigger opened, if it has been seeded."""
    first = plan.triggers[0]
    trigger = (
        Trigger.objects.select_related("case")
        .filter(source_body=first["source_body"], reference=first["reference"])
        .first()
    )
    return trigger.case if trigger else None
