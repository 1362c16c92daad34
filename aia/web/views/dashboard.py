"""The dashboard: the user's cases grouped by what they must do next."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aia import permissions, selectors
from aia.models import Case, User
from aia.models.choices import CaseState
from aia.web import selectors as web_selectors
from aia.web.errors import web_view
from aia.web.forms import DashboardFilterForm

# Cases per page of "Other cases you can see" (an auditor may see thousands); the groups of
# cases waiting on the user are always shown whole.
OTHER_PAGE_SIZE = 50


@dataclass
class CaseGroup:
    key: str
    title: str
    hint: str
    cases: list[Case] = field(default_factory=list)
    # How many cases the group holds in all (more than ``cases`` when paged).
    total: int = 0


def _groups() -> list[CaseGroup]:
    return [
        CaseGroup("assign", "To assign", "Triggered cases awaiting a team and an SRO."),
        CaseGroup(
            "complete", "To complete", "Cases whose scope, assessment or options you work on."
        ),
        CaseGroup("review", "To review", "Cases awaiting your legal review."),
        CaseGroup(
            "sign_off",
            "To sign off",
            "Cases awaiting your sign-off, or your submission to the minister.",
        ),
        CaseGroup("decide", "To decide", "Signed reports awaiting your decision."),
        CaseGroup("other", "Other cases you can see", "Cases where nothing waits on you now."),
    ]


def next_step(case: Case, user: User) -> str:
    """Return the key of the group the case belongs in for this user.

    Reads only the case's own fields, its prefetched officials and the user's cached
    permissions, so grouping costs no query per case.
    """
    state = case.state
    if state == CaseState.TRIGGERED and case.sro_id is None and permissions.can_assign(case, user):
        return "assign"
    editing = (CaseState.SCOPING, CaseState.ASSESSMENT, CaseState.OPTIONS)
    if state in editing and permissions.is_team_official(case, user):
        return "complete"
    reviewing = (CaseState.LEGAL_REVIEW, CaseState.OPTIONS_REVIEW)
    if state in reviewing and _holds(case.legal_adviser_id, user, permissions.REVIEW_CASE):
        return "review"
    signing = (CaseState.SIGN_OFF, CaseState.SIGNED_OFF)
    if state in signing and _holds(case.sro_id, user, permissions.SIGN_OFF_CASE):
        return "sign_off"
    if state == CaseState.WITH_MINISTER and _holds(case.minister_id, user, permissions.DECIDE_CASE):
        return "decide"
    return "other"


def _holds(position_id: int | None, user: User, permission: str) -> bool:
    """Return whether the user holds the case position and the role that goes with it."""
    return position_id == user.pk and user.has_perm(permission)


def _may_wait_on(user: User) -> Q:
    """The cases that can have a next step for the user (``next_step``): those where the user
    holds a position, and those awaiting a team. For every other case it is "other"."""
    return permissions.on_team_q(user) | Q(state=CaseState.TRIGGERED, sro__isnull=True)


@web_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """List the cases the user may see, grouped by what they must do next, with filters."""
    situations = list(web_selectors.situation_list_for_user(user=request.user))
    form = DashboardFilterForm(request.GET or None, situations=situations)
    state = situation = None
    if form.is_bound and form.is_valid():
        state = form.cleaned_data["state"] or None
        situation = form.cleaned_data["situation"] or None
    cases = selectors.case_list_for_user(user=request.user, state=state, situation=situation)
    groups = {group.key: group for group in _groups()}
    # What waits on the user is shown whole; the rest, newest first, a page at a time.
    waiting = []
    for case in cases.filter(_may_wait_on(request.user)):
        step = next_step(case, request.user)
        if step != "other":
            groups[step].cases.append(case)
            waiting.append(case.pk)
    for group in groups.values():
        group.total = len(group.cases)
    # The page shows no team, so it needs neither the officials nor the people joined.
    others = cases.exclude(pk__in=waiting).select_related(None).select_related("situation")
    others = Paginator(others.prefetch_related(None), OTHER_PAGE_SIZE)
    page = others.get_page(request.GET.get("page"))
    groups["other"].cases = list(page.object_list)
    groups["other"].total = others.count
    filters = {"state": state, "situation": situation}
    return render(
        request,
        "aia/web/dashboard.html",
        {
            "groups": [group for group in groups.values() if group.cases],
            "filter_form": form,
            "filtered": bool(state or situation),
            "case_count": sum(group.total for group in groups.values()),
            "other_page": page,
            "filter_query": urlencode({key: value for key, value in filters.items() if value}),
            "may_record_warning": permissions.can_add_trigger(request.user),
            "may_open_discretionary": permissions.can_open_discretionary_assessment(request.user),
        },
    )
