"""Loading users' permissions in bulk, so that ``user.has_perm`` asks nothing more.

Django's ``ModelBackend`` loads a user's permissions on their first ``has_perm``, with two
queries (their own, then their groups'). The services notify several people at each hand-off,
and the API's token authentication needs the requesting user's permissions on nearly every
request, so both load them here instead, for many users at once or in the query that finds
the users: the same permission names ``ModelBackend`` would load, stored where it keeps them.

On PostgreSQL the queries are fixed SQL texts built once from the models' own table and column
names (building their ORM versions on every call cost more than running them); elsewhere the
ORM does the same work in a query or two more.
"""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import Value

from aia.models import Case, User


def permissions_set(
    user: User, user_permissions: Iterable[str], group_permissions: Iterable[str]
) -> None:
    """Give ``user`` the permissions Django's ``ModelBackend`` would load for it, so that
    ``user.has_perm`` asks the database nothing more (names as ``app_label.codename``)."""
    if user.is_superuser:
        return  # ModelBackend gives superusers every permission; let it load them.
    user._user_perm_cache = set(user_permissions)
    user._group_perm_cache = set(group_permissions)


# Users' own permissions (``up``, then ``p`` and ``ct``), and their groups' (``ug``, ``gp``,
# then ``p`` and ``ct``): the ``FROM`` of every query below, as ``{own_permissions}`` and
# ``{group_permissions}``.
OWN_PERMISSIONS_FROM = """{user_perms} up
      JOIN {permission} p ON p.{p_id} = up.{up_permission}
      JOIN {content_type} ct ON ct.{ct_id} = p.{p_content_type}"""
GROUP_PERMISSIONS_FROM = """{user_groups} ug
      JOIN {group_perms} gp ON gp.{gp_group} = ug.{ug_group}
      JOIN {permission} p ON p.{p_id} = gp.{gp_permission}
      JOIN {content_type} ct ON ct.{ct_id} = p.{p_content_type}"""

# Permission names (``app_label.codename``) of users, their own and through their groups.
PERMISSIONS_SQL = """
SELECT up.{up_user}, 'user', ct.{app_label} || '.' || p.{codename}
  FROM {own_permissions}
  WHERE up.{up_user} = ANY(%s)
UNION ALL
SELECT ug.{ug_user}, 'group', ct.{app_label} || '.' || p.{codename}
  FROM {group_permissions}
  WHERE ug.{ug_user} = ANY(%s)
"""


@cache
def permission_sql_names(alias: str) -> dict[str, str]:
    """The quoted table and column names ``PERMISSIONS_SQL`` (and the API's token query) use,
    read from the models, and the two ``FROM`` clauses written with them."""
    quote = connections[alias].ops.quote_name

    def column(model, field: str) -> str:
        return quote(model._meta.get_field(field).column)

    user_perms = User.user_permissions.through
    user_groups = User.groups.through
    group_perms = Group.permissions.through
    names = {
        "permission": quote(Permission._meta.db_table),
        "p_id": quote(Permission._meta.pk.column),
        "p_content_type": column(Permission, "content_type"),
        "codename": column(Permission, "codename"),
        "content_type": quote(ContentType._meta.db_table),
        "ct_id": quote(ContentType._meta.pk.column),
        "app_label": column(ContentType, "app_label"),
        "user_perms": quote(user_perms._meta.db_table),
        "up_user": column(user_perms, "user"),
        "up_permission": column(user_perms, "permission"),
        "user_groups": quote(user_groups._meta.db_table),
        "ug_user": column(user_groups, "user"),
        "ug_group": column(user_groups, "group"),
        "group_perms": quote(group_perms._meta.db_table),
        "gp_group": column(group_perms, "group"),
        "gp_permission": column(group_perms, "permission"),
    }
    return {
        **names,
        "own_permissions": OWN_PERMISSIONS_FROM.format(**names),
        "group_permissions": GROUP_PERMISSIONS_FROM.format(**names),
    }


def permissions_preload(users: Iterable[User]) -> None:
    """Load the permissions of every user in ``users`` in one query (instead of two queries
    per user on their first ``has_perm``). Users whose permissions are loaded already, inactive
    users (who have none) and superusers (who have all) are left alone."""
    pending = {
        user.pk: user
        for user in users
        if user.is_active
        and not user.is_superuser
        and not hasattr(user, "_perm_cache")
        and not hasattr(user, "_user_perm_cache")
    }
    if not pending:
        return
    found: dict[tuple[int, str], set[str]] = {}
    for holder, source, name in _permission_rows(list(pending)):
        found.setdefault((holder, source), set()).add(name)
    for pk, user in pending.items():
        permissions_set(user, found.get((pk, "user"), ()), found.get((pk, "group"), ()))


def _permission_rows(user_ids: list[int]) -> Iterable[tuple[int, str, str]]:
    """``(user id, "user" or "group", permission name)`` for each permission of the users."""
    alias = router.db_for_read(Permission)
    if connections[alias].vendor == "postgresql":
        # Written out: it runs inside most hand-offs, and the ORM's version of this union
        # costs more to build than to run.
        with connections[alias].cursor() as cursor:
            cursor.execute(
                PERMISSIONS_SQL.format(**permission_sql_names(alias)), [user_ids, user_ids]
            )
            return cursor.fetchall()
    own = (
        User.user_permissions.through.objects.filter(user_id__in=user_ids)
        .annotate(source=Value("user"))
        .values_list(
            "user_id", "source", "permission__content_type__app_label", "permission__codename"
        )
        .order_by()
    )
    via_groups = (
        User.groups.through.objects.filter(user_id__in=user_ids, group__permissions__isnull=False)
        .annotate(source=Value("group"))
        .values_list(
            "user_id",
            "source",
            "group__permissions__content_type__app_label",
            "group__permissions__codename",
        )
        .order_by()
    )
    return [
        (holder, source, f"{app_label}.{codename}")
        for holder, source, app_label, codename in own.union(via_groups, all=True)
    ]


# The two columns ``perms_own`` and ``perms_via_groups`` (permission names as arrays) of the
# user whose id is the SQL expression ``{user_ref}``: what ``permissions_set`` takes.
PERMISSION_ARRAYS_SQL = """
    ARRAY(SELECT ct.{app_label} || '.' || p.{codename}
          FROM {own_permissions}
          WHERE up.{up_user} = {user_ref}) AS perms_own,
    ARRAY(SELECT ct.{app_label} || '.' || p.{codename}
          FROM {group_permissions}
          WHERE ug.{ug_user} = {user_ref}) AS perms_via_groups"""


def permission_arrays_sql(alias: str, user_ref: str) -> str:
    """``PERMISSION_ARRAYS_SQL`` for the user whose id is ``user_ref``, names quoted."""
    return PERMISSION_ARRAYS_SQL.format(**permission_sql_names(alias), user_ref=user_ref)


# Active users cleared for some markings who hold a permission (own or through a group), with
# all their permissions. The holders are found first, from the permission's rows (indexed),
# so the permission arrays are built only for them: the work grows with the number of
# holders, not of users.
USERS_WITH_PERMISSION_SQL = """
SELECT {user_columns}, {permission_arrays}
FROM {user} u
WHERE u.{u_active} AND u.{u_clearance} = ANY(%s)
  AND u.{u_id} IN (
    SELECT up.{up_user} FROM {own_permissions}
      WHERE ct.{app_label} = %s AND p.{codename} = %s
    UNION ALL
    SELECT ug.{ug_user} FROM {group_permissions}
      WHERE ct.{app_label} = %s AND p.{codename} = %s
  )
ORDER BY u.{u_id}
"""


@cache
def user_sql_names(alias: str) -> dict[str, str]:
    """``permission_sql_names`` and the user table's names (columns as ``u.<column>``)."""
    quote = connections[alias].ops.quote_name
    return {
        **permission_sql_names(alias),
        "user": quote(User._meta.db_table),
        # In the order of ``_user_attnames`` (``user_from_row`` reads them back so).
        "user_columns": ", ".join(f"u.{quote(f.column)}" for f in User._meta.concrete_fields),
        "u_id": quote(User._meta.pk.column),
        "u_active": quote(User._meta.get_field("is_active").column),
        "u_clearance": quote(User._meta.get_field("clearance").column),
    }


@cache
def _user_attnames() -> tuple[str, ...]:
    """The user's fields in the order of ``user_sql_names``'s ``user_columns``."""
    return tuple(field.attname for field in User._meta.concrete_fields)


def user_from_row(alias: str, row: Sequence[Any]) -> tuple[User, tuple[Any, ...]]:
    """Return the user whose columns (``user_columns``) open ``row``, followed by its two
    permission arrays (``permission_arrays_sql``), with those permissions set; and the rest
    of the row. ``User.from_db`` on the slice does what a ``RawQuerySet`` would around it in
    far fewer calls."""
    names = _user_attnames()
    user = User.from_db(alias, names, row[: len(names)])
    perms_own, perms_via_groups, *rest = row[len(names) :]
    permissions_set(user, perms_own, perms_via_groups)
    return user, tuple(rest)


def users_with_permission(permission: str, *, clearances: Iterable[str]) -> list[User]:
    """Return the active users cleared for one of ``clearances`` who hold ``permission``
    (own or through a group; superusers only when they hold it too), ordered by id, with
    their permissions loaded: one query on PostgreSQL, two elsewhere."""
    clearances = list(clearances)
    alias = router.db_for_read(User)
    if connections[alias].vendor != "postgresql":
        users = list(
            User.objects.with_perm(
                permission,
                include_superusers=False,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            .filter(is_active=True, clearance__in=clearances)
            .order_by("pk")
        )
        permissions_preload(users)
        return users
    with connections[alias].cursor() as cursor:
        cursor.execute(
            users_with_permission_sql(alias),
            users_with_permission_params(permission, clearances=clearances),
        )
        rows = cursor.fetchall()
    return [user_from_row(alias, row)[0] for row in rows]


@cache
def users_with_permission_sql(alias: str) -> str:
    """``users_with_permission``'s query (PostgreSQL), for a caller that runs it within a
    larger one; its parameters are ``users_with_permission_params``."""
    names = user_sql_names(alias)
    return USERS_WITH_PERMISSION_SQL.format(
        **names, permission_arrays=permission_arrays_sql(alias, f"u.{names['u_id']}")
    )


def users_with_permission_params(permission: str, *, clearances: Iterable[str]) -> list[Any]:
    """``users_with_permission_sql``'s parameters."""
    app_label, codename = permission.split(".", 1)
    return [list(clearances), app_label, codename, app_label, codename]


# The users holding named positions (ids) and the officials of a case, each with all their
# permissions; ``official`` tells the two apart (someone in both comes twice). Officials come
# in the user model's ordering, as ``case.officials.all()`` gives them.
TEAM_SQL = """
SELECT {user_columns}, {permission_arrays}, false AS official
  FROM {user} u WHERE u.{u_id} = ANY(%s)
UNION ALL
SELECT {user_columns}, {permission_arrays}, true AS official
  FROM {user} u JOIN {officials} o ON o.{o_user} = u.{u_id}
  WHERE o.{o_case} = %s
ORDER BY official, {ordering}
"""


@cache
def _team_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    names = user_sql_names(alias)
    officials = Case.officials.through
    ordering = ", ".join(
        quote(User._meta.get_field(name.lstrip("-")).column)
        + (" DESC" if name.startswith("-") else "")
        for name in User._meta.ordering
    )
    return TEAM_SQL.format(
        **names,
        permission_arrays=permission_arrays_sql(alias, f"u.{names['u_id']}"),
        officials=quote(officials._meta.db_table),
        o_user=quote(officials._meta.get_field("user").column),
        o_case=quote(officials._meta.get_field("case").column),
        ordering=ordering,
    )


def team_with_permissions(
    case_id: Any, user_ids: Sequence[int]
) -> tuple[dict[int, User], list[User]]:
    """Return the users ``user_ids`` (by id) and the case's officials, with their permissions
    loaded, in one query (PostgreSQL only: elsewhere the caller uses the ORM)."""
    alias = router.db_for_read(User)
    with connections[alias].cursor() as cursor:
        cursor.execute(_team_sql(alias), [list(user_ids), case_id])
        rows = cursor.fetchall()
    named: dict[int, User] = {}
    officials: list[User] = []
    for row in rows:
        user, (official,) = user_from_row(alias, row)
        if official:
            officials.append(user)
        else:
            named[user.pk] = user
    return named, officials
