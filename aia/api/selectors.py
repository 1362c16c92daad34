"""Reads that only the API needs. Everything scoped to a user goes through ``aia.selectors``."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone

from aia.api.pagination import TOTAL
from aia.models import Case, OptionGap, User


def user_map_by_username(*, usernames: Iterable[str]) -> dict[str, User]:
    """Return the active users among ``usernames``, keyed by username."""
    users = User.objects.filter(username__in=set(usernames), is_active=True).prefetch_related(
        "groups"
    )
    return {user.username: user for user in users}


def case_filter_overdue(*, cases: QuerySet[Case], overdue: bool) -> QuerySet[Case]:
    """Keep the cases whose current stage is past its deadline, or (``False``) the others."""
    late = Q(stage_deadline__lt=timezone.localdate())
    return cases.filter(late) if overdue else cases.exclude(late)


def option_gap_list(*, case: Case) -> QuerySet[OptionGap]:
    """Return the recorded reasons why core categories have no option, in the current version."""
    return (
        case.option_gaps.filter(version=case.version)
        .select_related("recorded_by")
        .order_by("category")
    )


# What a list item shows (``CaseListItemSerializer``); the notes, closing and withdrawal texts
# and the audit chain's head stay in the database.
LIST_COLUMNS = (
    "id",
    "reference",
    "title",
    "state",
    "marking",
    "track",
    "knowledge_date",
    "version",
    "lead_official_id",
    "legal_adviser_id",
    "sro_id",
    "minister_id",
    "opened_at",
    "stage_started_at",
    "stage_deadline",
    "signed_off_at",
    "decision",
    "situation__id",
    "situation__country_code",
    "situation__name",
    "situation__area",
)


def case_list_page(
    *, keys: QuerySet | Sequence[Any], total: Subquery | None = None
) -> tuple[list[Case], dict[str, Any]]:
    """Load one page of the case list, with everyone on the teams, newest first.

    ``keys`` is the page's slice of a visibility-filtered list of case keys (a subquery) or a
    list of keys, whose order is then kept; ``total``, the pagination's count of the whole
    list, comes back on each case (``aia.api.pagination``).

    Returns the cases and ``{"people": {user id: user}, "officials": {case id: [user id]}}``
    for ``CaseListItemSerializer``, in three queries: the cases with their situations, their
    officials, and the people on the teams (none when nobody is). Narrow queries rather than
    a six-way join keep the list fast at 10,000 cases.
    """
    cases = (
        Case.objects.select_related("situation")
        .only(*LIST_COLUMNS)
        .filter(pk__in=keys)
        .order_by("-opened_at")
    )
    if total is not None:
        cases = cases.annotate(**{TOTAL: total})
    rows = list(cases)
    if not isinstance(keys, QuerySet):
        position = {key: index for index, key in enumerate(keys)}
        rows.sort(key=lambda case: position[case.pk])
    officials: dict[Any, list[int]] = {}
    if rows:
        team = Case.officials.through.objects.filter(case_id__in=[case.pk for case in rows])
        for case_id, user_id in team.order_by("user_id").values_list("case_id", "user_id"):
            officials.setdefault(case_id, []).append(user_id)
    people_ids = {user_id for ids in officials.values() for user_id in ids}
    for case in rows:
        people_ids.update(
            (case.lead_official_id, case.legal_adviser_id, case.sro_id, case.minister_id)
        )
    people_ids.discard(None)
    people = {}
    if people_ids:
        # Only what a list item shows of a person: username and name.
        team = User.objects.filter(pk__in=people_ids).only("username", "first_name", "last_name")
        people = {user.pk: user for user in team.order_by()}
    return rows, {"people": people, "officials": officials}
