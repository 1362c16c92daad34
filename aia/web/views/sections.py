"""The section editor: scope, each risk factor, the UK footprint and each dimension."""

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from aia import permissions, selectors
from aia.exceptions import InvalidInput, NotFound
from aia.framework import SECTION_CODES, get_framework
from aia.models.choices import CaseState
from aia.services.assessment import EDITING_STATES, section_is_editable, section_update
from aia.web.errors import add_field_errors, error_summary_items, web_view
from aia.web.forms import SectionForm, SourceFormSet, source_initial

SOURCES_PREFIX = "sources"
_SOURCE_ERROR = re.compile(r"^sources\.(\d+)(?:\.(\w+))?$")


def _neighbours(code: str) -> tuple[str | None, str | None]:
    index = SECTION_CODES.index(code)
    previous = SECTION_CODES[index - 1] if index > 0 else None
    following = SECTION_CODES[index + 1] if index + 1 < len(SECTION_CODES) else None
    return previous, following


def _formset_with_another_row(data: Any) -> SourceFormSet:
    """Return the posted sources with one more blank row (the no-JavaScript "add another")."""
    data = data.copy()
    key = f"{SOURCES_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, SourceFormSet.max_num))
    return SourceFormSet(data, prefix=SOURCES_PREFIX)


def _place_source_errors(formset: SourceFormSet, rows: list[int], fields: dict) -> list[str]:
    """Put ``sources.N.field`` errors on the row the user typed them in; return the rest."""
    rest = []
    for name, messages_ in fields.items():
        match = _SOURCE_ERROR.match(name)
        if name == "sources" or not match:
            rest += messages_
            continue
        index, field = int(match.group(1)), match.group(2)
        if index >= len(rows):
            rest += messages_
            continue
        form = formset.forms[rows[index]]
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)
    return rest


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
    in_editing_state = section_is_editable(case, section.kind)
    editable = may_edit and in_editing_state

    errors: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        form = SectionForm(request.POST, definition=definition)
        if "add_source" in request.POST:
            formset = _formset_with_another_row(request.POST)
        else:
            formset = SourceFormSet(request.POST, prefix=SOURCES_PREFIX)
            valid = form.is_valid() & formset.is_valid()
            unplaced: list[str] = []
            if valid:
                rows = [
                    index
                    for index, row in enumerate(formset.forms)
                    if not row.cleaned_data.get("remove") and not row.is_blank()
                ]
                data = form.service_data()
                data["sources"] = [formset.forms[index].service_data() for index in rows]
                try:
                    section_update(case=case, actor=user, code=code, data=data)
                except InvalidInput as error:
                    source_errors = {
                        k: v for k, v in error.fields.items() if k.startswith("sources")
                    }
                    other = {k: v for k, v in error.fields.items() if k not in source_errors}
                    unplaced = [m for ms in add_field_errors(form, other).values() for m in ms]
                    unplaced += _place_source_errors(formset, rows, source_errors)
                else:
                    messages.success(request, f"{definition.title}: saved.")
                    if "save_return" in request.POST:
                        return redirect(
                            reverse("web:case", kwargs={"case_id": case.pk}) + "#assessment"
                        )
                    return redirect("web:section", case_id=case.pk, code=code)
            errors = error_summary_items(form, formset, messages=unplaced)
            status = 400
    else:
        form = SectionForm(initial=SectionForm.initial_for(section), definition=definition)
        formset = SourceFormSet(
            initial=[*source_initial(section.sources), {}], prefix=SOURCES_PREFIX
        )

    previous, following = _neighbours(code)
    states = " or ".join(CaseState(s).label.lower() for s in EDITING_STATES[section.kind])
    return render(
        request,
        "aia/web/section.html",
        {
            "case": case,
            "section": section,
            "definition": definition,
            "form": form,
            "formset": formset,
            "editable": editable,
            "may_edit": may_edit,
            "editing_states": states,
            "errors": errors,
            "previous_code": previous,
            "next_code": following,
        },
        status=status,
    )
