"""Which policy, calendar, ladder and stagnation thresholds apply to a ticket: pure over the cached config."""

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import Customer
from gongdan.sla import config
from gongdan.sla import constants as c
from gongdan.sla.deadlines import Step
from gongdan.sla.models import SlaPolicy, SlaSettings
from gongdan.tickets.models import Ticket


def matches(policy: config.Policy, ticket: Ticket, category_ids: set[int]) -> bool:
    if policy.priority_ids and ticket.priority_id not in policy.priority_ids:
        return False
    if policy.category_ids and not policy.category_ids & category_ids:
        return False
    row = policy.row
    if row.customer_tiers and ticket.customer.tier not in row.customer_tiers:
        return False
    return not (row.channels and ticket.channel not in row.channels)


def match(ticket: Ticket, snapshot: config.Snapshot) -> config.Policy | None:
    """The first active policy, by order, whose every non-empty criterion matches (R7.1)."""
    category_ids = set(snapshot.category_path(ticket.category_id))
    return next((policy for policy in snapshot.policies if matches(policy, ticket, category_ids)), None)


def match_policy(ticket: Ticket) -> SlaPolicy | None:
    found = match(ticket, config.current())
    return found.row if found else None


def ladder(policy: SlaPolicy | None, snapshot: config.Snapshot | None = None) -> list[Step]:
    """The policy's own steps, else the default ladder."""
    ladders = (snapshot or config.current()).ladders
    return ladders.get(policy.pk if policy else None) or ladders.get(None, [])


@dataclass(frozen=True)
class Stagnation:
    yellow: timedelta
    red: timedelta


def stagnation_thresholds(ticket: Ticket, settings: SlaSettings, snapshot: config.Snapshot | None = None) -> Stagnation:
    """The most specific rule: category and priority, then category, then priority, then the desk default."""
    snapshot = snapshot or config.current()
    rules = snapshot.stagnation_rules
    for category in [*reversed(snapshot.category_path(ticket.category_id)), None]:
        for priority in (ticket.priority_id, None):
            rule = rules.get((category, priority))
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
