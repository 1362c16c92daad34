"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

No browser is downloaded (``playwright install`` is never run): ``/usr/bin/chromium`` comes
from Debian (``make test`` installs it). Every test here is marked ``e2e`` and uses a
transactional database, so the live server's thread sees what the test writes.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aia.permissions import requires_second_factor
from tests.factories import PASSWORD
from tests.signing_in import fresh_totp_code, totp_device
from tests.tools import AXE, CHROMIUM

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.needs("chromium"))


@pytest.fixture(autouse=True)
def _content_types_and_permissions(transactional_db) -> None:
    """Make sure the permissions exist before ``team`` builds the role groups from them.

    A transactional test (the API's schema fuzzing, the concurrency tests) flushes the
    database without re-creating them; post_migrate puts them back, as ``migrate`` does.
    """
    from django.core.management.sql import emit_post_migrate_signal

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """Start Chromium once for the browser tests, and stop it after the last one (each test
    needs it: see pytest_collection_modifyitems)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # database access from a thread with a running loop unless told it is safe: here it is,
    # as the test thread never runs async code. Restored after the browser tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def sign_in(browser, live_server) -> Iterator[Callable]:
    """Return ``sign_in(user)``: a new browser session signed in through the sign-in page.

    Users whose role needs a one-time code get an authenticator device and enter its code.
    The site's Content Security Policy applies, except with ``bypass_csp=True``, which the
    accessibility test needs to inject axe-core as an inline script.
    """
    from playwright.sync_api import expect

    contexts = []

    def _sign_in(
        user, password: str = PASSWORD, *, bypass_csp: bool = False, javascript: bool = True
    ):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORT,
            accept_downloads=True,
            bypass_csp=bypass_csp,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        if requires_second_factor(user):
            totp_device(user)  # set up before, as the user would have done on a first sign-in
        page.goto("/sign-in/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button:has-text('Sign in')")
        if requires_second_factor(user):
            # The second step, playing the user's authenticator app.
            expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
            page.fill("#id_otp", fresh_totp_code(user))
            page.click("button:has-text('Continue')")
        expect(page.locator("h1")).to_have_text("Your cases")
        return page

    yield _sign_in
    for context in contexts:
        context.close()


def axe_violations(page, *, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core on the page (not inside its frames) and describe the violations found."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {iframes: false, resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in impacts
    ]
