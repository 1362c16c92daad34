import functools
import json
import re
from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aia.api.authentication import API_AUTHENTICATION
from aia.exceptions import InvalidInput
from aia.services.submissions import MAX_KEY_LENGTH, Answer, NotKept, submission_once


class ApiView(APIView):
    """Base of every authenticated API view: token authentication that brings the user's
    permissions with the token (``aia.api.authentication``), or the browser's session."""

    authentication_classes = API_AUTHENTICATION


# A key is 1 to 255 visible ASCII characters (letters, digits, punctuation): a UUID, say.
KEY_PATTERN = r"^[!-~]+$"
KEY_MESSAGE = f"Use 1 to {MAX_KEY_LENGTH} letters, digits or punctuation characters."

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=False,
    description="Optional: a key of your choosing (a UUID, say: 1 to 255 letters, digits or "
    "punctuation characters), new for each request. "
    "Repeating a request with the same key and body creates nothing more and answers what "
    "the first request was answered (with the header `Idempotent-Replayed: true`); a key "
    "already used for another request is refused with 409. Only successful answers are kept: "
    "after a refusal, the same key may be used again.",
)


def idempotent(post: Callable[..., Response]) -> Callable[..., Response]:
    """Honour an ``Idempotency-Key`` header on a POST that creates something."""

    @functools.wraps(post)
    def wrapper(self: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return post(self, request, *args, **kwargs)
        if not re.fullmatch(KEY_PATTERN, key):
            # Control characters (NUL among them) have no place in a key, nor in the database.
            raise InvalidInput(
                f"Send an idempotency key of 1 to {MAX_KEY_LENGTH} characters.",
                {"Idempotency-Key": [KEY_MESSAGE]},
            )

        def run() -> Answer:
            response = post(self, request, *args, **kwargs)
            if not 200 <= response.status_code < 300:
                raise NotKept(response)
            # The body as the client reads it (UUIDs, dates and times as text).
            body = json.loads(JSONRenderer().render(response.data) or b"null")
            return Answer(status=response.status_code, body=body)

        answer = submission_once(
            user=request.user, key=key, path=request.path, body=request.data, run=run
        )
        if isinstance(answer, Response):
            return answer
        response = Response(answer.body, status=answer.status)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    return wrapper
