"""Writing many rows' columns in one statement.

Django's `bulk_update` builds one `CASE WHEN pk = … THEN …` per row and column: for a sweep's
hundreds of tickets that is milliseconds of Python and a quadratic statement for the database. On
PostgreSQL `UPDATE … FROM jsonb_to_recordset(…)` joins the new values instead, sent as one JSON
document (no per-value quoting by the driver); other databases (SQLite in development and tests)
keep `bulk_update`.
"""

import json
from datetime import datetime, timedelta

from django.db import connection


def update(model, rows: list, fields: list[str]) -> None:
    """Store `fields` of every instance in `rows` (all of the same model) with one statement."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    key = meta.pk
    columns = [meta.get_field(name) for name in fields]
    record = ", ".join(f"c{index} {_db_type(field)}" for index, field in enumerate([key, *columns]))
    assignments = ", ".join(f"{quote(field.column)} = v.c{index}" for index, field in enumerate(columns, 1))
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
        f"FROM jsonb_to_recordset(%s::jsonb) AS v({record}) WHERE t.{quote(key.column)} = v.c0"
    )
    names = [field.attname for field in columns]
    values = ([row.pk, *(getattr(row, name) for name in names)] for row in rows)
    document = json.dumps([{f"c{index}": value for index, value in enumerate(row)} for row in values], default=_plain)
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])


def insert(model, fields: list[str], rows: list[tuple]) -> list[int]:
    """Insert one row per tuple of `rows` (values of `fields`, in order); the new pks, in the same order.

    The model's other columns get their defaults. `bulk_create` builds an instance per row and has
    every field prepare every value, and the driver quotes every value into the statement; on
    PostgreSQL the rows travel instead as one JSON document (`json.dumps` is C) that
    `jsonb_to_recordset` unpacks, in order. Values must be what the column stores: aware datetimes,
    ids for foreign keys, plain dicts or lists for JSON.
    """
    if not rows:
        return []
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        objs = [model(**{field.attname: value for field, value in zip(given, row, strict=True)}) for row in rows]
        model.objects.bulk_create(objs)
        return [obj.pk for obj in objs]
    quote = connection.ops.quote_name
    others = [field for field in meta.concrete_fields if not field.primary_key and field not in given]
    constants = [field.get_db_prep_save(field.get_default(), connection) for field in others]
    names = ", ".join(quote(field.column) for field in [*given, *others])
    selected = ", ".join([*(f"v.c{index}" for index in range(len(given))), *(f"%s::{_db_type(f)}" for f in others)])
    aliases = ", ".join(f"c{index}" for index in range(len(given)))
    record = ", ".join(f"c{index} {_db_type(field)}" for index, field in enumerate(given))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT {selected} "
        f"FROM ROWS FROM (jsonb_to_recordset(%s::jsonb) AS ({record})) WITH ORDINALITY AS v({aliases}, n) "
        "ORDER BY v.n "
        f"RETURNING {quote(meta.pk.column)}"
    )
    document = json.dumps([{f"c{index}": value for index, value in enumerate(row)} for row in rows], default=_plain)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, document])
        return [pk for (pk,) in cursor.fetchall()]


def _plain(value):
    """A value JSON lacks, as PostgreSQL reads it back: a timestamp, or an interval (exactly)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"
    raise TypeError(f"{type(value).__name__} is not a value bulk passes on")


def _db_type(field) -> str:
    """The column's type as an array element (a foreign key stores its target's key type)."""
    return field.target_field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
