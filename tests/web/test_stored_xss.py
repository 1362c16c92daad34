"""Stored XSS in every free-text field: pages, the signed PDF and the emails show it as text.

One case is walked from its triggers to a closed case through the real services with markup
in every field a person types (each with its own tag, so the test can tell which field turned
up where). Then every page of the case is read as the people on it, the report is rendered for
real, and every email sent on the way is read. Nowhere may the markup arrive as markup; and
every field must be seen, escaped, on some page or in the PDF, so the test knows it looked.
"""

import itertools
import re

import pytest
from django.core import mail
from django.urls import reverse

from aia.framework import DIMENSION_CODES, RISK_FACTOR_CODES
from aia.models import Case
from aia.reports.rendering import render_html
from aia.services import cases as case_services
from tests.factories import committing
from tests.reports.builders import heavy_content, walk_to_signed_off
from tests.reports.pdf import read_pages

pytestmark = [pytest.mark.django_db, pytest.mark.real_reports]

RAW = re.compile(r"<(script|img|iframe)[ >]x")  # markup of ours, unescaped


class Payloads:
    """Hands out a distinct hostile string per field, and remembers which field got which."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self.fields: dict[str, str] = {}

    def __call__(self, field: str) -> str:
        tag = f"x{next(self._numbers)}"
        self.fields[tag] = field
        return f'<script>x("{tag}")</script><img src=x onerror="{tag}"> {tag}'

    @staticmethod
    def escaped(tag: str) -> str:
        return f"&lt;script&gt;x(&quot;{tag}&quot;)&lt;/script&gt;"

    @staticmethod
    def literal(tag: str) -> str:
        return f'<script>x("{tag}")</script>'


def hostile_case(team, payload: Payloads) -> Case:
    """Walk a case to closed with a payload in every free-text field."""
    content = heavy_content(
        options=8, reviews=6, analysis_sentences=2, text=lambda n, seed: payload("prose")
    )
    situation = payload("situation name")
    for number, data in enumerate(content.triggers):
        data["situation"]["name"] = situation
        data["title"] = payload(f"trigger {number} title")
        data["summary"] = payload(f"trigger {number} summary")
        data["groups_at_risk"] = payload(f"trigger {number} groups at risk")
    content.scope["groups_at_risk"] = payload("scope groups at risk")
    content.scope["likely_perpetrators"] = payload("scope likely perpetrators")
    for code in (*RISK_FACTOR_CODES, *DIMENSION_CODES):
        section = content.risk_factors.get(code) or content.dimensions[code]
        section["sources"][0]["title"] = payload(f"{code} source title")
    content.footprint["sources"][0]["title"] = payload("footprint source title")
    for number, option in enumerate(content.options):
        option["title"] = payload(f"option {number} title")
        option["target_actors"] = payload(f"option {number} target actors")
        option["timeframe"] = payload(f"option {number} timeframe")
    for option in content.options:  # "legal" has no option, only the reason why (a gap)
        if option["category"] == "legal":
            option["category"] = "information"
    content.withdrawals = {len(content.options) - 1: payload("withdrawal reason")}
    content.gaps = {"legal": payload("gap reason")}
    content.assessment_returns = [payload("assessment return comment")]
    content.options_returns = [payload("options return comment")]
    content.sign_off_returns = [payload("sign-off return comment")]
    content.assessment_approval = payload("assessment approval comment")
    content.options_approval = payload("options approval comment")
    content.sign_off_comment = payload("sign-off comment")
    content.dissents.append(("legal", "options", payload("dissent")))

    case = walk_to_signed_off(team, content)
    with committing():
        case = case_services.case_submit_to_minister(case=case, actor=team.sro)
        case = case_services.case_record_decision(
            case=case, actor=team.minister, decision="agreed", note=payload("decision note")
        )
        case = case_services.case_close(case=case, actor=team.sro, note=payload("closing note"))
    return case


def test_markup_in_every_free_text_field_is_text_everywhere(team, client_for):
    payload = Payloads()
    mail.outbox.clear()
    case = hostile_case(team, payload)
    report = case.reports.get()

    # Every page that shows the case's content, as the people who see it.
    seen: list[str] = []
    lead, auditor = client_for(team.lead), client_for(team.auditor)
    urls = [
        reverse("web:dashboard") + "?state=closed",
        reverse("web:case", kwargs={"case_id": case.pk}),
        reverse("web:options", kwargs={"case_id": case.pk}),
        reverse("web:review", kwargs={"case_id": case.pk}),
        reverse("web:report-preview", kwargs={"case_id": case.pk}),
        *(
            reverse("web:section", kwargs={"case_id": case.pk, "code": code})
            for code in ("scope", *RISK_FACTOR_CODES, "uk_footprint", *DIMENSION_CODES)
        ),
        *(
            reverse("web:option", kwargs={"case_id": case.pk, "option_id": option.pk})
            for option in case.options.all()
        ),
    ]
    for url in urls:
        for client in (lead, auditor):
            response = client.get(url)
            if response.status_code == 409:  # a page for another state (the review page)
                continue
            assert response.status_code == 200, url
            body = response.content.decode()
            assert not RAW.search(body), f"raw markup on {url}"
            seen.append(body)
    for user in team.everyone().values():
        body = client_for(user).get(reverse("web:notifications")).content.decode()
        assert not RAW.search(body), f"raw markup in {user.username}'s notifications"
        seen.append(body)

    # The signed report: its HTML escapes, its PDF prints the markup as text.
    html = render_html(report.snapshot, snapshot_hash=report.snapshot_hash)
    assert not RAW.search(html)
    # Long unbroken strings may wrap anywhere in a narrow cell: compare without whitespace.
    pdf_text = re.sub(r"\s", "", "".join(page.full for page in read_pages(report.pdf.read())))

    # Every email sent on the way (text and HTML parts).
    assert mail.outbox, "the walk sends notification emails"
    for message in mail.outbox:
        for body, kind in [(message.body, "text"), *message.alternatives]:
            if kind == "text/html":
                assert not RAW.search(body), message.subject
    assert not any(RAW.search(message.subject) for message in mail.outbox)

    pages = "\n".join(seen)
    unseen = {
        tag: field
        for tag, field in payload.fields.items()
        if Payloads.escaped(tag) not in pages and Payloads.literal(tag) not in pdf_text
    }
    assert not unseen, f"fields never shown on a page or in the PDF: {unseen}"
