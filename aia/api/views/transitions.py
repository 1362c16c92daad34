"""``POST /api/v1/cases/{id}/transitions/{name}/``: take one transition of the case.

Which transitions there are, what each one's body may carry and which service takes it come
from the transitions' table (``aia.services.transitions``). Each transition is routed, and
documented, as its own operation with its own body (``/transitions/assign/`` and so on), so
that a client generated from the schema knows what to send; ``/transitions/{name}/`` is
documented too, with any one transition's body.
"""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from aia import selectors
from aia.api.fields import NOT_BLANK, StrictCharField, StrictSerializer
from aia.api.schema import WRITE_ERRORS, any_of, errors
from aia.api.selectors import user_map_by_username
from aia.api.serializers import CaseDetailSerializer
from aia.api.views.base import IDEMPOTENCY_KEY, ApiView, idempotent
from aia.api.views.cases import case_detail_data
from aia.exceptions import InvalidInput, NotFound
from aia.services.transitions import TRANSITIONS, Input, Transition
from aia.validation import MAX_LONG_TEXT

_INPUTS_TABLE = "\n".join(
    f"| `{name}` | {', '.join(f'`{field}`' for field in spec.input_names()) or '(none)'} |"
    for name, spec in TRANSITIONS.items()
)

ANSWERS = """Answers 200 with the case, 403 when your role, place on the case or the four-eyes
rule forbids the transition, 409 when the case's state or a guard forbids it (`extra.guard`
names it and says what is missing), 404 for a case you cannot see. A required input missing
or blank is a 400 only once you may take the transition now (403 or 409 before that)."""

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

{ANSWERS} 404 also for a transition name that does not exist.
"""


def _field(spec: Input, *, documented: bool) -> serializers.Field:
    """The API's field for one input of a transition.

    The field that validates a body (``documented=False``) neither requires the input nor
    refuses it blank: the service checks that, after the user's permission, so that someone
    who may not act hears that (403 or 409), not what the body lacks. The field the schema
    documents (``documented=True``) says what a successful call needs: a required input is
    there, and not blank. So a body the schema refuses is refused (400, or 403 or 409 first),
    and a body it accepts is refused only for who sends it, or when."""
    needed = documented and spec.required
    optional = {"required": needed}
    if not needed:
        optional["allow_null"] = spec.kind in ("text", "user")
    help_text = spec.help or None
    if spec.kind in ("text", "password"):
        password = spec.kind == "password"
        return StrictCharField(
            **optional,
            allow_blank=not needed,
            trim_whitespace=False,
            max_length=4096 if password else MAX_LONG_TEXT,
            # The service strips the text before it checks that it is there.
            validators=[RegexValidator(NOT_BLANK)] if needed and not password else [],
            write_only=password,
            style={"input_type": "password"} if password else {},
            help_text="Your own password." if password else spec.label,
        )
    if spec.kind == "choice":
        return serializers.ChoiceField(choices=spec.choices, required=needed, help_text=help_text)
    if spec.kind == "decisions":
        return serializers.DictField(
            child=serializers.ChoiceField(choices=spec.choices),
            required=needed,
            help_text=help_text,
        )
    if spec.kind == "user":
        return StrictCharField(**optional, max_length=150, help_text="A username.")
    if spec.kind == "users":
        return serializers.ListField(
            child=StrictCharField(max_length=150),
            required=needed,
            max_length=100,
            help_text="Usernames.",
        )
    raise ValueError(f"No API field for inputs of kind {spec.kind!r}.")


def _body(spec: Transition, *, documented: bool) -> type[StrictSerializer]:
    """The serializer of a transition's body: its inputs, and no other field."""
    name = "".join(word.title() for word in spec.name.split("_"))
    attributes: dict[str, Any] = {
        field.name: _field(field, documented=documented) for field in spec.inputs
    }
    if documented:
        attributes["Meta"] = type("Meta", (), {"ref_name": name})
    attributes["__module__"] = __name__
    attributes["__doc__"] = f"The body of `{spec.name}`."
    attributes["unknown_field_message"] = f"Not needed to {spec.phrase}."
    suffix = "Serializer" if documented else "InputSerializer"
    return type(f"{name}{suffix}", (StrictSerializer,), attributes)


# What each transition's body is checked with, and what the schema documents of it.
BODIES = {name: _body(spec, documented=False) for name, spec in TRANSITIONS.items()}
DOCUMENTED_BODIES = {name: _body(spec, documented=True) for name, spec in TRANSITIONS.items()}
# What ``/transitions/{name}/`` documents: any one transition's body (the name says which).
ANY_BODY = any_of("AnyTransitionBody", DOCUMENTED_BODIES.values())


def _inputs(spec: Transition, data: Any) -> dict[str, Any]:
    """Check a transition's body; return its service's keyword arguments (people resolved
    from their usernames). A field the transition does not read is refused with 400."""
    serializer = BODIES[spec.name](data=data)
    serializer.is_valid(raise_exception=True)
    body = serializer.validated_data
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


def _take(request: Request, case_id, spec: Transition) -> Response:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    case = spec.service(case=case, actor=request.user, **_inputs(spec, request.data))
    # Read the case back with its team, whether or not the user can still see it (an
    # unassigned case withdrawn by an SRO leaves their view, but they just acted on it).
    case = selectors.case_queryset().get(pk=case.pk)
    return Response(case_detail_data(case=case, user=request.user, request=request))


RESPONSES = {200: CaseDetailSerializer, **errors(403, 409, *WRITE_ERRORS)}


class CaseTransitionApi(ApiView):
    """Take the transition named in the path.

    Each transition also has its own route (``_transition_api``), matched first, so this view
    answers only names that are not transitions (404); the schema documents it for clients
    that take the name as data.
    """

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
                description="The transition's name. Each one is also documented as its own "
                "operation (`cases_transitions_<name>_create`), with its own body.",
            ),
            IDEMPOTENCY_KEY,
        ],
        # Any one transition's body: which one, the name in the path says.
        request=ANY_BODY,
        responses=RESPONSES,
    )
    @idempotent
    def post(self, request: Request, case_id, name: str) -> Response:
        spec = TRANSITIONS.get(name)
        if spec is None:
            raise NotFound(
                f"There is no transition named '{name}'.", {"transitions": list(TRANSITIONS)}
            )
        return _take(request, case_id, spec)


def _transition_api(spec: Transition) -> type[ApiView]:
    """Return the view of one transition: its own operation, with its own body, in the
    schema (``/transitions/assign/`` and so on)."""
    required = [f"`{field.name}`" for field in spec.inputs if field.required]
    needs = f" The body must carry {', '.join(required)}." if required else ""

    @extend_schema(
        operation_id=f"cases_transitions_{spec.name}_create",
        tags=["transitions"],
        summary=spec.title,
        description=f"Who may take it: {spec.who}. {spec.explanation}{needs} The body "
        "carries the transition's inputs and nothing else.\n\n"
        f"{ANSWERS}",
        parameters=[IDEMPOTENCY_KEY],
        request=DOCUMENTED_BODIES[spec.name],
        responses=RESPONSES,
    )
    @idempotent
    def post(self, request: Request, case_id) -> Response:
        return _take(request, case_id, spec)

    name = DOCUMENTED_BODIES[spec.name].Meta.ref_name
    attributes = {"post": post, "__doc__": f"Take `{spec.name}`.", "__module__": __name__}
    return type(f"{name}TransitionApi", (ApiView,), attributes)


# One view per transition, routed before ``CaseTransitionApi`` (``aia.api.urls``).
TRANSITION_APIS: dict[str, type[ApiView]] = {
    name: _transition_api(spec) for name, spec in TRANSITIONS.items()
}
