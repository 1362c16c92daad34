"""Reads only the browser pages need, each for a case the caller already fetched through
``aia.selectors.case_get_for_user`` (so need-to-know has been checked).

Every function returns its rows in a fixed number of queries, whatever their number.
"""

from django.db.models import QuerySet

from aia import permissions, selectors
from aia.models import Case, CaseEvent, Dissent, Option, OptionGap, Report, Review, Situation, User
from aia.models.choices import Marking, Recommendation, ReportStatus, ReviewDecision, Stage


def situation_list_for_user(*, user: User) -> QuerySet[Situation]:
    """Return the situations of the cases the user may see, for the dashboard's filter."""
    visible = Case.objects.filter(permissions.case_visibility_q(user)).values("situation_id")
    return Situation.objects.filter(pk__in=visible).order_by("name")


def trigger_list(*, case: Case):
    """Return the case's triggers, earliest finding first."""
    return case.triggers.order_by("finding_date", "received_at")


def case_event_range(*, case: Case, newest: int, oldest: int) -> list[CaseEvent]:
    """Return the case's audit events numbered ``oldest`` to ``newest``, newest first, with
    their actors: one query on the (case, sequence) index, however long the trail."""
    return list(
        case.events.filter(sequence__gte=oldest, sequence__lte=newest)
        .select_related("actor")
        .order_by("-sequence")
    )


def review_list(*, case: Case) -> QuerySet[Review]:
    """Return every review of the case, in every version, oldest first."""
    return case.reviews.select_related("reviewer").order_by("created_at", "pk")


def review_latest(*, case: Case, stage: str) -> Review | None:
    """Return the most recent review of the stage (any decision, any version), or ``None``."""
    return (
        case.reviews.filter(stage=stage)
        .select_related("reviewer")
        .order_by("-created_at", "-pk")
        .first()
    )


def approval_list_current(*, case: Case) -> QuerySet[Review]:
    """Return the approvals of the current version, standing and voided, oldest first."""
    return (
        case.reviews.filter(
            version=case.version,
            decision=ReviewDecision.APPROVED,
            stage__in=(Stage.ASSESSMENT, Stage.OPTIONS),
        )
        .select_related("reviewer")
        .order_by("created_at", "pk")
    )


def dissent_list(*, case: Case) -> QuerySet[Dissent]:
    return case.dissents.select_related("author").order_by("created_at", "pk")


def option_gap_list(*, case: Case) -> QuerySet[OptionGap]:
    """Return the recorded reasons why core categories have no option, in the current version."""
    return case.option_gaps.filter(version=case.version).select_related("recorded_by")


def option_list_recommended(*, case: Case) -> QuerySet[Option]:
    """Return the recommended, standing options the minister decides on."""
    return selectors.option_list(case=case, include_withdrawn=False).filter(
        recommendation=Recommendation.RECOMMENDED
    )


def report_current(*, case: Case) -> Report | None:
    """Return the case's newest report that has not been superseded, or ``None``."""
    return (
        case.reports.filter(superseded_at__isnull=True)
        .select_related("signed_off_by")
        .order_by("-number")
        .first()
    )


def report_ready_current(*, case: Case) -> Report | None:
    report = report_current(case=case)
    return report if report is not None and report.status == ReportStatus.READY else None


def team_candidate_list(*, role: str, marking: str | None = None) -> QuerySet[User]:
    """Return the active users holding the role, cleared for ``marking`` when one is given."""
    users = User.objects.filter(is_active=True, groups__name=role)
    if marking is not None:
        clearances = [c for c in Marking.values if marking in Marking.covered_by(c)]
        users = users.filter(clearance__in=clearances)
    return users.distinct().order_by("last_name", "first_name", "username")
