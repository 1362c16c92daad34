"""Comments on a section or an option: a short thread per item (a comment, replies, resolved).

The legal adviser explains what must change where it must change, and the officials answer
there; the official who has dealt with it resolves the thread. Every step is on the audit
trail.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from aia import permissions
from aia.exceptions import Conflict, InvalidInput, NotFound, PermissionRefused
from aia.models import Case, Comment, User
from aia.models.choices import EventType, Stage
from aia.selectors import comment_get, option_get, section_get
from aia.services.audit import case_event_record
from aia.services.locking import case_lock
from aia.services.notifications import notify_comment
from aia.validation import Errors, text

MAX_COMMENT = 5000


def _checked_text(value: Any, label: str) -> str:
    errors = Errors()
    body = text(errors, {"text": value}, "text", required=True, max_length=MAX_COMMENT, label=label)
    errors.raise_if_any()
    return body


def _lock_for(case: Case, actor: User) -> Case:
    """Lock the case, answering as if it did not exist to someone who may not see it, and
    refusing a finished case, which can no longer change."""
    case = case_lock(case)
    if not permissions.can_view_case(case, actor):
        raise NotFound("Case not found.")
    if not case.is_open:
        raise Conflict("A finished case cannot be commented on.", {"state": case.state})
    return case


def _thread(case: Case, comment_id: Any) -> Comment:
    """Return the first comment of the thread ``comment_id`` belongs to, in this version."""
    comment = comment_get(case=case, comment_id=comment_id)
    return comment.parent or comment


def _event_details(comment: Comment, **extra: Any) -> dict[str, Any]:
    target = (
        {"section": comment.section.code}
        if comment.section_id
        else {"option": str(comment.option_id), "title": comment.option.title}
    )
    return {"comment": comment.pk, **target, **extra}


def comment_add(
    *,
    case: Case,
    actor: User,
    text_: str,
    section_code: str = "",
    option_id: Any = None,
) -> Comment:
    """Start a thread on a section (by its code) or an option (by its id) of the current
    version."""
    if bool(section_code) == bool(option_id):
        raise InvalidInput("Say which section or option the comment is on.", {})
    body = _checked_text(text_, "comment")
    with transaction.atomic():
        case = _lock_for(case, actor)
        if not permissions.can_comment(case, actor):
            raise PermissionRefused(
                "Only the legal adviser, the SRO and the officials on the case team can comment."
            )
        target: dict[str, Any]
        if section_code:
            section = section_get(case=case, code=section_code)
            if section.pk is None:
                raise Conflict("The sections are not open for work yet.", {"state": case.state})
            target = {"section": section, "stage": Stage.ASSESSMENT}
        else:
            target = {"option": option_get(case=case, option_id=option_id), "stage": Stage.OPTIONS}
        comment = Comment.objects.create(
            case=case,
            version=case.version,
            author=actor,
            text=body,
            created_at=timezone.now(),
            **target,
        )
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.COMMENT_ADDED,
            stage=comment.stage,
            details=_event_details(comment, text=body),
        )
        notify_comment(comment=comment, actor=actor)
    return comment


def comment_reply(*, case: Case, actor: User, comment_id: Any, text_: str) -> Comment:
    """Answer a comment, in its thread; a resolved thread takes no more replies."""
    body = _checked_text(text_, "reply")
    with transaction.atomic():
        case = _lock_for(case, actor)
        if not permissions.can_comment(case, actor):
            raise PermissionRefused(
                "Only the legal adviser, the SRO and the officials on the case team can reply."
            )
        thread = _thread(case, comment_id)
        if thread.is_resolved:
            raise Conflict("This comment is resolved: start a new comment instead.", {})
        reply = Comment.objects.create(
            case=case,
            version=thread.version,
            stage=thread.stage,
            section=thread.section,
            option=thread.option,
            parent=thread,
            author=actor,
            text=body,
            created_at=timezone.now(),
        )
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.COMMENT_REPLIED,
            stage=reply.stage,
            details=_event_details(thread, reply=reply.pk, text=body),
        )
        notify_comment(comment=reply, actor=actor)
    return reply


def comment_resolve(*, case: Case, actor: User, comment_id: Any) -> Comment:
    """Mark a thread as dealt with; it stays on the record, resolved."""
    with transaction.atomic():
        case = _lock_for(case, actor)
        if not permissions.can_resolve_comment(case, actor):
            raise PermissionRefused("Only an official on the case team can resolve a comment.")
        thread = _thread(case, comment_id)
        if thread.is_resolved:
            raise Conflict("This comment is already resolved.", {})
        thread.resolved_at = timezone.now()
        thread.resolved_by = actor
        thread.save(update_fields=["resolved_at", "resolved_by"])
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.COMMENT_RESOLVED,
            stage=thread.stage,
            details=_event_details(thread),
        )
        notify_comment(comment=thread, actor=actor, resolved=True)
    return thread
