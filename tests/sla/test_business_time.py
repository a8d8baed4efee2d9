"""Business-time arithmetic: pure functions, checked by examples at the edges and by properties."""

import datetime as dt
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gongdan.sla import businesstime as bt
from gongdan.sla.calendars import holidays_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def office(tz=SHANGHAI, days=None, **hours) -> bt.WorkCalendar:
    spec = hours.get("spec") or {d: [(time(9), time(18))] for d in range(5)}
    return bt.WorkCalendar(tz=tz, weekly=bt.weekly_hours(spec), days=days or {})


def cn_days(*years) -> dict:
    weekly = bt.weekly_hours({d: [(time(9), time(18))] for d in range(5)})
    return {day: (() if kind == "holiday" else weekly[0]) for y in years for day, kind, _n in holidays_for("CN", y)}


def local(tz, *args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


def test_two_working_hours_from_late_afternoon_end_the_next_morning():
    cal = office()
    assert bt.add_business_time(cal, local(SHANGHAI, 2026, 11, 18, 17), 2 * H) == local(SHANGHAI, 2026, 11, 19, 10)


def test_friday_evening_rolls_over_the_weekend():
    cal = office()
    assert bt.add_business_time(cal, local(SHANGHAI, 2026, 11, 20, 20), H) == local(SHANGHAI, 2026, 11, 23, 10)


def test_new_year_holidays_are_skipped_and_the_make_up_sunday_is_worked():
    # 2026-01-01 元旦, 01-02 休息日 (调休), 01-03 Saturday, 01-04 Sunday is a make-up working day.
    cal = office(days=cn_days(2025, 2026))
    start = local(SHANGHAI, 2025, 12, 31, 17)
    assert bt.add_business_time(cal, start, 2 * H) == local(SHANGHAI, 2026, 1, 4, 10)
    assert bt.business_time_between(cal, start, local(SHANGHAI, 2026, 1, 4, 10)) == 2 * H


def test_the_spring_festival_week_has_no_working_time():
    cal = office(days=cn_days(2026))
    assert bt.business_time_between(cal, local(SHANGHAI, 2026, 2, 16), local(SHANGHAI, 2026, 2, 24)) == 0 * H
    # 2026-02-14 (Saturday) and 02-28 (Saturday) are make-up working days.
    assert bt.is_working(cal, local(SHANGHAI, 2026, 2, 14, 10))
    assert bt.is_working(cal, local(SHANGHAI, 2026, 2, 28, 10))


def test_an_overnight_shift_belongs_to_the_day_it_starts_on():
    cal = office(spec={4: [(time(22), time(6))]})  # Friday 22:00 → Saturday 06:00
    start = local(SHANGHAI, 2026, 11, 20, 23)
    assert bt.add_business_time(cal, start, 2 * H) == local(SHANGHAI, 2026, 11, 21, 1)
    assert bt.is_working(cal, local(SHANGHAI, 2026, 11, 21, 5, 59))
    assert not bt.is_working(cal, local(SHANGHAI, 2026, 11, 21, 6))


def test_a_holiday_cancels_the_night_shift_that_would_start_on_it():
    friday = dt.date(2026, 11, 20)
    cal = office(spec={4: [(time(22), time(6))]}, days={friday: ()})
    assert not bt.is_working(cal, local(SHANGHAI, 2026, 11, 21, 1))


@pytest.mark.parametrize(
    ("night", "worked"),
    [
        (dt.date(2026, 3, 7), 7 * H),  # spring forward: 02:00 → 03:00, one hour less
        (dt.date(2026, 10, 31), 9 * H),  # fall back: 02:00 → 01:00, one hour more
        (dt.date(2026, 3, 14), 8 * H),
    ],
)
def test_a_night_shift_across_a_dst_change_counts_the_hours_really_worked(night, worked):
    cal = office(tz=NEW_YORK, spec={d: [(time(22), time(6))] for d in range(7)})
    start, end = local(NEW_YORK, *night.timetuple()[:3], 22), local(NEW_YORK, *night.timetuple()[:3], 23, 59)
    next_morning = dt.datetime.combine(night + timedelta(days=1), time(6), tzinfo=NEW_YORK)
    assert bt.business_time_between(cal, start, next_morning) == worked
    assert bt.add_business_time(cal, start, worked) == next_morning
    assert end < next_morning


def test_office_hours_on_the_dst_day_stay_nine_to_five_local():
    cal = office(tz=NEW_YORK, spec={d: [(time(9), time(17))] for d in range(7)})
    sunday = local(NEW_YORK, 2026, 3, 8, 9)
    assert bt.add_business_time(cal, sunday, 8 * H) == local(NEW_YORK, 2026, 3, 8, 17)


def test_a_calendar_without_hours_says_so():
    with pytest.raises(bt.NoWorkingTime):
        bt.add_business_time(bt.WorkCalendar(tz=SHANGHAI), local(SHANGHAI, 2026, 1, 1), H)


def test_round_the_clock_is_wall_clock_time():
    start = local(SHANGHAI, 2026, 12, 31, 23, 50)
    assert bt.add_business_time(bt.ALWAYS, start, 15 * timedelta(minutes=1)) == start + timedelta(minutes=15)


# ---- properties ---------------------------------------------------------------------------------

ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"]
times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
shifts = st.lists(st.tuples(times, times), min_size=0, max_size=2)


@st.composite
def calendars(draw):
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    spec = {day: draw(shifts) for day in range(7)}
    if not any(spec.values()):
        spec[0] = [(time(9), time(17))]
    weekly = bt.weekly_hours(spec)
    dates = draw(st.lists(st.dates(dt.date(2025, 12, 1), dt.date(2027, 2, 1)), max_size=12))
    days = {d: (() if draw(st.booleans()) else weekly[draw(st.integers(0, 6))]) for d in dates}
    return bt.WorkCalendar(tz=tz, weekly=weekly, days=days)


def _weekly_work(cal: bt.WorkCalendar) -> timedelta:
    day = dt.date(2026, 1, 5)
    spans = (dt.datetime.combine(day, s.end) - dt.datetime.combine(day, s.start) for d in cal.weekly for s in d)
    return sum((span if span > timedelta(0) else span + timedelta(days=1) for span in spans), timedelta(0))


def _within_horizon(cal: bt.WorkCalendar, amount: timedelta) -> bool:
    """Whether `amount` of work certainly fits in the engine's search horizon (a calendar of 15 minutes
    a week needs ten years for five days of work; beyond the horizon the engine raises NoWorkingTime,
    tested on its own). Up to 12 generated days off are allowed for."""
    return amount <= _weekly_work(cal) * ((bt.HORIZON_DAYS - 12) // 7 - 1)


moments = st.datetimes(dt.datetime(2025, 12, 20), dt.datetime(2027, 1, 10), timezones=st.just(dt.UTC))
amounts = st.integers(0, 60 * 24 * 20).map(lambda m: timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, amounts)
def test_elapsed_business_time_up_to_the_deadline_is_the_amount(cal, start, amount):
    assume(_within_horizon(cal, amount))
    due = bt.add_business_time(cal, start, amount)
    assert due >= start
    assert bt.business_time_between(cal, start, due) == amount


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, amounts, amounts)
def test_adding_in_two_steps_equals_adding_once(cal, start, first, second):
    assume(_within_horizon(cal, first + second))
    assert bt.add_business_time(cal, bt.add_business_time(cal, start, first), second) == bt.add_business_time(
        cal, start, first + second
    )


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, moments, moments)
def test_elapsed_time_adds_up_and_never_exceeds_the_wall_clock(cal, a, b, c):
    a, b, c = sorted([a, b, c])
    assert bt.business_time_between(cal, a, b) + bt.business_time_between(cal, b, c) == bt.business_time_between(
        cal, a, c
    )
    assert bt.business_time_between(cal, a, c) <= c - a


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, st.integers(1, 60 * 24 * 10).map(lambda m: timedelta(minutes=m)))
def test_a_deadline_falls_at_the_end_of_working_time(cal, start, amount):
    due = bt.add_business_time(cal, start, amount)
    assert bt.business_time_between(cal, due - timedelta(minutes=1), due) > timedelta(0)


def test_several_amounts_from_one_start_land_where_each_alone_lands():
    cal = office(tz=SHANGHAI, spec={d: [(time(9), time(12)), (time(13), time(18))] for d in range(5)})
    start = local(SHANGHAI, 2026, 11, 20, 17)  # Friday, an hour before the weekend
    amounts = [10 * H, dt.timedelta(0), H, 4 * H, H / 2, 3 * H]

    assert bt.add_business_times(cal, start, amounts) == [bt.add_business_time(cal, start, a) for a in amounts]
    assert bt.add_business_times(cal, start, [4 * H])[0] == local(SHANGHAI, 2026, 11, 23, 12)
