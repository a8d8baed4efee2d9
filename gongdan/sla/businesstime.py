"""Business-time arithmetic: pure functions over a `WorkCalendar` value (rule 6).

A calendar is a time zone, working shifts per weekday and overrides per date (a holiday has no
shifts, a make-up working day 调休 has the shifts of another weekday). A shift whose end is not
after its start runs overnight into the next day and belongs to the day it starts on; a shift from
00:00 to 00:00 is the whole day. Shifts are laid out in local time and measured in real (UTC) time,
so a night shift across a DST change counts the hours actually worked.

Everything here is values in, values out: no database, no clock.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZERO = timedelta(0)
# How far ahead to look for working time before deciding a calendar has none (about ten years).
HORIZON_DAYS = 3660
FOREVER = datetime(9999, 12, 30, tzinfo=UTC)


class NoWorkingTime(ValueError):
    """The calendar has no working time within the horizon (e.g. every shift removed)."""


@dataclass(frozen=True)
class Shift:
    start: time
    end: time

    @property
    def overnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    weekly: tuple[tuple[Shift, ...], ...] = ((),) * 7  # Monday … Sunday
    days: Mapping[date, tuple[Shift, ...]] = field(default_factory=dict)
    always_open: bool = False
    # Memo of each day's working intervals: a calendar value is shared by every ticket of a sweep and
    # the same few days are laid out again and again. Not part of the value (equality, hash, repr).
    _intervals: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def shifts_on(self, day: date) -> tuple[Shift, ...]:
        override = self.days.get(day)
        return override if override is not None else self.weekly[day.weekday()]

    def in_zone(self, tz: ZoneInfo) -> "WorkCalendar":
        """The same hours and dates read in another time zone (customer-timezone-first, R7.3)."""
        return WorkCalendar(tz=tz, weekly=self.weekly, days=self.days, always_open=self.always_open)


ALWAYS = WorkCalendar(tz=ZoneInfo("UTC"), always_open=True)


def weekly_hours(spec: Mapping[int, list[tuple[time, time]]]) -> tuple[tuple[Shift, ...], ...]:
    """Build the weekly table from {weekday: [(start, end), …]} (0 = Monday)."""
    return tuple(tuple(Shift(s, e) for s, e in sorted(spec.get(day, []))) for day in range(7))


def _utc(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def _day_intervals(cal: WorkCalendar, day: date) -> list[tuple[datetime, datetime]]:
    found = cal._intervals.get(day)
    if found is None:
        found = cal._intervals[day] = _lay_out(cal, day)
    return found


def _lay_out(cal: WorkCalendar, day: date) -> list[tuple[datetime, datetime]]:
    out = []
    for shift in cal.shifts_on(day):
        end_day = day + timedelta(days=1) if shift.overnight else day
        start, end = _utc(day, shift.start, cal.tz), _utc(end_day, shift.end, cal.tz)
        if end > start:  # a shift swallowed by a DST gap has no length
            out.append((start, end))
    return sorted(out)


def working_intervals(cal: WorkCalendar, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Merged working intervals (UTC) that end after `since`, in time order."""
    since = since.astimezone(UTC)
    if cal.always_open:
        yield since, FOREVER
        return
    day = since.astimezone(cal.tz).date() - timedelta(days=1)  # yesterday's night shift may still run
    current: tuple[datetime, datetime] | None = None
    for _ in range(HORIZON_DAYS):
        for start, end in _day_intervals(cal, day):
            if current is not None and start <= current[1]:
                current = (current[0], max(current[1], end))
                continue
            if current is not None and current[1] > since:
                yield current
            current = (start, end)
        day += timedelta(days=1)
    if current is not None and current[1] > since:
        yield current


def add_business_time(cal: WorkCalendar, start: datetime, amount: timedelta) -> datetime:
    """The moment when `amount` of working time has passed after `start`."""
    start = start.astimezone(UTC)
    if amount <= ZERO:
        return start
    remaining = amount
    for begin, end in working_intervals(cal, start):
        begin = max(begin, start)
        if remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    raise NoWorkingTime("the calendar has no working time ahead")


def add_business_times(cal: WorkCalendar, start: datetime, amounts: list[timedelta]) -> list[datetime]:
    """`add_business_time` for several amounts from one start, in one walk over the calendar."""
    start = start.astimezone(UTC)
    order = sorted(range(len(amounts)), key=lambda i: amounts[i])
    out: list[datetime] = [start] * len(amounts)
    pending = [i for i in order if amounts[i] > ZERO]
    if not pending:
        return out
    spent = ZERO  # working time between `start` and the current interval's beginning
    for begin, end in working_intervals(cal, start):
        begin = max(begin, start)
        length = end - begin
        while pending and amounts[pending[0]] - spent <= length:
            index = pending.pop(0)
            out[index] = begin + (amounts[index] - spent)
        if not pending:
            return out
        spent += length
    raise NoWorkingTime("the calendar has no working time ahead")


def business_time_between(cal: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time elapsed from `start` to `end` (zero when `end` is not after `start`)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return ZERO
    total = ZERO
    for begin, finish in working_intervals(cal, start):
        if begin >= end:
            break
        total += min(finish, end) - max(begin, start)
    return total


def next_working_moment(cal: WorkCalendar, moment: datetime) -> datetime:
    """`moment` itself if it is working time, else the start of the next working interval."""
    moment = moment.astimezone(UTC)
    for begin, _end in working_intervals(cal, moment):
        return max(begin, moment)
    raise NoWorkingTime("the calendar has no working time ahead")


def is_working(cal: WorkCalendar, moment: datetime) -> bool:
    return next_working_moment(cal, moment) == moment.astimezone(UTC)
