"""Notifications: who hears about each hand-off, in the app and by email.

Notifications are recorded in the same transaction as the change they announce, and their
emails go through the outbox, so none is lost and none is sent twice. Only people who may see
the case are ever notified: its team, or for a case awaiting a team the SROs cleared for it.

The recipients' permissions are loaded in one query and the notifications and their outbox
rows inserted in one each, whatever the number of recipients: the hand-offs that notify happen
inside the services' transactions, with the case row locked.
"""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone

from aia import permissions
from aia.framework import get_framework
from aia.models import Case, Comment, Notification, Trigger, User
from aia.models.choices import Marking
from aia.permission_loading import permissions_preload, users_with_permission
from aia.services.outbox import outbox_enqueue_many
from aia.wording import long_date, state_phrase, transition_done

Kind = Notification.Kind
# The task that emails one notification (through the outbox).
EMAIL_TASK = "aia.tasks.notification_email"

TEAM = ("sro", "lead_official", "officials", "legal_adviser", "minister")
# The positions that are a user each (``officials`` are many).
TEAM_FIELDS = ("sro", "lead_official", "legal_adviser", "minister")


def team_members(case: Case, positions: Iterable[str]) -> list[User]:
    """Return the active users holding the positions on the case, each once, in the order
    of ``positions``, with their permissions loaded (three queries at most: the case's
    officials, the people in its named positions, their permissions)."""
    positions = tuple(positions)
    # Who may see the case is asked of each recipient, and that reads the officials.
    prefetch_related_objects([case], "officials")
    named_ids = [getattr(case, f"{name}_id") for name in positions if name in TEAM_FIELDS]
    named = User.objects.in_bulk([pk for pk in named_ids if pk is not None])
    users: dict[int, User] = {}
    for position in positions:
        if position == "officials":
            users.update((official.pk, official) for official in case.officials.all())
        else:
            user = named.get(getattr(case, f"{position}_id"))
            if user is not None:
                users.setdefault(user.pk, user)
    members = [user for user in users.values() if user.is_active]
    permissions_preload(members)
    return members


def sros_for_triage(case: Case) -> list[User]:
    """Return the SROs who may take on a case awaiting a team, with their permissions loaded:
    active users cleared for the case holding ``assign_case``, through a role group or their
    own, superusers only when they hold it too."""
    return users_with_permission(
        permissions.ASSIGN_CASE, clearances=Marking.clearances_covering(case.marking)
    )


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
    now = timezone.now()
    notes = [
        Notification(
            key=f"{key}:{user.pk}",
            user=user,
            case=case,
            kind=kind,
            subject=subject[:300],
            body=body,
            created_at=now,
            email_wanted=user.email_notifications and bool(user.email),
        )
        for user in _recipients(case, users, actor)
    ]
    if not notes:
        return []
    created = Notification.objects.bulk_create(notes) if new_occasion else _insert_new(notes)
    outbox_enqueue_many(
        task=EMAIL_TASK,
        kwargs_list=[{"notification_id": str(note.pk)} for note in created if note.email_wanted],
    )
    return created


def _recipients(case: Case | None, users: Iterable[User], actor: User | None) -> list[User]:
    """The users, each once, but the actor and anyone who may not see the case."""
    candidates = {user.pk: user for user in users if actor is None or user.pk != actor.pk}
    if case is None:
        return list(candidates.values())
    # Who may see the case depends on its officials and on permissions: both loaded once
    # here, rather than once per candidate (nothing is asked again if the caller has them).
    prefetch_related_objects([case], "officials")
    permissions_preload(candidates.values())
    return [user for user in candidates.values() if permissions.can_view_case(case, user)]


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
    """Tell whoever the case now waits on that it was handed to them (as the transitions'
    table says: ``aia.services.transitions``)."""
    # Imported here: the table names the case services, which call this function.
    from aia.services.transitions import TRANSITIONS

    spec = TRANSITIONS[transition]
    if not spec.notifies:
        return
    who = actor.display_name if actor else "AIA, on a new trigger,"
    done = transition_done(transition)
    notify(
        case=case,
        users=team_members(case, spec.notifies),
        kind=spec.notice,
        key=f"transition:{case.pk}:{sequence}",
        subject=_subject(case, f"{who} {done}"),
        body=(
            f"{who} {done} on {case.reference} ({case.title}). The case is now "
            f"{state_phrase(case.state)}."
        ),
        actor=actor,
    )


def notify_case_awaiting_team(*, case: Case) -> None:
    """Tell the SROs cleared for a case just opened that it awaits a team."""
    notify(
        case=case,
        users=sros_for_triage(case),
        kind=Kind.CASE_AWAITING_TEAM,
        key=f"awaiting-team:{case.pk}",
        subject=_subject(case, "new case awaiting a team"),
        body=f"A trigger opened {case.reference} ({case.title}). It needs an SRO and a team.",
        new_occasion=True,
    )


def notify_trigger_joined(*, case: Case, trigger: Trigger, outsider: User | None = None) -> None:
    """Tell the team that a trigger recorded in this transaction joined their case, and who
    posted it when that was someone who may not see the case (``outsider``)."""
    source = f"{trigger.source_body}, {trigger.title} ({long_date(trigger.finding_date)})"
    body = f"A new trigger joined {case.reference} ({case.title}): {source}."
    if outsider is not None:
        body += (
            f" It was posted by {outsider.display_name}, who is not on the case's team or "
            "not cleared for its marking, and was told only that it was received."
        )
    notify(
        case=case,
        users=team_members(case, TEAM),
        kind=Kind.TRIGGER_JOINED,
        key=f"trigger:{trigger.pk}",
        subject=_subject(case, "a new trigger joined the case"),
        body=body,
        new_occasion=True,
    )


def notify_comment(*, comment: Comment, actor: User, resolved: bool = False) -> None:
    """Tell the people a comment concerns that it was made, answered or resolved.

    A new thread goes to the officials who answer for the content and to the legal adviser; a
    reply or a resolution goes to everyone who has written in the thread, and to the lead
    official. Only who, what and where: the comment's words stay in AIA, not in an email.
    """
    case = comment.case
    thread = comment.parent or comment
    where = f"{_item_name(thread)} in {case.reference} ({case.title})"
    if resolved:
        text, body = (
            "a comment was resolved",
            f"{actor.display_name} resolved a comment on {where}.",
        )
        key = f"comment-resolved:{thread.pk}"
    elif comment.parent_id:
        text, body = (
            "a comment was answered",
            f"{actor.display_name} answered a comment on {where}.",
        )
        key = f"comment:{comment.pk}"
    else:
        text, body = "a new comment", f"{actor.display_name} commented on {where}."
        key = f"comment:{comment.pk}"
    if comment.parent_id or resolved:
        writers = {thread.author_id, *thread.replies.values_list("author_id", flat=True)}
        users = [*User.objects.filter(pk__in=writers), *team_members(case, ("lead_official",))]
    else:
        users = team_members(case, ("lead_official", "officials", "legal_adviser"))
    notify(
        case=case,
        users=users,
        kind=Kind.COMMENT,
        key=key,
        subject=_subject(case, text),
        body=body,
        actor=actor,
        new_occasion=not resolved,
    )


def _item_name(comment: Comment) -> str:
    if comment.section_id:
        return f"the section “{get_framework().section(comment.section.code).title}”"
    return f"the option “{comment.option.title}”"


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


def notification_mark_all_read(*, users: Iterable[User]) -> int:
    """Mark every notification of the users read (one query); return how many were unread."""
    return Notification.objects.filter(
        user__in=[user.pk for user in users], read_at__isnull=True
    ).update(read_at=timezone.now())


def user_notification_preferences_update(
    *, user: User, email_notifications: bool, daily_digest: bool
) -> User:
    """Set whether the user gets hand-off emails and the daily digest."""
    user.email_notifications = bool(email_notifications)
    user.daily_digest = bool(daily_digest)
    user.save(update_fields=["email_notifications", "daily_digest"])
    return user
