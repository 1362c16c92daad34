from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from aia import selectors
from aia.api.pagination import paginated_response
from aia.api.schema import PAGINATION_PARAMETERS, READ_ERRORS, WRITE_ERRORS, errors, paginated
from aia.api.serializers import (
    TRIGGER_OUTCOME_CHOICES,
    CaseRefSerializer,
    SituationSerializer,
    TriggerBriefSerializer,
)
from aia.api.throttling import TriggerIngestThrottle
from aia.api.views.base import ApiView
from aia.models.choices import Crime, Finding, Instrument, Marking, TriggerKind
from aia.services.triggers import IngestResult, trigger_ingest


class TriggerSerializer(TriggerBriefSerializer):
    groups_at_risk = serializers.CharField()
    summary = serializers.CharField()
    situation = SituationSerializer()
    case = CaseRefSerializer()

    class Meta:
        ref_name = "Trigger"


class TriggerSituationInputSerializer(serializers.Serializer):
    country_code = serializers.CharField(
        min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. `SD`."
    )
    name = serializers.CharField(
        max_length=200,
        help_text="The situation's name. Case and spacing are ignored when matching an "
        "existing situation.",
    )
    area = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)

    class Meta:
        ref_name = "TriggerSituationInput"


class TriggerListCreateApi(ApiView):
    """List the triggers of the cases you can see; ingest a new trigger."""

    class FilterSerializer(serializers.Serializer):
        case = serializers.UUIDField(required=False, help_text="Only this case's triggers.")
        kind = serializers.ChoiceField(choices=TriggerKind.choices, required=False)

        class Meta:
            ref_name = "TriggerFilter"

    class InputSerializer(serializers.Serializer):
        """Documents the body; ``trigger_ingest`` validates it (every field, unknown ones too)."""

        kind = serializers.ChoiceField(choices=TriggerKind.choices)
        instrument = serializers.ChoiceField(
            choices=Instrument.choices,
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="Defaults to `other`. An ICJ `provisional_measures_order` expedites the "
            "case.",
        )
        source_body = serializers.CharField(max_length=200)
        reference = serializers.CharField(
            max_length=200,
            help_text="The source's own identifier. `(source_body, reference)` is unique: "
            "replaying it returns the first result.",
        )
        title = serializers.CharField(max_length=300)
        finding_date = serializers.DateField(help_text="Not in the future.")
        finding = serializers.ChoiceField(
            choices=Finding.choices, help_text="`ongoing` puts the case on the expedited track."
        )
        crimes = serializers.ListField(
            child=serializers.ChoiceField(choices=Crime.choices), min_length=1
        )
        groups_at_risk = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, allow_null=True
        )
        summary = serializers.CharField(
            max_length=50_000, required=False, allow_blank=True, allow_null=True
        )
        source_url = serializers.URLField(
            max_length=500,
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="http or https.",
        )
        situation = TriggerSituationInputSerializer()
        marking = serializers.ChoiceField(
            choices=Marking.choices,
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="Marking of a case this trigger opens. Defaults to `OFFICIAL-SENSITIVE`.",
        )

        class Meta:
            ref_name = "TriggerInput"

    class IngestOutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(help_text="The trigger.")
        created = serializers.BooleanField(help_text="False when this replayed a known trigger.")
        outcome = serializers.ChoiceField(
            choices=TRIGGER_OUTCOME_CHOICES,
            help_text="Whether the trigger opened a case, joined an open one or reopened one.",
        )
        case = CaseRefSerializer()

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
        "Officials, SROs and integration accounts may post triggers. Throttled per account.",
        request=InputSerializer,
        responses={
            201: OpenApiResponse(IngestOutputSerializer, description="A new trigger."),
            200: OpenApiResponse(IngestOutputSerializer, description="A replayed trigger."),
            **errors(403, 429, *WRITE_ERRORS),
        },
    )
    def post(self, request: Request) -> Response:
        result = trigger_ingest(actor=request.user, data=request.data)
        return Response(
            ingest_answer(result),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


def ingest_answer(result: IngestResult) -> dict[str, Any]:
    """The body of ``POST /api/v1/triggers/``: what ``IngestOutputSerializer`` (which the
    schema documents) gives, written out, because every feed's every post answers with it
    and building the two serializers cost a tenth of a new trigger's time.
    ``tests/api/test_triggers.py`` checks the two agree for every outcome."""
    case = result.case
    return {
        "id": str(result.trigger.id),
        "created": result.created,
        "outcome": result.outcome,
        "case": {"id": str(case.id), "reference": case.reference, "state": case.state},
    }
