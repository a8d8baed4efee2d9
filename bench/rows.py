"""Fast row writer for benchmark fixtures: PostgreSQL COPY (psycopg 3), executemany on SQLite.

This, with bench/loader.py, is the one sanctioned bypass of the service layer (ADR 0012): it writes
rows the services would have written, in bulk, for benchmark databases and the loader's tests only.
Rows are dicts keyed by the model's column attnames; missing columns take the field's default.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import connection, models

SQLITE_BATCH = 2000


def _json(value):
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _converter(field: models.Field, vendor: str) -> Callable | None:
    if isinstance(field, models.JSONField):
        return _json
    if vendor != "sqlite":
        return None  # psycopg adapts dates, durations, booleans and text itself
    if isinstance(field, models.DateTimeField):
        return lambda value: None if value is None else connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DurationField):
        return lambda value: None if value is None else value // timedelta(microseconds=1)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    return None


def _default(field: models.Field):
    # Django's own rule: the declared default, else "" for a non-null text column, else NULL.
    return field.get_default()


class Table:
    """The columns of one model and how to turn a row dict into the tuple the database takes."""

    def __init__(self, model: type[models.Model], with_pk: bool):
        vendor = connection.vendor
        self.model = model
        # Without ids (e.g. index rows nobody points at), the database numbers the rows itself.
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.columns = [field.column for field in self.fields]
        self.attnames = [field.attname for field in self.fields]
        self.defaults = [_default(field) for field in self.fields]
        self.converters = [_converter(field, vendor) for field in self.fields]

    def values(self, row: dict) -> tuple:
        out = []
        for attname, default, convert in zip(self.attnames, self.defaults, self.converters, strict=True):
            value = row.get(attname, default)
            out.append(convert(value) if convert is not None and value is not None else value)
        return tuple(out)


def write(model: type[models.Model], rows: Iterable[dict], *, with_pk: bool = True) -> int:
    """Insert the rows in one COPY on PostgreSQL, in batches elsewhere. Returns how many."""
    spec = Table(model, with_pk)
    name = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in spec.columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(spec.values(row))
                    count += 1
            return count
        sql = f"INSERT INTO {name} ({columns}) VALUES ({', '.join(['%s'] * len(spec.columns))})"
        batch = []
        for row in rows:
            batch.append(spec.values(row))
            if len(batch) >= SQLITE_BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def next_id(model: type[models.Model]) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(models_: list[type[models.Model]]) -> None:
    """After explicit ids: the next `objects.create` must not collide with a bulk-loaded row."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def as_row(instance: models.Model) -> dict:
    """An unsaved model instance (e.g. from band_rows_for) as a row dict for `write`."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
