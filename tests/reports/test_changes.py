"""The change annex: what changed since the last signed report, from the two snapshots."""

import copy

import pytest
from django.template.loader import render_to_string

from aia.canonical import sha256_of
from aia.framework import RISK_FACTOR_CODES
from aia.models.choices import CaseState, EventType
from aia.reports.changes import changes_summary, snapshot_changes
from aia.reports.presentation import report_context
from aia.reports.rendering import render_pdf
from aia.services import assessment as assessment_services
from aia.services import cases as case_services
from aia.services import options as option_services
from tests.factories import PASSWORD, case_in_state, option_data
from tests.reports.pdf import read_pages, squash


def _snapshot() -> dict:
    """A small snapshot in the shape ``build_snapshot`` freezes, with one of each part."""
    return {
        "case": {"version": 1},
        "triggers": [
            {
                "id": "t1",
                "source_body": "UN Fact-Finding Mission",
                "title": "Report on the region",
                "finding_label": "Serious risk",
                "finding_date": "2024-09-06",
                "summary": "Attacks on civilians.",
                "groups_at_risk": "Group A",
            }
        ],
        "scope": {
            "analysis": "The region since April 2023.",
            "period_start": "2023-04-15",
            "period_end": None,
            "groups_at_risk": "Group A",
            "crimes_at_risk": ["Genocide"],
            "likely_perpetrators": "Armed group A",
        },
        "risk_factors": [
            {
                "code": "rf1",
                "number": 1,
                "title": "Armed conflict",
                "rating": "present",
                "rating_label": "Present",
                "confidence_label": "Medium",
                "key_evidence": "Shelling of towns.",
                "analysis": "Conflict since 2023.",
                "indicators": [{"number": 1, "text": "Armed conflict"}],
            }
        ],
        "uk_footprint": {
            "code": "uk_footprint",
            "title": "UK footprint",
            "level_label": "Medium",
            "confidence_label": "High",
            "analysis": "Aid and trade.",
        },
        "dimensions": [
            {
                "code": "d1",
                "title": "Diplomatic relations",
                "level_label": "Medium",
                "confidence_label": "Medium",
                "analysis": "An embassy.",
            }
        ],
        "options": [
            _option("o-keep", "Talks with the parties"),
            _option("o-drop", "Travel ban"),
        ],
        "option_gaps": [{"category": "legal", "category_label": "Legal", "reason": "No case yet."}],
        "sources": [
            {"title": "Mission report", "cited_in": ["triggers", "rf1"]},
        ],
    }


def _option(option_id: str, title: str, **overrides) -> dict:
    option = {
        "id": option_id,
        "title": title,
        "category": "diplomacy",
        "category_label": "Diplomacy",
        "recommendation_label": "Recommended",
        "description": "What the UK would do.",
        "lead_department_label": "FCDO",
        "expected_effect_label": "Medium",
        "feasibility_label": "High",
        "risk_of_harm_label": "Low",
        "withdrawn": False,
        "withdrawal_reason": "",
    }
    option.update(overrides)
    return option


def _by_label(items: list[dict]) -> dict[str, dict]:
    return {item["label"]: item for item in items}


def test_identical_snapshots_have_no_changes():
    changes = snapshot_changes(_snapshot(), _snapshot())
    assert changes["added"] == changes["changed"] == changes["withdrawn"] == []
    assert changes_summary(changes) == "Nothing in the assessment or the options changed."


def test_changed_text_and_rating_carry_old_and_new():
    old, new = _snapshot(), _snapshot()
    new["risk_factors"][0].update(rating_label="Partially present", analysis="A ceasefire holds.")
    new["scope"]["period_end"] = "2025-12-31"
    changes = snapshot_changes(old, new)
    changed = _by_label(changes["changed"])
    rf1 = {f["name"]: f for f in changed["Risk factor 1: Armed conflict"]["fields"]}
    assert rf1["rating_label"] == {
        "name": "rating_label",
        "label": "Rating",
        "old": "Present",
        "new": "Partially present",
    }
    assert (rf1["analysis"]["old"], rf1["analysis"]["new"]) == (
        "Conflict since 2023.",
        "A ceasefire holds.",
    )
    assert set(rf1) == {"rating_label", "analysis"}
    scope = changed["Scope"]["fields"]
    assert scope == [
        {
            "name": "period_end",
            "label": "End of the period assessed",
            "old": "",
            "new": "31 December 2025",
        }
    ]
    assert changes["counts"]["ratings_changed"] == 1
    assert changes_summary(changes) == "2 parts changed, including 1 rating."


def test_options_are_matched_by_id_and_a_withdrawn_option_counts_as_withdrawn():
    old, new = _snapshot(), _snapshot()
    new["options"][0]["title"] = "Talks with every party"
    new["options"][1].update(withdrawn=True, withdrawal_reason="It would end the talks.")
    new["options"].append(_option("o-new", "Protection of civilians", category="protection"))
    changes = snapshot_changes(old, new)
    changed = _by_label(changes["changed"])
    title = changed["Talks with every party"]["fields"][0]
    assert (title["old"], title["new"]) == ("Talks with the parties", "Talks with every party")
    assert changed["Talks with every party"]["kind_label"] == "Option"
    [withdrawn] = changes["withdrawn"]
    assert withdrawn["label"] == "Travel ban"
    assert withdrawn["note"] == "It would end the talks."
    assert {"name": "title", "label": "Title", "old": "Travel ban", "new": ""} in withdrawn[
        "fields"
    ]
    [added] = changes["added"]
    assert added["label"] == "Protection of civilians"
    assert all(f["old"] == "" for f in added["fields"])


def test_an_option_left_out_of_the_new_snapshot_is_withdrawn_and_a_new_trigger_added():
    old, new = _snapshot(), _snapshot()
    del new["options"][1]
    new["triggers"].append({**new["triggers"][0], "id": "t2", "title": "A second report"})
    new["option_gaps"] = []
    changes = snapshot_changes(old, new)
    withdrawn = _by_label(changes["withdrawn"])
    assert withdrawn["Travel ban"]["note"] == "No longer in the report."
    assert withdrawn["Legal"]["kind_label"] == "Option category without an option"
    assert [i["label"] for i in changes["added"]] == ["UN Fact-Finding Mission: A second report"]


def test_sources_cited_count_as_part_of_a_section():
    old, new = _snapshot(), _snapshot()
    new["sources"].append({"title": "Court order", "cited_in": ["rf1"]})
    [item] = snapshot_changes(old, new)["changed"]
    assert item["fields"] == [
        {
            "name": "sources",
            "label": "Sources cited",
            "old": "Mission report",
            "new": "Court order\nMission report",
        }
    ]


def test_the_result_is_deterministic_and_json_ready():
    old, new = _snapshot(), _snapshot()
    new["options"].reverse()
    new["options"][0]["title"] = "Changed"
    new["options"].append(_option("o-a", "A"))
    new["options"].append(_option("o-b", "B"))
    first = snapshot_changes(old, new)
    shuffled = copy.deepcopy(new)
    shuffled["options"].reverse()
    assert sha256_of(snapshot_changes(old, shuffled)) == sha256_of(first)
    assert [i["label"] for i in first["added"]] == ["A", "B"]


# ------------------------------------------------------------------------------
# End to end: a reopened case's new report carries the annex
# ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_reopened_case_reports_an_edited_section_with_its_old_and_new_text(team):
    case = case_in_state(team, CaseState.MONITORING)
    first = case.reports.get()
    code = RISK_FACTOR_CODES[0]
    old_text = first.snapshot["risk_factors"][0]["analysis"]
    new_text = "Fighting has spread <to the north> since the decision."
    case = case_services.case_reopen(case=case, actor=team.sro, reason="Fighting has spread.")
    assessment_services.section_update(
        case=case, actor=team.lead, code=code, data={"analysis": new_text, "rating": "unknown"}
    )
    case = case_services.case_submit_assessment(case=case, actor=team.lead)
    case = case_services.case_approve_assessment(case=case, actor=team.legal)
    option_services.option_create(
        case=case, actor=team.lead, data=option_data("diplomacy", title="Protect the camps")
    )
    dropped = case.options.get(
        version=case.version, category="diplomacy", copied_from__isnull=False
    )
    option_services.option_withdraw(
        case=case, actor=team.lead, option_id=dropped.pk, reason="Overtaken by events."
    )
    case = case_services.case_submit_options(case=case, actor=team.lead)
    case = case_services.case_approve_options(case=case, actor=team.legal)
    case = case_services.case_sign_off(case=case, actor=team.sro, password=PASSWORD)

    second = case.reports.get(number=2)
    first.refresh_from_db()
    assert first.superseded_by == second
    changes = second.snapshot["changes"]
    assert changes["since_report"] == 1
    assert changes["since_sha256"] == first.sha256
    assert changes["since_snapshot_hash"] == first.snapshot_hash
    assert changes["since_version"] == 1
    # The annex is frozen with the rest, so the report's hash covers it.
    assert second.snapshot_hash == sha256_of(second.snapshot)
    queued = case.events.filter(type=EventType.REPORT_QUEUED).order_by("sequence").last()
    assert queued.details["snapshot_hash"] == second.snapshot_hash

    section = next(i for i in changes["changed"] if i["key"] == f"section:{code}")
    fields = {f["name"]: f for f in section["fields"]}
    assert (fields["analysis"]["old"], fields["analysis"]["new"]) == (old_text, new_text)
    assert (fields["rating_label"]["old"], fields["rating_label"]["new"]) == ("Present", "Unknown")
    assert [i["label"] for i in changes["withdrawn"]] == [dropped.title]
    assert "Protect the camps" in [i["label"] for i in changes["added"]]

    html = render_to_string("aia/reports/_changes.html", report_context(second.snapshot))
    assert "What changed since the last signed report" in html
    assert "This report replaces report 1, signed off on " in html
    assert "The case was reopened and assessed again (version 2)." in html
    assert old_text in html
    assert "Fighting has spread &lt;to the north&gt; since the decision." in html
    assert "<to the north>" not in html
    assert "Overtaken by events." in html
    assert '<th scope="col">In report 1</th>' in html

    # In the signed PDF the briefing is the record's first annex, after the submission.
    pages = read_pages(render_pdf(second.snapshot, snapshot_hash=second.snapshot_hash)[0])
    contents = next(page.full for page in pages if "The record: annexes" in page.full)
    assert "Annex A: What changed since the last signed report" in contents
    annex = "".join(squash(page.full) for page in pages if "What changed" in page.full)
    assert squash("This report replaces report 1") in annex
    assert squash(old_text) in annex


@pytest.mark.django_db
def test_the_first_report_has_no_change_annex(team):
    case = case_in_state(team, CaseState.SIGNED_OFF)
    snapshot = case.reports.get().snapshot
    assert "changes" not in snapshot
    html = render_to_string("aia/reports/_changes.html", report_context(snapshot))
    assert "This is the case's first signed report" in html


@pytest.mark.django_db
def test_a_revised_report_after_the_minister_sent_it_back_has_the_annex(team):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    case = case_services.case_request_revision(
        case=case, actor=team.minister, comment="Say who leads the sanctions."
    )
    sanctions = case.options.get(category="sanctions")
    option_services.option_update(
        case=case, actor=team.lead, option_id=sanctions.pk, data={"lead_department": "hmt_ofsi"}
    )
    case = case_services.case_submit_options(case=case, actor=team.lead)
    case = case_services.case_approve_options(case=case, actor=team.legal)
    case = case_services.case_sign_off(case=case, actor=team.sro, password=PASSWORD)

    changes = case.reports.get(number=2).snapshot["changes"]
    assert (changes["since_report"], changes["since_version"]) == (1, 1)
    [item] = changes["changed"]
    assert item["label"] == sanctions.title
    [field] = item["fields"]
    assert (field["label"], field["old"], field["new"]) == (
        "Lead department",
        "FCDO",
        "HM Treasury / OFSI",
    )
    html = render_to_string(
        "aia/reports/_changes.html", report_context(case.reports.get(number=2).snapshot)
    )
    assert "The minister sent report 1 back for revision." in html
