"""Token authentication whose tokens expire, and which loads the user's permissions.

The token goes in ``Authorization: Token <token>``, or ``Authorization: Bearer <token>`` as
clients generated from the OpenAPI schema send it (``aia.api.schema`` documents both).

Nearly every API request asks ``user.has_perm`` (who may see which cases, who may post
triggers): the permissions are loaded with the user, in one query, rather than in two on the
first question (``aia.permission_loading``).
"""

import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from aia.permission_loading import permissions_preload

EXPIRED = "This token has expired: sign in again at POST /api/v1/auth/token/ for a new one."


def token_expires_at(created: datetime.datetime) -> datetime.datetime:
    """When a token issued at ``created`` stops working (``AIA_API_TOKEN_LIFETIME``)."""
    return created + settings.AIA_API_TOKEN_LIFETIME


def token_expired(created: datetime.datetime) -> bool:
    return token_expires_at(created) <= timezone.now()


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (same header, same tokens, same errors), plus permissions,
    and tokens that expire ``AIA_API_TOKEN_LIFETIME`` after they are issued."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token.created):
            raise exceptions.AuthenticationFailed(EXPIRED)
        permissions_preload([user])
        return (user, token)


class BearerTokenAuthentication(TokenAuthentication):
    """The same tokens, sent as ``Authorization: Bearer <token>``: what clients generated from
    the schema send by default."""

    keyword = "Bearer"


# Every authenticated API view, tried in this order; the schema's security schemes come from
# these. A 401 names the first (``WWW-Authenticate: Token``).
API_AUTHENTICATION = [
    TokenAuthentication,
    BearerTokenAuthentication,
    authentication.SessionAuthentication,
]
