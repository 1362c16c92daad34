"""Token authentication that loads the user's permissions with the token.

Nearly every API request asks ``user.has_perm`` (who may see which cases, who may post
triggers), and Django's ``ModelBackend`` answers the first such question with two queries:
the user's own permissions, then their groups'. Here they come with the token instead: on
PostgreSQL in the token's own query (two array subqueries), elsewhere in one more query. They
are the permissions ``ModelBackend`` would load, stored where it keeps them for the rest of
the request (``aia.permission_loading``).

The PostgreSQL query is written once, from the models' own table and column names: it runs on
every request, and building it through the ORM each time cost more CPU than the two queries it
replaces.
"""

import datetime
from functools import cache

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from aia.permission_loading import (
    permission_arrays_sql,
    permissions_preload,
    user_from_row,
    user_sql_names,
)

# The token's user, the token, and the user's own and groups' permissions, by token key.
API_USER_SQL = """
SELECT {user_columns}, {permission_arrays}, t.{t_created} AS token_created
FROM {token} t JOIN {user} u ON u.{u_id} = t.{t_user}
WHERE t.{t_key} = %s
"""


@cache
def _api_user_sql(alias: str) -> str:
    """``API_USER_SQL`` with the models' table and column names, quoted for ``alias``."""
    quote = connections[alias].ops.quote_name

    def column(field: str) -> str:
        return quote(Token._meta.get_field(field).column)

    t_user = column("user")
    return API_USER_SQL.format(
        **user_sql_names(alias),
        permission_arrays=permission_arrays_sql(alias, f"t.{t_user}"),
        token=quote(Token._meta.db_table),
        t_key=column("key"),
        t_user=t_user,
        t_created=column("created"),
    )


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
        user, token = self._user_and_token(key)
        if token_expired(token.created):
            raise exceptions.AuthenticationFailed(EXPIRED)
        return (user, token)

    def _user_and_token(self, key):
        """The token's active user, with their permissions, and the token; refused as DRF
        refuses an unknown token or an inactive user."""
        db = Token.objects.db
        if connections[db].vendor != "postgresql":
            user, token = super().authenticate_credentials(key)
            permissions_preload([user])
            return (user, token)
        with connections[db].cursor() as cursor:
            cursor.execute(_api_user_sql(db), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, (token_created,) = user_from_row(db, row)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token.from_db(db, ["key", "user_id", "created"], [key, user.pk, token_created])
        token.user = user
        return (user, token)


# Every authenticated API view; the schema's security schemes come from these.
API_AUTHENTICATION = [TokenAuthentication, authentication.SessionAuthentication]
