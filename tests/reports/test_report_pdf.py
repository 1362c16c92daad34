"""The signed PDF report: page furniture, contents in order, every fact it must carry."""

import copy
import datetime
import re

from aia.canonical import sha256_bytes
from aia.reports.presentation import SECTION_TITLES, report_context
from tests.reports.builders import GAP_REASON
from tests.reports.pdf import SIDE_MARGIN, outline_titles, reader, squash, table_rows


def test_report_file_is_the_recorded_pdf(rendered):
    assert rendered.pdf.startswith(b"%PDF-1.7")
    assert sha256_bytes(rendered.pdf) == rendered.sha256
    assert rendered.page_count == len(rendered.pages) >= 30


def test_marking_is_at_the_top_and_bottom_of_every_page(rendered):
    marking = rendered.snapshot["case"]["marking"]
    assert marking == "OFFICIAL-SENSITIVE"
    for page in rendered.pages:
        assert marking in page.top, f"no marking at the top of page {page.number}"
        assert marking in page.bottom, f"no marking at the bottom of page {page.number}"


def test_every_page_is_numbered_page_x_of_y(rendered):
    total = len(rendered.pages)
    for page in rendered.pages:
        assert f"Page {page.number} of {total}" in page.bottom


def test_footer_carries_the_case_reference_and_the_full_snapshot_hash(rendered):
    reference = rendered.snapshot["case"]["reference"]
    for page in rendered.pages:
        assert reference in page.footer_left
        assert rendered.snapshot_hash in squash(page.footer_left), page.number


def test_section_headings_appear_in_the_order_of_the_issue(rendered):
    text = squash(rendered.body)
    positions = []
    for number, title in enumerate(SECTION_TITLES, start=1):
        # The record's contents name them too: look after the contents.
        heading = squash(f"Annex {_letter(number)}: {title}")
        position = text.find(heading, text.find(squash("this file is recorded in AIA")) + 1)
        assert position > 0, f"missing annex heading {number} {title}"
        positions.append(position)
    assert positions == sorted(positions)


def test_the_first_page_heads_the_submission_from_the_sro_to_the_minister(rendered):
    cover = rendered.pages[0].body
    snapshot = rendered.snapshot
    for expected in (
        "Submission to the minister",
        snapshot["case"]["title"],
        snapshot["case"]["reference"],
        f"version {snapshot['case']['version']}",
        "expedited track",
        snapshot["sign_off"]["signed_off_by"]["name"],
        snapshot["team"]["minister"]["name"],
    ):
        assert squash(expected) in squash(cover), expected
    assert "From" in cover
    assert "To" in cover


def test_the_last_annex_holds_the_record_details_and_hashes(rendered):
    details = squash(_section(rendered, len(SECTION_TITLES)))
    snapshot = rendered.snapshot
    for expected in (
        snapshot["case"]["title"],
        snapshot["case"]["situation"]["name"],
        "Expedited",
        snapshot["sign_off"]["signed_off_by"]["name"],
        snapshot["team"]["minister"]["name"],
        "21 May 2024",
    ):
        assert squash(expected) in details, expected
    assert rendered.snapshot_hash in details
    assert snapshot["sign_off"]["options_hash"] in details


def test_summary_lists_the_recommended_options(rendered):
    summary = squash(_section(rendered, 1))
    recommended = [
        o
        for o in rendered.snapshot["options"]
        if o["recommendation"] == "recommended" and not o["withdrawn"]
    ]
    assert recommended
    rows = [row for row in _table_rows(rendered, "No.") if len(row) == 7]
    assert len(rows) == len(recommended)
    for option, row in zip(_numbered(rendered, recommended), rows, strict=True):
        number, title, _department, _timeframe, effect, feasibility, harm = row
        assert number == f"O{option['number']}"
        assert squash(option["title"]) in squash(title)
        assert (effect, feasibility, harm) == (
            option["expected_effect_label"],
            option["feasibility_label"],
            option["risk_of_harm_label"],
        )
    for rating in ("Present", "Partiallypresent", "Absent", "Unknown"):
        assert rating in summary


def test_every_trigger_is_listed(rendered):
    rows = _table_rows(rendered, "Finding date")
    triggers = rendered.snapshot["triggers"]
    assert len(rows) == len(triggers) == 3
    knowledge_date = _knowledge_date(rendered)
    for trigger, (date, source, finding, title) in zip(triggers, rows, strict=True):
        # "6 Sep 2024 day 0": the day counted here from the dates, not taken from the snapshot.
        printed, day = date.split(" day ")
        finding_date = _printed_date(printed, "%d %b %Y")
        assert finding_date.isoformat() == trigger["finding_date"]
        assert day == str((finding_date - knowledge_date).days)
        assert squash(trigger["source_body"]) in squash(source)
        assert squash(trigger["reference"]) in squash(source)
        assert trigger["finding_label"] in finding
        for field in ("title", "summary", "source_url"):
            assert squash(trigger[field]) in squash(title), field


def test_the_chronology_counts_days_from_the_knowledge_date(rendered):
    rows = _table_rows(rendered, "Milestone")
    assert [row[0] for row in rows] == [
        re.sub(r"\s+", " ", milestone["label"]) for milestone in rendered.snapshot["chronology"]
    ]
    knowledge_date = _knowledge_date(rendered)
    for label, printed, days in rows:
        day = _printed_date(printed, "%d %B %Y")
        assert days == str((day - knowledge_date).days), label


def _knowledge_date(rendered) -> datetime.date:
    """Return the earliest finding date of the case's triggers (docs/architecture.md,
    *Integrity rules*, "Knowledge date")."""
    return min(
        datetime.date.fromisoformat(t["finding_date"]) for t in rendered.snapshot["triggers"]
    )


def _printed_date(text: str, layout: str) -> datetime.date:
    """Read a date as the report prints it, such as "6 September 2024"."""
    return datetime.datetime.strptime(text, layout).date()  # noqa: DTZ007 - a calendar day


def test_risk_table_has_all_fourteen_factors_with_rating_confidence_and_evidence(rendered):
    rows = _table_rows(rendered, "RF")
    by_number = {row[0]: row for row in rows if row[0].startswith("RF")}
    assert sorted(by_number, key=lambda n: int(n[2:])) == [f"RF{n}" for n in range(1, 15)]
    for rf in rendered.snapshot["risk_factors"]:
        _number, factor, rating, confidence, evidence = by_number[f"RF{rf['number']}"]
        assert squash(rf["title"]) in squash(factor)
        assert squash(rf["rating_label"]) in squash(rating)
        assert confidence == rf["confidence_label"]
        assert squash(rf["key_evidence"]) == squash(evidence)


def test_uk_footprint_and_the_eight_dimensions_are_reported(rendered):
    section = squash(_section(rendered, 5))
    assert squash(rendered.snapshot["uk_footprint"]["title"]) in section
    rows = _table_rows(rendered, "Dimension")
    titles = {re.sub(r"\s+", " ", row[0]): row for row in rows}
    assert len(rendered.snapshot["dimensions"]) == 8
    for dimension in rendered.snapshot["dimensions"]:
        row = titles[dimension["title"]]
        assert row[1] == dimension["level_label"]
        assert row[2] == dimension["confidence_label"]


def test_every_option_is_reported_with_its_assessment(rendered):
    section = squash(_section(rendered, 6))
    options = rendered.snapshot["options"]
    assert len(options) == 30
    for option in options:
        assert squash(option["title"]) in section, option["title"]
        assert squash(option["rationale"]) in section
    withdrawn = [o for o in options if o["withdrawn"]]
    assert withdrawn
    for option in withdrawn:
        title = section.find(squash(option["title"]))
        assert "Withdrawn" in section[title : title + 400]
        assert squash(option["withdrawal_reason"]) in section
    for label in ("Recommended", "Forconsideration", "Notrecommended"):
        assert label in section


def test_a_core_category_without_options_shows_the_recorded_reason(rendered):
    section = _section(rendered, 6)
    assert rendered.snapshot["option_gaps"] == [
        {"category": "legal", "reason": GAP_REASON, "category_label": "Legal avenues"}
    ]
    legal = section[section.index("Legal avenues (core category)") :]
    assert squash(f"No option. Reason recorded: {GAP_REASON}") in squash(legal)[:400]


def test_chart_key_lists_every_option_not_withdrawn(rendered):
    rows = [row for row in _table_rows(rendered, "No.") if len(row) == 5]
    keyed = {squash(row[1]) for row in rows if row[2] in ("Low", "Medium", "High")}
    for option in rendered.snapshot["options"]:
        shown = any(squash(option["title"]) in key for key in keyed)
        assert shown != option["withdrawn"], option["title"]


def test_chart_is_an_accessible_figure(rendered):
    pdf = reader(rendered.pdf)
    figures = []

    def walk(node):
        node = node.get_object()
        if node.get("/S") == "/Figure":
            figures.append(node)
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object()
            if isinstance(kid, dict) and kid.get("/Type") == "/StructElem":
                walk(kid)

    walk(pdf.trailer["/Root"]["/StructTreeRoot"])
    assert any("expected effect against feasibility" in str(f.get("/Alt")) for f in figures)


def test_legal_advice_record_lists_every_review_with_its_hash(rendered):
    section = squash(_section(rendered, 8))
    reviews = rendered.snapshot["reviews"]
    assert len(reviews) == 20
    rows = [row for row in _table_rows(rendered, "No.") if len(row) == 6]
    numbered = [row for row in rows if row[0].startswith("R")]
    hash_rows = [row for row in rows if not row[0]]
    assert len(numbered) == len(hash_rows) == 20
    for number, (review, row, hashes) in enumerate(
        zip(reviews, numbered, hash_rows, strict=True), start=1
    ):
        assert row[0] == f"R{number}"
        assert row[1] == review["stage_label"]
        assert row[2].startswith(review["decision_label"])
        assert review["reviewer"]["name"] in row[3]
        assert squash(review["comment"]) == squash(row[5])
        assert review["content_hash"] in squash(hashes[1])
        assert review["content_hash"] in section
        assert ("Voided" in row[2]) == bool(review["voided_at"])


def test_dissents_are_reported_in_full(rendered):
    section = squash(_section(rendered, 9))
    for dissent in rendered.snapshot["dissents"]:
        assert squash(dissent["text"]) in section
        assert squash(dissent["author"]["name"]) in section


def test_sign_off_block_names_people_roles_times_and_hashes(rendered):
    section = squash(_section(rendered, 10))
    sign_off = rendered.snapshot["sign_off"]
    assert squash(sign_off["signed_off_by"]["name"]) in section
    assert "SeniorResponsibleOwner" in section
    approvals = sign_off["approvals"]
    assert [a["stage"] for a in approvals] == ["assessment", "options", "sign_off"]
    rows = [row for row in _table_rows(rendered, "Stage") if row[0]]
    named = [row for row in rows if len(row) == 4 and row[1]]
    assert len(named) == 3
    roles = ["Legal adviser", "Legal adviser", "Senior Responsible Owner"]
    for approval, row, role in zip(approvals, named, roles, strict=True):
        assert row[0] == approval["stage_label"]
        assert row[1] == f"{approval['reviewer']['name']} {role}"
        assert re.search(r"\d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d (GMT|BST)", row[2])
        assert approval["content_hash"] in section
    for digest in (sign_off["assessment_hash"], sign_off["options_hash"], rendered.snapshot_hash):
        assert digest in section


def test_audit_summary_and_sources_close_the_report(rendered):
    audit = squash(_section(rendered, 12))
    assert rendered.snapshot["audit"]["chain_head"] in audit
    assert str(rendered.snapshot["audit"]["event_count"]) in audit
    rows = [row for row in _table_rows(rendered, "No.") if len(row) == 4]
    sources = rendered.snapshot["sources"]
    assert len(rows) == len(sources)
    for number, (source, row) in enumerate(zip(sources, rows, strict=True), start=1):
        assert row[0] == f"S{number}"
        assert squash(source["title"]) in squash(row[1])
        assert squash(source["url"]) in squash(row[1])


def test_outline_has_a_bookmark_for_every_section(rendered):
    titles = outline_titles(rendered.pdf)
    top = [title for depth, title in titles if depth == 0]
    assert top[0].startswith("Submission")
    assert top[1:] == [f"Annex {_letter(n)}: {t}" for n, t in enumerate(SECTION_TITLES, start=1)]
    nested = [title for depth, title in titles if depth == 1]
    assert "Analysis by risk factor" in nested
    assert "Recommendation" in nested
    assert any(title.endswith("Diplomacy (core category)") for title in nested)


def test_document_metadata_and_pdf_ua_tagging(rendered):
    pdf = reader(rendered.pdf)
    case = rendered.snapshot["case"]
    meta = pdf.metadata
    assert meta.title == f"{case['reference']} Atrocity Impact Assessment: {case['title']}"
    assert meta.author == rendered.snapshot["sign_off"]["signed_off_by"]["name"]
    assert "OFFICIAL-SENSITIVE" in meta.subject
    assert meta["/SnapshotSHA256"] == rendered.snapshot_hash
    assert meta["/ProtectiveMarking"] == case["marking"]
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp


def test_text_never_leaves_the_page(rendered):
    for page in rendered.pages:
        low, high = page.extent
        assert low >= SIDE_MARGIN - 0.5, page.number
        assert high <= page.width - SIDE_MARGIN + 0.5, page.number


def test_presentation_leaves_the_snapshot_unchanged(rendered):
    before = copy.deepcopy(rendered.snapshot)
    report_context(rendered.snapshot, snapshot_hash=rendered.snapshot_hash)
    assert rendered.snapshot == before


# ------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------
def _section(rendered, number: int) -> str:
    """Return the body text from section ``number``'s heading to the next one."""
    text = rendered.body
    start = _heading_position(text, number)
    end = _heading_position(text, number + 1) if number < len(SECTION_TITLES) else len(text)
    return text[start:end]


def _heading_position(text: str, number: int) -> str:
    title = SECTION_TITLES[number - 1]
    after_contents = text.find("This report was rendered from a snapshot")
    heading = rf"^Annex {_letter(number)}: {re.escape(title)}$"
    match = re.compile(heading, re.MULTILINE).search(text, after_contents)
    assert match, f"annex {number} {title} not found"
    return match.start()


def _letter(number: int) -> str:
    """Return the letter of the record's annex ``number`` (1 is A)."""
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[number - 1]


def _numbered(rendered, options: list[dict]) -> list[dict]:
    """Return the options with the numbers the report gives them (grouped by category)."""
    numbered = report_context(rendered.snapshot)["options_numbered"]
    by_id = {o["id"]: o for o in numbered}
    return sorted((by_id[o["id"]] for o in options), key=lambda o: o["number"])


def _table_rows(rendered, first_header: str) -> list[list[str]]:
    """Return the body rows of every table whose first header cell is ``first_header``."""
    return table_rows(rendered.tables, first_header)
