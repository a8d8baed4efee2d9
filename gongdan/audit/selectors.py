"""Filtering the audit trail: sign-in and configuration events (`AuditEvent`) and the ticket timeline
(`TicketEvent`) by actor, IP, action and time, one parsed filter for the page, the API and exports."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from gongdan.audit.constants import Action
from gongdan.audit.models import AuditEvent
from gongdan.core.errors import InvalidInput
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import TicketEvent

SOURCES = ("audit", "timeline")
FILTER_NAMES = ("source", "actor", "ip", "action", "since", "until")


@dataclass(frozen=True)
class AuditFilter:
    source: str = "audit"
    actor: str = ""
    ip: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _when(name: str, raw: str) -> datetime | None:
    if not raw:
        return None
    value = parse_datetime(raw.strip())
    if value is None or value.tzinfo is None:
        raise InvalidInput(
            f"{name} is an ISO 8601 time with a zone, e.g. 2026-12-01T00:00:00+08:00.",
            f"{name} 应为带时区的 ISO 8601 时间，例如 2026-12-01T00:00:00+08:00。",
            fields={name: "invalid"},
        )
    return value


def parse_filter(params) -> AuditFilter:
    """From query parameters; unknown or malformed values are refused, never ignored."""
    unknown = sorted(set(params) - set(FILTER_NAMES) - {"format", "page"})
    if unknown:
        raise InvalidInput(
            f"Unknown filter: {', '.join(unknown)}.",
            f"未知的筛选条件：{', '.join(unknown)}。",
            fields={name: "unknown" for name in unknown},
        )
    source = params.get("source") or "audit"
    if source not in SOURCES:
        raise InvalidInput(
            "source is audit or timeline.", "source 只能是 audit 或 timeline。", fields={"source": "invalid"}
        )
    action = (params.get("action") or "").strip()
    known = Action.values if source == "audit" else EventType.values
    if action and action not in known and not (source == "audit" and action in ("signin", "config", "mfa")):
        raise InvalidInput(f"Unknown action: {action}.", f"未知的操作：{action}。", fields={"action": "unknown"})
    ip = (params.get("ip") or "").strip()
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise InvalidInput(
                "ip is an IPv4 or IPv6 address.", "ip 应为 IPv4 或 IPv6 地址。", fields={"ip": "invalid"}
            ) from None
    since, until = _when("since", params.get("since", "")), _when("until", params.get("until", ""))
    return AuditFilter(source, (params.get("actor") or "").strip()[:150], ip, action, since, until)


def audit_events(f: AuditFilter) -> QuerySet[AuditEvent]:
    rows = AuditEvent.objects.all()
    if f.actor:
        rows = rows.filter(Q(actor_label__iexact=f.actor) | Q(actor__username__iexact=f.actor))
    if f.ip:
        rows = rows.filter(ip=f.ip)
    if f.action in ("signin", "config", "mfa"):
        rows = rows.filter(action__startswith=f.action)
    elif f.action:
        rows = rows.filter(action=f.action)
    if f.since:
        rows = rows.filter(at__gte=f.since)
    if f.until:
        rows = rows.filter(at__lt=f.until)
    return rows.order_by("-at", "-id")


def timeline_events(f: AuditFilter) -> QuerySet[TicketEvent]:
    rows = TicketEvent.objects.select_related("ticket", "actor", "actor_customer")
    if f.actor:
        rows = rows.filter(Q(actor__username__iexact=f.actor) | Q(actor_customer__name__iexact=f.actor))
    if f.ip:
        rows = rows.filter(ip=f.ip)
    if f.action:
        rows = rows.filter(event_type=f.action)
    if f.since:
        rows = rows.filter(created_at__gte=f.since)
    if f.until:
        rows = rows.filter(created_at__lt=f.until)
    return rows.order_by("-created_at", "-id")


COLUMNS = ("at", "source", "action", "actor", "ip", "object", "summary", "before", "after")


def audit_row(event: AuditEvent) -> dict:
    return {
        "at": event.at.isoformat(),
        "source": "audit",
        "action": event.action,
        "actor": event.actor_label,
        "ip": event.ip or "",
        "object": f"{event.object_type}:{event.object_id} {event.object_repr}".strip(": ") if event.object_type else "",
        "summary": event.detail,
        "before": event.before,
        "after": event.after,
    }


def timeline_row(event: TicketEvent) -> dict:
    actor = (
        event.actor.get_username()
        if event.actor_id
        else (event.actor_customer.name if event.actor_customer_id else "system")
    )
    return {
        "at": event.created_at.isoformat(),
        "source": "timeline",
        "action": event.event_type,
        "actor": actor,
        "ip": event.ip or "",
        "object": f"ticket:{event.ticket.number}",
        "summary": event.summary,
        "before": event.old_value,
        "after": event.new_value,
    }


def rows(f: AuditFilter):
    """The filtered events as plain rows, read in chunks (memory stays bounded for any range)."""
    from gongdan.audit.constants import EXPORT_CHUNK

    if f.source == "timeline":
        return (timeline_row(e) for e in timeline_events(f).iterator(chunk_size=EXPORT_CHUNK))
    return (audit_row(e) for e in audit_events(f).iterator(chunk_size=EXPORT_CHUNK))
