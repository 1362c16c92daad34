"""Inserting new rows of several models at once: one statement on PostgreSQL.

A service that opens a case writes the case, its trigger, its first audit events and its
notifications in one transaction. Saved one model at a time that is a statement each,
and each cost Django more to build and send than PostgreSQL spent running it. On PostgreSQL,
``insert_together`` sends them as one statement, each model's ``INSERT`` in a data-modifying
``WITH`` clause (PostgreSQL runs every one of them to completion, whatever the main query
reads; foreign keys are checked at commit, so their order does not matter).

Each model's rows travel as one JSON parameter, read back by ``jsonb_populate_recordset``
into the table's own column types, so the statement's text is short and the same however many
rows there are: psycopg and PostgreSQL prepare it once per connection instead of parsing and
planning it each time. The values are the ones ``bulk_create`` sends (``pre_save``, then each
field's conversion for the database), written in PostgreSQL's input form (ISO dates and times
with their offset, UUIDs as text). A model with a field of another type, or a value that is an
expression, goes through Django's own insert compiler instead. Elsewhere each group is
``bulk_create``\\ d.

Like ``bulk_create``, it sends no model signals and calls no ``save()`` methods: it is for new
rows of models whose services build them complete (the audit trail's own checks live in its
services, not in ``save``). ``tests/services/test_inserts.py`` compares its rows with
``bulk_create``'s, column by column.
"""

import datetime
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import Any

from django.db import connections, router
from django.db.models import DateField, DateTimeField, Field, JSONField, Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery


def insert_together(
    *groups: Sequence[Model],
    also: Sequence[tuple[str, Sequence[Any]]] = (),
    using: str | None = None,
) -> None:
    """Insert every instance of ``groups`` (each a sequence of new instances of one model)
    as ``bulk_create`` would, in one statement on PostgreSQL; empty groups are skipped.

    ``also`` adds written-out ``INSERT`` or ``UPDATE`` statements (``update_statement``), as
    ``(sql, params)``, to the same statement; elsewhere they run one by one after the groups.

    Primary keys the database assigns are set on the instances afterwards, and each instance
    is marked as saved, as ``bulk_create`` leaves them.
    """
    groups = [list(group) for group in groups if group]
    if not groups:
        raise ValueError("Nothing to insert.")
    for group in groups:
        if any(type(obj) is not type(group[0]) for obj in group):
            raise TypeError("Each group holds instances of one model.")
        keyed = getattr(group[0], group[0]._meta.pk.attname) is not None
        for obj in group:
            if not obj._state.adding:
                raise ValueError(f"{obj!r} is saved already: insert_together inserts new rows.")
            if (getattr(obj, obj._meta.pk.attname) is not None) != keyed:
                raise ValueError("Either every instance of a group has its key, or none has.")
            obj._prepare_related_fields_for_save(operation_name="insert_together")
    db = using or router.db_for_write(type(groups[0][0]))
    connection = connections[db]
    if connection.vendor != "postgresql":
        for group in groups:
            type(group[0])._base_manager.using(db).bulk_create(group)
        with connection.cursor() as cursor:
            for sql, params in also:
                cursor.execute(sql, params)
        return

    clauses: list[str] = []
    params: list = []
    returned: list[int] = []  # indexes of the groups whose keys the database assigns
    for index, group in enumerate(groups):
        assigned = getattr(group[0], group[0]._meta.pk.attname) is None
        if assigned:
            returned.append(index)
        sql, statement_params = _insert_statement(db, group, returning=assigned)
        clauses.append(f"{_name(index)} AS ({sql})")
        params.extend(statement_params)
    for index, (sql, statement_params) in enumerate(also, start=len(groups)):
        clauses.append(f"{_name(index)} AS ({sql})")
        params.extend(statement_params)
    if returned:
        select = " UNION ALL ".join(
            f"SELECT {index}, {connection.ops.quote_name(groups[index][0]._meta.pk.column)} "  # noqa: S608 - a model's column, no input
            f"FROM {_name(index)}"
            for index in returned
        )
    else:
        select = "SELECT 1"
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(clauses)} {select}", params)
        assigned_keys = cursor.fetchall() if returned else []
    keys: dict[int, list] = {index: [] for index in returned}
    for index, key in assigned_keys:
        keys[index].append(key)
    for index in returned:
        group = groups[index]
        if len(keys[index]) != len(group):
            raise RuntimeError("The database returned a different number of keys.")
        for obj, key in zip(group, keys[index], strict=True):
            setattr(obj, obj._meta.pk.attname, key)
    for obj in chain.from_iterable(groups):
        obj._state.adding = False
        obj._state.db = db


def insert_if_new(obj: Model, *, using: str | None = None) -> bool:
    """Insert ``obj`` unless the row would break one of its table's unique constraints;
    return whether it was inserted (then its key is set and it is marked as saved).

    One statement (``INSERT … ON CONFLICT DO NOTHING RETURNING``), with no savepoint: a
    concurrent transaction inserting the same key makes it wait for that one's outcome.
    """
    db = using or router.db_for_write(type(obj))
    sql, params = insert_if_new_statement(obj, using=db)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    inserted(obj, row[0], using=db)
    return True


def insert_if_new_statement(obj: Model, *, using: str | None = None) -> tuple[str, Sequence[Any]]:
    """``insert_if_new``'s statement, as ``(sql, params)``, for a caller that runs it within
    a larger one: it returns one row, the new key, or none. Give the key to ``inserted``."""
    if not obj._state.adding:
        raise ValueError(f"{obj!r} is saved already: insert_if_new inserts new rows.")
    obj._prepare_related_fields_for_save(operation_name="insert_if_new")
    db = using or router.db_for_write(type(obj))
    return _insert_statement(db, [obj], returning=True, if_new=True)


def inserted(obj: Model, key: Any, *, using: str) -> None:
    """Mark ``obj`` as saved in ``using`` under ``key``, the key its insert returned."""
    setattr(obj, obj._meta.pk.attname, key)
    obj._state.adding = False
    obj._state.db = using


def _insert_statement(
    db: str, objs: Sequence[Model], *, returning: bool, if_new: bool = False
) -> tuple[str, Sequence[Any]]:
    """The ``INSERT`` of ``objs`` (new instances of one model), returning their keys if
    ``returning``, doing nothing on a unique conflict if ``if_new``: on PostgreSQL with its
    rows as one JSON parameter when every field and value allows it, else as Django's insert
    compiler writes it. The key is left out when the database assigns it."""
    model = type(objs[0])
    opts = model._meta
    assigned = getattr(objs[0], opts.pk.attname) is None
    connection = connections[db]
    fields, columns = _insert_fields(model, assigned, connection.vendor == "postgresql")
    if columns is not None:
        rows = _json_rows(columns, objs, connection)
        if rows is not None:
            return _json_insert_sql(db, model, assigned, returning=returning, if_new=if_new), [rows]
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE if if_new else None)
    query.insert_values(fields, objs)
    compiler = query.get_compiler(using=db)
    if returning:
        compiler.returning_fields = [opts.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, params


def update_statement(obj: Model, field_names: Sequence[str]) -> tuple[str, list[Any]]:
    """``UPDATE`` of the named fields of the saved ``obj``, as ``save(update_fields=...)``
    writes them, as ``(sql, params)`` for ``insert_together``'s ``also``."""
    if obj._state.adding:
        raise ValueError(f"{obj!r} is not saved: only a saved row can be updated.")
    model = type(obj)
    db = obj._state.db or router.db_for_write(model)
    connection = connections[db]
    fields = [model._meta.get_field(name) for name in field_names]
    params = [field.get_db_prep_save(field.pre_save(obj, False), connection) for field in fields]
    params.append(model._meta.pk.get_db_prep_value(obj.pk, connection))
    return _update_sql(db, model, tuple(field.column for field in fields)), params


@cache
def _update_sql(db: str, model: type[Model], columns: tuple[str, ...]) -> str:
    quote = connections[db].ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    return (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608 - a model's names, no input
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )


# Field types whose values ``_json_rows`` writes as PostgreSQL reads them back from JSON text
# (ISO dates and times, UUIDs as text, JSON as itself). Any other type takes Django's
# insert compiler instead.
JSON_SAFE_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "IntegerField",
        "JSONField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
        "UUIDField",
    }
)


# Integer field types: a whole number goes in as it is.
_AS_INTEGER = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
    }
)


@dataclass(frozen=True, slots=True)
class _Column:
    """How ``_json_rows`` reads and writes one field."""

    field: Field
    name: str  # the column's name, the row's key
    attname: str
    pre_save: bool  # whether the field's ``pre_save`` does more than read the attribute
    json: bool  # a JSON field: its document goes in as itself
    # Values of exactly this type need no conversion: they go in as they are, or in ISO 8601
    # (dates, aware dates and times) or as text (UUIDs) when ``written`` says so.
    plain: type | None
    written: str = ""  # "", "iso" or "text"


# The type each field type's conversion leaves as it is, and how JSON carries it.
_PLAIN = {
    "BooleanField": (bool, ""),
    "CharField": (str, ""),
    "TextField": (str, ""),
    "DateField": (datetime.date, "iso"),
    "DateTimeField": (datetime.datetime, "iso"),  # aware ones only
    "UUIDField": (uuid.UUID, "text"),
}


@cache
def _insert_fields(
    model: type[Model], assigned: bool, postgresql: bool
) -> tuple[tuple[Field, ...], tuple[_Column, ...] | None]:
    """The fields an ``INSERT`` of ``model`` writes (all but the key when the database assigns
    it), and how to write each into a JSON row; ``None`` for the latter when one of them
    cannot be, or not on PostgreSQL."""
    opts = model._meta
    fields = tuple(
        field
        for field in opts.concrete_fields
        if not field.generated and not (assigned and field is opts.pk)
    )
    if not postgresql:
        return fields, None
    columns = []
    for field in fields:
        internal = (field.target_field if field.is_relation else field).get_internal_type()
        if hasattr(field, "get_placeholder") or internal not in JSON_SAFE_TYPES:
            return fields, None
        plain, written = (int, "") if internal in _AS_INTEGER else _PLAIN.get(internal, (None, ""))
        columns.append(
            _Column(
                field=field,
                name=field.column,
                attname=field.attname,
                pre_save=_pre_save_reads_more(field),
                json=isinstance(field, JSONField),
                plain=plain,
                written=written,
            )
        )
    return fields, tuple(columns)


def _pre_save_reads_more(field: Field) -> bool:
    """Whether ``field.pre_save`` may do more than read the attribute: it is overridden, and
    not merely by a date field's own, which reads the attribute too unless the field is
    ``auto_now`` or ``auto_now_add``."""
    method = type(field).pre_save
    if method is Field.pre_save:
        return False
    if method in (DateField.pre_save, DateTimeField.pre_save):
        return field.auto_now or field.auto_now_add
    return True


def _json_rows(columns: Sequence[_Column], objs: Sequence[Model], connection) -> str | None:
    """The instances' rows as one JSON array of objects keyed by column, with the values
    ``bulk_create`` would send (``pre_save``, then the field's conversion for the database)
    in PostgreSQL's input form: dates and times in ISO 8601 with their offset, UUIDs as
    text, a JSON field's document as itself. ``None`` when a value is an expression, which
    only the insert compiler can write.

    A value the conversion would leave as it is (no value, text for a text field, a whole
    number for an integer field, an aware date and time, a date, a UUID) is written without
    calling it: most values are, and the calls cost more than the rest of the row.
    """
    rows = []
    for obj in objs:
        row = {}
        for column in columns:
            field = column.field
            value = field.pre_save(obj, True) if column.pre_save else getattr(obj, column.attname)
            kind = type(value)
            if value is None:
                pass
            elif column.json:
                if hasattr(value, "resolve_expression"):
                    return None
                if field.encoder is not None:
                    # The document as the field's encoder writes it.
                    value = json.loads(json.dumps(value, cls=field.encoder))
            elif (kind is column.plain or (column.plain is str and isinstance(value, str))) and (
                kind is not datetime.datetime or value.tzinfo is not None
            ):
                # (Text fields keep any text as it is, choices' members too.)
                if column.written == "iso":
                    value = value.isoformat()
                elif column.written == "text":
                    value = str(value)
            else:
                if hasattr(value, "resolve_expression"):
                    return None
                value = field.get_db_prep_save(value, connection)
                if isinstance(value, datetime.date | datetime.time):
                    value = value.isoformat()
                elif isinstance(value, uuid.UUID):
                    value = str(value)
            row[column.name] = value
        rows.append(row)
    # Anything else JSON cannot hold is refused here, as psycopg would refuse it.
    return json.dumps(rows)


@cache
def _json_insert_sql(
    db: str, model: type[Model], assigned: bool, *, returning: bool, if_new: bool = False
) -> str:
    """``INSERT`` of the rows of one JSON parameter (``jsonb_populate_recordset`` gives each
    key its column's type): a short text, the same for any number of rows, so psycopg and
    PostgreSQL prepare it once."""
    quote = connections[db].ops.quote_name
    table = quote(model._meta.db_table)
    fields, _columns = _insert_fields(model, assigned, True)
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608 - a model's names, no input
        f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb)"
    )
    if if_new:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql


def _name(index: int) -> str:
    return f"insert_{index}"
