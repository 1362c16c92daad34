"""``POST /api/v1/cases/{id}/transitions/{name}/``: take one transition of DESIGN §3."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from aia import selectors
from aia.api.fields import StrictCharField, StrictSerializer
from aia.api.schema import WRITE_ERRORS, errors
from aia.api.selectors import user_map_by_username
from aia.api.serializers import OPTION_DECISION_CHOICES, CaseDetailSerializer
from aia.api.views.base import ApiView
from aia.api.views.cases import case_detail_data
from aia.exceptions import InvalidInput, NotFound
from aia.models.choices import Decision, Marking
from aia.services import cases as case_services

TEAM_FIELDS = ("lead_official", "legal_adviser", "officials", "minister")


@dataclass(frozen=True)
class TransitionSpec:
    """The service that takes a transition and the body fields it reads."""

    service: Callable[..., Any]
    inputs: tuple[str, ...] = ()


TRANSITIONS: dict[str, TransitionSpec] = {
    "assign": TransitionSpec(case_services.case_assign, (*TEAM_FIELDS, "marking")),
    "start_assessment": TransitionSpec(case_services.case_start_assessment),
    "submit_assessment": TransitionSpec(case_services.case_submit_assessment),
    "return_assessment": TransitionSpec(case_services.case_return_assessment, ("comment",)),
    "approve_assessment": TransitionSpec(case_services.case_approve_assessment, ("comment",)),
    "submit_options": TransitionSpec(case_services.case_submit_options),
    "return_options": TransitionSpec(case_services.case_return_options, ("comment",)),
    "approve_options": TransitionSpec(case_services.case_approve_options, ("comment",)),
    "return_for_revision": TransitionSpec(case_services.case_return_for_revision, ("comment",)),
    "sign_off": TransitionSpec(case_services.case_sign_off, ("password", "comment")),
    "submit_to_minister": TransitionSpec(case_services.case_submit_to_minister),
    "record_decision": TransitionSpec(
        case_services.case_record_decision, ("decision", "note", "option_decisions")
    ),
    "request_revision": TransitionSpec(case_services.case_request_revision, ("comment",)),
    "close": TransitionSpec(case_services.case_close, ("note",)),
    "reopen": TransitionSpec(case_services.case_reopen, ("reason",)),
    "withdraw": TransitionSpec(case_services.case_withdraw, ("reason",)),
}

_INPUTS_TABLE = "\n".join(
    f"| `{name}` | {', '.join(f'`{field}`' for field in spec.inputs) or '(none)'} |"
    for name, spec in TRANSITIONS.items()
)

DESCRIPTION = f"""Take a transition of the case's state machine, as yourself. The body carries
the transition's inputs and nothing else: a field the transition does not read is refused with
400, as is an unknown field. Users are named by **username**.

| transition | body fields |
| --- | --- |
{_INPUTS_TABLE}

- `comment` is required by the `return_*`, `return_for_revision` and `request_revision`
  transitions, `note` by `close` and `record_decision`, `reason` by `reopen` and `withdraw`.
- `assign` needs `lead_official` and `legal_adviser`; `officials` is a list of usernames.
- `sign_off` needs your own `password` again (re-authentication); a wrong password is 403.
- `record_decision`: `option_decisions` maps recommended option ids to `agreed` or
  `not_agreed`; required for each recommended option when the decision is `agreed_in_part`.

Answers 200 with the case, 403 when your role, place on the case or the four-eyes rule forbids
the transition, 409 when the case's state or a guard forbids it (`extra.guard` names it and
says what is missing), 404 for a case you cannot see or a transition name that does not exist.
"""


class TransitionInputSerializer(StrictSerializer):
    comment = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    reason = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    note = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    password = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=4096,
        write_only=True,
        style={"input_type": "password"},
        help_text="`sign_off` only: your own password.",
    )
    decision = serializers.ChoiceField(choices=Decision.choices, required=False)
    option_decisions = serializers.DictField(
        child=serializers.ChoiceField(choices=OPTION_DECISION_CHOICES),
        required=False,
        help_text="`record_decision` only: {option id: decision}.",
    )
    lead_official = StrictCharField(required=False, max_length=150, help_text="A username.")
    legal_adviser = StrictCharField(required=False, max_length=150, help_text="A username.")
    officials = serializers.ListField(
        child=StrictCharField(max_length=150),
        required=False,
        max_length=100,
        help_text="Usernames of the other officials.",
    )
    minister = StrictCharField(
        required=False, allow_null=True, max_length=150, help_text="A username, or null."
    )
    marking = serializers.ChoiceField(
        choices=Marking.choices, required=False, help_text="`assign` only: change the marking."
    )

    class Meta:
        ref_name = "TransitionInput"


def _resolve_team(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the usernames of an ``assign`` body into users; unknown ones are field errors."""
    names = [data[f] for f in ("lead_official", "legal_adviser", "minister") if data.get(f)]
    names += data.get("officials", [])
    users = user_map_by_username(usernames=names)
    fields: dict[str, list[str]] = {}
    resolved: dict[str, Any] = {}
    for field in ("lead_official", "legal_adviser", "minister"):
        name = data.get(field)
        resolved[field] = users.get(name) if name else None
        if name and field not in fields and resolved[field] is None:
            fields[field] = [f"There is no active user '{name}'."]
    resolved["officials"] = []
    for name in data.get("officials", []):
        if name in users:
            resolved["officials"].append(users[name])
        else:
            fields.setdefault("officials", []).append(f"There is no active user '{name}'.")
    if fields:
        raise InvalidInput("Check the team.", fields)
    if "marking" in data:
        resolved["marking"] = data["marking"]
    return resolved


class CaseTransitionApi(ApiView):
    """Take a transition on a case."""

    @extend_schema(
        operation_id="cases_transitions_create",
        tags=["transitions"],
        summary="Take a transition",
        description=DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(TRANSITIONS),
                description="The transition (DESIGN §3).",
            )
        ],
        request=TransitionInputSerializer,
        responses={200: CaseDetailSerializer, **errors(403, 409, *WRITE_ERRORS)},
    )
    def post(self, request: Request, case_id, name: str) -> Response:
        spec = TRANSITIONS.get(name)
        if spec is None:
            raise NotFound(
                f"There is no transition named '{name}'.", {"transitions": list(TRANSITIONS)}
            )
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unused = sorted(set(data) - set(spec.inputs))
        if unused:
            raise InvalidInput(
                f"The '{name}' transition does not take {', '.join(unused)}.",
                {field: [f"'{name}' does not take this field."] for field in unused},
            )
        if name == "assign":
            kwargs = _resolve_team(data)
        else:
            kwargs = {field: data.get(field, "") for field in spec.inputs}
            if "option_decisions" in kwargs:
                kwargs["option_decisions"] = data.get("option_decisions")
        case = spec.service(case=case, actor=request.user, **kwargs)
        # Read the case back with its team, whether or not the user can still see it (an
        # unassigned case withdrawn by an SRO leaves their view, but they just acted on it).
        case = selectors.case_queryset().get(pk=case.pk)
        return Response(case_detail_data(case=case, user=request.user, request=request))
