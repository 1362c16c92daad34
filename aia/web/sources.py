"""What the pages show of a case's source library: the form that adds a source, and the
library sources a section or an option cites, with the form that cites one more."""

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.http import HttpRequest

from aia import permissions, selectors
from aia.models import Case, Option, Section
from aia.models.choices import CaseState
from aia.models.sources import Reliability
from aia.services.assessment import section_is_editable
from aia.services.sources import LIBRARY_STATES
from aia.uploads import ACCEPTED, max_bytes, size_words
from aia.web.forms import DateField


class LibrarySourceForm(forms.Form):
    """A source for the case's library; the service checks what is typed and the file."""

    title = forms.CharField(
        required=False,
        label="Title",
        max_length=1000,
        error_messages={"max_length": "The title must be 300 characters or fewer."},
    )
    author = forms.CharField(
        required=False,
        label="Author or body (optional)",
        max_length=1000,
        error_messages={"max_length": "The author or body must be 300 characters or fewer."},
    )
    published_on = DateField(
        label="Date it was published (optional)", help_text="For example, 27 3 2024"
    )
    url = forms.CharField(
        required=False,
        label="Web address (optional)",
        widget=forms.TextInput(attrs={"spellcheck": "false", "inputmode": "url"}),
    )
    reliability = forms.ChoiceField(
        required=False,
        choices=Reliability.choices,
        widget=forms.RadioSelect,
        label="How reliable is it?",
    )
    file = forms.FileField(required=False, label="Attach a copy (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "reliability"
        ].help_text = (
            "Confirmed means several sources that do not depend on each other say the same."
        )
        self.fields["file"].help_text = (
            f"A {ACCEPTED} file, smaller than {size_words(max_bytes())}. "
            "Its name must not contain / or \\."
        )
        # The fields only: the page writes its own <form> (multipart) and buttons.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("title", label_size=Size.SMALL),
            Field.text("author", label_size=Size.SMALL),
            Field("published_on"),
            Field.text("url", label_size=Size.SMALL),
            Field.radios("reliability", legend_size=Size.SMALL, small=True),
            Field("file"),
        )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data.get("title", ""),
            "author": data.get("author", ""),
            "published_on": data.get("published_on"),
            "url": data.get("url", ""),
            "reliability": data.get("reliability", ""),
        }


def may_add_source(case: Case, user: Any) -> bool:
    return permissions.can_edit_content(case, user) and case.state in LIBRARY_STATES


def cited_context(
    request: HttpRequest,
    case: Case,
    *,
    section: Section | None = None,
    option: Option | None = None,
) -> dict[str, Any]:
    """Return the library sources an item cites and the ones it could still cite, for
    ``_cited_sources.html``."""
    cited = selectors.source_cited_list(case=case, section=section, option=option)
    if section is not None:
        open_now = section.pk is not None and section_is_editable(case, section.kind)
    else:
        open_now = case.state == CaseState.OPTIONS and option.withdrawn_at is None
    may_cite = open_now and permissions.can_edit_content(case, request.user)
    cited_ids = {source.pk for source in cited}
    library = selectors.source_list(case=case) if may_cite else []
    return {
        "cited_sources": cited,
        "may_cite": may_cite,
        "citable_sources": [source for source in library if source.pk not in cited_ids],
        "library_count": len(library),
        "may_add_source": may_cite and may_add_source(case, request.user),
        "cite_section": section.code if section is not None else "",
        "cite_option": str(option.pk) if option is not None else "",
    }
