"""Reviews (approvals and returns), their voiding when content changes, and dissents."""

from django.db import transaction
from django.utils import timezone

from aia import permissions
from aia.canonical import sha256_of
from aia.content import stage_content
from aia.exceptions import Conflict, PermissionRefused
from aia.models import Case, Dissent, Review, User
from aia.models.choices import EventType, ReviewDecision, Stage
from aia.services.audit import case_event_record
from aia.services.locking import case_lock
from aia.validation import Errors, choice, text


def review_record(*, case: Case, reviewer: User, stage: str, decision: str, comment: str) -> Review:
    """Record a review of the stage's current content. Called by the transition services."""
    content = stage_content(case, stage)
    return Review.objects.create(
        case=case,
        version=case.version,
        stage=stage,
        reviewer=reviewer,
        decision=decision,
        comment=comment,
        content=content,
        content_hash=sha256_of(content),
        created_at=timezone.now(),
    )


def reviews_void_stale(*, case: Case, actor: User | None, stages: tuple[str, ...]) -> list[Review]:
    """Void the standing approvals of the stages whose content no longer matches.

    Called by every service that changes content, inside its transaction.
    """
    voided = []
    approvals = case.reviews.filter(
        version=case.version,
        stage__in=stages,
        decision=ReviewDecision.APPROVED,
        voided_at__isnull=True,
    )
    current_hashes: dict[str, str] = {}
    for review in approvals:
        if review.stage not in current_hashes:
            current_hashes[review.stage] = sha256_of(stage_content(case, review.stage))
        if current_hashes[review.stage] == review.content_hash:
            continue
        review.voided_at = timezone.now()
        review.voided_reason = "The approved content was changed."
        review.save(update_fields=["voided_at", "voided_reason"])
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.REVIEW_VOIDED,
            stage=review.stage,
            details={
                "review": review.pk,
                "reviewer": review.reviewer_id,
                "approved_hash": review.content_hash,
                "current_hash": current_hashes[review.stage],
            },
        )
        voided.append(review)
    return voided


def dissent_record(*, case: Case, actor: User, stage: str, text_: str) -> Dissent:
    """Record a team member's dissent on a stage; it travels into the report."""
    errors = Errors()
    stage = choice(errors, {"stage": stage}, "stage", Stage.values, required=True)
    body = text(errors, {"text": text_}, "text", required=True, label="dissent")
    errors.raise_if_any()
    with transaction.atomic():
        case = case_lock(case)
        if not permissions.can_record_dissent(case, actor):
            raise PermissionRefused("Only members of the case team can record a dissent.")
        if not case.is_open:
            raise Conflict(
                "A dissent cannot be recorded on a finished case.", {"state": case.state}
            )
        dissent = Dissent.objects.create(
            case=case,
            version=case.version,
            stage=stage,
            author=actor,
            text=body,
            created_at=timezone.now(),
        )
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.DISSENT_RECORDED,
            stage=stage,
            details={"dissent": dissent.pk, "text": body},
        )
    return dissent
