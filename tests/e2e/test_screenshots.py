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

from aia.models import Case, User
from aia.roles import ensure_role_groups
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
    sudan, dprk, myanmar = cases["SD"], cases["KP"], cases["MM"]
    out = SCREENSHOTS if UPDATE else tmp_path
    out.mkdir(parents=True, exist_ok=True)

    def user(username: str) -> User:
        return User.objects.get(username=username)

    sro = sign_in(user("sro"))
    sro.reload()  # without the "signed in" banner
    _shoot(sro, out / "dashboard.png")

    official = sign_in(user("official"))
    official.goto(f"/cases/{sudan.pk}/")
    expect(official.locator("[data-transition=submit_assessment]")).to_be_visible()
    _shoot(official, out / "case-page.png")
    official.goto(f"/cases/{sudan.pk}/sections/rf8/")
    expect(official.locator("h1")).to_have_text("Triggering factors")
    _shoot(official, out / "section-editor.png")

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

    for name in ("dashboard", "case-page", "section-editor", "legal-review", "minister"):
        assert (out / f"{name}.png").stat().st_size > 10_000, name
