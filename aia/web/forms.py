"""Forms of the browser pages, laid out with crispy-forms-gds in GOV.UK Design System markup.

The forms only parse what the browser sends: the services validate it (one set of rules for
the pages and the API), and the views put the services' field errors back on these fields
(the section editor does it itself, for its form and its rows of sources).
Fields are therefore optional here unless the browser itself cannot send a usable value.
"""

import datetime
import re
from collections.abc import Callable
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from aia.exceptions import InvalidInput
from aia.framework import SectionDefinition
from aia.models import Option, Section, User
from aia.models.choices import (
    Capacity,
    CaseState,
    Confidence,
    Crime,
    Decision,
    LeadDepartment,
    Level,
    Marking,
    OptionCategory,
    Rating,
    Recommendation,
    RiskTrend,
    SectionKind,
    Stage,
)
from aia.permissions import is_integration_account
from aia.web.errors import add_field_errors, error_summary_items, field_anchor

TEXTAREA_ROWS = 6


def _helper(*fields: Any) -> FormHelper:
    """Return a helper that renders the fields only: each page writes its own <form> and buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if fields:
        helper.layout = Layout(*fields)
    return helper


def _textarea(rows: int = TEXTAREA_ROWS) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _ta(name: str, rows: int = TEXTAREA_ROWS, **kwargs: Any) -> Field:
    """Lay out a textarea with a bold label (crispy-forms-gds sets ``rows`` itself)."""
    return Field.textarea(name, rows=rows, label_size=Size.SMALL, **kwargs)


def _choose(name: str) -> Field:
    """Lay out radios with a bold legend."""
    return Field.radios(name, legend_size=Size.SMALL, small=True)


def _tick(name: str) -> Field:
    """Lay out checkboxes with a bold legend."""
    return Field.checkboxes(name, legend_size=Size.SMALL, small=True)


def _radios(choices: Any, label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=list(choices),
        widget=forms.RadioSelect,
        required=False,
        label=label,
        help_text=help_text,
    )


class DateField(DateInputField):
    """A GOV.UK date input (day, month, year) whose messages name the field."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(label=label, require_all_fields=False, required=False, **kwargs)
        name = label.split(" (")[0].lower()
        self.real_date_message = f"Enter the {name} as a real date"
        for part, unit in zip(self.fields, ("day", "month", "year"), strict=True):
            part.required = True
            part.error_messages["incomplete"] = f"Enter the {unit} of the {name}"
            part.validators = [RegexValidator(r"^[0-9]+$", self.real_date_message)]

    def compress(self, data_list: Any) -> datetime.date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValidationError(self.real_date_message) from exc


def _date(label: str, help_text: str = "For example, 27 3 2024") -> DateField:
    return DateField(label=label, help_text=help_text)


def date_or_blank(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


# ------------------------------------------------------------------------------
# Signing in
# ------------------------------------------------------------------------------
class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active.",
        "integration_account": (
            "This is an integration account: it can only post warnings to the API, with its "
            "token. Sign in here with your personal account."
        ),
    }

    def confirm_login_allowed(self, user: User) -> None:
        """Refuse integration accounts here, before any session exists: they use the API."""
        super().confirm_login_allowed(user)
        if is_integration_account(user):
            raise ValidationError(
                self.error_messages["integration_account"], code="integration_account"
            )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false", "autofocus": False}
        )
        self.helper = _helper(
            Field.text("username", field_width=20), Field.text("password", field_width=20)
        )


class OneTimeCodeForm(forms.Form):
    """The second step of signing in: the code the authenticator app shows now."""

    otp = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code changes every 30 seconds.",
        required=False,
        max_length=20,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["otp"].widget.attrs.update(
            {
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "pattern": "[0-9 ]*",
            }
        )
        self.helper = _helper(Field.text("otp", field_width=5))


# ------------------------------------------------------------------------------
# Dashboard
# ------------------------------------------------------------------------------
class DashboardFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, label="State")
    situation = forms.ChoiceField(required=False, label="Situation")

    def __init__(self, *args: Any, situations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any state"), *CaseState.choices]
        self.fields["situation"].choices = [("", "Any situation")] + [
            (str(s.pk), s.name) for s in situations
        ]
        self.helper = _helper(Field.select("state"), Field.select("situation"))


# ------------------------------------------------------------------------------
# Transitions
# ------------------------------------------------------------------------------
class ConfirmForm(forms.Form):
    """A transition without inputs: the page only asks the user to confirm."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class CommentForm(forms.Form):
    comment = forms.CharField(required=False, widget=_textarea(), label="Comment")

    def __init__(self, *args: Any, label: str = "", hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["comment"].label = label
        self.fields["comment"].help_text = hint
        self.helper = _helper(_ta("comment"))


class CommentTextForm(forms.Form):
    """A comment on a section or an option, or a reply in its thread."""

    text = forms.CharField(required=False, widget=_textarea(rows=4), label="Comment")

    def __init__(self, *args: Any, label: str = "Comment", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.helper = _helper(_ta("text", rows=4))


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, widget=_textarea(), label="Reason")

    def __init__(self, *args: Any, label: str = "", hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        self.fields["reason"].help_text = hint
        self.helper = _helper(_ta("reason", rows=3))


class NoteForm(forms.Form):
    note = forms.CharField(required=False, widget=_textarea(), label="Closing note")

    def __init__(self, *args: Any, label: str = "", hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["note"].label = label
        self.fields["note"].help_text = hint
        self.helper = _helper(_ta("note"))


class _UserChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, marking: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marking = marking

    def label_from_instance(self, user: User) -> str:
        return _user_label(user, self.marking)


class _UsersChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args: Any, marking: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marking = marking

    def label_from_instance(self, user: User) -> str:
        return _user_label(user, self.marking)


def _user_label(user: User, marking: str | None) -> str:
    label = user.display_name
    if user.job_title:
        label += f", {user.job_title}"
    if user.department:
        label += f" ({user.department})"
    if marking and not user.is_cleared_for(marking):
        label += f" — cleared to {user.clearance} only"
    return label


class TeamForm(forms.Form):
    """The case team: for ``assign`` (with the marking) and for a later change of team."""

    lead_official = _UserChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Lead official",
        empty_label="Choose the lead official",
    )
    officials = _UsersChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Other officials",
        help_text="Officials of any department who will work on the case.",
    )
    legal_adviser = _UserChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Legal adviser",
        empty_label="Choose the legal adviser",
    )
    minister = _UserChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Minister (optional)",
        empty_label="No minister yet",
    )
    marking = forms.ChoiceField(
        choices=Marking.choices,
        widget=forms.RadioSelect,
        required=False,
        label="Protective marking",
        help_text="Everyone on the team must be cleared for it.",
    )

    def __init__(
        self,
        *args: Any,
        candidates: dict[str, Any],
        marking: str,
        with_marking: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead_official", "officials", "legal_adviser", "minister"):
            field = self.fields[name]
            field.queryset = candidates[name]
            field.marking = marking
        layout = [
            Field.select("lead_official", label_size=Size.SMALL),
            _tick("officials"),
            Field.select("legal_adviser", label_size=Size.SMALL),
            Field.select("minister", label_size=Size.SMALL),
        ]
        if with_marking:
            self.fields["marking"].initial = marking
            layout.append(_choose("marking"))
        else:
            del self.fields["marking"]
        self.helper = _helper(*layout)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs = {
            "lead_official": data.get("lead_official"),
            "legal_adviser": data.get("legal_adviser"),
            "officials": list(data.get("officials") or []),
            "minister": data.get("minister"),
        }
        if data.get("marking"):
            kwargs["marking"] = data["marking"]
        return kwargs


class SignOffForm(forms.Form):
    password = forms.CharField(
        required=False,
        strip=False,
        label="Your password",
        help_text="Sign-off needs your own password again, to show it is you who signs.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    comment = forms.CharField(
        required=False, widget=_textarea(3), label="Comment for the record (optional)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("password", label_size=Size.SMALL, field_width=20),
            _ta("comment", rows=3),
        )


class DecisionForm(forms.Form):
    """The minister's decision: overall, with a note, and on each recommended option."""

    decision = _radios(Decision.choices, "Your decision")
    note = forms.CharField(
        required=False,
        widget=_textarea(),
        label="Note of the decision",
        help_text="What you decided and why. It is recorded in the case's audit trail.",
    )
    password = forms.CharField(
        required=False,
        strip=False,
        label="Your password",
        help_text="Recording a decision needs your own password again, to show it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    OPTION_PREFIX = "option_"

    def __init__(self, *args: Any, options: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = list(options)
        layout: list[Any] = [Field.radios("decision", legend_size=Size.MEDIUM), _ta("note")]
        names = []
        for option in self.options:
            name = self.field_name(option.pk)
            self.fields[name] = _radios(
                [("agreed", "Agreed"), ("not_agreed", "Not agreed")],
                f"{option.title} ({option.get_category_display()})",
            )
            names.append(_choose(name))
        if names:
            layout.append(
                Fieldset(
                    HTML(
                        '<div class="govuk-hint">Needed when you agree in part. Otherwise each '
                        "option takes your overall decision.</div>"
                    ),
                    *names,
                    legend="Your decision on each recommended option",
                    legend_size=Size.MEDIUM,
                )
            )
        layout.append(Field.text("password", label_size=Size.SMALL, field_width=20))
        self.helper = _helper(*layout)

    @classmethod
    def field_name(cls, option_id: Any) -> str:
        return f"{cls.OPTION_PREFIX}{option_id}"

    def option_decisions(self) -> dict[str, str]:
        decisions = {}
        for option in self.options:
            value = self.cleaned_data.get(self.field_name(option.pk))
            if value:
                decisions[str(option.pk)] = value
        return decisions

    def error_field_names(self) -> dict[str, str]:
        """Map the service's ``option_decisions.<id>`` errors to this form's fields."""
        return {
            f"option_decisions.{option.pk}": self.field_name(option.pk) for option in self.options
        }


class DissentForm(forms.Form):
    stage = forms.ChoiceField(
        choices=Stage.choices, widget=forms.RadioSelect, required=False, label="Which stage?"
    )
    text = forms.CharField(
        required=False,
        widget=_textarea(),
        label="Your dissent",
        help_text="It stays on the case's record and travels into the report.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_choose("stage"), _ta("text"))


# ------------------------------------------------------------------------------
# Sections
# ------------------------------------------------------------------------------
class SectionForm(forms.Form):
    """The fields of one section kind (see ``aia.services.assessment.EDITABLE_FIELDS``)."""

    def __init__(self, *args: Any, definition: SectionDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        if definition.kind == SectionKind.SCOPE:
            layout = self._add_scope_fields()
        elif definition.kind == SectionKind.RISK_FACTOR:
            layout = self._add_risk_factor_fields(definition)
        else:
            layout = self._add_level_fields(definition.kind)
        self.helper = _helper(*layout)

    # Each adds its kind's fields in page order (the error summary follows it) and returns
    # their layout.
    def _add_scope_fields(self) -> list[Any]:
        self.fields["period_start"] = _date("Start of the period assessed")
        self.fields["period_end"] = _date("End of the period assessed (optional)")
        self.fields["groups_at_risk"] = forms.CharField(
            required=False, widget=_textarea(3), label="Groups at risk"
        )
        self.fields["crimes_at_risk"] = forms.MultipleChoiceField(
            choices=Crime.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            label="Crimes at risk",
        )
        self.fields["likely_perpetrators"] = forms.CharField(
            required=False, widget=_textarea(3), label="Likely perpetrators"
        )
        self.fields["analysis"] = forms.CharField(
            required=False, widget=_textarea(8), label="Description of the situation"
        )
        return [
            Field("period_start", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field("period_end", context={"legend_size": "govuk-fieldset__legend--s"}),
            _ta("groups_at_risk", rows=3),
            _tick("crimes_at_risk"),
            _ta("likely_perpetrators", rows=3),
            _ta("analysis", rows=10),
        ]

    def _add_risk_factor_fields(self, definition: SectionDefinition) -> list[Any]:
        self.fields["rating"] = _radios(Rating.choices, "Is this risk factor present?")
        self.fields["confidence"] = _radios(Confidence.choices, "Confidence in the rating")
        layout = [_choose("rating"), _choose("confidence")]
        # Some factors' indicators are not held in the tool: then there is nothing to tick.
        if definition.indicators:
            self.fields["indicators"] = forms.MultipleChoiceField(
                choices=[(i.number, f"{i.number} {i.text}") for i in definition.indicators],
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label="Indicators present",
                help_text="Select the indicators the evidence shows.",
            )
            layout.append(_tick("indicators"))
        self.fields["analysis"] = forms.CharField(
            required=False, widget=_textarea(8), label="Analysis"
        )
        self.fields["key_evidence"] = forms.CharField(
            required=False,
            widget=_textarea(3),
            label="Key evidence",
            help_text="A short statement for the report (1,000 characters at most).",
        )
        return [*layout, _ta("analysis", rows=10), _ta("key_evidence", rows=3, max_characters=1000)]

    def _add_level_fields(self, kind: str) -> list[Any]:
        """Add the fields of the UK footprint (an exposure) or a dimension (a capacity)."""
        scale = "exposure" if kind == SectionKind.FOOTPRINT else "capacity"
        label = (
            "How exposed is the UK through its own activities?"
            if scale == "exposure"
            else "What is the UK's capacity on this dimension?"
        )
        self.fields[scale] = _radios(Capacity.choices, label)
        self.fields["confidence"] = _radios(Confidence.choices, "Confidence")
        self.fields["analysis"] = forms.CharField(
            required=False, widget=_textarea(8), label="Analysis"
        )
        return [_choose(scale), _choose("confidence"), _ta("analysis", rows=10)]

    @staticmethod
    def initial_for(section: Any) -> dict[str, Any]:
        return {
            name: getattr(section, name)
            for name in (
                "rating",
                "capacity",
                "exposure",
                "confidence",
                "analysis",
                "key_evidence",
                "indicators",
                "period_start",
                "period_end",
                "groups_at_risk",
                "crimes_at_risk",
                "likely_perpetrators",
            )
        }

    def service_data(self) -> dict[str, Any]:
        """Return the section's fields as ``section_update`` takes them."""
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, datetime.date) or name.startswith("period_"):
                data[name] = date_or_blank(value)
            else:
                data[name] = value
        return data


class SourceForm(forms.Form):
    title = forms.CharField(
        required=False,
        label="Title",
        max_length=1000,
        # The service's own limit is lower: say that one, as the service would.
        error_messages={"max_length": "The source title must be 300 characters or fewer."},
    )
    url = forms.CharField(
        required=False,
        label="Link (optional)",
        widget=forms.TextInput(attrs={"spellcheck": "false", "inputmode": "url"}),
    )
    date = DateField(label="Date of the source (optional)")
    remove = forms.BooleanField(required=False, label="Remove this source")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("title"),
            Field.text("url"),
            Field("date"),
            Field.checkbox("remove", small=True),
        )

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("title") or data.get("url") or data.get("date"))

    def service_data(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "title": data.get("title", ""),
            "url": data.get("url", ""),
            "date": date_or_blank(data.get("date")),
        }


SourceFormSet = forms.formset_factory(SourceForm, extra=0, max_num=50, absolute_max=60)
SOURCES_PREFIX = "sources"
_SOURCE_ERROR = re.compile(r"^sources\.(\d+)(?:\.(\w+))?$")


def source_initial(sources: list[dict[str, str]]) -> list[dict[str, Any]]:
    initial = []
    for source in sources:
        try:
            when = datetime.date.fromisoformat(source.get("date") or "")
        except ValueError:
            when = None
        initial.append(
            {"title": source.get("title", ""), "url": source.get("url", ""), "date": when}
        )
    return initial


# What each field a complete section needs asks of the user (``Section.REQUIRED_FOR_COMPLETION``
# and the sources a factor judged present needs), as the error summary and the page's list of
# what is still needed say it.
COMPLETION_NEEDS = {
    "period_start": "Enter the start of the period assessed",
    "groups_at_risk": "Enter the groups at risk",
    "crimes_at_risk": "Select at least one crime at risk",
    "rating": "Choose whether this risk factor is present",
    "exposure": "Choose how exposed the UK is through its own activities",
    "capacity": "Choose the UK's capacity on this dimension",
    "confidence": "Choose how confident you are",
    "analysis": "Enter the analysis",
    "sources": "Add at least one source: a factor judged present or partially present needs one",
}


def completion_needs(kind: str, values: dict[str, Any]) -> list[dict[str, str]]:
    """Return what a section of ``kind`` with ``values`` still needs to be complete, each as
    ``{field, text}`` in page order."""
    needs = []
    for name in Section.missing_for_completion(kind, values):
        text = COMPLETION_NEEDS[name]
        if name == "analysis" and kind == SectionKind.SCOPE:
            text = "Enter the description of the situation"
        needs.append({"field": name, "text": text})
    return needs


def need_href(form: forms.Form, field: str) -> str:
    """Return the link to the input where the user can give what the section still needs."""
    if field in form.fields:
        return f"#{field_anchor(form[field])}"
    return "#sources"


class SectionEditor:
    """A section's form and its sources formset, validated and saved together.

    The service validates the content (see the module docstring); the editor puts its field
    errors back on the field, or on the source row, the user typed them in. When anything is
    wrong it also says what the section still needs to be complete, so one round shows all.
    """

    def __init__(self, form: SectionForm, formset: forms.BaseFormSet) -> None:
        self.form = form
        self.formset = formset
        # Whether the section cites a source of the case's library, which counts as a source.
        self.cited = False

    @classmethod
    def unbound(
        cls, section: Any, *, definition: SectionDefinition, blank_rows: int = 1
    ) -> "SectionEditor":
        """Return the editor filled with the section as saved, and ``blank_rows`` blank source
        rows."""
        form = SectionForm(initial=SectionForm.initial_for(section), definition=definition)
        blanks: list[dict[str, Any]] = [{} for _ in range(max(blank_rows, 1))]
        formset = SourceFormSet(
            initial=[*source_initial(section.sources), *blanks], prefix=SOURCES_PREFIX
        )
        return cls(form, formset)

    @classmethod
    def bound(
        cls, data: Any, *, definition: SectionDefinition, add_row: bool = False
    ) -> "SectionEditor":
        """Return the editor bound to the posted data.

        ``add_row`` adds one blank source row: the "add another source" that works without
        JavaScript.
        """
        form = SectionForm(data, definition=definition)
        if add_row:
            formset = _formset_with_another_row(data)
        else:
            formset = SourceFormSet(data, prefix=SOURCES_PREFIX)
        return cls(form, formset)

    def blank_rows(self) -> int:
        """Return how many source rows the user left blank (after validation)."""
        return sum(1 for row in self.formset.forms if _is_blank(row))

    def save(
        self,
        save: Callable[[dict[str, Any]], object],
        check: Callable[[dict[str, Any]], dict[str, list[str]]] | None = None,
    ) -> list[dict[str, str]] | None:
        """Validate both forms and call ``save`` with the section's data, as the service takes it.

        Return None once saved; otherwise the error summary's items, with every error also on
        its form or source row. When the page's own checks fail, ``check`` (the service's
        checks, saving nothing) is asked about the rest, so the service's errors come in the
        same round. Only ``InvalidInput`` from ``save`` is answered here.
        """
        valid = self.form.is_valid() & self.formset.is_valid()
        # Rows the user removed or left blank are not sources; the service numbers the
        # rest, so keep which row each one came from.
        rows = [
            index
            for index, row in enumerate(self.formset.forms)
            if not _cleaned(row).get("remove") and not _is_blank(row)
        ]
        data = self.form.service_data()
        data["sources"] = [self.formset.forms[index].service_data() for index in rows]
        unplaced: list[str] = []
        if valid:
            try:
                save(data)
            except InvalidInput as error:
                unplaced = self._place_errors(error.fields, rows)
            else:
                return None
        elif check is not None:
            unplaced = self._place_errors(check(data), rows)
        source_needs = self._add_completion_errors(data)
        return error_summary_items(self.form, self.formset, messages=unplaced) + source_needs

    def _add_completion_errors(self, data: dict[str, Any]) -> list[dict[str, str]]:
        """Put what the section still needs to be complete on its fields, unless they already
        have an error; return the summary entry for the sources it needs, if any."""
        entries = []
        for need in completion_needs(self.form.definition.kind, {**data, "cited": self.cited}):
            message = f"To complete this section, {need['text'][0].lower()}{need['text'][1:]}"
            if need["field"] in self.form.fields:
                if need["field"] not in self.form.errors:
                    self.form.add_error(need["field"], message)
            else:
                entries.append({"href": "#sources", "text": message})
        return entries

    def _place_errors(self, fields: dict[str, list[str]], rows: list[int]) -> list[str]:
        """Put the service's field errors on the form and the source rows; return the rest.

        A field the page already found wrong keeps the page's message only.
        """
        source_errors = {k: v for k, v in fields.items() if k.startswith("sources")}
        other = {
            k: v for k, v in fields.items() if k not in source_errors and k not in self.form.errors
        }
        unplaced = [m for ms in add_field_errors(self.form, other).values() for m in ms]
        return unplaced + self._place_source_errors(source_errors, rows)

    def _place_source_errors(self, fields: dict[str, list[str]], rows: list[int]) -> list[str]:
        """Put ``sources.N.field`` errors on the row the user typed them in; return the rest.

        ``rows`` maps the service's source number N to its row in the formset.
        """
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
            form = self.formset.forms[rows[index]]
            if field in form.errors:
                continue
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
        return rest


def _cleaned(form: forms.Form) -> dict[str, Any]:
    return getattr(form, "cleaned_data", None) or {}


def _is_blank(row: forms.Form) -> bool:
    """Return whether a source row holds nothing to save (a row never checked holds nothing)."""
    return not hasattr(row, "cleaned_data") or row.is_blank()


def _formset_with_another_row(data: Any) -> forms.BaseFormSet:
    """Return the posted sources with one more blank row (the no-JavaScript "add another")."""
    data = data.copy()
    key = f"{SOURCES_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, SourceFormSet.max_num))
    return SourceFormSet(data, prefix=SOURCES_PREFIX)


# ------------------------------------------------------------------------------
# Options
# ------------------------------------------------------------------------------
class OptionForm(forms.Form):
    category = forms.ChoiceField(required=False, label="Category")
    title = forms.CharField(
        required=False,
        label="Title",
        max_length=1000,
        # The service's own limit is lower: say that one, as the service would.
        error_messages={"max_length": "The title must be 300 characters or fewer."},
    )
    description = forms.CharField(required=False, widget=_textarea(4), label="What the UK would do")
    target_actors = forms.CharField(
        required=False, widget=_textarea(2), label="Whom it targets (optional)"
    )
    lead_department = forms.ChoiceField(required=False, label="Lead department")
    expected_effect = _radios(Level.choices, "Expected effect")
    feasibility = _radios(Level.choices, "Feasibility")
    risk_of_harm = _radios(Level.choices, "Risk of harm")
    mitigation = forms.CharField(
        required=False, widget=_textarea(3), label="Mitigation of the risk of harm (optional)"
    )
    timeframe = forms.CharField(
        required=False,
        label="Timeframe (optional)",
        max_length=1000,
        error_messages={"max_length": "The timeframe must be 200 characters or fewer."},
    )
    recommendation = _radios(Recommendation.choices, "Recommendation")
    rationale = forms.CharField(
        required=False, widget=_textarea(3), label="Rationale for the recommendation"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Choose a category"), *OptionCategory.choices]
        self.fields["lead_department"].choices = [
            ("", "Choose a department"),
            *LeadDepartment.choices,
        ]
        self.helper = _helper(
            Field.select("category", label_size=Size.SMALL),
            Field.text("title", label_size=Size.SMALL),
            _ta("description", rows=4),
            _ta("target_actors", rows=2),
            Field.select("lead_department", label_size=Size.SMALL),
            _choose("expected_effect"),
            _choose("feasibility"),
            _choose("risk_of_harm"),
            _ta("mitigation", rows=3),
            Field.text("timeframe", field_width=20, label_size=Size.SMALL),
            _choose("recommendation"),
            _ta("rationale", rows=3),
        )

    @staticmethod
    def initial_for(option: Option) -> dict[str, Any]:
        return {name: getattr(option, name) for name in Option.CONTENT_FIELDS}

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in Option.CONTENT_FIELDS}


class OptionWithdrawForm(forms.Form):
    reason = forms.CharField(
        required=False,
        widget=_textarea(3),
        label="Why is it withdrawn? (optional)",
        help_text="The option stays on the record, marked withdrawn.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_ta("reason", rows=3))


class OptionGapForm(forms.Form):
    reason = forms.CharField(required=False, widget=_textarea(3), label="Reason")

    def __init__(self, *args: Any, category_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = f"Why is there no {category_label.lower()} option?"
        self.fields["reason"].help_text = "Leave it empty to clear a reason recorded before."
        self.helper = _helper(_ta("reason", rows=3))


class SubmissionForm(forms.Form):
    """The submission to the minister: the page checks only what a browser could get wrong;
    the service checks the rest (aia.services.options.submission_clean)."""

    issue = forms.CharField(
        required=False,
        widget=_textarea(5),
        label="The issue",
        help_text="One paragraph: what is happening, to whom, and why it needs a decision now.",
    )
    recommendation = forms.CharField(
        required=False,
        widget=_textarea(5),
        label="Recommendation",
        help_text="What you recommend the minister agrees to, in a few sentences.",
    )
    trend = forms.ChoiceField(
        required=False,
        choices=[*RiskTrend.choices, ("", "Not stated")],
        widget=forms.RadioSelect,
        label="Which way is the risk moving? (optional)",
        help_text="Since the warning that opened the case, or since the last signed report.",
    )
    handling = forms.CharField(
        required=False,
        widget=_textarea(4),
        label="Handling and communications (optional)",
        help_text="Who else needs to know, and what the UK would say in public.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _ta("issue", rows=5),
            _ta("recommendation", rows=5),
            _choose("trend"),
            _ta("handling", rows=4),
        )

    @staticmethod
    def initial_for(case: Any) -> dict[str, str]:
        return {
            "issue": case.submission_issue,
            "recommendation": case.submission_recommendation,
            "handling": case.submission_handling,
            "trend": case.submission_trend,
        }
