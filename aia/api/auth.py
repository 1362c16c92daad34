"""Issuing API tokens (``POST /api/v1/auth/token/``)."""

from django.contrib.auth import authenticate
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from aia.api.authentication import token_expired
from aia.exceptions import InvalidInput
from aia.permissions import requires_second_factor
from aia.services.second_factor import second_factor_check

BAD_CREDENTIALS = "Unable to sign in with that username and password."


def token_obtain(*, request: HttpRequest, username: str, password: str, otp: str = "") -> Token:
    """Return the user's API token: the one issued before while it has not expired, else a
    new one (an expired token is deleted).

    Wrong credentials and inactive accounts get the same answer, so the endpoint does not tell
    which usernames exist. Users who sign in with a second factor must send their current
    one-time code too (asked for only once the password is right).
    """
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        raise InvalidInput(BAD_CREDENTIALS, {"non_field_errors": [BAD_CREDENTIALS]})
    if requires_second_factor(user):
        second_factor_check(user=user, code=otp, purpose="api_token", request=request)
    token = Token.objects.filter(user=user).first()
    if token is not None and token_expired(token.created):
        # A concurrent sign-in may have replaced it already: delete only this key.
        Token.objects.filter(pk=token.pk).delete()
        token = None
    if token is None:
        token, _ = Token.objects.get_or_create(user=user)
    return token
