"""How the pages answer the application's errors, and how field errors reach the forms.

A view lets ``NotFound``, ``PermissionRefused`` and ``Conflict`` propagate: ``web_view`` turns
them into the 404, 403 and 409 pages, each in the service's design with a way back. Invalid
input is the view's own business: it re-renders its form with the messages in the GOV.UK error
summary (``add_field_errors`` and ``error_summary_items``; the section editor's form layer,
``aia.web.forms.SectionEditor``, does this for its form and rows of sources).
"""

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from aia.exceptions import Conflict, InvalidInput, NotFound, PermissionRefused, StoredFileChanged


def _case_url(kwargs: dict[str, Any]) -> str | None:
    case_id = kwargs.get("case_id")
    return reverse("web:case", kwargs={"case_id": case_id}) if case_id else None


def render_error(
    request: HttpRequest, error: Exception, *, case_url: str | None = None
) -> HttpResponse:
    """Render the page for an application error with its status."""
    if isinstance(error, PermissionRefused):
        template, status = "aia/web/403.html", 403
    elif isinstance(error, Conflict):
        template, status = "aia/web/409.html", 409
    elif isinstance(error, InvalidInput):
        template, status = "aia/web/400.html", 400
    elif isinstance(error, StoredFileChanged):
        template, status = "aia/web/stored_file_changed.html", 500
    else:
        template, status = "aia/web/404.html", 404
    message = getattr(error, "message", "") if status != 404 else ""
    extra = getattr(error, "extra", {}) or {}
    context = {"message": message, "extra": extra, "case_url": case_url if status != 404 else None}
    return render(request, template, context, status=status)


def web_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Require a signed-in user and answer application errors with their pages."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (NotFound, PermissionRefused, Conflict, InvalidInput, StoredFileChanged) as error:
            return render_error(request, error, case_url=_case_url(kwargs))

    return login_required(wrapper)


# ------------------------------------------------------------------------------
# Field errors
# ------------------------------------------------------------------------------
def add_field_errors(
    form: forms.Form, fields: dict[str, list[str]], *, rename: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """Attach the service's field errors to the form's fields; return those it has no field for.

    ``rename`` maps a service field name to the form's when they differ.
    """
    rename = rename or {}
    unplaced: dict[str, list[str]] = {}
    for name, messages in fields.items():
        target = rename.get(name, name)
        if target in form.fields:
            for message in messages:
                form.add_error(target, message)
        else:
            unplaced[name] = list(messages)
    return unplaced


def field_anchor(bound_field: forms.BoundField) -> str:
    """Return the id of the input the error summary links to (the first of a group)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{bound_field.html_name}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


def error_summary_items(
    *forms_: forms.Form | forms.BaseFormSet | None, messages: Iterable[str] = ()
) -> list[dict[str, str]]:
    """Return the error summary's entries ``{href, text}`` for the forms, in page order."""
    items: list[dict[str, str]] = [{"href": "#main-content", "text": m} for m in messages]
    for form in forms_:
        if form is None:
            continue
        if isinstance(form, forms.BaseFormSet):
            items += [{"href": "#main-content", "text": e} for e in form.non_form_errors()]
            items += error_summary_items(*form.forms)
            continue
        first = next(iter(form.visible_fields()), None)
        for message in form.non_field_errors():
            href = f"#{field_anchor(first)}" if first is not None else "#main-content"
            items.append({"href": href, "text": message})
        for bound_field in form.visible_fields():
            for message in bound_field.errors:
                items.append({"href": f"#{field_anchor(bound_field)}", "text": message})
    return items
