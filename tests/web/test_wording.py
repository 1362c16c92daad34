"""Every state and transition reaches people through the wording table (``aia.wording``): no
page, notification, email or error message shows a state's or a transition's name, or an ISO
date; hashes stay off the working pages of officials and ministers.

One case is walked through every state and every transition, returns and revisions included,
and a second is withdrawn; at each state every page its team and an auditor may open is read,
and every refusal the services would give is asked for. Then every notification and email sent
on the way, the reminders and the daily digest are read too.
"""

import datetime
import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aia import wording
from aia.models import Case, CaseEvent, Notification, Report
from aia.models.choices import CaseState
from aia.services import cases as s
from aia.services.cases import case_transition_refusal
from aia.services.reminders import case_remind, daily_digest_send
from aia.services.transitions import TRANSITIONS
from tests.factories import (
    PASSWORD,
    committing,
    fill_assessment,
    fill_options,
    fill_scope,
    new_case,
    walk,
)
from tests.web.helpers import case_url, transition_url

pytestmark = pytest.mark.django_db

STATES = [state.value for state in CaseState]
NAMES = sorted({*STATES, *TRANSITIONS})
# A name as code: snake_case as it is, or any name quoted or in brackets, even with spaces
# for underscores ('close', `assessment`, 'return options', (submit to minister)).
RAW_NAME = re.compile(
    r"\b(?:"
    + "|".join(n for n in NAMES if "_" in n)
    + r")\b"
    + "|['\"`\u2018\u201c(](?:"
    + "|".join(sorted({*NAMES, *(n.replace("_", " ") for n in NAMES)}))
    + ")['\"`\u2019\u201d)]",
    re.IGNORECASE,
)
# A state's label used where its phrase belongs: "a case that is legal review".
LABEL_AS_PHRASE = re.compile(
    r"\bis (?:now )?(?:in )?(?:"
    + "|".join(
        re.escape(wording.state_label(state).lower())
        for state in STATES
        if not wording.state_phrase(state).startswith(wording.state_label(state).lower())
    )
    + r")\b"
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def visible_text(html: str) -> str:
    """The text a reader sees (and hears: alt, title and aria-label), without the markup."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    spoken = " ".join(re.findall(r'(?:title|aria-label|alt)="([^"]*)"', html))
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html) + " " + spoken).split())


def assert_plain(where: str, text: str) -> None:
    for pattern in (RAW_NAME, LABEL_AS_PHRASE, ISO_DATE):
        found = pattern.search(text)
        context = text[max(found.start() - 80, 0) : found.end() + 80] if found else ""
        assert found is None, f"{where} shows {found.group(0)!r}: …{context}…"


def test_every_state_and_transition_has_its_wording():
    for state in STATES:
        label, phrase = wording.state_label(state), wording.state_phrase(state)
        assert label, state
        assert phrase, state
        assert "_" not in label + phrase, state
    for name, spec in TRANSITIONS.items():
        words = (wording.transition_label(name), spec.phrase, spec.done, spec.button)
        assert all(words), name
        assert not any("_" in w for w in words), name
        assert spec.phrase != spec.done, name
        # Each reads in its sentence: "You cannot <phrase>", "<who> <done>".
        assert spec.phrase[0].islower(), name
        assert spec.done[0].islower(), name
    assert_plain("the wording table", " ".join(map(wording.state_phrase, STATES)))


@pytest.fixture
def clients(team, client_for):
    people = {
        "lead": team.lead,
        "legal": team.legal,
        "sro": team.sro,
        "minister": team.minister,
        "auditor": team.auditor,
    }
    return {name: (user, client_for(user)) for name, (user) in people.items()}


def _pages(case: Case) -> list[str]:
    """Every page of the case a team member may open, or is refused with a reason."""
    return [
        reverse("web:dashboard"),
        reverse("web:notifications"),
        case_url(case),
        case_url(case, "web:review"),
        case_url(case, "web:options"),
        case_url(case, "web:sign-off"),
        case_url(case, "web:minister"),
        case_url(case, "web:section", code="scope"),
        case_url(case, "web:section", code="rf1"),
        case_url(case, "web:dissent"),
        case_url(case, "web:team"),
    ]


def _read_everything(case: Case, clients, seen: set[str]) -> None:
    """The first time the walk reaches a state, read every page as each team member and an
    auditor, the pages of the transitions each may take, and every refusal the services
    would give them (the API's ``message`` is the same text)."""
    case = Case.objects.get(pk=case.pk)
    if case.state in seen:
        return
    seen.add(case.state)
    for who, (user, client) in clients.items():
        allowed = []
        for name in TRANSITIONS:
            refusal = case_transition_refusal(case=case, actor=user, name=name)
            if refusal is None:
                allowed.append(transition_url(case, name))
            else:
                assert_plain(f"refusing {name} to {who} ({case.state})", refusal.message)
        for url in _pages(case) + allowed:
            response = client.get(url, follow=True)
            assert response.status_code < 500, url
            assert_plain(f"{url} as {who} ({case.state})", visible_text(response.content.decode()))


def _hashes_stay_off_working_pages(case: Case, clients) -> None:
    """Officials, the SRO and the minister see no fingerprint; the auditor does."""
    case = Case.objects.get(pk=case.pk)
    fingerprints = [r.content_hash[:12] for r in case.reviews.all()]
    fingerprints += [r.sha256[:12] for r in Report.objects.filter(case=case) if r.sha256]
    fingerprints += [e.hash[:12] for e in case.events.all()]
    assert fingerprints
    pages = [case_url(case), case_url(case, "web:sign-off"), case_url(case, "web:minister")]
    for who in ("lead", "legal", "sro", "minister"):
        for url in pages:
            html = clients[who][1].get(url, follow=True).content.decode()
            assert not any(f in html for f in fingerprints), (who, url)
    auditor_page = clients["auditor"][1].get(case_url(case)).content.decode()
    assert any(f in auditor_page for f in fingerprints)


def _step(case: Case, take) -> Case:
    with committing():
        take(Case.objects.get(pk=case.pk))
    return Case.objects.get(pk=case.pk)


def _walk_every_transition(team, case: Case, clients, seen: set[str]) -> Case:
    """Take every transition at least once, reading everything at each state reached."""
    lead, legal, sro, minister = team.lead, team.legal, team.sro, team.minister

    def then(take):
        nonlocal case
        case = _step(case, take)
        _read_everything(case, clients, seen)

    def to_legal_review(c):
        fill_assessment(c, team.official)
        return s.case_submit_assessment(case=c, actor=lead)

    def to_options_review(c):
        if not c.options.exists():
            fill_options(c, team.official)
        return s.case_submit_options(case=c, actor=lead)

    def approve_options(c):
        return s.case_approve_options(case=c, actor=legal)

    def sign_off(c):
        return s.case_sign_off(case=c, actor=sro, password=PASSWORD)

    def submit_to_minister(c):
        return s.case_submit_to_minister(case=c, actor=sro)

    then(
        lambda c: s.case_assign(
            case=c,
            actor=sro,
            lead_official=lead,
            legal_adviser=legal,
            officials=[team.official],
            minister=minister,
        )
    )
    then(lambda c: (fill_scope(c, lead), s.case_start_assessment(case=c, actor=lead)))
    then(to_legal_review)
    then(lambda c: s.case_return_assessment(case=c, actor=legal, comment="Weigh rf3 again."))
    then(lambda c: s.case_submit_assessment(case=c, actor=lead))
    then(lambda c: s.case_approve_assessment(case=c, actor=legal, comment="Sound."))
    then(to_options_review)
    then(lambda c: s.case_return_options(case=c, actor=legal, comment="Cost each option."))
    then(to_options_review)
    then(approve_options)
    then(lambda c: s.case_return_for_revision(case=c, actor=sro, comment="Add a timeline."))
    for take in (to_options_review, approve_options, sign_off, submit_to_minister):
        then(take)
    then(lambda c: s.case_request_revision(case=c, actor=minister, comment="More on risk."))
    for take in (to_options_review, approve_options, sign_off, submit_to_minister):
        then(take)
    then(lambda c: s.case_record_decision(case=c, actor=minister, decision="agreed", note="Go."))
    _hashes_stay_off_working_pages(case, clients)
    then(lambda c: s.case_reopen(case=c, actor=sro, reason="A new finding."))
    return case


def test_no_page_notification_email_or_message_shows_a_state_or_transition_name(team, clients):
    mail.outbox.clear()
    seen: set[str] = set()
    case = new_case(team)
    _read_everything(case, clients, seen)
    case = _walk_every_transition(team, case, clients, seen)
    withdrawn = _step(
        _step(
            new_case(team),
            lambda c: s.case_assign(
                case=c, actor=team.sro, lead_official=team.lead, legal_adviser=team.legal
            ),
        ),
        lambda c: s.case_withdraw(case=c, actor=team.sro, reason="Overtaken."),
    )
    _read_everything(withdrawn, clients, seen)
    closed = walk(new_case(team), team, CaseState.CLOSED)
    _read_everything(closed, clients, seen)
    assert seen == set(STATES)
    taken = set(
        CaseEvent.objects.filter(case__in=[case, withdrawn, closed])
        .exclude(transition="")
        .values_list("transition", flat=True)
    )
    assert taken == set(TRANSITIONS)

    # The reminders and the escalation of the case's current stage, and the daily digest.
    case = Case.objects.get(pk=case.pk)
    with committing():
        assert case_remind(case=case, today=case.stage_deadline + datetime.timedelta(days=1))
        team.lead.daily_digest = True
        team.lead.save(update_fields=["daily_digest"])
        assert daily_digest_send()

    notes = list(Notification.objects.all())
    assert {note.kind for note in notes} >= {
        "assigned",
        "submitted",
        "returned",
        "approved",
        "signed_off",
        "with_minister",
        "decision_recorded",
        "reminder",
        "escalation",
        "digest",
    }
    for note in notes:
        assert_plain(f"notification {note.kind}", f"{note.subject} {note.body}")
    assert len(mail.outbox) > 10
    for message in mail.outbox:
        assert_plain(f"email {message.subject}", f"{message.subject} {message.body}")
        for html, _ in message.alternatives:
            assert_plain(f"email {message.subject} (HTML)", visible_text(html))
    for who, (_, client) in clients.items():
        page = client.get(reverse("web:notifications")).content.decode()
        assert_plain(f"the notifications of {who}", visible_text(page))


def test_the_api_explains_a_refusal_in_words(team):
    case = s.case_assign(
        case=new_case(team), actor=team.sro, lead_official=team.lead, legal_adviser=team.legal
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=team.sro).key}")
    answer = api.post(
        f"/api/v1/cases/{case.pk}/transitions/close/", {"note": "Done."}, format="json"
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["message"] == "You cannot close the case now: the case is being scoped."
    assert_plain("the API's message", body["message"])
