"""``GET /api/v1/cases/{id}/sections/`` and ``GET``/``PATCH …/sections/{code}/``.

A section holds the fields of its kind (``EDITABLE_FIELDS``) and only those, in what it
answers and in what it takes. The code in the path says the kind, so each code is routed, and
documented, as its own pair of operations (``…/sections/rf1/`` and so on) with its kind's
answer and its own body; ``…/sections/{code}/`` is documented too, answering any kind (told
apart by ``kind``) and taking any one section's body.
"""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from aia import permissions, selectors
from aia.api.fields import NOT_BLANK
from aia.api.schema import READ_ERRORS, WRITE_ERRORS, any_of, errors
from aia.api.serializers import SECTION_CODE_CHOICES, UserRefSerializer
from aia.api.views.base import ApiView
from aia.framework import DIMENSION_CODES, FOOTPRINT, RISK_FACTOR_CODES, SCOPE, get_framework
from aia.models import Case, Section
from aia.models.choices import Capacity, Confidence, Crime, Rating, SectionKind, SectionStatus
from aia.services.assessment import EDITABLE_FIELDS, section_is_editable, section_update
from aia.validation import MAX_LONG_TEXT

# The kind of each section code (a contract, docs/architecture.md; the framework's loader
# refuses a file that disagrees).
SECTION_KINDS = {
    SCOPE: SectionKind.SCOPE,
    **dict.fromkeys(RISK_FACTOR_CODES, SectionKind.RISK_FACTOR),
    FOOTPRINT: SectionKind.FOOTPRINT,
    **dict.fromkeys(DIMENSION_CODES, SectionKind.DIMENSION),
}
KIND_NAMES = {
    SectionKind.SCOPE: "Scope",
    SectionKind.RISK_FACTOR: "RiskFactor",
    SectionKind.FOOTPRINT: "Footprint",
    SectionKind.DIMENSION: "Dimension",
}

CODE_PARAMETER = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=list(SECTION_KINDS),
    description="The section: `scope`, `rf1`…`rf14`, `uk_footprint` or a dimension. Each "
    "one is also documented as its own operations (`cases_sections_<code>_retrieve`, "
    "`…_partial_update`), with its kind's answer and its own body.",
)
EDITING = (
    "Only officials on the case team, only in the section's editing state (scope: `scoping` "
    "or `assessment`; the rest: `assessment`). A change voids any standing approval of the "
    "assessment, visibly in the audit trail."
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


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
)
class OptionalDateField(serializers.DateField):
    """A date that may be left empty (``""`` or ``null``), as ``section_update`` takes it."""


class SourceSerializer(serializers.Serializer):
    """A source: its title, and its address and date if known."""

    title = serializers.CharField(max_length=300, validators=[RegexValidator(NOT_BLANK)])
    url = serializers.URLField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=500,
        validators=[RegexValidator(r"^https?://")],
        help_text="An http or https address.",
    )
    date = OptionalDateField(required=False, allow_null=True, help_text="Not in the future.")

    class Meta:
        ref_name = "Source"


class SourceOutputSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="Empty when none.")
    date = serializers.CharField(help_text="ISO date, or empty when none.")

    class Meta:
        ref_name = "SourceOutput"


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, allow_blank=True, **kwargs)


# How a section answers each field a kind may hold: a choice not made yet is "".
OUTPUT_FIELDS = {
    "rating": lambda: _choice(Rating.choices, help_text="Empty until rated."),
    "capacity": lambda: _choice(Capacity.choices, help_text="Empty until judged."),
    "exposure": lambda: _choice(Capacity.choices, help_text="Empty until judged."),
    "confidence": lambda: _choice(Confidence.choices, help_text="Empty until judged."),
    "analysis": serializers.CharField,
    "key_evidence": serializers.CharField,
    "indicators": lambda: serializers.ListField(
        child=serializers.CharField(), help_text="Numbers of the indicators judged present."
    ),
    "sources": lambda: SourceOutputSerializer(many=True),
    "period_start": lambda: serializers.DateField(allow_null=True),
    "period_end": lambda: serializers.DateField(allow_null=True),
    "groups_at_risk": serializers.CharField,
    "crimes_at_risk": lambda: serializers.ListField(
        child=serializers.ChoiceField(choices=Crime.choices)
    ),
    "likely_perpetrators": serializers.CharField,
}


class SectionSerializer(SectionSummarySerializer):
    """A section with its content: the fields of its kind."""

    editable = serializers.SerializerMethodField(
        help_text="Whether you may edit the section now (your place on the team and the "
        "case's state)."
    )
    editable_fields = serializers.SerializerMethodField(
        help_text="The fields this kind of section holds."
    )

    def get_editable(self, section: Section) -> bool:
        case = self.context["case"]
        user = self.context["request"].user
        return section_is_editable(case, section.kind) and permissions.can_edit_content(case, user)

    def get_editable_fields(self, section: Section) -> list[str]:
        return list(EDITABLE_FIELDS[section.kind])


def _output_serializer(kind: str) -> type[SectionSerializer]:
    name = f"{KIND_NAMES[kind]}Section"
    attributes: dict[str, Any] = {field: OUTPUT_FIELDS[field]() for field in EDITABLE_FIELDS[kind]}
    attributes["Meta"] = type("Meta", (), {"ref_name": name})
    attributes["__module__"] = __name__
    attributes["__doc__"] = f"A section of kind `{kind}`."
    return type(f"{name}Serializer", (SectionSerializer,), attributes)


OUTPUTS: dict[str, type[SectionSerializer]] = {
    kind: _output_serializer(kind) for kind in KIND_NAMES
}
# What ``…/sections/{code}/`` answers: the section of any kind, which ``kind`` tells.
ANY_SECTION = PolymorphicProxySerializer(
    component_name="Section",
    serializers={str(kind): serializer for kind, serializer in OUTPUTS.items()},
    resource_type_field_name="kind",
)


def _text(max_length: int = MAX_LONG_TEXT) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=max_length
    )


def _input_choice(choices) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices, required=False, allow_blank=True, allow_null=True
    )


# How a section's body takes each field a kind may hold (empty or null clears it).
INPUT_FIELDS = {
    "rating": lambda: _input_choice(Rating.choices),
    "capacity": lambda: _input_choice(Capacity.choices),
    "exposure": lambda: _input_choice(Capacity.choices),
    "confidence": lambda: _input_choice(Confidence.choices),
    "analysis": _text,
    "key_evidence": lambda: _text(1000),
    "sources": lambda: SourceSerializer(many=True, required=False, allow_null=True, max_length=50),
    "period_start": lambda: OptionalDateField(
        required=False, allow_null=True, help_text="Not in the future."
    ),
    "period_end": lambda: OptionalDateField(
        required=False, allow_null=True, help_text="On or after the start."
    ),
    "groups_at_risk": _text,
    "crimes_at_risk": lambda: serializers.ListField(
        child=serializers.ChoiceField(choices=Crime.choices), required=False, allow_null=True
    ),
    "likely_perpetrators": _text,
}


class SectionBody(serializers.Serializer):
    """Documents the body of one section (``code``); ``section_update`` validates it."""

    code: str

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = {}
        for name in EDITABLE_FIELDS[SECTION_KINDS[self.code]]:
            if name == "indicators":
                # The numbers of this risk factor's indicators (the framework's data): none
                # for a factor whose indicators are not available.
                numbers = [i.number for i in get_framework().section(self.code).indicators]
                fields[name] = serializers.ListField(
                    child=serializers.ChoiceField(choices=[(n, n) for n in numbers])
                    if numbers
                    else serializers.CharField(),
                    required=False,
                    allow_null=True,
                    max_length=None if numbers else 0,
                    help_text="Numbers of the indicators judged present.",
                )
            else:
                fields[name] = INPUT_FIELDS[name]()
        return fields


def _body(code: str, name: str) -> type[SectionBody]:
    attributes = {
        "code": code,
        "Meta": type("Meta", (), {"ref_name": f"{name}SectionPatch"}),
        "__module__": __name__,
        "__doc__": f"What a section of kind `{SECTION_KINDS[code]}` takes; send only the "
        "fields to change.",
    }
    return type(f"{name}SectionPatchSerializer", (SectionBody,), attributes)


def _bodies() -> dict[str, type[SectionBody]]:
    # One body per kind, but one per risk factor: each has its own indicators.
    by_kind = {
        kind: _body(code, KIND_NAMES[kind])
        for code, kind in SECTION_KINDS.items()
        if kind != SectionKind.RISK_FACTOR
    }
    return {
        code: _body(code, code.title()) if kind == SectionKind.RISK_FACTOR else by_kind[kind]
        for code, kind in SECTION_KINDS.items()
    }


BODIES = _bodies()
# What ``…/sections/{code}/`` takes: any one section's body (the code says which).
ANY_BODY = any_of("AnySectionPatch", dict.fromkeys(BODIES.values()))


def _section_data(*, case: Case, section: Section, request: Request) -> dict:
    serializer = OUTPUTS[section.kind]
    return serializer(section, context={"request": request, "case": case}).data


def _read(request: Request, case_id, code: str) -> Response:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    section = selectors.section_get(case=case, code=code)
    return Response(_section_data(case=case, section=section, request=request))


def _edit(request: Request, case_id, code: str) -> Response:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    selectors.section_get(case=case, code=code)
    section = section_update(case=case, actor=request.user, code=code, data=request.data)
    return Response(_section_data(case=case, section=section, request=request))


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
    """Read or edit the section named in the path.

    Each section code also has its own route (``_section_api``), matched first, so this view
    answers only codes that are not sections (404); the schema documents it for clients that
    take the code as data.
    """

    @extend_schema(
        operation_id="cases_sections_retrieve",
        tags=["sections"],
        summary="Read a section",
        description="The section with the fields of its kind (`kind` tells which).",
        parameters=[CODE_PARAMETER],
        responses={200: ANY_SECTION, **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id, code: str) -> Response:
        return _read(request, case_id, code)

    @extend_schema(
        operation_id="cases_sections_partial_update",
        tags=["sections"],
        summary="Edit a section",
        description="Change some fields of the section (send only those): the fields of its "
        "kind (`editable_fields`), which the code says; any other field is refused with "
        f"400. {EDITING}",
        parameters=[CODE_PARAMETER],
        request=ANY_BODY,
        responses={200: ANY_SECTION, **errors(403, 409, *WRITE_ERRORS)},
    )
    def patch(self, request: Request, case_id, code: str) -> Response:
        return _edit(request, case_id, code)


def _section_api(code: str) -> type[ApiView]:
    """Return the view of one section: its own operations, with its kind's answer and its
    own body, in the schema (``…/sections/rf1/`` and so on)."""
    kind = SECTION_KINDS[code]
    fields = ", ".join(f"`{field}`" for field in EDITABLE_FIELDS[kind])

    @extend_schema(
        operation_id=f"cases_sections_{code}_retrieve",
        tags=["sections"],
        summary=f"Read section {code}",
        responses={200: OUTPUTS[kind], **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id) -> Response:
        return _read(request, case_id, code)

    @extend_schema(
        operation_id=f"cases_sections_{code}_partial_update",
        tags=["sections"],
        summary=f"Edit section {code}",
        description=f"Change some of {fields} (send only those); any other field is refused "
        f"with 400. {EDITING}",
        request=BODIES[code],
        responses={200: OUTPUTS[kind], **errors(403, 409, *WRITE_ERRORS)},
    )
    def patch(self, request: Request, case_id) -> Response:
        return _edit(request, case_id, code)

    attributes = {
        "get": get,
        "patch": patch,
        "__doc__": f"Read or edit section `{code}`.",
        "__module__": __name__,
    }
    return type(f"{code.title()}SectionApi", (ApiView,), attributes)


# One view per section code, routed before ``SectionDetailApi`` (``aia.api.urls``).
SECTION_APIS: dict[str, type[ApiView]] = {code: _section_api(code) for code in SECTION_KINDS}
