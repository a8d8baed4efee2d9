"""Which policy, calendar, ladder and stagnation thresholds apply to a ticket."""

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import Customer
from gongdan.sla import constants as c
from gongdan.sla.cache import memo
from gongdan.sla.deadlines import Step
from gongdan.sla.models import EscalationStep, SlaPolicy, SlaSettings, StagnationRule
from gongdan.tickets.models import Ticket


def _category_path(ticket: Ticket) -> list:
    if not ticket.category_id:
        return []
    return memo(("category-path", ticket.category_id), ticket.category.path)


def _category_ids(ticket: Ticket) -> set[int]:
    return {node.pk for node in _category_path(ticket)}


def _policies() -> list[SlaPolicy]:
    return list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("priorities", "categories", "pause_statuses")
    )


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
    policies = memo(("policies",), _policies)
    return next((policy for policy in policies if matches(policy, ticket, category_ids)), None)


def _steps() -> dict[int | None, list[Step]]:
    ladders: dict[int | None, list[Step]] = {}
    for row in EscalationStep.objects.order_by("policy_id", "order"):
        ladders.setdefault(row.policy_id, []).append(Step(row.order, timedelta(minutes=row.after_minutes), row.target))
    return ladders


def ladder(policy: SlaPolicy | None) -> list[Step]:
    """The policy's own steps, else the default ladder."""
    ladders = memo(("ladders",), _steps)
    return ladders.get(policy.pk if policy else None) or ladders.get(None, [])


@dataclass(frozen=True)
class Stagnation:
    yellow: timedelta
    red: timedelta


def stagnation_thresholds(ticket: Ticket, settings: SlaSettings) -> Stagnation:
    """The most specific rule: category and priority, then category, then priority, then the desk default."""
    path = _category_path(ticket)
    rules = memo(
        ("stagnation-rules",),
        lambda: {(rule.category_id, rule.priority_id): rule for rule in StagnationRule.objects.all()},
    )
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
    for name in filter(None, candidates):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo(c.DEFAULT_TIMEZONE)
