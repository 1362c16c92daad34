"""Every read that needs need-to-know scoping or prefetching.

``case_get_for_user`` is the one way to fetch a case for a user: missing and forbidden both
raise ``NotFound``, so no answer reveals that a case exists.
"""

import uuid
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from aia import permissions, search
from aia.exceptions import NotFound, PermissionRefused
from aia.framework import SECTION_CODES
from aia.models import (
    AccessRecord,
    Case,
    CaseEvent,
    Comment,
    DecisionRecord,
    Notification,
    Option,
    Report,
    Section,
    SecurityEvent,
    Source,
    Trigger,
    User,
)
from aia.models.choices import CaseState


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def case_queryset() -> QuerySet[Case]:
    """Return cases with what every case view needs, in a fixed number of queries."""
    return Case.objects.select_related(
        "situation", "lead_official", "legal_adviser", "sro", "minister"
    ).prefetch_related(Prefetch("officials", queryset=User.objects.order_by("pk")))


def case_list_for_user(
    *, user: User, state: str | None = None, situation: str | None = None
) -> QuerySet[Case]:
    """Return the cases the user may see, optionally filtered by state and situation."""
    cases = case_queryset().filter(permissions.case_visibility_q(user))
    if state:
        cases = cases.filter(state=state)
    if situation:
        situation_id = situation if str(situation).isdigit() else None
        if situation_id:
            cases = cases.filter(situation_id=situation_id)
        else:
            cases = cases.filter(situation__name__icontains=situation)
    return cases.order_by("-opened_at")


def case_search(*, user: User, query: str) -> QuerySet[Case]:
    """Return the cases the user may see that match the words, best first on PostgreSQL
    (newest first on SQLite); ``aia.search`` says what is searched and how."""
    visible = case_list_for_user(user=user).select_related(None).prefetch_related(None)
    return search.matching_cases(visible.select_related("situation"), query.strip())


def case_get_for_user(*, user: User, case_id: Any) -> Case:
    """Return the case if the user may see it; raise ``NotFound`` otherwise."""
    pk = _as_uuid(case_id)
    if pk is None:
        raise NotFound("Case not found.")
    case = case_queryset().filter(pk=pk).first()
    if case is None or not permissions.can_view_case(case, user):
        raise NotFound("Case not found.")
    return case


def case_get_for_bundle(*, user: User, case_id: Any) -> Case:
    """Return the case if the user may download its evidence bundle (auditors and the case's
    SRO); raise ``NotFound`` otherwise, as for a case they may not see."""
    case = case_get_for_user(user=user, case_id=case_id)
    if not permissions.can_download_bundle(case, user):
        raise NotFound("Case not found.")
    return case


def case_is_visible_to(*, user: User, case_id: Any) -> bool:
    """Return whether the user may see the case (one query, through the visibility filter)."""
    return Case.objects.filter(permissions.case_visibility_q(user), pk=case_id).exists()


def case_available_transitions(*, case: Case, user: User) -> list[str]:
    """Return the names of the transitions the user may take on the case now."""
    return [t.name for t in case.get_available_user_state_transitions(user)]


def section_list(*, case: Case) -> list[Section]:
    """Return the sections of the case's current version, in framework order, with who last
    edited each.

    A case whose team is not yet named has no section rows (``sections_create`` writes them
    at ``assign``): its sections are returned untouched and unsaved, all not started.
    """
    sections = case.sections.filter(version=case.version).select_related("updated_by")
    by_code = {section.code: section for section in sections}
    if not by_code:
        return Section.untouched(case, case.version)
    return [by_code[code] for code in SECTION_CODES if code in by_code]


def section_get(*, case: Case, code: str) -> Section:
    """Return one section of the case's current version (untouched and unsaved before the
    team is named, as ``section_list`` gives it); ``NotFound`` for a code the framework does
    not have."""
    if code not in SECTION_CODES:
        raise NotFound("There is no such section.")
    section = case.sections.filter(version=case.version, code=code).first()
    if section is None:
        if case.sections.filter(version=case.version).exists():
            raise NotFound("There is no such section.")
        [untouched] = Section.untouched(case, case.version, codes=[code])
        return untouched
    return section


def option_list(*, case: Case, include_withdrawn: bool = True) -> QuerySet[Option]:
    options = case.options.filter(version=case.version)
    if not include_withdrawn:
        options = options.filter(withdrawn_at__isnull=True)
    # With each option's decision by the minister, if any (a one-to-one, in the same query).
    return options.select_related("created_by", "decision__decided_by")


def option_get(*, case: Case, option_id: Any) -> Option:
    pk = _as_uuid(option_id)
    option = case.options.filter(pk=pk, version=case.version).first() if pk else None
    if option is None:
        raise NotFound("There is no such option on this case.")
    return option


def comment_thread_list(
    *, case: Case, section: Section | None = None, option: Option | None = None, stage: str = ""
) -> list[Comment]:
    """Return the comment threads of the case's current version, oldest first, each with its
    ``replies`` (in two queries); narrowed to one section, one option or one stage.

    The case must come from ``case_get_for_user``: whoever may see it may read its comments.
    """
    threads = case.comments.filter(version=case.version, parent__isnull=True)
    if section is not None:
        threads = threads.filter(section=section) if section.pk else threads.none()
    if option is not None:
        threads = threads.filter(option=option)
    if stage:
        threads = threads.filter(stage=stage)
    replies = Comment.objects.select_related("author").order_by("created_at", "pk")
    return list(
        threads.select_related("author", "resolved_by", "section", "option")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )


def open_comment_counts(*, case: Case) -> dict[Any, int]:
    """Return how many open comment threads each section and option of the case's current
    version has, keyed by the section's or the option's primary key (one query).

    The case must come from ``case_get_for_user``, as for ``comment_thread_list``.
    """
    rows = (
        case.comments.filter(version=case.version, parent__isnull=True, resolved_at__isnull=True)
        .values("section_id", "option_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["section_id"] or row["option_id"]: row["count"] for row in rows}


def comment_get(*, case: Case, comment_id: Any) -> Comment:
    """Return a comment of the case's current version; ``NotFound`` for any other."""
    comment = (
        case.comments.filter(pk=comment_id, version=case.version)
        .select_related("author", "section", "option", "parent")
        .first()
        if str(comment_id).isdigit()
        else None
    )
    if comment is None:
        raise NotFound("There is no such comment.")
    return comment


def source_list(*, case: Case) -> list[Source]:
    """Return the case's source library, oldest first, each with its ``citations`` (and their
    section or option) in two queries. The case must come from ``case_get_for_user``."""
    return list(
        case.sources.select_related("added_by").prefetch_related(
            "citations__section", "citations__option"
        )
    )


def source_get(*, case: Case, source_id: Any) -> Source:
    """Return a source of the case's library; ``NotFound`` for any other."""
    source = case.sources.filter(pk=source_id).first() if str(source_id).isdigit() else None
    if source is None:
        raise NotFound("There is no such source.")
    return source


def source_cited_list(
    *, case: Case, section: Section | None = None, option: Option | None = None
) -> list[Source]:
    """Return the library sources one section or one option cites, in the order cited."""
    if section is not None:
        if section.pk is None:
            return []
        cited = case.sources.filter(citations__section=section)
    else:
        cited = case.sources.filter(citations__option=option)
    return list(cited.order_by("citations__cited_at", "citations__pk"))


def case_event_list(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("sequence")


def trigger_list_for_user(
    *, user: User, case_id: Any = None, kind: str | None = None
) -> QuerySet[Trigger]:
    """Return triggers of the cases the user may see."""
    visible = Case.objects.filter(permissions.case_visibility_q(user)).values("pk")
    triggers = Trigger.objects.filter(case__in=visible).select_related("situation", "case")
    if case_id is not None:
        triggers = triggers.filter(case_id=_as_uuid(case_id))
    if kind:
        triggers = triggers.filter(kind=kind)
    return triggers.order_by("-received_at")


def report_list(*, case: Case) -> QuerySet[Report]:
    return case.reports.select_related("signed_off_by", "superseded_by").order_by("-number")


def report_get_for_user(*, user: User, report_id: Any) -> Report:
    """Return the report if the user may open it: whoever may see its case (the case's team,
    auditors and all-cases SROs, cleared for its marking), the minister once it is submitted.

    Raises ``NotFound`` when the case is not visible, ``PermissionRefused`` for a minister
    before submission."""
    pk = _as_uuid(report_id)
    report = Report.objects.select_related("case").filter(pk=pk).first() if pk else None
    if report is None or not permissions.can_view_case(report.case, user):
        raise NotFound("Report not found.")
    if not permissions.can_read_report(report, user):
        raise PermissionRefused("The minister reads the report once it is submitted to them.")
    return report


def decision_record_list(*, case: Case) -> QuerySet[DecisionRecord]:
    """The case's decision records, newest first (the caller has checked it may see the case)."""
    return case.decision_records.select_related("report", "recorded_by").order_by("-number")


def decision_record_get_for_user(*, user: User, decision_record_id: Any) -> DecisionRecord:
    """Return the decision record if the user may see its case (the minister who wrote it
    included); raise ``NotFound`` otherwise, as for a case they may not see."""
    pk = _as_uuid(decision_record_id)
    record = (
        DecisionRecord.objects.select_related("case", "report").filter(pk=pk).first()
        if pk
        else None
    )
    if record is None or not permissions.can_view_case(record.case, user):
        raise NotFound("Decision record not found.")
    return record


def open_states() -> list[str]:
    return [s for s in CaseState.values if s not in (CaseState.CLOSED, CaseState.WITHDRAWN)]


def notification_list_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """Return the user's own notifications, newest first, about cases they may still see."""
    notes = Notification.objects.filter(user=user).select_related("case")
    if unread_only:
        notes = notes.filter(read_at__isnull=True)
    visible = Case.objects.filter(permissions.case_visibility_q(user)).values("pk")
    return notes.filter(Q(case__isnull=True) | Q(case__in=visible)).order_by("-created_at")


def notification_unread_count(*, user: User) -> int:
    """Return how many of the notifications the user may read are unread (one query)."""
    return (
        notification_list_for_user(user=user, unread_only=True)
        .select_related(None)
        .order_by()
        .count()
    )


# ------------------------------------------------------------------------------
# Access and security logs (auditors)
# ------------------------------------------------------------------------------
def access_record_list(*, case: Case, user: User) -> QuerySet[AccessRecord]:
    """Return who viewed the case and opened its reports, newest first (auditors only)."""
    if not permissions.can_view_access_log(case, user):
        raise PermissionRefused("Only auditors can see the access log.")
    return (
        AccessRecord.objects.filter(case=case)
        .select_related("user", "report", "decision_record")
        .order_by("-at", "-pk")
    )


def security_event_list(*, user: User, username: str = "") -> QuerySet[SecurityEvent]:
    """Return sign-ins, sign-outs, failures and lockouts, newest first (auditors only)."""
    if not permissions.can_view_security_log(user):
        raise PermissionRefused("Only auditors can see the security log.")
    events = SecurityEvent.objects.select_related("user").order_by("-at", "-pk")
    if username:
        events = events.filter(Q(username__iexact=username) | Q(user__username__iexact=username))
    return events
