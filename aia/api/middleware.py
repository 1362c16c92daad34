"""Answer every error under /api/ in the error envelope, whichever layer raises it.

The API's views answer their own errors in the envelope (``aia.api.exceptions``). A few errors
happen before any view or outside DRF: a ``Host`` header that ``ALLOWED_HOSTS`` does not name
(raised by the first ``request.get_host()``, in a middleware), an error in another middleware,
a third-party view's own rendering (the schema's YAML, the docs page's HTML). Django answers
those with its HTML pages and, with DEBUG on, its debug page, which lists the settings.
"""

import json
import logging
from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse

from aia.api.exceptions import envelope

API_PREFIX = "/api/"
HOST_MESSAGE = "This service does not answer to that host name."
# For an error that reaches this middleware without the envelope; other statuses say their
# reason phrase.
MESSAGES = {
    400: "The request is malformed.",
    403: "You may not do this.",
    404: "There is no such endpoint.",
    405: "This endpoint does not take that method.",
    500: "Something went wrong on our side. The error has been logged.",
}

# Django logs a refused host here (django.core.handlers.exception); so do we.
security_logger = logging.getLogger("django.security.DisallowedHost")


class ApiErrorMiddleware:
    """Under /api/, refuse a foreign host with a 400 in the envelope, and turn any other error
    answer that is not JSON into the envelope, keeping its status and headers.

    First in ``MIDDLEWARE``: before any other middleware reads the host, and last to see the
    answer. Paths outside /api/ pass untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            request.get_host()
        except DisallowedHost as exc:
            security_logger.error(
                str(exc), exc_info=exc, extra={"status_code": 400, "request": request}
            )
            return JsonResponse(envelope(HOST_MESSAGE, {"fields": {}}), status=400)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            _rewrite_as_envelope(response)
        return response


def _rewrite_as_envelope(response: HttpResponse) -> None:
    """Replace the response's body with the envelope: its own when a DRF view rendered one in
    another format (the schema in YAML, the docs page in HTML), else the status's message."""
    data = getattr(response, "data", None)
    if not (isinstance(data, dict) and set(data) == {"message", "extra"}):
        message = MESSAGES.get(response.status_code, f"{response.reason_phrase}.")
        data = envelope(message)
    if response.status_code == 400:
        # Every 400 names its fields, so clients handle one shape.
        data["extra"].setdefault("fields", {})
    body = json.dumps(data).encode()
    if response.streaming:
        response.streaming_content = [body]
    else:
        response.content = body
    response["Content-Type"] = "application/json"
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(body))
