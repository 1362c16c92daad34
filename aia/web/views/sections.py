"""The section editor: scope, each risk factor, the UK footprint and each dimension.

Typed work is never lost: every button of the form saves the section as it stands (complete
or not: an incomplete section is a draft), "Previous" and "Next" included, which save and
then move on. Text the service refuses stays on the page with every problem listed at once.
Two people editing one section: the page hands back the revision it was read at, and a save
over someone else's newer one is refused with both versions shown.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from aia import permissions, selectors
from aia.exceptions import NotFound
from aia.framework import SECTION_CODES, SectionDefinition, get_framework
from aia.models import Case, Section
from aia.models.choices import SectionStatus
from aia.services.assessment import (
    EDITABLE_FIELDS,
    EDITING_STATES,
    SectionEditConflict,
    section_check,
    section_is_editable,
    section_revision,
    section_update,
)
from aia.web.comments import comment_context
from aia.web.diff import SECTION_FIELDS, TEXT_FIELDS, display
from aia.web.errors import web_view
from aia.web.forms import SectionEditor, completion_needs, need_href
from aia.web.sources import cited_context
from aia.wording import states_phrase


def _neighbours(code: str) -> tuple[str | None, str | None]:
    index = SECTION_CODES.index(code)
    previous = SECTION_CODES[index - 1] if index > 0 else None
    following = SECTION_CODES[index + 1] if index + 1 < len(SECTION_CODES) else None
    return previous, following


@web_view
def section_edit(request: HttpRequest, case_id: Any, code: str) -> HttpResponse:
    """Show a section with its framework guidance; edit it in its editing state."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    if code not in SECTION_CODES:
        raise NotFound("There is no such section.")
    section = selectors.section_get(case=case, code=code)
    definition = get_framework().section(code)
    if request.method == "POST":
        return _save(request, case, section, definition)
    editor = SectionEditor.unbound(section, definition=definition)
    return _render(request, case, section, definition, editor, section_revision(section))


def _save(
    request: HttpRequest, case: Case, section: Section, definition: SectionDefinition
) -> HttpResponse:
    """Save what the user typed as a draft, then go where the button they pressed leads."""
    add_row = "add_source" in request.POST
    editor = SectionEditor.bound(request.POST, definition=definition, add_row=add_row)
    editor.cited = section.is_citing()
    # A form always sends the revision it was read at; without one the last save wins.
    revision = request.POST.get("revision")
    typed: dict[str, Any] = {}

    def save(data: dict[str, Any]) -> None:
        typed.update(data)
        typed["saved"] = section_update(
            case=case, actor=request.user, code=section.code, data=data, revision=revision
        )

    try:
        errors = editor.save(save, lambda data: section_check(section=section, data=data))
    except SectionEditConflict as conflict:
        # The form shows the user's text again, now against the revision they have seen.
        now = conflict.section
        details = _conflict(request, now, typed)
        errors = [{"href": "#conflict", "text": details["summary"]}]
        extra = {"conflict": details, "errors": errors}
        return _render(request, case, now, definition, editor, section_revision(now), 409, **extra)
    if errors is not None:
        return _render(
            request, case, section, definition, editor, revision or "", 400, errors=errors
        )
    saved: Section = typed["saved"]
    target = request.POST.get("go", "")
    moving = add_row or target in SECTION_CODES
    if saved.updated_at != section.updated_at or not moving:
        # Moving on (or adding a row) from a section left as it was is not news.
        messages.success(request, _saved_message(definition, saved))
    if add_row:
        # Saved; show it again with one more blank row for the next source.
        editor = SectionEditor.unbound(saved, definition=definition, blank_rows=editor.blank_rows())
        return _render(request, case, saved, definition, editor, section_revision(saved))
    if target in SECTION_CODES:
        return redirect("web:section", case_id=case.pk, code=target)
    if "save_return" in request.POST:
        return redirect(reverse("web:case", kwargs={"case_id": case.pk}) + "#assessment")
    return redirect("web:section", case_id=case.pk, code=section.code)


def _saved_message(definition: SectionDefinition, section: Section) -> str:
    if section.status == SectionStatus.COMPLETE:
        return f"{definition.title}: saved."
    needs = completion_needs(section.kind, {**section.content(), "cited": section.is_citing()})
    still = "; ".join(need["text"][0].lower() + need["text"][1:] for need in needs)
    return (
        f"{definition.title}: your changes were saved as a draft; the section is not "
        f"complete yet: {still}."
    )


def _conflict(request: HttpRequest, now: Section, typed: dict[str, Any]) -> dict[str, Any]:
    """Return who saved the section since the user opened it, when, and each field where the
    user's text and the saved one differ."""
    rows = []
    for name in EDITABLE_FIELDS[now.kind]:
        saved = now.content()[name]
        mine = typed.get(name, saved)
        if display(name, mine) != display(name, saved):
            rows.append(
                {
                    "label": SECTION_FIELDS[name],
                    "mine": display(name, mine),
                    "saved": display(name, saved),
                    "long": name in TEXT_FIELDS or name == "sources",
                }
            )
    if now.updated_by_id == request.user.pk:
        who = "You saved this section in another window or tab"
    else:
        who = f"{now.updated_by.display_name if now.updated_by else 'Someone'} saved this section"
    when = date_filter(timezone.localtime(now.updated_at), "j F Y \\a\\t H:i")
    return {
        "who": who,
        "when": when,
        "rows": rows,
        "summary": f"{who} on {when}, after you opened it. Your changes have not been saved "
        "yet: compare the two versions, then save the one to keep.",
    }


def _render(
    request: HttpRequest,
    case: Case,
    section: Section,
    definition: SectionDefinition,
    editor: SectionEditor,
    revision: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    user = request.user
    may_edit = permissions.can_edit_content(case, user)
    previous, following = _neighbours(section.code)
    states = states_phrase(EDITING_STATES[section.kind])
    cited = cited_context(request, case, section=section)
    needs = []
    if section.status == SectionStatus.IN_PROGRESS:
        values = {**section.content(), "cited": bool(cited["cited_sources"])}
        needs = [
            {"href": need_href(editor.form, need["field"]), "text": need["text"]}
            for need in completion_needs(section.kind, values)
        ]
    return render(
        request,
        "aia/web/section.html",
        {
            "case": case,
            "section": section,
            "definition": definition,
            "form": editor.form,
            "formset": editor.formset,
            "editable": may_edit and section_is_editable(case, section.kind),
            "may_edit": may_edit,
            "editing_states": states,
            "errors": [],
            "still_needed": needs,
            "revision": revision,
            "previous_code": previous,
            "next_code": following,
            **comment_context(request, case, section=section),
            **cited,
            **extra,
        },
        status=status,
    )
