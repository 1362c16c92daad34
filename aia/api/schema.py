"""OpenAPI documentation helpers: the error envelope and the paginated list shapes."""

from functools import cache

from drf_spectacular.types import OpenApiTypes
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
    409: (ErrorSerializer, "The case's state or a guard forbids it now; `extra` says why."),
    413: (ErrorSerializer, "The request body is larger than the server accepts."),
    415: (ErrorSerializer, "The body is not `application/json`."),
    429: (ThrottledErrorSerializer, "Too many requests; `extra.retry_after` says when to retry."),
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
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
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
