"""The section editor: scope, each risk factor, the UK footprint and each dimension."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from aia import permissions, selectors
from aia.exceptions import NotFound
from aia.framework import SECTION_CODES, get_framework
from aia.services.assessment import EDITING_STATES, section_is_editable, section_update
from aia.web.errors import web_view
from aia.web.forms import SectionEditor
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
    may_edit = permissions.can_edit_content(case, user)
    editable = may_edit and section_is_editable(case, section.kind)

    errors: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        add_row = "add_source" in request.POST
        editor = SectionEditor.bound(request.POST, definition=definition, add_row=add_row)
        if not add_row:
            summary = editor.save(
                lambda data: section_update(case=case, actor=user, code=code, data=data)
            )
            if summary is None:
                messages.success(request, f"{definition.title}: saved.")
                if "save_return" in request.POST:
                    return redirect(
                        reverse("web:case", kwargs={"case_id": case.pk}) + "#assessment"
                    )
                return redirect("web:section", case_id=case.pk, code=code)
            errors, status = summary, 400
    else:
        editor = SectionEditor.unbound(section, definition=definition)

    previous, following = _neighbours(code)
    states = states_phrase(EDITING_STATES[section.kind])
    return render(
        request,
        "aia/web/section.html",
        {
            "case": case,
            "section": section,
            "definition": definition,
            "form": editor.form,
            "formset": editor.formset,
            "editable": editable,
            "may_edit": may_edit,
            "editing_states": states,
            "errors": errors,
            "previous_code": previous,
            "next_code": following,
        },
        status=status,
    )
