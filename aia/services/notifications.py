"""Notifications: who hears about each hand-off, in the app and by email.

Notifications are recorded in the same transaction as the change they announce, and their
emails go through the outbox, so none is lost and none is sent twice. Only people who may see
the case are ever notified: its team, or for a case awaiting a team the SROs cleared for it.

The recipients' permissions are loaded in one query and the notifications and their outbox
rows inserted in one each, whatever the number of recipients: the hand-offs that notify happen
inside the services' transactions, with the case row locked.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connections, transaction
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone

from aia import permissions
from aia.models import Case, Notification, OutboxTask, User
from aia.models.choices import Marking
from aia.permission_loading import (
    permissions_preload,
    team_with_permissions,
    users_with_permission,
    users_with_permission_params,
)
from aia.services.outbox import outbox_enqueue_many, outbox_rows

Kind = Notification.Kind
# The task that emails one notification (through the outbox).
EMAIL_TASK = "aia.tasks.notification_email"

# Who each transition hands the case to: (kind, the team positions to notify).
TRANSITION_NOTICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "assign": (Kind.ASSIGNED, ("lead_official", "officials", "legal_adviser", "minister")),
    "submit_assessment": (Kind.SUBMITTED, ("legal_adviser",)),
    "return_assessment": (Kind.RETURNED, ("lead_official", "officials")),
    "approve_assessment": (Kind.APPROVED, ("lead_official", "officials")),
    "submit_options": (Kind.SUBMITTED, ("legal_adviser",)),
    "return_options": (Kind.RETURNED, ("lead_official", "officials")),
    "approve_options": (Kind.APPROVED, ("sro", "lead_official")),
    "return_for_revision": (Kind.RETURNED, ("lead_official", "officials", "legal_adviser")),
    "sign_off": (Kind.SIGNED_OFF, ("lead_official", "legal_adviser")),
    "submit_to_minister": (Kind.WITH_MINISTER, ("minister", "sro", "lead_official")),
    "record_decision": (
        Kind.DECISION_RECORDED,
        ("sro", "lead_official", "officials", "legal_adviser"),
    ),
    "request_revision": (Kind.RETURNED, ("sro", "lead_official", "officials", "legal_adviser")),
    "reopen": (Kind.TRIGGER_JOINED, ("sro", "lead_official", "officials", "legal_adviser")),
}

TEAM = ("sro", "lead_official", "officials", "legal_adviser", "minister")
# The positions that are a user each (``officials`` are many).
TEAM_FIELDS = ("sro", "lead_official", "legal_adviser", "minister")


def team_members(case: Case, positions: Iterable[str]) -> list[User]:
    """Return the active users holding the positions on the case, each once."""
    team_load(case)
    users: dict[int, User] = {}
    for position in positions:
        if position == "officials":
            for official in case.officials.all():
                users[official.pk] = official
        else:
            user = getattr(case, position)
            if user is not None:
                users[user.pk] = user
    return [user for user in users.values() if user.is_active]


def team_load(case: Case) -> None:
    """Load the case's team, each part skipped when the case has it already: on PostgreSQL
    in one query with their permissions; elsewhere in two, the named positions then the
    officials."""
    missing = {
        getattr(case, field.attname): field.name
        for field in (Case._meta.get_field(name) for name in TEAM_FIELDS)
        if getattr(case, field.attname) is not None and not field.is_cached(case)
    }
    officials_loaded = "officials" in getattr(case, "_prefetched_objects_cache", {})
    on_postgresql = case._state.db and connections[case._state.db].vendor == "postgresql"
    if on_postgresql and not officials_loaded:
        people, officials = team_with_permissions(case.pk, list(missing))
        officials_known(case, officials)
    elif missing:
        people = User.objects.in_bulk(list(missing))
    else:
        people = {}
    for field in (Case._meta.get_field(name) for name in TEAM_FIELDS):
        user = people.get(getattr(case, field.attname))
        if user is not None and not field.is_cached(case):
            setattr(case, field.name, user)
    _officials_load(case)


def _officials_load(case: Case) -> None:
    """Load the case's officials unless they are (``prefetch_related_objects`` does nothing
    then either, but finding that out costs it a tenth of a hand-off's notifications)."""
    if "officials" not in getattr(case, "_prefetched_objects_cache", {}):
        prefetch_related_objects([case], "officials")


def officials_known(case: Case, officials: list[User]) -> None:
    """Give ``case`` its officials, as ``prefetch_related_objects(..., "officials")`` would
    (the related manager's queryset, evaluated), so that ``case.officials.all()`` asks
    nothing more: for a caller that knows them (a case just opened has none)."""
    if case._state.adding and not officials:
        # A case not yet saved has none, and no query could find any: an empty queryset says
        # so without building the relation's filtered query, which is most of this call's
        # cost. (Adding officials later clears it, as it clears any prefetched officials.)
        queryset = User._default_manager.none()
    else:
        queryset = case.officials.all()
        queryset._result_cache = list(officials)
        queryset._prefetch_done = True
    case._prefetched_objects_cache = {
        **getattr(case, "_prefetched_objects_cache", {}),
        "officials": queryset,
    }


def sros_for_triage(case: Case) -> list[User]:
    """Return the SROs who may take on a case awaiting a team, with their permissions loaded
    (one query on PostgreSQL): active users cleared for the case holding ``assign_case``,
    through a role group or their own, superusers only when they hold it too."""
    return users_with_permission(**_triage_holders(case.marking))


def sros_for_triage_params(marking: str) -> list[Any]:
    """The parameters of ``users_with_permission_sql`` that find ``sros_for_triage``'s SROs
    for a case marked ``marking`` (PostgreSQL), for a caller that runs it within a larger
    query."""
    return users_with_permission_params(**_triage_holders(marking))


def _triage_holders(marking: str) -> dict[str, Any]:
    """Who may take on a case marked ``marking``, as ``users_with_permission`` and its
    parameters take it: the holders of ``assign_case`` cleared for the marking."""
    return {
        "permission": permissions.ASSIGN_CASE,
        "clearances": Marking.clearances_covering(marking),
    }


def notify(
    *,
    case: Case | None,
    users: Iterable[User],
    kind: str,
    key: str,
    subject: str,
    body: str,
    actor: User | None = None,
    new_occasion: bool = False,
) -> list[Notification]:
    """Record a notification for each user and queue its email.

    ``key`` identifies the occasion (e.g. one reminder of one stage); a user is notified of an
    occasion once however often this runs. ``new_occasion`` says the key names something made
    in the caller's transaction (a new case or trigger), so that nobody can have been told of
    it yet: the notifications are inserted without looking for earlier ones (a duplicate key
    would still be refused by the database). The actor is not told about their own action,
    and nobody who may not see the case hears of it.
    """
    notes = notifications_build(
        case=case, users=users, kind=kind, key=key, subject=subject, body=body, actor=actor
    )
    if not notes:
        return []
    created = Notification.objects.bulk_create(notes) if new_occasion else _insert_new(notes)
    outbox_enqueue_many(task=EMAIL_TASK, kwargs_list=_email_work(created))
    return created


def notifications_build(
    *,
    case: Case | None,
    users: Iterable[User],
    kind: str,
    key: str,
    subject: str,
    body: str,
    actor: User | None = None,
) -> list[Notification]:
    """Return, unsaved, the notifications ``notify`` records (one per user who may see the
    case, the actor aside): for a service that inserts them with its other new rows, with
    their emails' outbox rows (``email_outbox_rows``).
    """
    recipients: dict[str, User] = {}
    candidates = [user for user in users if actor is None or user.pk != actor.pk]
    if case is not None:
        # Who may see the case depends on the team and on permissions (both loaded already
        # when the users come from ``team_members`` on PostgreSQL).
        _officials_load(case)
        permissions_preload(candidates)
    for user in candidates:
        if case is not None and not permissions.can_view_case(case, user):
            continue
        recipients.setdefault(f"{key}:{user.pk}", user)
    now = timezone.now()
    return [
        Notification(
            key=note_key,
            user=user,
            case=case,
            kind=kind,
            subject=subject[:300],
            body=body,
            created_at=now,
            email_wanted=user.email_notifications and bool(user.email),
        )
        for note_key, user in recipients.items()
    ]


def email_outbox_rows(notes: Iterable[Notification]) -> list[OutboxTask]:
    """Build, unsaved, the outbox rows emailing the notifications that want an email, for a
    service that inserts them with ``notes`` and then calls ``outbox_dispatch_after_commit``
    with them (what ``notify`` does through ``outbox_enqueue_many``)."""
    return outbox_rows(task=EMAIL_TASK, kwargs_list=_email_work(notes))


def _email_work(notes: Iterable[Notification]) -> list[dict[str, str]]:
    """The email task's arguments for each notification that wants an email."""
    return [{"notification_id": str(note.pk)} for note in notes if note.email_wanted]


def _insert_new(notes: Sequence[Notification]) -> list[Notification]:
    """Insert the notifications whose key is new; return those (two queries for any number).

    A key recorded before, or by a concurrent transaction, is skipped by the database (``ON
    CONFLICT DO NOTHING``); reading back the new rows' own IDs tells which ones this call
    inserted.
    """
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    inserted = set(
        Notification.objects.filter(pk__in=[note.pk for note in notes])
        .order_by()
        .values_list("pk", flat=True)
    )
    return [note for note in notes if note.pk in inserted]


def _subject(case: Case, text: str) -> str:
    return f"[{case.marking}] {case.reference}: {text}"


def notify_transition(*, case: Case, actor: User | None, transition: str, sequence: int) -> None:
    """Tell whoever the case now waits on that it was handed to them."""
    if transition not in TRANSITION_NOTICES:
        return
    kind, positions = TRANSITION_NOTICES[transition]
    who = actor.display_name if actor else "AIA (a new trigger)"
    verb = transition.replace("_", " ")
    notify(
        case=case,
        users=team_members(case, positions),
        kind=kind,
        key=f"transition:{case.pk}:{sequence}",
        subject=_subject(case, f"{verb} by {who}"),
        body=(
            f"{who} took '{verb}' on {case.reference} ({case.title}). The case is now "
            f"{case.get_state_display().lower()}."
        ),
        actor=actor,
    )


def case_awaiting_team_notifications(*, case: Case, sros: Iterable[User]) -> list[Notification]:
    """Return, unsaved, the notifications telling the SROs cleared for a case just opened
    (``sros_for_triage(case)``) that it awaits a team."""
    return notifications_build(
        case=case,
        users=sros,
        kind=Kind.CASE_AWAITING_TEAM,
        key=f"awaiting-team:{case.pk}",
        subject=_subject(case, "new case awaiting a team"),
        body=f"A trigger opened {case.reference} ({case.title}). It needs an SRO and a team.",
    )


def trigger_joined_notifications(*, case: Case, trigger_id: str, source: str) -> list[Notification]:
    """Return, unsaved, the notifications telling the team that a trigger recorded in this
    transaction joined their case."""
    return notifications_build(
        case=case,
        users=team_members(case, TEAM),
        kind=Kind.TRIGGER_JOINED,
        key=f"trigger:{trigger_id}",
        subject=_subject(case, "a new trigger joined the case"),
        body=f"A new trigger joined {case.reference} ({case.title}): {source}.",
    )


def notify_report(*, case: Case, report_number: int, ready: bool, report_id: str) -> None:
    if ready:
        users = team_members(case, ("sro", "lead_official"))
        kind, text = Kind.REPORT_READY, f"signed report {report_number} is ready"
    else:
        users = team_members(case, ("sro",))
        kind, text = Kind.REPORT_FAILED, f"signed report {report_number} failed to render"
    notify(
        case=case,
        users=users,
        kind=kind,
        key=f"report:{report_id}:{'ready' if ready else 'failed'}",
        subject=_subject(case, text),
        body=f"The {text} for {case.reference} ({case.title}).",
    )


def notification_email_send(*, notification_id: str) -> bool:
    """Email one notification, once: return whether an email was sent now."""
    with transaction.atomic():
        notification = (
            # Lock only the notification: its case is a nullable join PostgreSQL cannot lock.
            Notification.objects.select_for_update(of=("self",))
            .select_related("user", "case")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at or not notification.email_wanted:
            return False
        context = {
            "notification": notification,
            "user": notification.user,
            "case": notification.case,
            "site_url": getattr(settings, "AIA_SITE_URL", "http://127.0.0.1:8000"),
        }
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=render_to_string("aia/emails/notification.txt", context),
            to=[notification.user.email],
        )
        message.attach_alternative(
            render_to_string("aia/emails/notification.html", context), "text/html"
        )
        # Mark first, in the same transaction: if sending fails the mark rolls back.
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        message.send()
    return True


def notification_mark_read(*, user: User, notification_ids: Iterable[str]) -> int:
    return Notification.objects.filter(
        user=user, pk__in=list(notification_ids), read_at__isnull=True
    ).update(read_at=timezone.now())


def user_notification_preferences_update(
    *, user: User, email_notifications: bool, daily_digest: bool
) -> User:
    """Set whether the user gets hand-off emails and the daily digest."""
    user.email_notifications = bool(email_notifications)
    user.daily_digest = bool(daily_digest)
    user.save(update_fields=["email_notifications", "daily_digest"])
    return user
