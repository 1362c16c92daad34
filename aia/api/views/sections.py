from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from aia import permissions, selectors
from aia.api.schema import READ_ERRORS, WRITE_ERRORS, errors
from aia.api.serializers import SECTION_CODE_CHOICES, UserRefSerializer
from aia.api.views.base import ApiView
from aia.framework import SECTION_CODES, get_framework
from aia.models import Case, Section
from aia.models.choices import Capacity, Confidence, Crime, Rating, SectionKind, SectionStatus
from aia.services.assessment import EDITABLE_FIELDS, section_is_editable, section_update

CODE_PARAMETER = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=list(SECTION_CODES),
    description="The section: `scope`, `rf1`…`rf14`, `uk_footprint` or a dimension.",
)


class SectionSummarySerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=SECTION_CODE_CHOICES)
    kind = serializers.ChoiceField(choices=SectionKind.choices)
    title = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=SectionStatus.choices)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = UserRefSerializer(allow_null=True)

    class Meta:
        ref_name = "SectionSummary"

    def get_title(self, section: Section) -> str:
        return get_framework().section(section.code).title


class SourceSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    url = serializers.URLField(required=False, allow_blank=True, allow_null=True)
    date = serializers.DateField(required=False, allow_null=True)

    class Meta:
        ref_name = "Source"


class SourceOutputSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="Empty when none.")
    date = serializers.CharField(help_text="ISO date, or empty when none.")

    class Meta:
        ref_name = "SourceOutput"


class SectionSerializer(SectionSummarySerializer):
    editable = serializers.SerializerMethodField(
        help_text="Whether you may edit the section now (your place on the team and the "
        "case's state)."
    )
    editable_fields = serializers.SerializerMethodField(
        help_text="The fields this kind of section holds."
    )
    rating = serializers.CharField(help_text="Risk factors: present, partially_present, ….")
    capacity = serializers.CharField(help_text="Dimensions: high, medium, low or none.")
    exposure = serializers.CharField(help_text="UK footprint: high, medium, low or none.")
    confidence = serializers.CharField()
    analysis = serializers.CharField()
    key_evidence = serializers.CharField()
    indicators = serializers.ListField(child=serializers.CharField())
    sources = SourceOutputSerializer(many=True)
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    groups_at_risk = serializers.CharField()
    crimes_at_risk = serializers.ListField(child=serializers.CharField())
    likely_perpetrators = serializers.CharField()

    class Meta:
        ref_name = "Section"

    def get_editable(self, section: Section) -> bool:
        case = self.context["case"]
        user = self.context["request"].user
        return section_is_editable(case, section.kind) and permissions.can_edit_content(case, user)

    def get_editable_fields(self, section: Section) -> list[str]:
        return list(EDITABLE_FIELDS[section.kind])


def _section_data(*, case: Case, section: Section, request: Request) -> dict:
    return SectionSerializer(section, context={"request": request, "case": case}).data


class SectionListApi(ApiView):
    """List the sections of a case's current version with their status."""

    @extend_schema(
        operation_id="cases_sections_list",
        tags=["sections"],
        summary="List sections",
        description="All 24 sections of the current assessment version, in framework order.",
        responses={200: SectionSummarySerializer(many=True), **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        sections = selectors.section_list(case=case)
        return Response(SectionSummarySerializer(sections, many=True).data)


class SectionDetailApi(ApiView):
    """Read or edit one section."""

    class InputSerializer(serializers.Serializer):
        """Documents the body; ``section_update`` validates it against the section's kind."""

        rating = serializers.ChoiceField(
            choices=Rating.choices, required=False, allow_blank=True, allow_null=True
        )
        capacity = serializers.ChoiceField(
            choices=Capacity.choices, required=False, allow_blank=True, allow_null=True
        )
        exposure = serializers.ChoiceField(
            choices=Capacity.choices, required=False, allow_blank=True, allow_null=True
        )
        confidence = serializers.ChoiceField(
            choices=Confidence.choices, required=False, allow_blank=True, allow_null=True
        )
        analysis = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=50_000
        )
        key_evidence = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=1000
        )
        indicators = serializers.ListField(
            child=serializers.CharField(),
            required=False,
            allow_null=True,
            help_text='Numbers of the indicators judged present, e.g. `["1.1", "1.4"]`.',
        )
        sources = SourceSerializer(many=True, required=False, allow_null=True, max_length=50)
        period_start = serializers.DateField(required=False, allow_null=True)
        period_end = serializers.DateField(required=False, allow_null=True)
        groups_at_risk = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=50_000
        )
        crimes_at_risk = serializers.ListField(
            child=serializers.ChoiceField(choices=Crime.choices), required=False, allow_null=True
        )
        likely_perpetrators = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=50_000
        )

        class Meta:
            ref_name = "SectionPatch"

    @extend_schema(
        operation_id="cases_sections_retrieve",
        tags=["sections"],
        summary="Read a section",
        parameters=[CODE_PARAMETER],
        responses={200: SectionSerializer, **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id, code: str) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        section = selectors.section_get(case=case, code=code)
        return Response(_section_data(case=case, section=section, request=request))

    @extend_schema(
        operation_id="cases_sections_partial_update",
        tags=["sections"],
        summary="Edit a section",
        description="Change some fields of the section (send only those). Only officials on "
        "the case team, only in the section's editing state (scope: `scoping` or "
        "`assessment`; the rest: `assessment`). A field the section's kind does not hold is "
        "refused with 400 (see `editable_fields`). A change voids any standing approval of "
        "the assessment, visibly in the audit trail.",
        parameters=[CODE_PARAMETER],
        request=InputSerializer,
        responses={200: SectionSerializer, **errors(403, 409, *WRITE_ERRORS)},
    )
    def patch(self, request: Request, case_id, code: str) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        selectors.section_get(case=case, code=code)
        section = section_update(case=case, actor=request.user, code=code, data=request.data)
        return Response(_section_data(case=case, section=section, request=request))
