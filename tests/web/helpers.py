"""Small readers of the pages' HTML for the browser tests."""

import re
from html import unescape

from django.urls import reverse


def case_url(case, name: str = "web:case", **kwargs) -> str:
    return reverse(name, kwargs={"case_id": case.pk, **kwargs})


def transition_url(case, name: str) -> str:
    return reverse("web:transition", kwargs={"case_id": case.pk, "name": name})


def buttons(response) -> list[str]:
    """Return the transitions the case page offers, in page order."""
    return re.findall(r'data-transition="([a-z_]+)"', response.content.decode())


def error_summary(response) -> list[str]:
    """Return the messages of the page's GOV.UK error summary (empty when there is none)."""
    html = response.content.decode()
    match = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not match:
        return []
    return [unescape(m).strip() for m in re.findall(r"<a [^>]*>(.*?)</a>", match.group(1), re.S)]


def text(response) -> str:
    """Return the page's visible text, roughly (tags removed, whitespace collapsed)."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
