"""axe-core, injected into real Chromium, finds no serious or critical violation on any page
type. axe-core comes from node_modules (``npm ci``, which ``make test`` runs)."""

import pytest

from aia.models.choices import CaseState
from tests.e2e.conftest import axe_violations
from tests.factories import case_in_state

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.needs("axe-core"),
    pytest.mark.django_db(transaction=True),
]


def check(page, path: str, *, status: int = 200, setup=None) -> list[str]:
    response = page.goto(path)
    assert response.status == status, path
    if setup:
        setup(page)
    return [f"{path}: {violation}" for violation in axe_violations(page)]


def test_no_serious_or_critical_violations_on_any_page_type(team, sign_in, browser, live_server):
    assessment = case_in_state(team, CaseState.ASSESSMENT)
    options = case_in_state(team, CaseState.OPTIONS)
    review = case_in_state(team, CaseState.LEGAL_REVIEW)
    sign_off = case_in_state(team, CaseState.SIGN_OFF)
    minister = case_in_state(team, CaseState.WITH_MINISTER)
    found: list[str] = []

    # The sign-in page, empty and with its error summary.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    anonymous = context.new_page()
    found += check(anonymous, "/sign-in/")
    anonymous.click("button:has-text('Sign in')")
    found += [f"sign-in errors: {v}" for v in axe_violations(anonymous)]
    context.close()

    official = sign_in(team.official, bypass_csp=True)
    found += check(official, "/")
    found += check(official, f"/cases/{assessment.pk}/")
    found += check(official, f"/cases/{assessment.pk}/audit-trail/")
    found += check(official, f"/cases/{assessment.pk}/sections/rf8/")
    found += check(official, f"/cases/{assessment.pk}/sections/scope/")
    # The section editor with errors in its summary and on a source row.
    official.fill("#id_sources-0-url", "not a web address")
    official.fill("#id_sources-0-title", "A source")
    official.click("button[name=save]")
    found += [f"section errors: {v}" for v in axe_violations(official)]
    found += check(official, f"/cases/{options.pk}/options/")
    found += check(official, f"/cases/{options.pk}/options/new/")
    found += check(official, f"/cases/{assessment.pk}/transitions/submit_assessment/", status=409)
    found += check(official, "/no-such-page/", status=404)
    found += check(official, "/notifications/")

    legal = sign_in(team.legal, bypass_csp=True)
    found += check(legal, f"/cases/{review.pk}/review/")
    found += check(legal, f"/cases/{review.pk}/transitions/return_assessment/")

    sro = sign_in(team.sro, bypass_csp=True)
    found += check(sro, f"/cases/{sign_off.pk}/sign-off/")
    found += check(sro, f"/cases/{assessment.pk}/team/")
    found += check(sro, f"/cases/{assessment.pk}/transitions/withdraw/")
    found += check(official, f"/cases/{sign_off.pk}/sign-off/", status=403)

    found += check(sign_in(team.minister, bypass_csp=True), f"/cases/{minister.pk}/minister/")

    auditor = sign_in(team.auditor, bypass_csp=True)
    found += check(auditor, "/security-log/")
    found += check(auditor, f"/cases/{assessment.pk}/access-log/")

    assert not found, "\n".join(found)
