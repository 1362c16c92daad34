from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from aia import selectors
from aia.api.fields import NOT_BLANK, StrictCharField, StrictSerializer
from aia.api.schema import READ_ERRORS, WRITE_ERRORS, errors
from aia.api.selectors import option_gap_list
from aia.api.serializers import CORE_CATEGORY_CHOICES, OptionSerializer, UserRefSerializer
from aia.api.views.base import IDEMPOTENCY_KEY, ApiView, idempotent
from aia.models.choices import (
    LeadDepartment,
    Level,
    OptionCategory,
    Recommendation,
)
from aia.services.options import option_create, option_gap_record, option_update, option_withdraw

EDITING_NOTE = (
    "Only officials on the case team, only while the case is in `options`. A change voids any "
    "standing approval of the options, visibly in the audit trail."
)


def _option_input_fields(*, partial: bool) -> dict[str, serializers.Field]:
    required = not partial

    def choice(choices, **kwargs):
        return serializers.ChoiceField(choices=choices, required=required, **kwargs)

    def text(max_length: int = 50_000, *, is_required: bool = False):
        return serializers.CharField(
            required=required and is_required,
            allow_blank=not is_required,
            allow_null=not is_required,
            max_length=max_length,
            # The service strips text before it checks that it is there.
            validators=[RegexValidator(NOT_BLANK)] if is_required else [],
        )

    return {
        "category": choice(OptionCategory.choices),
        "title": text(300, is_required=True),
        "description": text(),
        "target_actors": text(),
        "lead_department": choice(LeadDepartment.choices),
        "expected_effect": choice(Level.choices),
        "feasibility": choice(Level.choices),
        "risk_of_harm": choice(Level.choices),
        "mitigation": text(),
        "timeframe": text(200),
        "recommendation": choice(Recommendation.choices),
        "rationale": text(),
    }


def _option_input_serializer(ref_name: str, *, partial: bool) -> type[serializers.Serializer]:
    """Return the serializer documenting an option body; the option services validate it."""
    meta = type("Meta", (), {"ref_name": ref_name})
    attrs = {**_option_input_fields(partial=partial), "Meta": meta, "__module__": __name__}
    return type(f"{ref_name}Serializer", (serializers.Serializer,), attrs)


OptionInputSerializer = _option_input_serializer("OptionInput", partial=False)
OptionPatchSerializer = _option_input_serializer("OptionPatch", partial=True)


class OptionListCreateApi(ApiView):
    """List a case's options register; add an option."""

    @extend_schema(
        operation_id="cases_options_list",
        tags=["options"],
        summary="List the options register",
        description="Every option of the current version, withdrawn ones included (they stay "
        "on the record). A version holds at most 200 options, so the list is not paginated.",
        responses={200: OptionSerializer(many=True), **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        return Response(OptionSerializer(selectors.option_list(case=case), many=True).data)

    @extend_schema(
        operation_id="cases_options_create",
        tags=["options"],
        summary="Add an option",
        description=EDITING_NOTE,
        request=OptionInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: OptionSerializer, **errors(403, 409, *WRITE_ERRORS)},
    )
    @idempotent
    def post(self, request: Request, case_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        option = option_create(case=case, actor=request.user, data=request.data)
        return Response(OptionSerializer(option).data, status=status.HTTP_201_CREATED)


class OptionDetailApi(ApiView):
    """Read, change or withdraw one option."""

    class WithdrawSerializer(serializers.Serializer):
        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            help_text="Why the option is withdrawn.",
        )

        class Meta:
            ref_name = "OptionWithdrawal"

    @extend_schema(
        operation_id="cases_options_retrieve",
        tags=["options"],
        summary="Read an option",
        responses={200: OptionSerializer, **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id, option_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        option = selectors.option_get(case=case, option_id=option_id)
        return Response(OptionSerializer(option).data)

    @extend_schema(
        operation_id="cases_options_partial_update",
        tags=["options"],
        summary="Change an option",
        description=f"Change some fields (send only those). {EDITING_NOTE}",
        request=OptionPatchSerializer,
        responses={200: OptionSerializer, **errors(403, 409, *WRITE_ERRORS)},
    )
    def patch(self, request: Request, case_id, option_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        selectors.option_get(case=case, option_id=option_id)
        option = option_update(
            case=case, actor=request.user, option_id=option_id, data=request.data
        )
        return Response(OptionSerializer(option).data)

    @extend_schema(
        operation_id="cases_options_destroy",
        tags=["options"],
        summary="Withdraw an option",
        description="Take the option out of consideration. It is never deleted: it stays on "
        "the record with `withdrawn_at` and the reason, and the answer is the withdrawn "
        f"option (200). Withdrawing it again changes nothing. {EDITING_NOTE}",
        parameters=[WithdrawSerializer],
        responses={200: OptionSerializer, **errors(400, 403, 409, *READ_ERRORS)},
    )
    def delete(self, request: Request, case_id, option_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        selectors.option_get(case=case, option_id=option_id)
        query = self.WithdrawSerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        option = option_withdraw(
            case=case,
            actor=request.user,
            option_id=option_id,
            reason=query.validated_data.get("reason", ""),
        )
        return Response(OptionSerializer(option).data)


class OptionGapSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=CORE_CATEGORY_CHOICES)
    reason = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    recorded_by = UserRefSerializer()

    class Meta:
        ref_name = "OptionGap"


class OptionGapListRecordApi(ApiView):
    """List and record the reasons why a core category has no option."""

    class InputSerializer(StrictSerializer):
        category = serializers.ChoiceField(choices=CORE_CATEGORY_CHOICES)
        reason = StrictCharField(
            allow_blank=True,
            trim_whitespace=False,
            help_text="Why there is no option; empty clears the record.",
        )

        class Meta:
            ref_name = "OptionGapInput"

    @extend_schema(
        operation_id="cases_option_gaps_list",
        tags=["options"],
        summary="List reasons for missing core options",
        responses={200: OptionGapSerializer(many=True), **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        return Response(OptionGapSerializer(option_gap_list(case=case), many=True).data)

    @extend_schema(
        operation_id="cases_option_gaps_create",
        tags=["options"],
        summary="Record why a core category has no option",
        description="`submit_options` needs each core category (diplomacy, sanctions, legal, "
        "leverage) to have an option or a recorded reason why none. An empty `reason` clears "
        f"the record. Answers with all the case's recorded reasons. {EDITING_NOTE}",
        request=InputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: OptionGapSerializer(many=True), **errors(403, 409, *WRITE_ERRORS)},
    )
    @idempotent
    def post(self, request: Request, case_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        option_gap_record(case=case, actor=request.user, **serializer.validated_data)
        return Response(OptionGapSerializer(option_gap_list(case=case), many=True).data)
