"""The forms that record a warning, and an SRO's discretionary assessment, in the browser.

They parse what the browser sends and say what is missing, in GOV.UK words; every other rule
is the API's (``TriggerInputSerializer``), so that a warning typed in a page is checked exactly
as one posted by a feed. ``checked`` runs both and puts every message on its field at once.
"""

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils import timezone
from rest_framework import serializers

from aia.api.exceptions import field_errors
from aia.api.views.triggers import OptionalTextField, TriggerInputSerializer, trigger_input
from aia.exceptions import InvalidInput
from aia.models import Situation
from aia.models.choices import (
    QUALIFYING_TRIGGER_KINDS,
    Crime,
    Finding,
    Instrument,
    Marking,
)
from aia.validation import future_date_message
from aia.web.errors import add_field_errors
from aia.web.forms import _choose, _date, _helper, _radios, _ta, _textarea, _tick

NEW_SITUATION = "new"
SITUATION_ORDER = ["situation", "country_code", "situation_name", "area", "marking"]
DATE_LEGEND = {"legend_size": "govuk-fieldset__legend--s"}

# The API's names for the situation's fields, and the form's.
SITUATION_FIELDS = {
    "situation.country_code": "country_code",
    "situation.name": "situation_name",
    "situation.area": "area",
}


class _SituationFields(forms.Form):
    """Pick a situation the user can see, or name a new one (a name that matches an existing
    situation, ignoring case and spacing, is that situation)."""

    situation = forms.ChoiceField(
        required=False,
        label="Situation",
        help_text="Choose a situation already assessed, or choose 'A new situation' and name it.",
    )
    country_code = forms.CharField(
        required=False,
        max_length=2,
        label="Country code (new situation only)",
        help_text="The two-letter ISO code, for example SD for Sudan.",
    )
    situation_name = forms.CharField(
        required=False,
        max_length=200,
        label="Name of the situation (new situation only)",
        help_text="For example, Sudan — Darfur.",
    )
    area = forms.CharField(
        required=False,
        max_length=200,
        label="Area within the country (optional)",
    )
    marking = _radios(
        Marking.choices,
        "Protective marking of a new case",
        "If saving opens a case, it is marked so. The SRO can change it when naming the team.",
    )

    def __init__(self, *args: Any, situations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.situations = {str(s.pk): s for s in situations}
        self.fields["situation"].choices = [
            ("", "Choose a situation"),
            *[(pk, str(s)) for pk, s in self.situations.items()],
            (NEW_SITUATION, "A new situation (name it below)"),
        ]
        self.fields["marking"].initial = Marking.OFFICIAL_SENSITIVE

    def situation_layout(self) -> list[Any]:
        return [
            Field.select("situation", label_size=Size.SMALL),
            Field.text("country_code", field_width=2, label_size=Size.SMALL),
            Field.text("situation_name", label_size=Size.SMALL),
            Field.text("area", label_size=Size.SMALL),
            _choose("marking"),
        ]

    def _situation_body(self) -> dict[str, str] | None:
        """The situation as the API takes it, or ``None`` (with an error) when it is unclear."""
        data = self.cleaned_data
        chosen = data.get("situation", "")
        if chosen in self.situations:
            situation: Situation = self.situations[chosen]
            return {
                "country_code": situation.country_code,
                "name": situation.name,
                "area": situation.area,
            }
        if chosen == NEW_SITUATION or data.get("situation_name") or data.get("country_code"):
            if not data.get("country_code"):
                self.add_error("country_code", "Enter the two-letter country code")
            if not data.get("situation_name"):
                self.add_error("situation_name", "Enter the name of the situation")
            return {
                "country_code": data.get("country_code", ""),
                "name": data.get("situation_name", ""),
                "area": data.get("area", ""),
            }
        self.add_error("situation", "Choose the situation, or name a new one")
        return None

    # Each form's messages for what it needs, in page order.
    REQUIRED: dict[str, str] = {}

    def _require(self) -> None:
        for name, message in self.REQUIRED.items():
            if name not in self.errors and not self.cleaned_data.get(name):
                self.add_error(name, message)

    def body(self) -> dict[str, Any]:
        """The API's body for what was typed: the parts that parsed (the rest is in errors)."""
        data = self.cleaned_data
        body = {name: data[name] for name in self.BODY_FIELDS if data.get(name)}
        situation = self._situation_body()
        if situation is not None:
            body["situation"] = situation
        return body

    BODY_FIELDS: tuple[str, ...] = ()


class WarningForm(_SituationFields):
    """A qualifying warning: a court's or an inquiry's finding, or the Special Advisers'."""

    kind = _radios(
        [(k.value, k.label) for k in QUALIFYING_TRIGGER_KINDS], "What kind of warning is it?"
    )
    instrument = _radios(Instrument.choices, "What document carries it?")
    source_body = forms.CharField(
        required=False,
        max_length=200,
        label="Who made the finding",
        help_text="For example, International Court of Justice.",
    )
    reference = forms.CharField(
        required=False,
        max_length=200,
        label="Their reference",
        help_text="The source's own identifier, for example A/HRC/57/CRP.6.",
    )
    title = forms.CharField(required=False, max_length=300, label="Title")
    finding_date = _date("Date of the finding")
    finding = _radios(Finding.choices, "What does it find?")
    crimes = forms.MultipleChoiceField(
        choices=Crime.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Which crimes?",
        help_text="Select all that apply.",
    )
    groups_at_risk = forms.CharField(
        required=False, widget=_textarea(3), label="Groups at risk (optional)"
    )
    summary = forms.CharField(
        required=False, widget=_textarea(5), label="Summary of the finding (optional)"
    )
    source_url = forms.CharField(
        required=False,
        max_length=500,
        label="Web address of the source (optional)",
        help_text="Starting with https://",
    )

    REQUIRED = {
        "kind": "Select the kind of warning",
        "source_body": "Enter who made the finding",
        "reference": "Enter their reference",
        "title": "Enter the title",
        "finding_date": "Enter the date of the finding",
        "finding": "Select what it finds",
        "crimes": "Select at least one crime",
    }
    BODY_FIELDS = (
        "kind",
        "instrument",
        "source_body",
        "reference",
        "title",
        "finding_date",
        "finding",
        "crimes",
        "groups_at_risk",
        "summary",
        "source_url",
        "marking",
    )
    # The service's field names that the form calls otherwise.
    RENAME = SITUATION_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _choose("kind"),
            Field.text("source_body", label_size=Size.SMALL),
            Field.text("reference", field_width=20, label_size=Size.SMALL),
            Field.text("title", label_size=Size.SMALL),
            _choose("instrument"),
            Field("finding_date", context=DATE_LEGEND),
            _choose("finding"),
            _tick("crimes"),
            _ta("groups_at_risk", rows=3),
            _ta("summary", rows=5),
            Field.text("source_url", label_size=Size.SMALL),
            *self.situation_layout(),
        )
        # The error summary lists the fields' messages in this order: the page's.
        self.order_fields(
            [
                *("kind", "source_body", "reference", "title", "instrument", "finding_date"),
                *self.BODY_FIELDS[6:-1],
                *SITUATION_ORDER,
            ]
        )

    def validate(self) -> dict[str, Any]:
        """Return ``trigger_ingest``'s keyword arguments; raise ``InvalidInput`` after putting
        every message on its field."""
        self.is_valid()
        self._require()
        body = self.body()
        try:
            kwargs = trigger_input(body)
        except InvalidInput as error:
            kwargs = None
            self._add_service_errors(error.fields)
        if self.errors or kwargs is None:
            raise InvalidInput("The warning is not valid.", self.errors)
        return kwargs

    def _add_service_errors(self, fields: dict[str, list[str]]) -> None:
        """Add the rules' messages to fields the form has not already said something about."""
        fresh = {
            name: messages
            for name, messages in fields.items()
            if self.RENAME.get(name, name) not in self.errors
        }
        unplaced = add_field_errors(self, fresh, rename=self.RENAME)
        for messages in unplaced.values():
            for message in messages:
                self.add_error(None, message)


class DiscretionaryInputSerializer(TriggerInputSerializer):
    """A discretionary assessment's fields, checked by the trigger's own rules: no kind or
    document, an optional reference, and the knowledge date in place of a finding date."""

    kind = None
    instrument = None
    reference = OptionalTextField(max_length=200)

    class Meta:
        ref_name = None

    def validate_finding_date(self, value: datetime.date) -> datetime.date:
        if value > timezone.localdate():
            raise serializers.ValidationError(future_date_message("date the UK knew of the risk"))
        return value


class DiscretionaryForm(WarningForm):
    """An SRO's assessment without a qualifying trigger, and why."""

    reason = forms.CharField(
        required=False,
        widget=_textarea(5),
        label="Why are you opening this assessment?",
        help_text="For example, a report from a post, or an alert from a non-governmental "
        "organisation. It is printed in the signed report.",
    )
    knowledge_date = _date("Date the UK knew of the risk")

    REQUIRED = {
        "reason": "Enter why you are opening this assessment",
        "source_body": "Enter where the concern came from",
        "title": "Enter a title",
        "knowledge_date": "Enter the date the UK knew of the risk",
        "finding": "Select what the concern is",
        "crimes": "Select at least one crime",
    }
    BODY_FIELDS = (
        "source_body",
        "reference",
        "title",
        "finding",
        "crimes",
        "groups_at_risk",
        "summary",
        "source_url",
        "marking",
    )
    RENAME = {**SITUATION_FIELDS, "finding_date": "knowledge_date"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "instrument", "finding_date"):
            del self.fields[name]
        self.fields["source_body"].label = "Where the concern came from"
        self.fields["source_body"].help_text = "For example, British Embassy Khartoum."
        self.fields["reference"].label = "Its reference (optional)"
        self.fields["reference"].help_text = "For example, the number of the post's report."
        self.fields["title"].help_text = "For example, Embassy report on attacks in El Fasher."
        self.fields["finding"].label = "What is the concern?"
        self.fields[
            "knowledge_date"
        ].help_text = (
            "The knowledge date of the case: it may not be in the future. For example, 27 3 2024"
        )
        self.helper = _helper(
            _ta("reason", rows=5),
            Field("knowledge_date", context=DATE_LEGEND),
            Field.text("source_body", label_size=Size.SMALL),
            Field.text("reference", field_width=20, label_size=Size.SMALL),
            Field.text("title", label_size=Size.SMALL),
            _choose("finding"),
            _tick("crimes"),
            _ta("groups_at_risk", rows=3),
            _ta("summary", rows=5),
            Field.text("source_url", label_size=Size.SMALL),
            *self.situation_layout(),
        )
        self.order_fields(["reason", "knowledge_date", *self.BODY_FIELDS[:-1], *SITUATION_ORDER])

    def validate(self) -> dict[str, Any]:
        """Return ``discretionary_assessment_open``'s keyword arguments (but the actor)."""
        self.is_valid()
        self._require()
        body = self.body()
        if self.cleaned_data.get("knowledge_date"):
            body["finding_date"] = self.cleaned_data["knowledge_date"]
        serializer = DiscretionaryInputSerializer(data=body)
        if not serializer.is_valid():
            self._add_service_errors(field_errors(serializer.errors))
        if self.errors:
            raise InvalidInput("The discretionary assessment is not valid.", self.errors)
        kwargs = dict(serializer.validated_data)
        kwargs["knowledge_date"] = kwargs.pop("finding_date")
        kwargs["reason"] = self.cleaned_data["reason"]
        return kwargs
