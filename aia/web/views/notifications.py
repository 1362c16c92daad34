"""The user's notifications and their email preferences."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from aia import selectors
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


@web_view
def notifications(request: HttpRequest) -> HttpResponse:
    """List the user's notifications, newest first; mark them read; change email settings."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "mark-read":
        unread = selectors.notification_list_for_user(user=user, unread_only=True)
        count = notification_mark_read(
            user=user, notification_ids=list(unread.values_list("pk", flat=True))
        )
        messages.success(request, f"{count} notification(s) marked as read.")
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
    return render(
        request,
        "aia/web/notifications.html",
        {
            "items": items,
            "unread": sum(1 for item in items if item.read_at is None),
            "form": form,
        },
    )
