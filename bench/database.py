"""The benchmark database: a dedicated PostgreSQL database, reused while its fingerprint matches.

The manifest of the last complete load is kept as the database's comment, written only after the
load committed, so an interrupted load is never mistaken for a complete one.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict

import psycopg
from django.core.management import call_command
from django.db import connection, connections, transaction
from psycopg import sql

from bench.loader import Loader, Manifest, create_reference, index_signature
from bench.workload import Size, fingerprint
from gongdan.core import clock

BENCH_PREFIX = "gongdan_bench"


def name() -> str:
    database = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not database.startswith(BENCH_PREFIX):
        raise SystemExit(f"The benchmark runs only on a PostgreSQL database named {BENCH_PREFIX}*, not {database!r}.")
    return database


def _admin_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )


def stored_manifest() -> Manifest | None:
    with _admin_connection() as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name()]
        ).fetchone()
    if row is None or not row[0]:
        return None
    try:
        return Manifest(**json.loads(row[0]))
    except (ValueError, TypeError):
        return None


def _store_manifest(manifest: Manifest) -> None:
    with _admin_connection() as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name()), sql.Literal(json.dumps(asdict(manifest)))
            )
        )


def _recreate() -> None:
    database = name()
    connections.close_all()
    with _admin_connection() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def exists() -> bool:
    with _admin_connection() as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name()]).fetchone() is not None


def ensure(size: Size, *, force: bool = False, progress=print) -> tuple[Manifest, bool]:
    """The loaded database for `size`: reused when its fingerprint matches, else rebuilt. (manifest, reused)"""
    wanted = fingerprint(size, extra=index_signature())
    if exists() and not force:
        manifest = stored_manifest()
        if manifest is not None and manifest.fingerprint == wanted:
            call_command("migrate", verbosity=0)  # new migrations of merged branches apply to the reused data
            return manifest, True
    started = time.perf_counter()
    progress(f"building {name()} for {size.name} ({size.tickets} tickets)…")
    _recreate()
    call_command("migrate", verbosity=0)
    create_reference()
    manifest = Loader(size, now=clock.now(), progress=progress).load(wanted)
    manifest.seconds = round(time.perf_counter() - started, 1)
    _store_manifest(manifest)
    return manifest, False


def forget_previous_runs(manifest: Manifest) -> int:
    """Delete what earlier runs' intake added (tickets, follow-up events, inbound records): runs compare."""
    from gongdan.intake.models import DeadLetter, InboundMessage
    from gongdan.tickets.models import Ticket, TicketEvent

    last_ticket = manifest.first_ticket_id + manifest.tickets - 1
    with transaction.atomic():
        DeadLetter.objects.all().delete()
        InboundMessage.objects.all().delete()
        removed = Ticket.objects.filter(pk__gt=last_ticket).count()
        Ticket.objects.filter(pk__gt=last_ticket).delete()
        TicketEvent.objects.filter(pk__gt=manifest.last_event_id).delete()
    return removed


def pg_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def vacuum() -> None:
    """Clear the dead rows an earlier run's rolled-back sweep left in the ticket indexes (they slow reads)."""
    with connection.cursor() as cursor:
        for table in ("tickets_ticket", "sla_ticketsla", "tickets_ticketevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")
