"""The API's error envelope: every error answers ``{"message": "...", "extra": {...}}``.

``api_exception_handler`` maps the application errors of ``aia.exceptions`` to their HTTP
status, and DRF's and Django's own errors (authentication, throttling, parsing, unknown
routes, methods) to the same shape, so a client handles one format.
"""

import logging
import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from aia.exceptions import ApplicationError

logger = logging.getLogger(__name__)

VALIDATION_MESSAGE = "Check the highlighted fields."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested error detail into ``{"field.sub.0": ["message", ...]}``."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for sub_name, messages in field_errors(value, name).items():
                fields.setdefault(sub_name, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, Mapping | list) for item in detail):
        for index, value in enumerate(detail):
            name = f"{prefix}.{index}" if prefix else str(index)
            for sub_name, messages in field_errors(value, name).items():
                fields.setdefault(sub_name, []).extend(messages)
    elif isinstance(detail, list):
        fields[prefix or "non_field_errors"] = [str(item) for item in detail]
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return {name: messages for name, messages in fields.items() if messages}


def _message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, Mapping) and detail:
        return _message(next(iter(detail.values())))
    return str(detail)


def envelope(message: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"message": message, "extra": extra or {}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render any exception raised in an API view as the error envelope."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ApplicationError):
        set_rollback()
        extra = dict(exc.extra)
        if exc.status_code == status.HTTP_400_BAD_REQUEST:
            # Every 400 names its fields, so clients handle one shape.
            extra.setdefault("fields", {})
        return Response(envelope(exc.message, extra), status=exc.status_code)

    if isinstance(exc, exceptions.ParseError):
        message = _message(exc.detail)
        return Response(
            envelope(message, {"fields": {"non_field_errors": [message]}}),
            status=status.HTTP_400_BAD_REQUEST,
        )

    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        return Response(
            envelope(VALIDATION_MESSAGE, {"fields": field_errors(exc.detail)}),
            status=status.HTTP_400_BAD_REQUEST,
        )

    if isinstance(exc, exceptions.APIException):
        set_rollback()
        headers: dict[str, str] = {}
        extra: dict[str, Any] = {}
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        if isinstance(exc, exceptions.Throttled):
            retry_after = math.ceil(exc.wait) if exc.wait is not None else 60
            headers["Retry-After"] = str(retry_after)
            extra["retry_after"] = retry_after
            message = f"Too many requests: try again in {retry_after} seconds."
        else:
            message = _message(exc.detail)
        return Response(envelope(message, extra), status=exc.status_code, headers=headers)

    # Anything else is a bug: log it with its traceback and still answer in the envelope, with
    # DEBUG on too (Django's debug page would list the settings).
    view = context.get("view")
    logger.exception("Unhandled error in %s", type(view).__name__ if view else "an API view")
    set_rollback()
    return Response(
        envelope("Something went wrong on our side. The error has been logged."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
