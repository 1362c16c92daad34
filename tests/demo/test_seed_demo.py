"""The seed_demo command: refusals, the demo it builds, and a second run that changes nothing."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase
from django_otp.plugins.otp_totp.models import TOTPDevice

from aia.canonical import sha256_of
from aia.demo.content import DEMO_USERS, demo_cases
from aia.demo.seed import (
    ASSESSMENT_SECTION_CODES,
    DemoSeedError,
    demo_case_for,
    seed_demo,
)
from aia.framework import SCOPE, get_framework
from aia.models import (
    Case,
    CaseEvent,
    DecisionRecord,
    Dissent,
    Notification,
    Option,
    OptionGap,
    Report,
    Review,
    Section,
    Situation,
    Trigger,
    User,
)
from aia.models.choices import (
    CaseState,
    Marking,
    Recommendation,
    ReportStatus,
    ReviewDecision,
    Stage,
    Track,
)
from aia.services import cases as case_services
from aia.services.audit import GENESIS_HASH
from aia.services.second_factor import second_factor_check

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests"


def _run(**options) -> str:
    """Run the command as `make run` does, letting queued work (report rendering) run too."""
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def _nothing_written() -> bool:
    return not (User.objects.exists() or Trigger.objects.exists() or Case.objects.exists())


def _counts() -> dict[str, object]:
    models = (User, Situation, Trigger, Case, CaseEvent, Section, Option, OptionGap, Review)
    counts: dict[str, object] = {model.__name__: model.objects.count() for model in models}
    counts.update(
        Dissent=Dissent.objects.count(),
        Report=Report.objects.count(),
        DecisionRecord=DecisionRecord.objects.count(),
        passwords=sorted(User.objects.values_list("username", "password")),
        heads=sorted(Case.objects.values_list("reference", "state", "event_count")),
    )
    return counts


def _assert_audit_chain_holds(case: Case) -> None:
    events = list(CaseEvent.objects.filter(case=case).order_by("sequence"))
    assert [event.sequence for event in events] == list(range(1, len(events) + 1))
    previous = GENESIS_HASH
    for event in events:
        assert event.previous_hash == previous, f"{case.reference} #{event.sequence}"
        assert event.hash == sha256_of(event.chained_content())
        previous = event.hash
    assert case.event_count == len(events)
    assert case.last_event_hash == previous


# ------------------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------------------
def test_refuses_without_a_password(monkeypatch):
    monkeypatch.delenv("AIA_DEMO_PASSWORD", raising=False)

    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", stdout=io.StringIO())

    assert "--password" in str(refused.value)
    assert "AIA_DEMO_PASSWORD" in str(refused.value)
    assert _nothing_written()


# Each change through pytest-django's ``settings`` stacks a new override that hides an overridden
# SETTINGS_MODULE again, so SETTINGS_MODULE is always set last.
def test_refuses_under_production_settings(settings):
    settings.DEBUG = False
    settings.SETTINGS_MODULE = "config.settings.production"

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
    with pytest.raises(CommandError, match="demo_code refuses to run under the production"):
        call_command("demo_code", "sro", stdout=io.StringIO())

    assert _nothing_written()


def test_refuses_under_production_settings_even_with_debug_on(settings):
    settings.DEBUG = True
    settings.SETTINGS_MODULE = "config.settings.production"

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())

    assert _nothing_written()


def test_refuses_when_debug_is_off_outside_the_test_settings(settings):
    settings.DEBUG = False
    settings.SETTINGS_MODULE = "config.settings.local"

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())

    assert _nothing_written()


def test_seeding_function_refuses_production_settings_too(settings):
    settings.SETTINGS_MODULE = "config.settings.production"

    with pytest.raises(DemoSeedError, match="production"):
        seed_demo(password=PASSWORD)

    assert _nothing_written()


# ------------------------------------------------------------------------------
# The content, without seeding it
# ------------------------------------------------------------------------------
def test_demo_content_is_complete_and_cites_only_known_sources_and_indicators():
    framework = get_framework()
    plans = demo_cases()
    assert len({plan.key for plan in plans}) == len(plans)
    for plan in plans:
        if plan.target in (CaseState.TRIGGERED, CaseState.WITHDRAWN):
            continue
        sections = {SCOPE: plan.scope, **plan.sections}
        if plan.reopen:
            sections.update({f"v2:{code}": data for code, data in plan.reopen["revisions"].items()})
        assert set(ASSESSMENT_SECTION_CODES) <= set(plan.sections), plan.key
        for code, data in sections.items():
            for source_id in data.get("sources", []):
                assert plan.source(source_id)["title"], (plan.key, code, source_id)
            allowed = {i.number for i in framework.section(code.split(":")[-1]).indicators}
            assert set(data.get("indicators", [])) <= allowed, (plan.key, code)


# ------------------------------------------------------------------------------
# The demo itself
# ------------------------------------------------------------------------------
# The real report, not the one-page stand-in: `make run` renders these, so the demo text must
# lay out in the full template.
@pytest.mark.real_reports
def test_seed_demo_builds_the_demo_and_a_second_run_changes_nothing(monkeypatch):
    monkeypatch.setenv("AIA_DEMO_PASSWORD", PASSWORD)

    first = _run()

    # The output names the users and cases and where the password came from, never the password.
    assert PASSWORD not in first
    assert "the one you gave with AIA_DEMO_PASSWORD" in first
    assert "http://127.0.0.1:8000/" in first

    # Users: documented usernames, roles, clearances, permissions and the given password.
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert set(user.groups.values_list("name", flat=True)) == set(spec.roles)
        assert user.clearance == spec.clearance
        assert user.check_password(PASSWORD)
        assert user.username in first
    feed = User.objects.get(username="feed")
    assert feed.get_all_permissions() == {"aia.add_trigger"}
    assert User.objects.get(username="sro").has_perm("aia.view_all_cases")
    assert not User.objects.get(username="sro2").has_perm("aia.view_all_cases")
    assert User.objects.get(username="official_os").clearance == Marking.OFFICIAL
    # The walk's hundred hand-offs do not greet anyone as a backlog of unread notifications.
    assert Notification.objects.exists()
    assert not Notification.objects.filter(read_at__isnull=True).exists()

    # Cases: each where its plan wants it, over at least six states.
    plans = {plan.key: plan for plan in demo_cases()}
    cases = {key: demo_case_for(plan) for key, plan in plans.items()}
    assert len(cases) >= 6
    for key, case in cases.items():
        assert case is not None, key
        assert (case.state, case.version) == (plans[key].target, plans[key].target_version), key
        assert case.reference in first
    states = {case.state for case in cases.values()}
    assert len(states) >= 6
    assert CaseState.WITH_MINISTER in states
    assert {case.track for case in cases.values()} == {Track.STANDARD, Track.EXPEDITED}

    myanmar = cases["myanmar"]
    assert myanmar.triggers.count() == 2
    assert myanmar.knowledge_date == datetime.date(2018, 8, 27)
    assert myanmar.track == Track.EXPEDITED
    report = myanmar.reports.get()
    assert report.status == ReportStatus.READY
    assert report.pdf.read().startswith(b"%PDF")
    assert report.page_count > 1
    assert myanmar.dissents.filter(stage=Stage.OPTIONS).exists()
    rejected = myanmar.options.filter(recommendation=Recommendation.NOT_RECOMMENDED)
    assert rejected.exclude(rationale="").exists()

    sudan = cases["sudan"]
    assert sudan.version == 2
    assert sudan.knowledge_date == datetime.date(2024, 5, 21)
    assert list(sudan.triggers.values_list("outcome", flat=True)) == [
        "opened",
        "joined",
        "joined",
        "reopened",
    ]
    assert sudan.option_decisions.filter(decision="not_agreed").exists()
    # Every case the minister decided has its decision record, rendered.
    for key, case in cases.items():
        if case.option_decisions.exists():
            assert case.decision_records.filter(status=ReportStatus.READY).exists(), key

    assert cases["ethiopia-2023"].previous_case == cases["ethiopia-tigray"]
    assert cases["ethiopia-tigray"].closing_note
    assert cases["ukraine"].withdrawal_reason
    assert cases["syria-yazidis"].option_gaps.filter(category="leverage").exists()
    dprk = cases["dprk"]
    assert dprk.marking == Marking.OFFICIAL
    assert dprk.officials.filter(username="official_os").exists()
    assert dprk.reviews.filter(stage=Stage.ASSESSMENT, decision=ReviewDecision.RETURNED).exists()
    assert (
        cases["venezuela"]
        .reviews.filter(stage=Stage.OPTIONS, decision=ReviewDecision.RETURNED)
        .exists()
    )
    # The legal adviser's comments on two options: one answered and resolved, one still open.
    threads = cases["venezuela"].comments.filter(parent__isnull=True).order_by("created_at")
    assert [(t.option is not None, t.is_resolved, t.replies.count()) for t in threads] == [
        (True, True, 1),
        (True, False, 0),
    ]

    for case in Case.objects.all():
        _assert_audit_chain_holds(case)

    # The roles that sign in with a one-time code have an app set up, and demo_code prints the
    # code it shows now, which the site accepts.
    with_app = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)
    )
    assert with_app == {"sro", "sro2", "legal", "legal2", "minister"}
    out, err = io.StringIO(), io.StringIO()
    call_command("demo_code", "legal2", stdout=out, stderr=err)
    code = out.getvalue().strip()
    assert len(code) == 6
    assert "valid for" in err.getvalue()
    legal2 = User.objects.get(username="legal2")
    assert second_factor_check(user=legal2, code=code, purpose="test") is not None
    with pytest.raises(CommandError, match="no authenticator app"):
        call_command("demo_code", "official", stdout=io.StringIO())

    # A second run, with the password given on the command line, changes nothing.
    counts = _counts()

    second = _run(password=PASSWORD)

    assert _counts() == counts
    assert "the one you gave with --password" in second
    assert second.split("Demo cases")[1] == first.split("Demo cases")[1]


def test_an_interrupted_seeding_resumes_and_leaves_cases_moved_on_by_hand_alone(monkeypatch):
    def interrupted(**kwargs):
        raise RuntimeError("interrupted")

    with monkeypatch.context() as patch:
        # The first case stops in options_review, after its dissent was recorded.
        patch.setattr(case_services, "case_approve_options", interrupted)
        with pytest.raises(RuntimeError, match="interrupted"):
            _run(password=PASSWORD)
    myanmar = demo_case_for(demo_cases()[0])
    assert myanmar.state == CaseState.OPTIONS_REVIEW

    output = _run(password=PASSWORD)

    myanmar.refresh_from_db()
    assert myanmar.state == CaseState.WITH_MINISTER
    assert f"{myanmar.reference} Myanmar — Rohingya: walked on, now with_minister." in output
    assert myanmar.dissents.count() == 1

    # An SRO takes on the case awaiting a team; seeding again leaves it where it is.
    plans = {plan.key: plan for plan in demo_cases()}
    waiting = demo_case_for(plans["ethiopia-2023"])
    case_services.case_assign(
        case=waiting,
        actor=User.objects.get(username="sro2"),
        lead_official=User.objects.get(username="official"),
        legal_adviser=User.objects.get(username="legal"),
    )

    output = _run(password=PASSWORD)

    waiting.refresh_from_db()
    assert waiting.state == CaseState.SCOPING
    assert f"{waiting.reference} Ethiopia: already scoping; left as it is." in output
