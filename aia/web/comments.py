"""What the pages show of returned work: the banner on the case page after the legal adviser
returns a stage, and each section's or option's comment threads."""

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from aia import permissions, selectors
from aia.models import Case, Option, Review, Section
from aia.models.choices import CaseState, ReviewDecision, Stage
from aia.services.transitions import TRANSITIONS
from aia.web.submissions import submission_token

# The state a returned stage is reworked in, and the transition that returned it.
REWORKED = {
    CaseState.ASSESSMENT: (Stage.ASSESSMENT, "return_assessment"),
    CaseState.OPTIONS: (Stage.OPTIONS, "return_options"),
}


def returned_banner(case: Case, reviews: Iterable[Review]) -> dict[str, Any] | None:
    """Return who returned the stage being reworked, when and why, with the items that still
    have open comments; ``None`` unless the stage's latest review in this version returned it.

    ``reviews`` are the case's reviews, oldest first (``review_list``), which the case page
    has already read.
    """
    if case.state not in REWORKED:
        return None
    stage, transition = REWORKED[case.state]
    this_stage = [r for r in reviews if r.stage == stage and r.version == case.version]
    review = this_stage[-1] if this_stage else None
    if review is None or review.decision != ReviewDecision.RETURNED:
        return None
    open_threads = [
        thread
        for thread in selectors.comment_thread_list(case=case, stage=stage)
        if not thread.is_resolved
    ]
    return {
        "review": review,
        "done": TRANSITIONS[transition].done,
        "open_threads": open_threads,
    }


def comment_context(
    request: HttpRequest,
    case: Case,
    *,
    section: Section | None = None,
    option: Option | None = None,
) -> dict[str, Any]:
    """Return an item's comment threads and what the user may do with them, for
    ``_comments.html``."""
    user = request.user
    threads = selectors.comment_thread_list(case=case, section=section, option=option)
    may_comment = case.is_open and permissions.can_comment(case, user)
    # Before the team is named the sections are not yet rows anyone can comment on.
    if section is not None and section.pk is None:
        may_comment = False
    return {
        "threads": threads,
        "open_count": sum(1 for thread in threads if not thread.is_resolved),
        "resolved_count": sum(1 for thread in threads if thread.is_resolved),
        "may_comment": may_comment,
        "may_resolve": case.is_open and permissions.can_resolve_comment(case, user),
        "comment_section": section.code if section is not None else "",
        "comment_option": str(option.pk) if option is not None else "",
        "comment_submission": submission_token(request),
    }
