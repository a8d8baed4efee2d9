"""Which policy, calendar, ladder and stagnation thresholds apply to a ticket."""

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q

from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import Customer
from gongdan.sla import constants as c
from gongdan.sla.deadlines import Step
from gongdan.sla.models import EscalationStep, SlaPolicy, SlaSettings, StagnationRule
from gongdan.tickets.models import Ticket


def _category_ids(ticket: Ticket) -> set[int]:
    return {node.pk for node in ticket.category.path()} if ticket.category_id else set()


def matches(policy: SlaPolicy, ticket: Ticket, category_ids: set[int]) -> bool:
    priorities = {p.pk for p in policy.priorities.all()}
    categories = {cat.pk for cat in policy.categories.all()}
    if priorities and ticket.priority_id not in priorities:
        return False
    if categories and not categories & category_ids:
        return False
    if policy.customer_tiers and ticket.customer.tier not in policy.customer_tiers:
        return False
    return not (policy.channels and ticket.channel not in policy.channels)


def match_policy(ticket: Ticket) -> SlaPolicy | None:
    """The first active policy, by order, whose every non-empty criterion matches (R7.1)."""
    category_ids = _category_ids(ticket)
    policies = SlaPolicy.objects.filter(is_active=True).prefetch_related("priorities", "categories", "pause_statuses")
    return next((policy for policy in policies if matches(policy, ticket, category_ids)), None)


def ladder(policy: SlaPolicy | None) -> list[Step]:
    rows = EscalationStep.objects.filter(policy=policy) if policy is not None else EscalationStep.objects.none()
    if policy is None or not rows.exists():
        rows = EscalationStep.objects.filter(policy=None)
    return [Step(row.order, timedelta(minutes=row.after_minutes), row.target) for row in rows.order_by("order")]


@dataclass(frozen=True)
class Stagnation:
    yellow: timedelta
    red: timedelta


def stagnation_thresholds(ticket: Ticket, settings: SlaSettings) -> Stagnation:
    """The most specific rule: category and priority, then category, then priority, then the desk default."""
    path = ticket.category.path() if ticket.category_id else []
    rules = {
        (rule.category_id, rule.priority_id): rule
        for rule in StagnationRule.objects.filter(Q(priority=ticket.priority_id) | Q(priority__isnull=True))
    }
    for category in [*reversed(path), None]:
        for priority in (ticket.priority_id, None):
            rule = rules.get((category.pk if category else None, priority))
            if rule is not None and (category or priority):
                return Stagnation(timedelta(hours=rule.yellow_hours), timedelta(hours=rule.red_hours))
    return Stagnation(timedelta(hours=settings.stagnation_yellow_hours), timedelta(hours=settings.stagnation_red_hours))


def customer_timezone(customer: Customer) -> ZoneInfo:
    """Profile first, then the phone's country code, then the desk's zone (R7.3)."""
    candidates = [customer.timezone]
    for identity in customer.identities.all():
        if identity.kind == IdentityKind.PHONE:
            prefix = next(
                (p for p in sorted(c.PHONE_PREFIX_TIMEZONES, key=len, reverse=True) if identity.value.startswith(p)),
                None,
            )
            if prefix:
                candidates.append(c.PHONE_PREFIX_TIMEZONES[prefix])
    candidates.append(c.DEFAULT_TIMEZONE)
    for name in candidates:
        try:
            return ZoneInfo(name) if name else ZoneInfo(c.DEFAULT_TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo(c.DEFAULT_TIMEZONE)
