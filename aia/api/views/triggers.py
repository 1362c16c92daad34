import datetime
from collections.abc import Mapping
from typing import Any

from django.core.validators import RegexValidator, URLValidator
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.response import Response

from aia import selectors
from aia.api.exceptions import field_errors
from aia.api.fields import ChoiceListField, StrictCharField, StrictSerializer
from aia.api.pagination import paginated_response
from aia.api.schema import PAGINATION_PARAMETERS, READ_ERRORS, WRITE_ERRORS, errors, paginated
from aia.api.serializers import (
    TRIGGER_OUTCOME_CHOICES,
    CaseRefSerializer,
    SituationSerializer,
    TriggerBriefSerializer,
)
from aia.api.throttling import TriggerIngestThrottle
from aia.api.views.base import IDEMPOTENCY_KEY, ApiView, idempotent
from aia.exceptions import InvalidInput
from aia.models.choices import (
    QUALIFYING_TRIGGER_KINDS,
    Crime,
    Finding,
    Instrument,
    Marking,
    TriggerKind,
)
from aia.services.triggers import IngestResult, SituationName, trigger_ingest
from aia.validation import MAX_LONG_TEXT, MAX_SHORT_TEXT, future_date_message

HTTP_URL = URLValidator(
    schemes=["http", "https"], message="Enter a full web address starting with https://."
)


class TriggerSerializer(TriggerBriefSerializer):
    groups_at_risk = serializers.CharField()
    summary = serializers.CharField()
    situation = SituationSerializer()
    case = CaseRefSerializer()

    class Meta:
        ref_name = "Trigger"


class OptionalTextField(StrictCharField):
    """Text that may be left out, blank or null; all three are stored as ``""``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_blank=True, allow_null=True, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        return super().run_validation(data) or ""


class OptionalChoiceField(serializers.ChoiceField):
    """A choice that may be left out, blank or null: then ``default`` applies."""

    def __init__(self, *, default: str, **kwargs: Any) -> None:
        self.when_missing = default
        super().__init__(required=False, allow_blank=True, allow_null=True, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        return super().run_validation(data) or self.when_missing


class TriggerSituationInputSerializer(StrictSerializer):
    country_code = StrictCharField(
        min_length=2,
        max_length=2,
        validators=[
            RegexValidator(r"^[A-Za-z]{2}$", "Enter the ISO 3166-1 two-letter country code.")
        ],
        help_text="ISO 3166-1 alpha-2 code, e.g. `SD`.",
    )
    name = StrictCharField(
        max_length=200,
        help_text="The situation's name. Case and spacing are ignored when matching an "
        "existing situation.",
    )
    area = OptionalTextField(max_length=200)

    class Meta:
        ref_name = "TriggerSituationInput"

    def validate_country_code(self, value: str) -> str:
        return value.upper()

    def to_internal_value(self, data: Any) -> SituationName:
        if not isinstance(data, Mapping):
            # Said of the field itself, not of a field inside it.
            raise serializers.ValidationError(["Give the situation as {country_code, name}."])
        return SituationName(**super().to_internal_value(data))


class TriggerInputSerializer(StrictSerializer):
    """A trigger as the API receives it: every field checked, unknown ones refused."""

    # A discretionary assessment is not a warning a feed can post: an SRO opens it in the
    # browser, with the reason (docs/architecture.md, *Discretionary assessments*).
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in QUALIFYING_TRIGGER_KINDS])
    instrument = OptionalChoiceField(
        choices=Instrument.choices,
        default=Instrument.OTHER,
        help_text="Defaults to `other`. An ICJ `provisional_measures_order` expedites the case.",
    )
    source_body = StrictCharField(max_length=200)
    reference = StrictCharField(
        max_length=200,
        help_text="The source's own identifier. `(source_body, reference)` is unique: "
        "replaying it returns the first result.",
    )
    title = StrictCharField(max_length=MAX_SHORT_TEXT)
    finding_date = serializers.DateField(help_text="Not in the future.")
    finding = serializers.ChoiceField(
        choices=Finding.choices, help_text="`ongoing` puts the case on the expedited track."
    )
    crimes = ChoiceListField(choices=Crime.choices, min_length=1)
    groups_at_risk = OptionalTextField(max_length=2000)
    summary = OptionalTextField(max_length=MAX_LONG_TEXT)
    source_url = OptionalTextField(
        max_length=500, validators=[HTTP_URL], help_text="An http or https address."
    )
    situation = TriggerSituationInputSerializer()
    marking = OptionalChoiceField(
        choices=Marking.choices,
        default=Marking.OFFICIAL_SENSITIVE,
        help_text="Marking of a case this trigger opens. Defaults to `OFFICIAL-SENSITIVE`.",
    )

    class Meta:
        ref_name = "TriggerInput"

    def validate_finding_date(self, value: datetime.date) -> datetime.date:
        if value > timezone.localdate():
            raise serializers.ValidationError(future_date_message("finding date"))
        return value


def trigger_input(data: Any) -> dict[str, Any]:
    """Validate a trigger's body; return ``trigger_ingest``'s keyword arguments.

    Raises ``InvalidInput`` naming every field at fault (nested ones as ``situation.name``).
    """
    serializer = TriggerInputSerializer(data=data)
    if not serializer.is_valid():
        raise InvalidInput("The trigger is not valid.", field_errors(serializer.errors))
    return dict(serializer.validated_data)


class TriggerListCreateApi(ApiView):
    """List the triggers of the cases you can see; ingest a new trigger."""

    class FilterSerializer(serializers.Serializer):
        case = serializers.UUIDField(required=False, help_text="Only this case's triggers.")
        kind = serializers.ChoiceField(choices=TriggerKind.choices, required=False)

        class Meta:
            ref_name = "TriggerFilter"

    class IngestOutputSerializer(serializers.Serializer):
        """A receipt: the case is named only to a poster who may see it."""

        id = serializers.UUIDField(help_text="The trigger.")
        created = serializers.BooleanField(help_text="False when this replayed a known trigger.")
        routed = serializers.BooleanField(
            help_text="True: the trigger was routed to a case (every trigger is)."
        )
        outcome = serializers.ChoiceField(
            choices=TRIGGER_OUTCOME_CHOICES,
            allow_null=True,
            help_text="Whether the trigger opened a case, joined an open one or reopened one; "
            "null when you may not see the case.",
        )
        case = CaseRefSerializer(
            allow_null=True, help_text="The case, or null when you may not see it."
        )

        class Meta:
            ref_name = "TriggerIngestResult"

    def get_throttles(self):
        # Only ingestion is throttled; reading the list is not.
        return [TriggerIngestThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="triggers_list",
        tags=["triggers"],
        summary="List triggers",
        description="Triggers of the cases you can see, newest first.",
        parameters=[FilterSerializer, *PAGINATION_PARAMETERS],
        responses={200: paginated(TriggerSerializer), **errors(400, *READ_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        triggers = selectors.trigger_list_for_user(
            user=request.user,
            case_id=filters.validated_data.get("case"),
            kind=filters.validated_data.get("kind"),
        )
        return paginated_response(
            request=request, view=self, queryset=triggers, serializer_class=TriggerSerializer
        )

    @extend_schema(
        operation_id="triggers_create",
        tags=["triggers"],
        summary="Ingest a trigger",
        description="Record a finding and open, join or reopen its situation's case. "
        "Idempotent on `(source_body, reference)`: the first call answers 201 with "
        "`created: true`; a replay answers 200 with `created: false` and the same case. "
        "The answer names the case (`case`, `outcome`) only if you may see it; otherwise it "
        "is a receipt (`case` and `outcome` null), and the case's team is told who posted it. "
        "Officials, SROs and integration accounts may post triggers. Throttled per account.",
        request=TriggerInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(IngestOutputSerializer, description="A new trigger."),
            200: OpenApiResponse(IngestOutputSerializer, description="A replayed trigger."),
            **errors(403, 409, 429, *WRITE_ERRORS),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        result = trigger_ingest(actor=request.user, **trigger_input(request.data))
        return Response(
            self.IngestOutputSerializer(receipt(result)).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


def receipt(result: IngestResult) -> dict[str, Any]:
    """What the poster is told of a trigger: the case only if they may see it."""
    return {
        "id": result.trigger.id,
        "created": result.created,
        "routed": True,
        "outcome": result.outcome if result.visible else None,
        "case": result.case if result.visible else None,
    }
