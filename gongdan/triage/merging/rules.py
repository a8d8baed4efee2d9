"""Pure decisions of merging and recurrence: values in, values out (rule 6), tested without a DB."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from gongdan.core.textanalysis import words

# Subject keys group reworded tickets of one scenario; digits (order numbers, dates) never define one.
_HAS_DIGIT = re.compile(r"\d")
SCENARIO_KEY_WORDS = 6


@dataclass(frozen=True)
class Gates:
    """The proposal gates of the merge policy (each one can be switched off)."""

    require_same_customer: bool = True
    require_window: bool = True
    window_hours: int = 24
    require_same_category_group: bool = True
    min_probability: float = 0.0


@dataclass(frozen=True)
class PairFacts:
    same_customer: bool
    hours_apart: float
    # None when either ticket has no category yet: the group is unknown.
    same_category_group: bool | None
    both_active: bool


def failed_gates(facts: PairFacts, gates: Gates, probability: float) -> list[str]:
    """The names of the gates a pair fails; an empty list means: propose the merge."""
    failed = []
    if not facts.both_active:
        failed.append("active")
    if gates.require_same_customer and not facts.same_customer:
        failed.append("same_customer")
    if gates.require_window and facts.hours_apart > gates.window_hours:
        failed.append("window")
    if gates.require_same_category_group and not facts.same_category_group:
        failed.append("same_category_group")
    if probability < gates.min_probability:
        failed.append("min_probability")
    return failed


def master_first(a: tuple[datetime, int], b: tuple[datetime, int]) -> bool:
    """True when `a` (created_at, id) should be the master: the older ticket, ids breaking ties."""
    return a <= b


def recurrence_days_after(closed_at: datetime, created_at: datetime) -> float:
    return round((created_at - closed_at).total_seconds() / 86400, 2)


def is_recurrence(closed_at: datetime, created_at: datetime, window_days: int) -> bool:
    """A new ticket created within `window_days` after an earlier close (and not before it)."""
    return closed_at <= created_at <= closed_at + timedelta(days=window_days)


class Verdict:
    TRUE = "true_resolution"
    PENDING = "pending"
    FAILED = "failed"
    NOT_CONFIRMED = "not_confirmed"


def resolution_verdict(*, confirmed: bool, recurred: bool, closed_at: datetime | None, now: datetime, days: int) -> str:
    """R10.2: true resolution = confirmed by the customer and no recurrence within `days` of the close."""
    if not confirmed or closed_at is None:
        return Verdict.NOT_CONFIRMED
    if recurred:
        return Verdict.FAILED
    if now < closed_at + timedelta(days=days):
        return Verdict.PENDING
    return Verdict.TRUE


def scenario_key(subject: str) -> str:
    """A normalised subject key: its distinct words without digits, sorted, at most six."""
    distinct = sorted({word for word in words(subject) if not _HAS_DIGIT.search(word)})
    return " ".join(distinct[:SCENARIO_KEY_WORDS])
