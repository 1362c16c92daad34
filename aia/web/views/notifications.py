"""The user's notifications and their email preferences."""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize

from aia import selectors
from aia.models import Case, Notification
from aia.services.notifications import (
    notification_mark_read,
    user_notification_preferences_update,
)
from aia.web.errors import web_view

PAGE_SIZE = 50


class PreferencesForm(forms.Form):
    email_notifications = forms.BooleanField(
        required=False,
        label="Email me when a case is handed to me, returned, or a deadline nears",
    )
    daily_digest = forms.BooleanField(
        required=False, label="Email me a daily digest of the cases waiting on me"
    )


@dataclass
class CaseGroup:
    """The notifications about one case (``case`` is ``None`` for those about no one case)."""

    case: Case | None
    items: list[Notification] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(1 for item in self.items if item.is_new)


def group_by_case(items: list[Notification]) -> list[CaseGroup]:
    """Group the notifications by case, the case with the newest notification first; those
    about no one case (the daily digests) come last."""
    groups: dict[object, CaseGroup] = {}
    for item in items:
        groups.setdefault(item.case_id, CaseGroup(case=item.case)).items.append(item)
    other = groups.pop(None, None)
    return [*groups.values(), *([other] if other else [])]


@web_view
def notifications(request: HttpRequest) -> HttpResponse:
    """List the user's notifications, newest first and grouped by case; change email settings.

    Opening the page reads what it shows: those that were unread are tagged "New" this once
    and marked read, so the count in the navigation falls to what is left.
    """
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "mark-read":
        unread = selectors.notification_list_for_user(user=user, unread_only=True)
        count = notification_mark_read(
            user=user, notification_ids=list(unread.values_list("pk", flat=True))
        )
        messages.success(request, f"{count} notification{pluralize(count)} marked as read.")
        return redirect("web:notifications")
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            user_notification_preferences_update(user=user, **form.cleaned_data)
            messages.success(request, "Your email settings are saved.")
            return redirect("web:notifications")
    else:
        form = PreferencesForm(
            initial={
                "email_notifications": user.email_notifications,
                "daily_digest": user.daily_digest,
            }
        )
    items = list(selectors.notification_list_for_user(user=user)[:PAGE_SIZE])
    for item in items:
        item.is_new = item.read_at is None
    new = [item.pk for item in items if item.is_new]
    if new:
        notification_mark_read(user=user, notification_ids=new)
    return render(
        request,
        "aia/web/notifications.html",
        {"groups": group_by_case(items), "new": len(new), "form": form},
    )
