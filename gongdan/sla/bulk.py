"""Writing many rows' columns in one statement.

Django's `bulk_update` builds one `CASE WHEN pk = … THEN …` per row and column: for a sweep's
hundreds of tickets that is milliseconds of Python and a quadratic statement for the database. On
PostgreSQL `UPDATE … FROM (VALUES …)` joins the new values instead; other databases (SQLite in
development and tests) keep `bulk_update`.
"""

from django.db import connection


def update(model, rows: list, fields: list[str]) -> None:
    """Store `fields` of every instance in `rows` (all of the same model) with one statement."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields)
        return
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    casts = ", ".join(f"%s::{field.db_type(connection)}" for field in [pk, *columns])
    params: list = []
    for row in rows:
        params.append(pk.get_db_prep_value(row.pk, connection))
        params += [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in [pk, *columns])
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns)
    values = ", ".join(f"({casts})" for _row in rows)
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
        f"FROM (VALUES {values}) AS v({names}) WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
