"""The candidate pool of a duplicate lookup, read in one query.

A lookup rescores the union of three (with an embedding, four) sets of earlier tickets: the `limit`
tickets of the recent pool sharing the most LSH bands with the text (newest first among equals; each
band contributes at most its newest `BAND_BUCKET_CAP` tickets, see below), the customer's newest
`SAME_CUSTOMER_CANDIDATES` tickets of any age, and as many of the same device's within the pool;
with an embedding, the `RECENT_CANDIDATES` newest tickets of the cluster window too (re-ranked by
cosine in `selectors`); merged tickets are left out. As ORM queries that took four round trips (pool
floor, bands, customer, device) and two more for the rows and their stored analyses; written as one
statement it is one round trip, and each part still runs on its own index:

- the pool floor is the first ticket id created since `since` (ids grow with creation time), so
  the band part stays on the covering index (band_hash, ticket) without joining the tickets;
- the customer part walks (customer, created_at), the device part device_sn;
- a band shared by thousands of pool tickets (a common phrasing, a template) says little about any
  one of them, yet counting all its rows was most of a lookup at 1M tickets (p99 346 ms). Each band
  is read newest first up to `BAND_BUCKET_CAP` rows from the index, so a lookup reads at most
  bands × cap index entries whatever the pool's size; a true duplicate shares rarer bands too, and
  the same customer's and device's tickets are added whatever their bands.

Plain SQL that PostgreSQL and SQLite both run (the ORM cannot express a union of sliced subqueries
portably).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from gongdan.tickets.models import Ticket
from gongdan.triage.duplicates import analysis, scoring
from gongdan.triage.duplicates.analysis import Analysis
from gongdan.triage.duplicates_constants import BAND_BUCKET_CAP, RECENT_CANDIDATES, SAME_CUSTOMER_CANDIDATES
from gongdan.triage.models.duplicates import DuplicateBand, DuplicateFeatures


@dataclass(frozen=True)
class Row:
    """What scoring needs of a ticket, whether it came as a model instance or as a candidate row."""

    pk: int
    customer_id: int | None
    device_sn: str
    category_id: int | None
    created_at: datetime
    text: str
    analysed: Analysis


@dataclass(frozen=True)
class CandidatePool:
    band_hashes: Sequence[int]
    since: datetime
    exclude_id: int | None
    customer_id: int | None
    device_sn: str
    limit: int
    # With an embedding to re-rank by: the newest `RECENT_CANDIDATES` tickets created since this.
    recent_since: datetime | None = None


def _sources(pool: CandidatePool, since) -> tuple[list[str], list]:
    """The id subqueries of the union, with their parameters."""
    tickets, bands = Ticket._meta.db_table, DuplicateBand._meta.db_table
    sources: list[str] = []
    params: list = []
    if pool.band_hashes:
        not_self = " AND ticket_id <> %s" if pool.exclude_id is not None else ""
        floor = f"(SELECT id FROM {tickets} WHERE created_at >= %s ORDER BY created_at, id LIMIT 1)"
        bucket = (
            "SELECT * FROM (SELECT ticket_id FROM {bands} WHERE band_hash = %s AND ticket_id >= {floor}{not_self} "
            "ORDER BY ticket_id DESC LIMIT {cap}) b{n}"
        )
        buckets = " UNION ALL ".join(
            bucket.format(bands=bands, floor=floor, not_self=not_self, cap=BAND_BUCKET_CAP, n=n)
            for n in range(len(pool.band_hashes))
        )
        sources.append(
            f"SELECT ticket_id FROM (SELECT ticket_id FROM ({buckets}) hits "
            "GROUP BY ticket_id ORDER BY COUNT(*) DESC, ticket_id DESC LIMIT %s) lsh"
        )
        for band_hash in pool.band_hashes:
            params += [band_hash, since, *([pool.exclude_id] if not_self else [])]
        params.append(pool.limit)
    not_self = " AND id <> %s" if pool.exclude_id is not None else ""
    excluded = [pool.exclude_id] if not_self else []
    if pool.customer_id is not None:
        sources.append(
            f"SELECT id FROM (SELECT id FROM {tickets} WHERE customer_id = %s{not_self} "
            f"ORDER BY created_at DESC LIMIT %s) own"
        )
        params += [pool.customer_id, *excluded, SAME_CUSTOMER_CANDIDATES]
    if pool.device_sn:
        sources.append(
            f"SELECT id FROM (SELECT id FROM {tickets} WHERE device_sn = %s AND created_at >= %s{not_self} "
            f"ORDER BY created_at DESC LIMIT %s) device"
        )
        params += [pool.device_sn, since, *excluded, SAME_CUSTOMER_CANDIDATES]
    if pool.recent_since is not None:
        sources.append(
            f"SELECT id FROM (SELECT id FROM {tickets} WHERE created_at >= %s{not_self} "
            f"ORDER BY created_at DESC LIMIT %s) recent"
        )
        recent = connection.ops.adapt_datetimefield_value(pool.recent_since)
        params += [recent, *excluded, RECENT_CANDIDATES]
    return sources, params


def candidate_rows(pool: CandidatePool) -> list[Row]:
    """The pool's tickets (not merged), in id order, with their stored analyses (or analysed now)."""
    since = connection.ops.adapt_datetimefield_value(pool.since)
    sources, params = _sources(pool, since)
    if not sources:
        return []
    tickets, features = Ticket._meta.db_table, DuplicateFeatures._meta.db_table
    sql = (
        "SELECT t.id, t.customer_id, t.device_sn, t.category_id, t.created_at, t.subject, t.description, "
        f"f.text_hash, f.compact, f.words, f.phones FROM {tickets} t LEFT JOIN {features} f ON f.ticket_id = t.id "
        f"WHERE t.merged_into_id IS NULL AND t.id IN ({' UNION '.join(sources)}) ORDER BY t.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    # The backend's conversions of a created_at column (SQLite returns text), as the ORM applies them.
    created_at = Ticket._meta.get_field("created_at").get_col(tickets)
    converters = connection.ops.get_db_converters(created_at) + created_at.get_db_converters(connection)
    rows = []
    for pk, customer_id, device_sn, category_id, created, subject, description, *stored in fetched:
        for convert in converters:
            created = convert(created, created_at, connection)
        text = scoring.ticket_text(subject, description)
        stored_row = tuple(stored) if stored[0] is not None else None
        rows.append(Row(pk, customer_id, device_sn, category_id, created, text, analysis.stored(text, stored_row)))
    return rows
