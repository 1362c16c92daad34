"""Screenshots of the main pages, taken from the demo data.

The test always runs the pages against the seeded demo; it writes the PNGs committed under
docs/screenshots/ only when AIA_UPDATE_SCREENSHOTS=1, so a test run never dirties the tree:

    AIA_UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_screenshots.py

With the variable set, the demo's reports are rendered for real, so the minister's page
shows the signed report itself rather than the tests' one-page stand-in.
"""

import io
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from playwright.sync_api import expect

from aia.models import Case, Comment, User
from aia.roles import ensure_role_groups
from aia.services.comments import comment_reply
from aia.services.sources import source_add, source_cite
from tests import source_files
from tests.e2e.test_warnings import fill_warning
from tests.factories import PASSWORD

UPDATE = os.environ.get("AIA_UPDATE_SCREENSHOTS") == "1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_HEIGHT = 2200

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    *([pytest.mark.real_reports] if UPDATE else []),
]


def _shoot(page, path: Path, *, height: int = MAX_HEIGHT) -> None:
    full = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(
        path=str(path),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": min(full, height)},
    )


def test_screenshots_of_the_demo(sign_in, tmp_path):
    ensure_role_groups(Group, Permission)
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
    cases = {case.situation.country_code: case for case in Case.objects.select_related("situation")}
    sudan, dprk, myanmar, venezuela = cases["SD"], cases["KP"], cases["MM"], cases["VE"]
    out = SCREENSHOTS if UPDATE else tmp_path
    out.mkdir(parents=True, exist_ok=True)

    def user(username: str) -> User:
        return User.objects.get(username=username)

    sro = sign_in(user("sro"))
    sro.reload()  # without the "signed in" banner
    _shoot(sro, out / "dashboard.png")

    # The source library: one report, with its file, cited from two of Sudan's factors (the
    # demo's own sources are typed on the sections, so the library starts empty).
    library_source = source_add(
        case=sudan,
        actor=user("official"),
        data={
            "title": "Report of the Independent International Fact-Finding Mission for the Sudan",
            "author": "UN Human Rights Council",
            "published_on": "2024-09-06",
            "url": "https://www.ohchr.org/",
            "reliability": "corroborated",
        },
        upload=source_files.upload("ffm-sudan-2024.pdf", source_files.PDF),
    )
    for code in ("rf8", "rf9"):
        source_cite(source=library_source, actor=user("official"), section_code=code)

    official = sign_in(user("official"))
    official.goto(f"/cases/{sudan.pk}/")
    expect(official.locator("[data-transition=submit_assessment]")).to_be_visible()
    _shoot(official, out / "case-page.png")
    official.goto(f"/cases/{sudan.pk}/sections/rf8/")
    expect(official.locator("h1")).to_have_text("Triggering factors")
    _shoot(official, out / "section-editor.png")

    # Issue 21's pages: recording a warning (and the duplicate shown before saving), returned
    # work first on the case page, the audit trail, search and notifications.
    official.goto("/warnings/new/")
    _shoot(official, out / "record-a-warning.png")
    fill_warning(official)
    official.select_option("#id_situation", str(sudan.situation_id))
    recorded = sudan.triggers.order_by("received_at").first()
    official.fill("#id_source_body", recorded.source_body)
    official.fill("#id_reference", recorded.reference)
    official.click("button:has-text('Continue')")
    expect(official.locator("#duplicate-warnings")).to_contain_text(sudan.reference)
    _shoot(official, out / "warning-check.png")
    official.goto(f"/cases/{sudan.pk}/sources/")
    expect(official.locator("h1")).to_have_text("Source library")
    _shoot(official, out / "source-library.png")
    official.goto(f"/cases/{venezuela.pk}/")
    expect(official.locator("#returned-comments")).to_be_visible()
    _shoot(official, out / "returned-work.png")
    official.goto(f"/cases/{sudan.pk}/audit-trail/")
    _shoot(official, out / "audit-trail.png")
    official.goto("/search/?q=Darfur")
    expect(official.locator("main")).to_contain_text(sudan.reference)
    _shoot(official, out / "search.png")

    legal = sign_in(user("legal2"))
    legal.goto(f"/cases/{dprk.pk}/review/")
    expect(legal.locator("#changed-items")).to_be_visible()
    _shoot(legal, out / "legal-review.png", height=2400)

    # The PDF viewer redraws when the viewport changes, so the page is shot at its final size.
    minister = sign_in(user("minister"))
    minister.set_viewport_size({"width": 1280, "height": 1800})
    with minister.expect_response(lambda r: "/reports/" in r.url) as opened:
        minister.goto(f"/cases/{myanmar.pk}/minister/")
    assert opened.value.headers["content-type"] == "application/pdf"
    if UPDATE:
        minister.wait_for_timeout(5000)  # let Chromium's PDF viewer draw the first pages
    minister.screenshot(path=str(out / "minister.png"))

    # A notification for the legal adviser: an official answered their open comment.
    still_open = Comment.objects.get(case=venezuela, parent__isnull=True, resolved_at__isnull=True)
    comment_reply(
        case=venezuela,
        actor=user("official"),
        comment_id=still_open.pk,
        text_="Two partners have agreed so far; the embassy would report on the benchmarks.",
    )
    legal.goto("/")
    expect(legal.locator(".govuk-service-navigation")).to_contain_text("1 unread")
    legal.goto("/notifications/")
    _shoot(legal, out / "notifications.png")

    for name in (
        "dashboard",
        "case-page",
        "section-editor",
        "legal-review",
        "minister",
        "record-a-warning",
        "warning-check",
        "returned-work",
        "audit-trail",
        "search",
        "notifications",
        "source-library",
    ):
        assert (out / f"{name}.png").stat().st_size > 10_000, name
