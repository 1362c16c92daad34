from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from aia import selectors
from aia.api.fields import StrictCharField
from aia.api.pagination import paginated_response
from aia.api.schema import PAGINATION_PARAMETERS, READ_ERRORS, errors, paginated
from aia.api.selectors import case_filter_overdue, case_list_page
from aia.api.serializers import CaseDetailSerializer, CaseListItemSerializer
from aia.api.views.base import ApiView
from aia.models import AccessRecord, Case, User
from aia.models.choices import CaseState, EventType, Stage
from aia.services.security import access_record


def case_detail_data(*, case: Case, user: User, request: Request) -> dict:
    """Render a case with the transitions ``user`` may take on it now."""
    available = selectors.case_available_transitions(case=case, user=user)
    context = {"request": request, "available_transitions": available}
    return CaseDetailSerializer(case, context=context).data


class CaseListApi(ApiView):
    """List the cases you can see."""

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=CaseState.choices, required=False)
        situation = StrictCharField(
            required=False,
            max_length=200,
            help_text="A situation's numeric id, or part of its name (case-insensitive).",
        )
        overdue = serializers.BooleanField(
            required=False,
            allow_null=True,
            default=None,
            help_text="`true`: only cases whose current stage is past its deadline; `false`: "
            "only the others.",
        )

        class Meta:
            ref_name = "CaseFilter"

    @extend_schema(
        operation_id="cases_list",
        tags=["cases"],
        summary="List cases",
        description="The cases you may see (need-to-know and clearance), newest first.",
        parameters=[FilterSerializer, *PAGINATION_PARAMETERS],
        responses={200: paginated(CaseListItemSerializer), **errors(400, *READ_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        filters: dict = {}
        if any(name in request.query_params for name in self.FilterSerializer._declared_fields):
            # Only when there is a filter to check: most requests have none, and building the
            # serializer (DRF copies its fields) is about 3 % of an unfiltered page's work.
            serializer = self.FilterSerializer(data=request.query_params.dict())
            serializer.is_valid(raise_exception=True)
            filters = serializer.validated_data
        cases = selectors.case_list_for_user(
            user=request.user, state=filters.get("state"), situation=filters.get("situation")
        )
        if filters.get("overdue") is not None:
            cases = case_filter_overdue(cases=cases, overdue=filters["overdue"])
        return paginated_response(
            request=request,
            view=self,
            queryset=cases,
            serializer_class=CaseListItemSerializer,
            load=lambda keys, total: case_list_page(keys=keys, total=total),
        )


class CaseDetailApi(ApiView):
    """Show one case."""

    @extend_schema(
        operation_id="cases_retrieve",
        tags=["cases"],
        summary="Show a case",
        description="The case, its team, triggers, deadlines and the transitions you may take "
        "now (`available_transitions`).",
        responses={200: CaseDetailSerializer, **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        access_record(
            user=request.user, case=case, what=AccessRecord.What.CASE_API, request=request
        )
        return Response(case_detail_data(case=case, user=request.user, request=request))


class CaseEventSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="1 for the case's first event, and so on.")
    type = serializers.ChoiceField(choices=EventType.choices)
    actor = serializers.CharField(
        source="actor.username", allow_null=True, help_text="Username; null for the system."
    )
    transition = serializers.CharField(help_text="The transition taken, if any.")
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    version = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=[("", ""), *Stage.choices])
    occurred_at = serializers.DateTimeField()
    details = serializers.DictField()
    hash = serializers.CharField(help_text="SHA-256 of the event's canonical content.")
    previous_hash = serializers.CharField(help_text="The previous event's hash (zeros first).")

    class Meta:
        ref_name = "CaseEvent"


class CaseEventListApi(ApiView):
    """Read a case's audit trail, oldest first."""

    @extend_schema(
        operation_id="cases_events_list",
        tags=["events"],
        summary="Read the audit trail",
        description="Every event of the case, oldest first. Events are append-only and "
        "hash-chained: each `previous_hash` is the hash of the event before it.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(CaseEventSerializer), **errors(400, *READ_ERRORS)},
    )
    def get(self, request: Request, case_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.case_event_list(case=case),
            serializer_class=CaseEventSerializer,
        )
