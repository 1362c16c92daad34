"""Setting up an authenticator app and signing in with its codes, in Chromium."""

import time
from base64 import b32decode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from aia.models.choices import Role
from tests.e2e.conftest import VIEWPORT, axe_violations
from tests.factories import PASSWORD, UserFactory
from tests.signing_in import totp_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.needs("axe-core")
def test_a_new_sro_sets_up_the_app_and_signs_in_with_a_code(team, browser, live_server):
    UserFactory(username="new_sro", roles=[Role.SRO])
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, bypass_csp=True
    )  # axe is injected
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/sign-in/")
    page.fill("#id_username", "new_sro")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")

    expect(page.locator("h1")).to_have_text("Set up an authenticator app")
    expect(page.locator("svg.segno")).to_be_visible()
    page.click("text=I cannot scan the QR code")
    key = b32decode(page.locator("#otp-secret").inner_text().replace(" ", ""))

    page.fill("#id_otp", "000000" if totp_code(key) != "000000" else "111111")
    page.click("button:has-text('Continue')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not correct")
    assert axe_violations(page) == []

    # Each failure makes the next attempt wait (1 s after the first).
    page.wait_for_timeout(1200)
    page.fill("#id_otp", totp_code(key))
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Your cases")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "authenticator app is set up"
    )

    # Next time: password, then the code step.
    page.click("button:has-text('Sign out')")
    page.fill("#id_username", "new_sro")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    assert axe_violations(page) == []
    # The code of the step just used is refused from now on; the app's next one is accepted.
    page.fill("#id_otp", next_step_code(key, username="new_sro"))
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Your cases")
    context.close()


def next_step_code(key: bytes, *, username: str) -> str:
    """Return the code of the step after the one the site last accepted, once it accepts it.

    django-otp accepts a step within one of its own clock, which it shifts by the drift it saw
    at the last accepted code. A set-up code sent just as a step ended leaves the drift at -1,
    and then the next step's code is accepted only once that step has begun, as a user whose
    app showed it would find.
    """
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    wanted = device.last_t + 1
    while int(time.time() // device.step) + device.drift + device.tolerance < wanted:
        time.sleep(0.2)
    return totp_code(key, at=wanted * device.step)
