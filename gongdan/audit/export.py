"""Streamed CSV and JSON exports of the audit trail: rows are written as they are read, so an export
of a year holds one chunk in memory, not the year."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse

from gongdan.audit.selectors import COLUMNS, AuditFilter, rows

FORMATS = ("csv", "json")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    # A cell starting with = + - @ is a formula to spreadsheet programs (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(items: Iterable[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # Excel reads UTF-8 Chinese only with a BOM.
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow([_csv_cell(item[c]) for c in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_lines(items: Iterable[dict]) -> Iterator[str]:
    yield "["
    first = True
    for item in items:
        yield ("" if first else ",") + "\n" + json.dumps(item, ensure_ascii=False, cls=DjangoJSONEncoder)
        first = False
    yield "\n]\n"


def response(f: AuditFilter, fmt: str) -> StreamingHttpResponse:
    items = rows(f)
    if fmt == "json":
        answer = StreamingHttpResponse(json_lines(items), content_type="application/json; charset=utf-8")
    else:
        answer = StreamingHttpResponse(csv_lines(items), content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="gongdan-{f.source}.{fmt}"'
    answer["Cache-Control"] = "no-store"
    return answer
