"""Every transition: allowed from its source, refused from every other state, refused for every
role that may not take it, guarded, four-eyes, audited, atomic, with its side effects."""

from unittest import mock

import pytest

from aia.exceptions import ApplicationError, Conflict, InvalidInput, PermissionRefused
from aia.models import Case, CaseEvent, Review
from aia.models.choices import CaseState, EventType, ReportStatus, ReviewDecision, Role
from aia.services import cases as s
from aia.services.assessment import section_update
from aia.services.options import option_create, option_gap_record, option_update
from aia.workflow import transition_table
from tests.factories import (
    PASSWORD,
    UserFactory,
    case_in_state,
    committing,
    fill_assessment,
    fill_scope,
    new_case,
    option_data,
    walk,
)
from tests.services.transitions import TRANSITIONS, allowed_actor, case_ready_for, take

pytestmark = pytest.mark.django_db

# The transition table of docs/architecture.md, *Transitions*, pinned: a change to the graph
# must change this test.
TRANSITION_TABLE = [
    ("approve_assessment", ("legal_review",), "options"),
    ("approve_options", ("options_review",), "sign_off"),
    ("assign", ("triggered",), "scoping"),
    ("close", ("monitoring",), "closed"),
    ("record_decision", ("with_minister",), "monitoring"),
    ("reopen", ("monitoring",), "assessment"),
    ("request_revision", ("with_minister",), "options"),
    ("return_assessment", ("legal_review",), "assessment"),
    ("return_for_revision", ("sign_off",), "options"),
    ("return_options", ("options_review",), "options"),
    ("sign_off", ("sign_off",), "signed_off"),
    ("start_assessment", ("scoping",), "assessment"),
    ("submit_assessment", ("assessment",), "legal_review"),
    ("submit_options", ("options",), "options_review"),
    ("submit_to_minister", ("signed_off",), "with_minister"),
    (
        "withdraw",
        (
            "assessment",
            "legal_review",
            "options",
            "options_review",
            "scoping",
            "sign_off",
            "triggered",
        ),
        "withdrawn",
    ),
]


def _state_in_db(case: Case) -> str:
    return Case.objects.values_list("state", flat=True).get(pk=case.pk)


def _events(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).count()


@pytest.mark.smoke
def test_transition_table_matches_the_design():
    assert transition_table() == TRANSITION_TABLE


@pytest.mark.smoke
def test_case_docstring_lists_every_state():
    for state in CaseState.values:
        assert f"``{state}``" in Case.__doc__


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_transition_is_allowed_from_its_source_and_audited(team, name):
    source = TRANSITIONS[name][0]
    case = case_ready_for(name, team)
    target = {n: t for n, _s, t in TRANSITION_TABLE}[name]
    actor = allowed_actor(name, team)
    before = _events(case)

    with committing():
        take(name, case, actor, team)

    assert _state_in_db(case) == target
    event = CaseEvent.objects.get(case=case, transition=name, sequence__gt=before)
    assert (event.from_state, event.to_state, event.actor) == (source, target, actor)
    assert event.type == EventType.TRANSITION


# The states a case can be built in, each checked against every transition it may not take.
@pytest.mark.parametrize("state", CaseState.values)
def test_transitions_are_refused_from_every_other_state(team, state):
    case = case_in_state(team, state)
    before = _events(case)
    refused = [name for name, sources, _t in TRANSITION_TABLE if state not in sources]
    assert refused, state
    for name in refused:
        with pytest.raises(ApplicationError) as excinfo:
            take(name, case, allowed_actor(name, team), team)
        # Once the team is named, the right user hears that the state forbids it (409).
        if state != CaseState.TRIGGERED:
            assert isinstance(excinfo.value, Conflict), (name, excinfo.value.message)
            assert excinfo.value.extra["state"] == state
        assert _state_in_db(case) == state, name
    assert _events(case) == before


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_transition_is_refused_for_every_role_that_may_not_take_it(team, name):
    source, allowed, _call = TRANSITIONS[name]
    case = case_ready_for(name, team)
    before = _events(case)
    for attribute, user in team.everyone().items():
        if attribute in allowed:
            continue
        with pytest.raises(PermissionRefused):
            take(name, case, user, team)
        assert _state_in_db(case) == source, (name, attribute)
    assert _events(case) == before


def test_user_not_cleared_for_the_marking_cannot_take_a_transition(team):
    case = case_in_state(team, CaseState.SCOPING)
    team.lead.clearance = "OFFICIAL"
    team.lead.save()
    fill_scope_refused = pytest.raises(PermissionRefused)
    with fill_scope_refused:
        s.case_start_assessment(case=case, actor=team.lead)
    assert _state_in_db(case) == CaseState.SCOPING


def test_assign_refuses_a_team_member_not_cleared_for_the_marking(team):
    case = new_case(team)
    uncleared = UserFactory(username="uncleared", roles=[Role.OFFICIAL], clearance="OFFICIAL")
    with pytest.raises(InvalidInput) as excinfo:
        s.case_assign(case=case, actor=team.sro, lead_official=uncleared, legal_adviser=team.legal)
    assert "not cleared" in excinfo.value.fields["lead_official"][0]
    assert _state_in_db(case) == CaseState.TRIGGERED


def test_assign_requires_a_lead_official_and_legal_adviser(team):
    case = new_case(team)
    with pytest.raises(InvalidInput) as excinfo:
        s.case_assign(case=case, actor=team.sro, lead_official=team.lead, legal_adviser=None)
    assert "legal_adviser" in excinfo.value.fields
    with pytest.raises(InvalidInput) as excinfo:
        case = s.case_assign(
            case=case, actor=team.sro, lead_official=team.minister, legal_adviser=team.legal
        )
    assert "official role" in excinfo.value.fields["lead_official"][0]
    assert _state_in_db(case) == CaseState.TRIGGERED
    # The SRO is offered ``assign`` (its inputs name the team) and ``withdraw`` at triage.
    available = [t.name for t in case.get_available_user_state_transitions(team.sro)]
    assert sorted(available) == ["assign", "withdraw"]


class TestGuards:
    def test_start_assessment_needs_a_complete_scope(self, team):
        case = case_in_state(team, CaseState.SCOPING)
        with pytest.raises(Conflict) as excinfo:
            s.case_start_assessment(case=case, actor=team.lead)
        assert excinfo.value.extra["guard"] == "scope_is_complete"
        assert "scope" in excinfo.value.message.lower()
        assert _state_in_db(case) == CaseState.SCOPING

    def test_submit_assessment_needs_every_section_complete(self, team):
        case = case_in_state(team, CaseState.ASSESSMENT)
        section_update(case=case, actor=team.official, code="rf1", data={"rating": "absent"})
        with pytest.raises(Conflict) as excinfo:
            s.case_submit_assessment(case=case, actor=team.lead)
        incomplete = excinfo.value.extra["incomplete_sections"]
        assert "rf1" in incomplete
        assert "sgbv" in incomplete
        assert len(incomplete) == 23
        assert _state_in_db(case) == CaseState.ASSESSMENT

    def test_risk_factor_judged_present_needs_a_source(self, team):
        case = case_in_state(team, CaseState.ASSESSMENT)
        section = section_update(
            case=case,
            actor=team.official,
            code="rf2",
            data={"rating": "present", "confidence": "high", "analysis": "Pattern of abuses."},
        )
        assert section.status == "in_progress"
        section = section_update(
            case=case,
            actor=team.official,
            code="rf2",
            data={"sources": [{"title": "OHCHR report", "url": "https://www.ohchr.org/x"}]},
        )
        assert section.status == "complete"

    def test_submit_options_needs_each_core_category_covered(self, team):
        case = case_in_state(team, CaseState.OPTIONS)
        for category in ("diplomacy", "sanctions", "legal"):
            option_create(case=case, actor=team.official, data=option_data(category))
        with pytest.raises(Conflict) as excinfo:
            s.case_submit_options(case=case, actor=team.lead)
        assert excinfo.value.extra["uncovered_categories"] == ["leverage"]
        option_gap_record(
            case=case,
            actor=team.official,
            category="leverage",
            reason="The UK has no meaningful relationship with the perpetrators.",
        )
        s.case_submit_options(case=case, actor=team.lead)
        assert _state_in_db(case) == CaseState.OPTIONS_REVIEW

    def test_submit_to_minister_needs_the_rendered_report(self, team):
        case = case_in_state(team, CaseState.SIGN_OFF)
        # Without the on-commit callback the report stays queued.
        s.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
        assert case.reports.get().status == ReportStatus.QUEUED
        with pytest.raises(Conflict) as excinfo:
            s.case_submit_to_minister(case=case, actor=team.sro)
        assert "not been rendered" in excinfo.value.message
        assert _state_in_db(case) == CaseState.SIGNED_OFF


class TestFourEyes:
    def _dual_role(self, team):
        dual = UserFactory(username="dual", roles=[Role.OFFICIAL, Role.LEGAL_ADVISER])
        return dual

    def test_legal_adviser_who_edited_the_assessment_cannot_approve_it(self, team):
        dual = self._dual_role(team)
        case = new_case(team)
        case = s.case_assign(
            case=case,
            actor=team.sro,
            lead_official=team.lead,
            legal_adviser=dual,
            officials=[dual, team.official],
        )
        fill_scope(case, team.lead)
        s.case_start_assessment(case=case, actor=team.lead)
        fill_assessment(case, team.official)
        section_update(case=case, actor=dual, code="rf3", data={"analysis": "My own edit."})
        s.case_submit_assessment(case=case, actor=team.lead)
        with pytest.raises(PermissionRefused) as excinfo:
            s.case_approve_assessment(case=case, actor=dual)
        assert "four-eyes" in excinfo.value.message
        assert _state_in_db(case) == CaseState.LEGAL_REVIEW
        assert "approve_assessment" not in [
            t.name for t in Case.objects.get(pk=case.pk).get_available_user_state_transitions(dual)
        ]
        # The same adviser may still return it.
        s.case_return_assessment(case=case, actor=dual, comment="Another adviser must approve.")

    def test_legal_adviser_who_submitted_the_options_cannot_approve_them(self, team):
        dual = self._dual_role(team)
        case = new_case(team)
        case = s.case_assign(
            case=case,
            actor=team.sro,
            lead_official=team.lead,
            legal_adviser=dual,
            officials=[dual, team.official],
        )
        case = walk(case, team, CaseState.LEGAL_REVIEW)
        s.case_approve_assessment(case=case, actor=dual)
        for category in ("diplomacy", "sanctions", "legal", "leverage"):
            option_create(case=case, actor=team.official, data=option_data(category))
        s.case_submit_options(case=case, actor=dual)
        with pytest.raises(PermissionRefused):
            s.case_approve_options(case=case, actor=dual)

    def test_sro_who_edited_content_cannot_sign_off(self, team):
        both = UserFactory(username="both", roles=[Role.SRO, Role.OFFICIAL])
        case = new_case(team)
        case = s.case_assign(
            case=case,
            actor=both,
            lead_official=team.lead,
            legal_adviser=team.legal,
            officials=[both, team.official],
        )
        case = walk(case, team, CaseState.OPTIONS)
        option_create(case=case, actor=both, data=option_data("protection"))
        case = walk(case, team, CaseState.SIGN_OFF)
        with pytest.raises(PermissionRefused) as excinfo:
            s.case_sign_off(case=case, actor=both, password=PASSWORD)
        assert "options" in excinfo.value.message
        assert _state_in_db(case) == CaseState.SIGN_OFF

    def test_sro_who_edited_the_assessment_cannot_sign_off(self, team):
        # An SRO who also holds the official role, on the case as an official, edits one
        # section of the assessment and nothing of the options.
        both = UserFactory(username="both", roles=[Role.SRO, Role.OFFICIAL])
        case = s.case_assign(
            case=new_case(team),
            actor=both,
            lead_official=team.lead,
            legal_adviser=team.legal,
            officials=[both, team.official],
        )
        case = walk(case, team, CaseState.ASSESSMENT)
        fill_assessment(case, team.official)
        section_update(case=case, actor=both, code="rf3", data={"analysis": "The SRO's view."})
        case = s.case_submit_assessment(case=case, actor=team.lead)
        case = walk(case, team, CaseState.SIGN_OFF)

        with pytest.raises(PermissionRefused) as excinfo:
            s.case_sign_off(case=case, actor=both, password=PASSWORD)
        assert excinfo.value.message == (
            "You edited or submitted the assessment content of this case, so someone else "
            "must approve it (four-eyes rule)."
        )
        assert _state_in_db(case) == CaseState.SIGN_OFF
        available = Case.objects.get(pk=case.pk).get_available_user_state_transitions(both)
        names = [t.name for t in available]
        assert "sign_off" not in names
        assert "return_for_revision" in names  # the same SRO may still send it back

    def _reopened_with_dual_as_adviser(self, team):
        """Return a case reopened into version 2 whose legal adviser, ``dual``, is also an
        official on it and edited its version 1 assessment (approved then by ``team.legal``)."""
        dual = self._dual_role(team)
        case = s.case_assign(
            case=new_case(team),
            actor=team.sro,
            lead_official=team.lead,
            legal_adviser=team.legal,
            officials=[dual, team.official],
            minister=team.minister,
        )
        case = walk(case, team, CaseState.ASSESSMENT)
        fill_assessment(case, team.official)
        section_update(case=case, actor=dual, code="rf3", data={"analysis": "Version 1 view."})
        case = s.case_submit_assessment(case=case, actor=team.lead)
        case = walk(case, team, CaseState.MONITORING)
        s.case_team_update(
            case=case,
            actor=team.sro,
            lead_official=team.lead,
            legal_adviser=dual,
            officials=[dual, team.official],
            minister=team.minister,
        )
        with committing():
            case = s.case_reopen(case=case, actor=team.sro, reason="New killings reported.")
        assert (case.version, case.state) == (2, CaseState.ASSESSMENT)
        return case, dual

    def test_an_edit_of_the_previous_version_does_not_bar_approving_the_current_one(self, team):
        """Four-eyes reads the current version only (docs/architecture.md, *Integrity rules*):
        the adviser edited version 1, not version 2, so may approve version 2."""
        case, dual = self._reopened_with_dual_as_adviser(team)
        section_update(
            case=case, actor=team.official, code="rf1", data={"analysis": "Version 2 view."}
        )
        s.case_submit_assessment(case=case, actor=team.lead)
        fresh = Case.objects.get(pk=case.pk)
        assert "approve_assessment" in [
            t.name for t in fresh.get_available_user_state_transitions(dual)
        ]

        s.case_approve_assessment(case=case, actor=dual)

        assert _state_in_db(case) == CaseState.OPTIONS
        approval = case.reviews.get(version=2, decision=ReviewDecision.APPROVED)
        assert approval.reviewer == dual

    def test_an_edit_of_the_current_version_after_a_reopen_bars_approving_it(self, team):
        case, dual = self._reopened_with_dual_as_adviser(team)
        section_update(case=case, actor=dual, code="rf1", data={"analysis": "Version 2 view."})
        s.case_submit_assessment(case=case, actor=team.lead)

        with pytest.raises(PermissionRefused) as excinfo:
            s.case_approve_assessment(case=case, actor=dual)

        assert "four-eyes" in excinfo.value.message
        assert _state_in_db(case) == CaseState.LEGAL_REVIEW
        fresh = Case.objects.get(pk=case.pk)
        assert "approve_assessment" not in [
            t.name for t in fresh.get_available_user_state_transitions(dual)
        ]

    def test_four_eyes_applies_to_superusers_too(self, team):
        team.legal.is_superuser = True
        team.legal.save()
        team.legal.groups.add(*team.lead.groups.all())
        case = new_case(team)
        case = s.case_assign(
            case=case,
            actor=team.sro,
            lead_official=team.lead,
            legal_adviser=team.legal,
            officials=[team.legal, team.official],
        )
        fill_scope(case, team.lead)
        s.case_start_assessment(case=case, actor=team.legal)
        fill_assessment(case, team.official)
        s.case_submit_assessment(case=case, actor=team.lead)
        with pytest.raises(PermissionRefused):
            s.case_approve_assessment(case=case, actor=team.legal)


class TestRequiredInputs:
    @pytest.mark.parametrize(
        ("name", "call"),
        [
            (
                "return_assessment",
                lambda c, t: s.case_return_assessment(case=c, actor=t.legal, comment="  "),
            ),
            (
                "return_options",
                lambda c, t: s.case_return_options(case=c, actor=t.legal, comment=""),
            ),
            (
                "return_for_revision",
                lambda c, t: s.case_return_for_revision(case=c, actor=t.sro, comment=""),
            ),
            (
                "request_revision",
                lambda c, t: s.case_request_revision(case=c, actor=t.minister, comment=""),
            ),
            (
                "record_decision",
                lambda c, t: s.case_record_decision(
                    case=c, actor=t.minister, decision="maybe", note="x"
                ),
            ),
            ("close", lambda c, t: s.case_close(case=c, actor=t.sro, note="")),
            ("reopen", lambda c, t: s.case_reopen(case=c, actor=t.sro, reason="")),
            ("withdraw", lambda c, t: s.case_withdraw(case=c, actor=t.sro, reason="")),
            ("sign_off", lambda c, t: s.case_sign_off(case=c, actor=t.sro, password="")),
        ],
    )
    def test_transition_without_its_required_input_is_refused(self, team, name, call):
        source = TRANSITIONS[name][0]
        case = case_in_state(team, source)
        before = _events(case)
        with pytest.raises(InvalidInput) as excinfo:
            call(case, team)
        assert excinfo.value.fields
        assert _state_in_db(case) == source
        assert _events(case) == before

    def test_sign_off_with_a_wrong_password_is_refused(self, team):
        case = case_in_state(team, CaseState.SIGN_OFF)
        with pytest.raises(PermissionRefused) as excinfo:
            s.case_sign_off(case=case, actor=team.sro, password="not-my-password")
        assert "password" in excinfo.value.message.lower()
        assert _state_in_db(case) == CaseState.SIGN_OFF
        assert not case.reports.exists()

    def test_agreed_in_part_needs_a_decision_on_each_recommended_option(self, team):
        case = case_in_state(team, CaseState.WITH_MINISTER)
        with pytest.raises(InvalidInput):
            s.case_record_decision(
                case=case, actor=team.minister, decision="agreed_in_part", note="Some."
            )
        options = list(case.options.filter(version=case.version))
        s.case_record_decision(
            case=case,
            actor=team.minister,
            decision="agreed_in_part",
            note="Some.",
            option_decisions={
                str(o.pk): "agreed" if i % 2 == 0 else "not_agreed" for i, o in enumerate(options)
            },
        )
        assert sorted(case.option_decisions.values_list("decision", flat=True)) == [
            "agreed",
            "agreed",
            "not_agreed",
            "not_agreed",
        ]


class TestAtomicity:
    @pytest.mark.parametrize("name", ["assign", "approve_assessment", "sign_off", "reopen"])
    def test_failure_after_the_transition_leaves_nothing_behind(self, team, name):
        source = TRANSITIONS[name][0]
        case = case_in_state(team, source)
        before_events = _events(case)
        before_reviews = Review.objects.filter(case=case).count()
        with (
            mock.patch(
                "aia.services.cases.case_event_record", side_effect=RuntimeError("disk full")
            ),
            pytest.raises(RuntimeError),
        ):
            take(name, case, allowed_actor(name, team), team)
        case.refresh_from_db()
        assert case.state == source
        assert _events(case) == before_events
        assert Review.objects.filter(case=case).count() == before_reviews
        assert case.sections.filter(version=case.version + 1).count() == 0

    def test_sign_off_is_undone_when_the_snapshot_cannot_be_frozen(self, team):
        case = case_in_state(team, CaseState.SIGN_OFF)
        with (
            mock.patch("aia.services.cases.report_create_for_sign_off", side_effect=RuntimeError),
            pytest.raises(RuntimeError),
        ):
            s.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
        case.refresh_from_db()
        assert case.state == CaseState.SIGN_OFF
        assert case.signed_off_at is None
        assert not case.reviews.filter(stage="sign_off").exists()


class TestSideEffects:
    def test_sign_off_queues_the_report_rendering_after_commit(
        self, team, django_capture_on_commit_callbacks
    ):
        from aia.models import OutboxTask

        case = case_in_state(team, CaseState.SIGN_OFF)
        with mock.patch("aia.tasks.report_render.apply_async") as apply_async:
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                s.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
            # Recorded with the change, sent only once it commits.
            row = OutboxTask.objects.get(task="aia.tasks.report_render")
            apply_async.assert_not_called()
            for callback in callbacks:
                callback()
        report = case.reports.get()
        apply_async.assert_called_once_with(
            kwargs={"report_id": str(report.pk)}, task_id=str(row.pk)
        )
        assert report.snapshot["case"]["reference"] == case.reference
        assert report.signed_off_by == team.sro

    def test_request_revision_supersedes_the_signed_report(self, team):
        case = case_in_state(team, CaseState.WITH_MINISTER)
        report = case.reports.get()
        s.case_request_revision(case=case, actor=team.minister, comment="Add a protection option.")
        report.refresh_from_db()
        assert report.superseded_at is not None
        assert CaseEvent.objects.filter(case=case, type=EventType.REPORT_SUPERSEDED).exists()

    def test_reopen_starts_a_new_version_and_keeps_the_old(self, team):
        case = case_in_state(team, CaseState.MONITORING)
        old_rf1 = case.sections.get(version=1, code="rf1")
        case = s.case_reopen(case=case, actor=team.sro, reason="New killings reported.")
        assert case.version == 2
        assert case.state == CaseState.ASSESSMENT
        new_rf1 = case.sections.get(version=2, code="rf1")
        assert new_rf1.analysis == old_rf1.analysis
        section_update(case=case, actor=team.official, code="rf1", data={"analysis": "Changed."})
        old_rf1.refresh_from_db()
        assert old_rf1.analysis != "Changed."
        assert case.options.filter(version=2).count() == case.options.filter(version=1).count()


class TestApprovalsBindToContent:
    def test_approval_records_the_hash_of_the_content_it_approved(self, team):
        from aia.content import stage_content_hash

        case = case_in_state(team, CaseState.LEGAL_REVIEW)
        expected = stage_content_hash(case, "assessment")
        s.case_approve_assessment(case=case, actor=team.legal)
        review = case.reviews.get(decision=ReviewDecision.APPROVED)
        assert review.content_hash == expected
        assert review.content["sections"][1]["code"] == "rf1"

    def test_editing_approved_content_voids_the_approval_visibly(self, team):
        case = case_in_state(team, CaseState.SIGN_OFF)
        s.case_return_for_revision(case=case, actor=team.sro, comment="Sharpen the options.")
        approval = case.reviews.get(stage="options", decision=ReviewDecision.APPROVED)
        assert approval.voided_at is None
        option = case.options.first()
        option_update(
            case=case, actor=team.official, option_id=option.pk, data={"timeframe": "Now"}
        )
        approval.refresh_from_db()
        assert approval.voided_at is not None
        assert CaseEvent.objects.filter(case=case, type=EventType.REVIEW_VOIDED).count() == 1
        # The assessment approval is untouched: its content did not change.
        assert case.reviews.get(stage="assessment", decision="approved").voided_at is None

    def test_saving_unchanged_content_voids_nothing_and_records_nothing(self, team):
        case = case_in_state(team, CaseState.SIGN_OFF)
        s.case_return_for_revision(case=case, actor=team.sro, comment="Look again.")
        before = _events(case)
        option = case.options.first()
        option_update(
            case=case, actor=team.official, option_id=option.pk, data={"title": option.title}
        )
        assert _events(case) == before
        assert case.reviews.filter(voided_at__isnull=False).count() == 0


class TestEditingRules:
    def test_sections_cannot_be_edited_outside_their_editing_state(self, team):
        case = case_in_state(team, CaseState.LEGAL_REVIEW)
        with pytest.raises(Conflict):
            section_update(case=case, actor=team.official, code="rf1", data={"analysis": "Late."})
        assert case.sections.get(version=1, code="rf1").analysis == "Analysis of rf1."

    def test_options_cannot_be_edited_outside_the_options_state(self, team):
        case = case_in_state(team, CaseState.ASSESSMENT)
        with pytest.raises(Conflict):
            option_create(case=case, actor=team.official, data=option_data("diplomacy"))
        assert not case.options.exists()

    def test_officials_off_the_team_cannot_edit(self, team):
        case = case_in_state(team, CaseState.ASSESSMENT)
        with pytest.raises(PermissionRefused):
            section_update(case=case, actor=team.other_official, code="rf1", data={"analysis": "x"})
        with pytest.raises(PermissionRefused):
            section_update(case=case, actor=team.legal, code="rf1", data={"analysis": "x"})

    def test_bad_section_input_is_refused_with_field_errors(self, team):
        case = case_in_state(team, CaseState.ASSESSMENT)
        with pytest.raises(InvalidInput) as excinfo:
            section_update(
                case=case,
                actor=team.official,
                code="rf8",
                data={
                    "rating": "very_present",
                    "indicators": ["9.1"],
                    "capacity": "high",
                    "sources": [{"title": "", "url": "javascript:alert(1)"}],
                },
            )
        fields = excinfo.value.fields
        assert set(fields) >= {
            "rating",
            "indicators",
            "capacity",
            "sources.0.title",
            "sources.0.url",
        }
        assert case.sections.get(version=1, code="rf8").status == "not_started"
