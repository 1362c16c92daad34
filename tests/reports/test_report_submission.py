"""The submission to the minister: the first two pages of the demo's Myanmar report say what
is recommended, what decision is sought and by when, and the record follows as annexes."""

import copy
import io
import shutil
import subprocess

import pytest
from django.test import TestCase

from aia.demo import seed
from aia.demo.content import demo_cases
from aia.models import Case
from aia.models.choices import Recommendation, ReportStatus
from aia.reports.presentation import SECTIONS, report_context
from aia.reports.rendering import render_html
from tests.reports.pdf import read_pages, squash

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests"


def _pdftotext(pdf: bytes, first: int, last: int) -> str:
    """Return the text of pages ``first`` to ``last`` as poppler's pdftotext reads them (the
    way a reader's tools would), or pdfplumber's where poppler is not installed."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        result = subprocess.run(  # noqa: S603 - poppler on our own PDF
            [pdftotext, "-f", str(first), "-l", str(last), "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        )
        return result.stdout.decode()
    return "\n".join(page.full for page in read_pages(pdf)[first - 1 : last])


def _plain(text: str) -> str:
    """Return ``text`` without whitespace or hyphens: pdftotext joins a word hyphenated at a
    line's end without its hyphen."""
    return squash(text).replace("-", "")


@pytest.fixture
def myanmar(monkeypatch) -> Case:
    """Seed the demo's Myanmar case alone, walked to the minister with its report rendered."""
    plan = next(plan for plan in demo_cases() if plan.key == "myanmar")
    monkeypatch.setattr(seed, "demo_cases", lambda: [plan])
    with TestCase.captureOnCommitCallbacks(execute=True):
        seed.seed_demo(password=PASSWORD, log=io.StringIO().write)
    return seed.demo_case_for(plan)


def test_the_first_two_pages_are_the_submission_and_the_record_follows(myanmar):
    report = myanmar.reports.get(superseded_at__isnull=True)
    assert report.status == ReportStatus.READY, report.failure_reason
    with report.pdf.open("rb") as handle:
        pdf = handle.read()
    submission = _pdftotext(pdf, 1, 2)
    record = _pdftotext(pdf, 3, report.page_count)

    snapshot = report.snapshot["submission"]
    first_two = _plain(submission)
    assert _plain(myanmar.submission_recommendation) in first_two
    assert _plain(myanmar.submission_issue) in first_two
    assert _plain(snapshot["decision_sought"]) in first_two
    day = report_context(report.snapshot)["submission"]["decision_needed_by"]
    assert day is not None
    assert _plain(f"A decision is needed by {day:%A} {day.day} {day:%B %Y}") in first_two
    recommended = [
        o
        for o in report.snapshot["options"]
        if o["recommendation"] == Recommendation.RECOMMENDED and not o["withdrawn"]
    ]
    assert len(recommended) == 5
    for option in recommended:
        assert _plain(option["title"]) in first_two, option["title"]
    assert "Handling and communications" in submission
    assert _plain("Which way the risk is moving: Getting worse.") in first_two
    assert "Annex A" not in submission

    # Page 3 opens the record: the annexes in order, the record details and hashes last.
    page_three = _pdftotext(pdf, 3, 3)
    assert "The record: annexes" in page_three
    assert "Annex A: Summary and recommended options" in page_three
    text = squash(record)
    after_contents = text.find(squash("this file is recorded in AIA"))
    positions = [
        text.find(squash(f"Annex {letter}: {title}"), after_contents)
        for letter, (_, title) in zip("ABCDEFGHIJKL", SECTIONS, strict=False)
    ]
    assert all(position > 0 for position in positions), positions
    assert positions == sorted(positions)
    last = squash(_pdftotext(pdf, report.page_count, report.page_count))
    assert report.snapshot_hash in last
    assert report.snapshot["audit"]["chain_head"] in last


def test_a_snapshot_frozen_before_submissions_still_renders(rendered):
    """Signed reports are re-rendered from their snapshots years later: one frozen before the
    submission existed shows the submission with what it has."""
    old = copy.deepcopy(rendered.snapshot)
    del old["submission"]
    html = render_html(old, draft=False, snapshot_hash=rendered.snapshot_hash)
    assert "Not written." in html
    assert "No date is recorded for the decision." in html
    assert "Annex L:</span> Record details and audit summary" in html
