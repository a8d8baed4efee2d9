"""The SLA clocks of one ticket as pure values: deadlines, warning points, what is due, what is next.

`Clock` describes one target (first response, next response, resolution) of one ticket; the
functions here decide, from clocks and a moment, which signals are due and when to look again.
No database and no clock: the services feed values in and act on what comes out.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from gongdan.sla import businesstime as bt
from gongdan.sla.constants import SignalKind


def cycle_key(moment: datetime) -> str:
    """A stable name for one run of a clock (the moment it started), used in signal keys."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S")


def due_at(cal: bt.WorkCalendar, start: datetime, amount: timedelta, paused: timedelta) -> datetime:
    """The deadline: `amount` of working time after `start`, plus the working time spent paused."""
    return bt.add_business_time(cal, start, amount + paused)


def warning_points(
    cal: bt.WorkCalendar, start: datetime, amount: timedelta, paused: timedelta, percents: list[int]
) -> list[tuple[int, datetime]]:
    return [(p, bt.add_business_time(cal, start, amount * p / 100 + paused)) for p in sorted(set(percents))]


def due_and_warnings(
    cal: bt.WorkCalendar, start: datetime, amount: timedelta, paused: timedelta, percents: list[int]
) -> tuple[datetime, list[tuple[int, datetime]]]:
    """`due_at` and `warning_points` together, in one walk over the calendar."""
    stages = sorted(set(percents))
    moments = bt.add_business_times(cal, start, [amount + paused, *(amount * p / 100 + paused for p in stages)])
    return moments[0], list(zip(stages, moments[1:], strict=True))


@dataclass(frozen=True)
class Clock:
    target: str
    cycle: str
    start: datetime
    due: datetime
    done_at: datetime | None  # when the target was met (a response, a resolution)
    running: bool  # counting right now: not paused and not stopped
    warnings: list[tuple[int, datetime]] = field(default_factory=list)

    def breached(self, now: datetime) -> bool:
        """The deadline has come without the target being met by it."""
        return self.due <= now and (self.done_at is None or self.done_at > self.due)

    def open_breach(self, now: datetime) -> bool:
        return self.breached(now) and self.done_at is None and self.running

    def warning_stage(self, now: datetime) -> int:
        if not self.running or self.done_at is not None:
            return 0
        return max((p for p, at in self.warnings if at <= now), default=0)


@dataclass(frozen=True)
class Due:
    """A signal whose moment has come: fire it (once) now."""

    kind: str
    target: str
    cycle: str
    stage: int
    at: datetime


@dataclass(frozen=True)
class Step:
    order: int
    after: timedelta
    target: str


def clock_signals(clocks: list[Clock], now: datetime) -> list[Due]:
    """Warnings (before their breach only) and breaches (even when noticed late)."""
    out = []
    for clock in clocks:
        if clock.running and clock.done_at is None and now < clock.due:
            out += [Due(SignalKind.WARNING, clock.target, clock.cycle, p, at) for p, at in clock.warnings if at <= now]
        if clock.breached(now):
            out.append(Due(SignalKind.BREACH, clock.target, clock.cycle, 0, clock.due))
    return out


def ladder_driver(clocks: list[Clock], now: datetime) -> Clock | None:
    """The clock whose open breach drives the escalation ladder: the earliest one."""
    open_breaches = [clock for clock in clocks if clock.open_breach(now)]
    return min(open_breaches, key=lambda clock: clock.due, default=None)


def ladder_signals(
    driver: Clock | None,
    steps: list[Step],
    now: datetime,
    reached: int = 0,
    last_at: datetime | None = None,
) -> tuple[list[Due], datetime | None]:
    """The next step of the ladder once its time has come, and the time of the one after.

    One step at a time: `reached` is the step this breach's ladder has fired, `last_at` when. A breach
    noticed late (a priority change moved the deadline into the past) climbs from when it is seen,
    each step as long after the one before as the ladder says, instead of firing every step at once.
    """
    if driver is None:
        return [], None
    ordered = sorted(steps, key=lambda step: step.order)
    pending = [step for step in ordered if step.order > reached]
    if not pending:
        return [], None
    step, previous = pending[0], next((s for s in reversed(ordered) if s.order <= reached), None)
    at = driver.due + step.after
    if last_at is not None and previous is not None:
        at = max(at, last_at + (step.after - previous.after))
    if at > now:
        return [], at
    following = pending[1] if len(pending) > 1 else None
    upcoming = max(driver.due + following.after, now + (following.after - step.after)) if following else None
    return [Due(SignalKind.ESCALATION, driver.target, driver.cycle, step.order, at)], upcoming


def stagnation(
    base: datetime | None, yellow: timedelta, red: timedelta, now: datetime
) -> tuple[str, list[Due], datetime | None]:
    """Level ("", "yellow", "red"), the stages due, and the next stage's time for an in-progress ticket."""
    if base is None:
        return "", [], None
    cycle = cycle_key(base)
    stages = [(SignalKind.STAGNATION_YELLOW, "yellow", base + yellow), (SignalKind.STAGNATION_RED, "red", base + red)]
    level, due, upcoming = "", [], []
    for kind, name, at in stages:
        if at <= now:
            level = name
            due.append(Due(kind, "", cycle, 0, at))
        else:
            upcoming.append(at)
    return level, due, min(upcoming, default=None)


def next_check(clocks: list[Clock], now: datetime, *others: datetime | None) -> datetime | None:
    """The earliest future moment at which something may fire; None when nothing can."""
    moments = [moment for moment in others if moment is not None and moment > now]
    for clock in clocks:
        if not clock.running or clock.done_at is not None:
            continue
        if clock.due > now:
            moments.append(clock.due)
            moments += [at for _p, at in clock.warnings if now < at < clock.due]
    return min(moments, default=None)
