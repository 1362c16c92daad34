"""``POST /api/v1/cases/{id}/transitions/{name}/``: take one transition of the case.

Which transitions there are, what each one's body may carry and which service takes it come
from the transitions' table (``aia.services.transitions``).
"""

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
from aia.api.serializers import CaseDetailSerializer
from aia.api.views.base import IDEMPOTENCY_KEY, ApiView, idempotent
from aia.api.views.cases import case_detail_data
from aia.exceptions import InvalidInput, NotFound
from aia.services.transitions import TRANSITIONS, Input, Transition

_INPUTS_TABLE = "\n".join(
    f"| `{name}` | {', '.join(f'`{field}`' for field in spec.input_names()) or '(none)'} |"
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


def _field(spec: Input) -> serializers.Field:
    """The API's field for one input of a transition. Required inputs are checked by the
    service, after the user's permission, so that someone who may not act hears that."""
    help_text = spec.help or None
    if spec.kind == "text":
        return StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    if spec.kind == "password":
        return StrictCharField(
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            max_length=4096,
            write_only=True,
            style={"input_type": "password"},
            help_text="Your own password.",
        )
    if spec.kind == "choice":
        return serializers.ChoiceField(choices=spec.choices, required=False, help_text=help_text)
    if spec.kind == "decisions":
        return serializers.DictField(
            child=serializers.ChoiceField(choices=spec.choices),
            required=False,
            help_text=help_text,
        )
    if spec.kind == "user":
        return StrictCharField(
            required=False, allow_null=True, max_length=150, help_text="A username."
        )
    if spec.kind == "users":
        return serializers.ListField(
            child=StrictCharField(max_length=150),
            required=False,
            max_length=100,
            help_text="Usernames.",
        )
    raise ValueError(f"No API field for inputs of kind {spec.kind!r}.")


def _input_serializer(name: str, fields: dict[str, Input]) -> type[StrictSerializer]:
    """A serializer for the given inputs, refusing any other field."""
    attributes: dict[str, Any] = {field: _field(spec) for field, spec in fields.items()}
    attributes["Meta"] = type("Meta", (), {"ref_name": name})
    return type(f"{name}Serializer", (StrictSerializer,), attributes)


# What the schema documents: every input any transition reads (each transition's own are in
# the table above).
TransitionInputSerializer = _input_serializer(
    "TransitionInput",
    {field.name: field for spec in TRANSITIONS.values() for field in spec.inputs},
)


def _inputs(spec: Transition, data: Any) -> dict[str, Any]:
    """Check a transition's body; return its service's keyword arguments (people resolved
    from their usernames). Fields the transition does not read are refused with 400."""
    serializer = TransitionInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    body = serializer.validated_data
    unused = sorted(set(body) - set(spec.input_names()))
    if unused:
        raise InvalidInput(
            f"The '{spec.name}' transition does not take {', '.join(unused)}.",
            {field: [f"'{spec.name}' does not take this field."] for field in unused},
        )
    people = _people(spec, body)
    kwargs = {}
    for field in spec.inputs:
        if field.kind in ("user", "users"):
            kwargs[field.name] = people[field.name]
        elif field.kind == "decisions":
            kwargs[field.name] = body.get(field.name)
        else:
            kwargs[field.name] = body.get(field.name, "")
    return kwargs


def _people(spec: Transition, body: dict[str, Any]) -> dict[str, Any]:
    """The users a body names by username (``user`` and ``users`` inputs); an unknown or
    inactive username is a field error."""
    named = {
        field.name: (body.get(field.name) or [])
        if field.kind == "users"
        else ([body[field.name]] if body.get(field.name) else [])
        for field in spec.inputs
        if field.kind in ("user", "users")
    }
    users = user_map_by_username(usernames=[name for names in named.values() for name in names])
    errors = {
        field: [f"There is no active user '{name}'." for name in names if name not in users]
        for field, names in named.items()
    }
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise InvalidInput("Check the team.", errors)
    return {
        field.name: [users[name] for name in named[field.name]]
        if field.kind == "users"
        else next((users[name] for name in named[field.name]), None)
        for field in spec.inputs
        if field.name in named
    }


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
                description="The transition's name.",
            ),
            IDEMPOTENCY_KEY,
        ],
        request=TransitionInputSerializer,
        responses={200: CaseDetailSerializer, **errors(403, 409, *WRITE_ERRORS)},
    )
    @idempotent
    def post(self, request: Request, case_id, name: str) -> Response:
        spec = TRANSITIONS.get(name)
        if spec is None:
            raise NotFound(
                f"There is no transition named '{name}'.", {"transitions": list(TRANSITIONS)}
            )
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        case = spec.service(case=case, actor=request.user, **_inputs(spec, request.data))
        # Read the case back with its team, whether or not the user can still see it (an
        # unassigned case withdrawn by an SRO leaves their view, but they just acted on it).
        case = selectors.case_queryset().get(pk=case.pk)
        return Response(case_detail_data(case=case, user=request.user, request=request))
