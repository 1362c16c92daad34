"""Reads that only the API needs. Everything scoped to a user goes through ``aia.selectors``."""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from aia.api.pagination import TOTAL
from aia.models import Case, OptionGap, Situation, User


def user_map_by_username(*, usernames: Iterable[str]) -> dict[str, User]:
    """Return the active users among ``usernames``, keyed by username."""
    users = User.objects.filter(username__in=set(usernames), is_active=True).prefetch_related(
        "groups"
    )
    return {user.username: user for user in users}


def case_filter_overdue(*, cases: QuerySet[Case], overdue: bool) -> QuerySet[Case]:
    """Keep the cases whose current stage is past its deadline, or (``False``) the others."""
    late = Q(stage_deadline__lt=timezone.localdate())
    return cases.filter(late) if overdue else cases.exclude(late)


def option_gap_list(*, case: Case) -> QuerySet[OptionGap]:
    """Return the recorded reasons why core categories have no option, in the current version."""
    return (
        case.option_gaps.filter(version=case.version)
        .select_related("recorded_by")
        .order_by("category")
    )


# What a list item shows (``CaseListItemSerializer``); the notes, closing and withdrawal texts
# and the audit chain's head stay in the database.
LIST_COLUMNS = (
    "id",
    "reference",
    "title",
    "state",
    "marking",
    "track",
    "knowledge_date",
    "version",
    "lead_official_id",
    "legal_adviser_id",
    "sro_id",
    "minister_id",
    "opened_at",
    "stage_started_at",
    "stage_deadline",
    "signed_off_at",
    "decision",
    "situation__id",
    "situation__country_code",
    "situation__name",
    "situation__area",
)


def case_list_page(
    *, keys: QuerySet | Sequence[Any], total: Subquery | None = None
) -> tuple[list[Case], dict[str, Any]]:
    """Load one page of the case list, with everyone on the teams, newest first.

    ``keys`` is the page's slice of a visibility-filtered list of case keys (a subquery) or a
    list of keys, whose order is then kept; ``total``, the pagination's count of the whole
    list, comes back on each case (``aia.api.pagination``).

    Returns the cases and ``{"people": {user id: user}, "officials": {case id: [user id]}}``
    for ``CaseListItemSerializer``: on PostgreSQL two queries (the cases with their situations
    and their officials' IDs, then the people on the teams, unless there are none), elsewhere
    one more for the officials. Narrow queries instead of a six-way join are what keep the
    list fast at 10,000 cases.
    """
    db = keys.db if isinstance(keys, QuerySet) else router.db_for_read(Case)
    in_query = connections[db].vendor == "postgresql"
    if in_query and _page_sql(db) is not None:
        rows = _page_written_out(db, keys, total)
    else:
        rows = _page_orm(db, keys, total, officials=in_query)
    if not isinstance(keys, QuerySet):
        position = {key: index for index, key in enumerate(keys)}
        rows.sort(key=lambda case: position[case.pk])
    officials: dict[Any, list[int]] = {}
    if in_query:
        # Sorted here rather than in SQL: the same order, one ORDER BY less to build per page.
        officials = {case.pk: sorted(case.official_ids) for case in rows if case.official_ids}
    else:
        for case_id, user_id in (
            Case.officials.through.objects.filter(case_id__in=[case.pk for case in rows])
            .order_by("user_id")
            .values_list("case_id", "user_id")
        ):
            officials.setdefault(case_id, []).append(user_id)
    people_ids = {user_id for ids in officials.values() for user_id in ids}
    for case in rows:
        people_ids.update(
            (case.lead_official_id, case.legal_adviser_id, case.sro_id, case.minister_id)
        )
    people_ids.discard(None)
    people = {}
    if people_ids:
        # Only what a list item shows of a person: username and name.
        team = User.objects.filter(pk__in=people_ids).only("username", "first_name", "last_name")
        people = {user.pk: user for user in team.order_by()}
    return rows, {"people": people, "officials": officials}


def _page_orm(
    db: str, keys: QuerySet | Sequence[Any], total: Subquery | None, *, officials: bool
) -> list[Case]:
    """``case_list_page``'s cases through the ORM, with their officials' IDs (``officials``,
    PostgreSQL only) as ``official_ids``."""
    cases = (
        Case.objects.using(db)
        .select_related("situation")
        .only(*LIST_COLUMNS)
        .filter(pk__in=keys)
        .order_by("-opened_at")
    )
    if total is not None:
        cases = cases.annotate(**{TOTAL: total})
    if officials:
        from django.contrib.postgres.expressions import ArraySubquery

        cases = cases.annotate(
            official_ids=ArraySubquery(
                Case.officials.through.objects.filter(case_id=OuterRef("pk")).values("user_id")
            )
        )
    return list(cases)


def _page_written_out(
    db: str, keys: QuerySet | Sequence[Any], total: Subquery | None
) -> list[Case]:
    """``case_list_page``'s cases on PostgreSQL: the ORM's page query with its outer part
    written out once (``_page_sql``).

    Who may see what stays the ORM's: the page's keys and the count are the querysets the
    caller built from ``aia.selectors``, compiled as they are and run as subqueries of the
    written-out part. Compiling the outer part (a join, its chosen columns and two computed
    ones) cost Django more than PostgreSQL spent running the whole query. The rows are the
    ORM's too: the same columns of the same instances, with ``TOTAL`` and ``official_ids``.
    """
    connection = connections[db]
    sql, case_fields, situation_fields = _page_sql(db)
    params: list[Any] = []
    try:
        if total is not None:
            total_sql, total_params = total.query.get_compiler(connection=connection).as_sql()
            params.extend(total_params)
        if isinstance(keys, QuerySet):
            keys_sql, keys_params = keys.query.get_compiler(connection=connection).as_sql()
            params.extend(keys_params)
        else:
            keys_sql = f"SELECT unnest(%s::{Case._meta.pk.db_type(connection)}[])"
            params.append(list(keys))
    except EmptyResultSet:
        return []  # e.g. the keys of nobody's cases: no query at all, as the ORM does
    query = sql.format(total=f"({total_sql})" if total is not None else "NULL", keys=keys_sql)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        results = cursor.fetchall()
    rows = []
    split = len(case_fields)
    for row in results:
        case = Case.from_db(db, case_fields, row[:split])
        situation = Situation.from_db(db, situation_fields, row[split:-2])
        Case.situation.field.set_cached_value(case, situation)
        if total is not None:
            setattr(case, TOTAL, row[-2])
        case.official_ids = row[-1]
        rows.append(case)
    return rows


@cache
def _page_sql(db: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """The written-out part of the page query, with ``{total}`` and ``{keys}`` to fill in
    (its columns: the case's and the situation's of ``LIST_COLUMNS``, in the models' field
    order, then the count and the officials' IDs), and the fields of the two models in the
    order of its columns; or ``None`` if a field needs converting from what psycopg returns
    (none does)."""
    quote = connections[db].ops.quote_name
    case_names = {name for name in LIST_COLUMNS if "__" not in name} | {"situation_id"}
    situation_names = {name.split("__", 1)[1] for name in LIST_COLUMNS if "__" in name}
    case_fields = [f for f in Case._meta.concrete_fields if f.attname in case_names]
    situation_fields = [f for f in Situation._meta.concrete_fields if f.attname in situation_names]
    if any(hasattr(field, "from_db_value") for field in (*case_fields, *situation_fields)):
        return None
    officials = Case.officials.through._meta
    columns = [f"c.{quote(field.column)}" for field in case_fields] + [
        f"s.{quote(field.column)}" for field in situation_fields
    ]
    case_id = quote(Case._meta.pk.column)
    situation_id = quote(Case._meta.get_field("situation").column)
    sql = (
        f"SELECT {', '.join(columns)}, {{total}}, "  # noqa: S608 - model names; the subqueries are the ORM's
        f"ARRAY(SELECT o.{quote(officials.get_field('user').column)} "
        f"FROM {quote(officials.db_table)} o "
        f"WHERE o.{quote(officials.get_field('case').column)} = c.{case_id}) "
        f"FROM {quote(Case._meta.db_table)} c "
        f"JOIN {quote(Situation._meta.db_table)} s "
        f"ON s.{quote(Situation._meta.pk.column)} = c.{situation_id} "
        f"WHERE c.{case_id} IN ({{keys}}) "
        f"ORDER BY c.{quote(Case._meta.get_field('opened_at').column)} DESC"
    )
    return (
        sql,
        tuple(field.attname for field in case_fields),
        tuple(field.attname for field in situation_fields),
    )
