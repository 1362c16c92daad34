"""Loading users' permissions in bulk, so that ``user.has_perm`` asks nothing more.

Django's ``ModelBackend`` loads a user's permissions on their first ``has_perm``, with two
queries (their own, then their groups'). A hand-off notifies several people, and each
notification asks whether its recipient may see the case: ``permissions_preload`` loads the
permissions of all of them in one query, and ``ModelBackend`` below answers from what it
loaded. Both use public API only: the ORM, and the backend methods Django documents for
overriding.
"""

from collections.abc import Iterable

from django.contrib.auth import backends
from django.db.models import F, Value

from aia.models import User

# The backend that ``User.objects.with_perm`` must name (settings list several backends).
BACKEND = "aia.permission_loading.ModelBackend"


class ModelBackend(backends.ModelBackend):
    """Django's ``ModelBackend``, answering from ``permissions_preload`` when it has run.

    A user whose permissions were preloaded carries them in ``preloaded_permissions`` (their
    own, and their groups'); any other user is answered as Django answers them.
    """

    def get_user_permissions(self, user_obj, obj=None):
        preloaded = _preloaded(user_obj, obj)
        if preloaded is None:
            return super().get_user_permissions(user_obj, obj)
        return preloaded[0]

    def get_group_permissions(self, user_obj, obj=None):
        preloaded = _preloaded(user_obj, obj)
        if preloaded is None:
            return super().get_group_permissions(user_obj, obj)
        return preloaded[1]


def _preloaded(user_obj, obj) -> tuple[set[str], set[str]] | None:
    """The user's preloaded (own, group) permissions, when they apply to this question."""
    if obj is not None or not user_obj.is_active or user_obj.is_superuser:
        return None  # Django's own answers: none per object or when inactive; all for superusers
    return getattr(user_obj, "preloaded_permissions", None)


def permissions_preload(users: Iterable[User]) -> None:
    """Load the permissions of every user in ``users`` in one query (instead of two queries
    per user on their first ``has_perm``). Users preloaded already, inactive users (who have
    none) and superusers (who have all) are left alone."""
    pending = {
        user.pk: user
        for user in users
        if user.is_active
        and not user.is_superuser
        and getattr(user, "preloaded_permissions", None) is None
    }
    if not pending:
        return
    own = (
        User.user_permissions.through.objects.filter(user_id__in=pending)
        .values_list(
            "user_id",
            Value("user"),
            F("permission__content_type__app_label"),
            F("permission__codename"),
        )
        .order_by()
    )
    via_groups = (
        User.groups.through.objects.filter(user_id__in=pending, group__permissions__isnull=False)
        .values_list(
            "user_id",
            Value("group"),
            F("group__permissions__content_type__app_label"),
            F("group__permissions__codename"),
        )
        .order_by()
    )
    found: dict[int, tuple[set[str], set[str]]] = {pk: (set(), set()) for pk in pending}
    for user_id, source, app_label, codename in own.union(via_groups, all=True):
        found[user_id][0 if source == "user" else 1].add(f"{app_label}.{codename}")
    for pk, user in pending.items():
        user.preloaded_permissions = found[pk]


def users_with_permission(permission: str, *, clearances: Iterable[str]) -> list[User]:
    """Return the active users cleared for one of ``clearances`` who hold ``permission``
    (own or through a group; superusers only when they hold it too), ordered by id, with
    their permissions loaded (two queries)."""
    users = list(
        User.objects.with_perm(permission, include_superusers=False, backend=BACKEND)
        .filter(is_active=True, clearance__in=list(clearances))
        .order_by("pk")
    )
    permissions_preload(users)
    return users
