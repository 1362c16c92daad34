"""Deadline reminders, escalation of overdue stages, and the daily digest (run by Celery beat).

Each reminder is sent once per stage and threshold however often the job runs, and recorded in
the case's audit trail.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from aia import permissions
from aia.deadlines import case_clock
from aia.models import Case, Notification, User
from aia.models.choices import FINISHED_STATES, CaseState, EventType
from aia.services.audit import case_event_record
from aia.services.locking import case_lock
from aia.services.notifications import notify, sros_for_triage, team_members
from aia.wording import long_date, state_label, state_phrase

# Remind this many working days before the deadline.
REMIND_BEFORE = 2

# Whom a case waits on in each state.
WAITING_ON = {
    CaseState.SCOPING: ("lead_official", "officials"),
    CaseState.ASSESSMENT: ("lead_official", "officials"),
    CaseState.OPTIONS: ("lead_official", "officials"),
    CaseState.LEGAL_REVIEW: ("legal_adviser",),
    CaseState.OPTIONS_REVIEW: ("legal_adviser",),
    CaseState.SIGN_OFF: ("sro",),
    CaseState.SIGNED_OFF: ("sro", "lead_official"),
    CaseState.WITH_MINISTER: ("minister",),
}


def waiting_on(case: Case) -> list[User]:
    """Return the users the case is waiting on now."""
    if case.state == CaseState.TRIGGERED:
        return sros_for_triage(case)
    return team_members(case, WAITING_ON.get(case.state, ()))


def _threshold(case: Case, today: datetime.date) -> str | None:
    clock = case_clock(case, today)
    if clock.deadline is None:
        return None
    if clock.overdue:
        return "overdue"
    if clock.working_days_left == 0:
        return "due_today"
    if clock.working_days_left <= REMIND_BEFORE:
        return "due_soon"
    return None


_WORDS = {
    "due_soon": "is due on {deadline}",
    "due_today": "is due today ({deadline})",
    "overdue": "was due on {deadline} and is overdue",
}


def case_remind(*, case: Case, today: datetime.date | None = None) -> str | None:
    """Send the case's reminder for today's threshold if it has not been sent; return it."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = case_lock(case)
        threshold = _threshold(case, today)
        if threshold is None:
            return None
        key = f"reminder:{case.pk}:{case.stage_started_at.isoformat()}:{threshold}"
        if case.events.filter(type=EventType.REMINDER_SENT, details__key=key).exists():
            return None
        where = f"{case.reference} ({case.title}) is {state_phrase(case.state)}"
        text = _WORDS[threshold].format(deadline=long_date(case.stage_deadline))
        recipients = waiting_on(case)
        notify(
            case=case,
            users=recipients,
            kind=Notification.Kind.REMINDER,
            key=key,
            subject=f"[{case.marking}] {case.reference}: the current stage {text}",
            body=f"{where}. This stage {text}.",
        )
        case_event_record(
            case=case,
            actor=None,
            type=EventType.REMINDER_SENT,
            details={
                "key": key,
                "threshold": threshold,
                "deadline": case.stage_deadline.isoformat(),
                "recipients": sorted(u.pk for u in recipients),
            },
        )
        if threshold == "overdue" and case.sro_id is not None:
            notify(
                case=case,
                users=team_members(case, ("sro",)),
                kind=Notification.Kind.ESCALATION,
                key=f"escalation:{key}",
                subject=f"[{case.marking}] {case.reference}: overdue — the current stage {text}",
                body=(
                    f"{where}. This stage {text}. As the case's SRO you are told of every "
                    "overdue stage."
                ),
            )
            case_event_record(
                case=case,
                actor=None,
                type=EventType.ESCALATED,
                details={
                    "key": key,
                    "sro": case.sro_id,
                    "deadline": case.stage_deadline.isoformat(),
                },
            )
    return threshold


def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """Send every reminder due today; return how many were sent."""
    sent = 0
    due_by = (today or timezone.localdate()) + datetime.timedelta(days=7)
    candidates = (
        Case.objects.exclude(state__in=FINISHED_STATES)
        .filter(stage_deadline__isnull=False, stage_deadline__lte=due_by)
        .values_list("pk", flat=True)
    )
    for case_id in candidates:
        if case_remind(case=Case.objects.get(pk=case_id), today=today):
            sent += 1
    return sent


def daily_digest_send(*, today: datetime.date | None = None) -> int:
    """Send each user who wants it a digest of the cases waiting on them; return how many."""
    today = today or timezone.localdate()
    open_cases = list(
        Case.objects.exclude(state__in=FINISHED_STATES)
        .select_related("lead_official", "legal_adviser", "sro", "minister", "situation")
        .prefetch_related("officials")
    )
    waiting: dict[int, list[Case]] = {}
    users: dict[int, User] = {}
    for case in open_cases:
        for user in waiting_on(case):
            waiting.setdefault(user.pk, []).append(case)
            users[user.pk] = user
    sent = 0
    for user_id, cases in waiting.items():
        user = users[user_id]
        if not (user.daily_digest and user.email):
            continue
        cases = [c for c in cases if permissions.can_view_case(c, user)]
        if not cases:
            continue
        lines = []
        for case in sorted(cases, key=lambda c: c.stage_deadline or datetime.date.max):
            clock = case_clock(case, today)
            due = (
                "no deadline"
                if clock.deadline is None
                else ("overdue since " if clock.overdue else "due on ") + long_date(clock.deadline)
            )
            lines.append(f"- {case.reference} ({case.title}): {state_label(case.state)}, {due}")
        with transaction.atomic():
            created = notify(
                case=None,
                users=[user],
                kind=Notification.Kind.DIGEST,
                key=f"digest:{today.isoformat()}",
                subject=f"AIA: {len(cases)} case(s) waiting on you ({today:%-d %B %Y})",
                body="Cases waiting on you:\n" + "\n".join(lines),
            )
        sent += len(created)
    return sent
