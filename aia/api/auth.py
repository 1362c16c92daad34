"""Issuing API tokens (``POST /api/v1/auth/token/``)."""

from django.contrib.auth import authenticate
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from aia.exceptions import InvalidInput

BAD_CREDENTIALS = "Unable to sign in with that username and password."


def token_obtain(*, request: HttpRequest, username: str, password: str) -> Token:
    """Return the user's API token, creating it on first sign-in.

    Wrong credentials and inactive accounts get the same answer, so the endpoint does not tell
    which usernames exist.
    """
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        raise InvalidInput(BAD_CREDENTIALS, {"non_field_errors": [BAD_CREDENTIALS]})
    token, _ = Token.objects.get_or_create(user=user)
    return token
