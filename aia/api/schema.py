"""OpenAPI documentation helpers: the error envelope, the paginated list shapes, the token's
security schemes, and the postprocessing that says what drf-spectacular cannot infer."""

from collections.abc import Iterable
from functools import cache

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
)
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from aia.api.pagination import PageNumberPagination


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What went wrong, in words a person can act on.")
    extra = serializers.DictField(
        help_text="Details: `fields` for invalid input, `transition`, `state` and `guard` for a "
        "refused transition, `retry_after` (seconds) when throttled.",
    )

    class Meta:
        ref_name = "Error"


class FieldErrorsSerializer(serializers.Serializer):
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each invalid field (dotted for nested ones, e.g. `situation.country_code`) "
        "with its messages.",
    )

    class Meta:
        ref_name = "FieldErrors"


class ValidationErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    extra = FieldErrorsSerializer()

    class Meta:
        ref_name = "ValidationError"


class ThrottleExtraSerializer(serializers.Serializer):
    retry_after = serializers.IntegerField(help_text="Seconds to wait before trying again.")

    class Meta:
        ref_name = "ThrottleExtra"


class ThrottledErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    extra = ThrottleExtraSerializer()

    class Meta:
        ref_name = "ThrottledError"


_DESCRIPTIONS = {
    400: (ValidationErrorSerializer, "Invalid input; `extra.fields` names each field's problems."),
    401: (ErrorSerializer, "No token, or the token is not valid."),
    403: (ErrorSerializer, "Your role, your place on the case or the four-eyes rule forbids it."),
    404: (ErrorSerializer, "Not found, or not visible to you (the two are never told apart)."),
    409: (
        ErrorSerializer,
        "The case's state or a guard forbids it now, or the `Idempotency-Key` was used for "
        "another request; `extra` says why.",
    ),
    413: (ErrorSerializer, "The request body is larger than the server accepts."),
    415: (ErrorSerializer, "The body is not `application/json`."),
    429: (ThrottledErrorSerializer, "Too many requests; `extra.retry_after` says when to retry."),
    500: (
        ErrorSerializer,
        "The stored file is missing or no longer matches the SHA-256 recorded when it was "
        "stored, so it was not sent; `extra.file` names it.",
    ),
}

# What every authenticated endpoint can answer, and what a JSON body adds.
READ_ERRORS = (401, 404)
WRITE_ERRORS = (400, 401, 404, 413, 415)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Return documented error responses (all in the envelope) for ``codes``."""
    responses = {}
    for code in sorted(set(codes)):
        serializer, description = _DESCRIPTIONS[code]
        responses[code] = OpenApiResponse(response=serializer, description=description)
    return responses


PAGINATION_PARAMETERS = [
    OpenApiParameter(
        "page",
        {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["last"]}]},
        description="Page number, from 1, or `last`; a page past the end is a 404.",
    ),
    OpenApiParameter(
        "page_size",
        {
            "type": "integer",
            "minimum": 1,
            "maximum": PageNumberPagination.max_page_size,
            "default": PageNumberPagination.page_size,
        },
        description=f"Results per page, from 1 to {PageNumberPagination.max_page_size}; any "
        "other value is a 400.",
    ),
]


@cache
def paginated(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """Return the ``{count, next, previous, results}`` serializer for one page of a list."""
    name = serializer_class.Meta.ref_name

    class Meta:
        ref_name = f"Paginated{name}List"

    return type(
        f"Paginated{name}ListSerializer",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="Results across all pages."),
            "next": serializers.URLField(allow_null=True, help_text="The next page, if any."),
            "previous": serializers.URLField(allow_null=True, help_text="The previous page."),
            "results": serializer_class(many=True),
            "Meta": Meta,
            "__module__": __name__,
        },
    )


class AnyOfSerializer(serializers.Serializer):
    """A body that is any one of ``members``' bodies, for an operation where the path, not
    the body, says which (a union no discriminator can tell apart): documentation only, each
    member validates its own bodies."""

    members: tuple[type[serializers.Serializer], ...] = ()


def any_of(ref_name: str, members: Iterable[type[serializers.Serializer]]) -> type[AnyOfSerializer]:
    """Return the serializer documenting a body as any one of ``members``."""
    attributes = {
        "members": tuple(members),
        "Meta": type("Meta", (), {"ref_name": ref_name}),
        "__module__": __name__,
    }
    return type(f"{ref_name}Serializer", (AnyOfSerializer,), attributes)


class AnyOfScheme(OpenApiSerializerExtension):
    target_class = AnyOfSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction) -> dict:
        # A PATCH body's members are partial too (``Patched…`` components).
        partial = getattr(self.target, "partial", False)
        bodies = []
        for member in self.target.members:
            component = auto_schema.resolve_serializer(member(partial=partial), direction)
            # drf-spectacular keeps no component for a body without fields: it is `{}`.
            bodies.append(component.ref if component else EMPTY_BODY)
        return {"anyOf": list({str(body): body for body in bodies}.values())}


# A body without fields: an empty object, or none at all.
EMPTY_BODY = {"type": "object", "additionalProperties": False}


# ------------------------------------------------------------------------------
# Authentication
# ------------------------------------------------------------------------------
class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The API token sent as ``Authorization: Bearer <token>``. drf-spectacular documents
    ``Token`` itself (``tokenAuth``); either scheme will do."""

    target_class = "aia.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"
    # Before drf-spectacular's own scheme for DRF's token class, which would match it too.
    priority = 1

    def get_security_definition(self, auto_schema) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token from `POST /api/v1/auth/token/`, sent as "
            "`Authorization: Bearer <token>` (or as `Authorization: Token <token>`).",
        }


# ------------------------------------------------------------------------------
# Postprocessing (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"], after the enum hook)
# ------------------------------------------------------------------------------
# Query parameters whose empty value (``?page=``) is taken as no value.
EMPTY_MEANS_UNSET = ("page", "page_size", "overdue")


def strict_and_shared(result: dict, generator, request, public) -> dict:
    """Say in the schema what the API does beyond what drf-spectacular infers:

    - request bodies refuse fields they do not declare (``additionalProperties: false``), at
      every level: every endpoint answers an unknown field with 400 (docs/api.md);
    - path and query parameters that take a choice use the choice's component enum
      (``CaseStateEnum``, ``SectionCodeEnum``…) rather than an inline copy of it;
    - an empty ``?page=``, ``?page_size=`` or ``?overdue=`` is no value (``allowEmptyValue``);
    - which answer gives the IDs that other operations take (OpenAPI links, ``LINK_SOURCES``).
    """
    schemas = result.get("components", {}).get("schemas", {})
    enums = {
        frozenset(component["enum"]): name
        for name, component in schemas.items()
        if "enum" in component and "" not in component["enum"]
    }
    seen: set[str] = set()
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _parameter_settle(parameter, enums)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _forbid_unknown_fields(media.get("schema", {}), schemas, seen)
    _link(result.get("paths", {}))
    return result


# Where the IDs in paths come from: (path, method, status) -> {path parameter: where in the
# answer}, in OpenAPI's runtime expressions. A generated client (or a fuzzer) follows them.
LINK_SOURCES = {
    ("/api/v1/triggers/", "post", "201"): {"case_id": "$response.body#/case/id"},
    ("/api/v1/cases/", "get", "200"): {"case_id": "$response.body#/results/0/id"},
    ("/api/v1/cases/{case_id}/options/", "post", "201"): {
        "case_id": "$request.path.case_id",
        "option_id": "$response.body#/id",
    },
    ("/api/v1/cases/{case_id}/options/", "get", "200"): {
        "case_id": "$request.path.case_id",
        "option_id": "$response.body#/0/id",
    },
    ("/api/v1/cases/{case_id}/reports/", "get", "200"): {"report_id": "$response.body#/0/id"},
}


def _link(paths: dict) -> None:
    """Link each answer of ``LINK_SOURCES`` to every operation whose path parameters are the
    ones it gives (``…/sections/{code}/`` takes a code no answer gives: it has none)."""
    targets = [
        (operation["operationId"], frozenset(_path_parameters(path)))
        for path, item in paths.items()
        for operation in item.values()
        if isinstance(operation, dict)
    ]
    for (path, method, status), given in LINK_SOURCES.items():
        response = paths[path][method]["responses"][status]
        links = {
            operation_id: {
                "operationId": operation_id,
                "parameters": {name: given[name] for name in needs},
            }
            for operation_id, needs in targets
            if needs == given.keys()
        }
        response["links"] = links


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _parameter_settle(parameter: dict, enums: dict[frozenset, str]) -> None:
    schema = parameter.get("schema", {})
    name = enums.get(frozenset(schema.get("enum", ())))
    if name is not None:
        extra = {k: v for k, v in schema.items() if k not in ("enum", "type", "minLength")}
        parameter["schema"] = {"$ref": f"#/components/schemas/{name}", **extra}
    if parameter.get("in") == "query" and parameter.get("name") in EMPTY_MEANS_UNSET:
        parameter["allowEmptyValue"] = True


def _forbid_unknown_fields(schema: dict, schemas: dict, seen: set[str]) -> None:
    """Mark every object ``schema`` holds (through references, unions and arrays) as refusing
    undeclared properties; maps (which declare ``additionalProperties``) stay as they are."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _forbid_unknown_fields(schemas.get(name, {}), schemas, seen)
        return
    if schema.get("type") == "object" and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    for child in schema.get("properties", {}).values():
        _forbid_unknown_fields(child, schemas, seen)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for child in schema.get(keyword, []):
            _forbid_unknown_fields(child, schemas, seen)
    for keyword in ("items", "additionalProperties"):
        if isinstance(schema.get(keyword), dict):
            _forbid_unknown_fields(schema[keyword], schemas, seen)
