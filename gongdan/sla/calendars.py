"""Reading business calendars out of the database into `WorkCalendar` values, and seeding holidays."""

from datetime import date

from django.db import transaction

from gongdan.sla import businesstime as bt
from gongdan.sla import config
from gongdan.sla import constants as c
from gongdan.sla.models import BusinessCalendar, CalendarDay


def default_calendar() -> BusinessCalendar | None:
    return config.current().default_calendar


def calendar_for_team(team_id: int | None) -> BusinessCalendar | None:
    return config.current().calendar_for_team(team_id)


def load(calendar: BusinessCalendar | None, around: date) -> bt.WorkCalendar:
    """The calendar as a pure value, with its day table from a window around `around` (cached)."""
    return config.current().work_calendar(calendar, around)


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
