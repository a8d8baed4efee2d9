"""Reading business calendars out of the database into `WorkCalendar` values, and seeding holidays."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from gongdan.sla import businesstime as bt
from gongdan.sla import constants as c
from gongdan.sla.cache import memo
from gongdan.sla.models import BusinessCalendar, CalendarDay, WorkingHours

# Days of the table loaded around the moment of interest (targets rarely span more than weeks).
WINDOW_BEFORE = timedelta(days=60)
WINDOW_AFTER = timedelta(days=400)


def default_calendar() -> BusinessCalendar | None:
    return BusinessCalendar.objects.filter(is_default=True).first()


def calendar_for_team(team_id: int | None) -> BusinessCalendar | None:
    return memo(("team-calendar", team_id), lambda: _calendar_for_team(team_id))


def _calendar_for_team(team_id: int | None) -> BusinessCalendar | None:
    if team_id is not None:
        calendar = BusinessCalendar.objects.filter(teams=team_id).order_by("code").first()
        if calendar is not None:
            return calendar
    return default_calendar()


def load(calendar: BusinessCalendar | None, around: date) -> bt.WorkCalendar:
    """The calendar as a pure value, with its day table from a window around `around`."""
    return memo(("calendar", calendar.pk if calendar else None, around), lambda: _load(calendar, around))


def _load(calendar: BusinessCalendar | None, around: date) -> bt.WorkCalendar:
    if calendar is None:
        return bt.ALWAYS
    tz = ZoneInfo(calendar.timezone)
    if calendar.always_open:
        return bt.WorkCalendar(tz=tz, always_open=True)
    spec: dict[int, list] = {}
    for hours in WorkingHours.objects.filter(calendar=calendar):
        spec.setdefault(hours.weekday, []).append((hours.start, hours.end))
    weekly = bt.weekly_hours(spec)
    days = {}
    rows = CalendarDay.objects.filter(
        calendar=calendar, date__gte=around - WINDOW_BEFORE, date__lte=around + WINDOW_AFTER
    )
    for day in rows:
        days[day.date] = () if day.kind == c.DayKind.HOLIDAY else weekly[day.work_as_weekday]
    return bt.WorkCalendar(tz=tz, weekly=weekly, days=days)


def holidays_for(country: str, year: int) -> list[tuple[date, str, str]]:
    """(date, kind, name) from the `holidays` library: public holidays and official make-up workdays."""
    import holidays

    table = holidays.country_holidays(country, years=[year], language="zh_CN" if country == "CN" else None)
    rows = [(day, c.DayKind.HOLIDAY, str(name)) for day, name in sorted(table.items()) if day.year == year]
    workdays = sorted(d for d in getattr(table, "weekend_workdays", set()) if d.year == year)
    rows += [(day, c.DayKind.WORKDAY, "调休上班 / make-up working day") for day in workdays]
    return rows


@transaction.atomic
def seed_holidays(calendar: BusinessCalendar, years: list[int]) -> int:
    """Add the library's days for `years`; days an admin entered or edited are never overwritten."""
    if not calendar.holiday_country:
        return 0
    added = 0
    for year in years:
        for day, kind, name in holidays_for(calendar.holiday_country, year):
            _row, created = CalendarDay.objects.get_or_create(
                calendar=calendar,
                date=day,
                defaults={"kind": kind, "name": name[:100], "source": c.DaySource.HOLIDAYS},
            )
            added += created
    return added


def seed_all(years: list[int]) -> int:
    return sum(seed_holidays(calendar, years) for calendar in BusinessCalendar.objects.exclude(holiday_country=""))
