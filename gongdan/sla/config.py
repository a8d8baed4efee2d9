"""The SLA configuration as one read-only snapshot, cached process-wide by `core.configcache`.

Every ticket change and every sweep consults policies, calendars, the ladder, stagnation rules and
the settings. They change rarely, so they are read once per configuration generation (about ten
queries) and shared between threads; any save, delete or re-link of one of these rows renews the
generation (see `core.apps.CONFIG_MODELS`), so an admin's edit is seen by the next change or sweep.

People are not configuration: the snapshot keeps the *ids* of managers, directors and duty
managers, and the engine reads the users themselves (active or not) when a notice needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from gongdan.core import configcache
from gongdan.sla import businesstime as bt
from gongdan.sla import constants as c
from gongdan.sla.deadlines import Step
from gongdan.sla.models import (
    BusinessCalendar,
    CalendarDay,
    EscalationStep,
    SlaPolicy,
    SlaSettings,
    StagnationRule,
    WorkingHours,
)

# Days of the table used around the moment of interest (targets rarely span more than weeks).
WINDOW_BEFORE = timedelta(days=60)
WINDOW_AFTER = timedelta(days=400)
# WorkCalendar values kept per snapshot, one per calendar and day: a long-running worker sees a new
# day every day; the oldest are dropped past this many.
MAX_WINDOWS = 64


@dataclass(frozen=True)
class Policy:
    """A policy row with its many-to-many criteria as id sets (matching is pure over these)."""

    row: SlaPolicy
    priority_ids: frozenset[int]
    category_ids: frozenset[int]
    pause_status_ids: frozenset[int]


@dataclass(frozen=True)
class CalendarSpec:
    row: BusinessCalendar
    weekly: tuple
    days: dict[date, tuple]  # every day of the table, holidays as ()


@dataclass
class Snapshot:
    settings: SlaSettings
    policies: list[Policy]
    ladders: dict[int | None, list[Step]]
    stagnation_rules: dict[tuple[int | None, int | None], StagnationRule]
    category_parents: dict[int, int | None]
    team_calendars: dict[int, BusinessCalendar]
    default_calendar: BusinessCalendar | None
    calendars: dict[int, CalendarSpec]
    people_ids: dict[str, tuple[int, ...]]  # "managers" / "directors" / "duty_managers" → user ids
    statuses: dict[int, object]  # ticket statuses and priorities by id (configuration as well)
    priorities: dict[int, object]
    windows: dict[tuple[int | None, date], bt.WorkCalendar] = field(default_factory=dict)

    def category_path(self, category_id: int | None) -> list[int]:
        """Ids from the root down to the category (what `Category.path()` walks, without queries)."""
        path: list[int] = []
        node = category_id
        while node is not None and node not in path:
            path.append(node)
            node = self.category_parents.get(node)
        return list(reversed(path))

    def calendar_for_team(self, team_id: int | None) -> BusinessCalendar | None:
        if team_id is not None and team_id in self.team_calendars:
            return self.team_calendars[team_id]
        return self.default_calendar

    def work_calendar(self, row: BusinessCalendar | None, around: date) -> bt.WorkCalendar:
        """The calendar as a pure value, with its day table from a window around `around`."""
        key = (row.pk if row else None, around)
        found = self.windows.get(key)
        if found is None:
            found = self._window(row, around)
            if len(self.windows) >= MAX_WINDOWS:
                self.windows.clear()
            self.windows[key] = found  # a benign race between threads: both compute the same value
        return found

    def _window(self, row: BusinessCalendar | None, around: date) -> bt.WorkCalendar:
        if row is None:
            return bt.ALWAYS
        tz = ZoneInfo(row.timezone)
        if row.always_open:
            return bt.WorkCalendar(tz=tz, always_open=True)
        spec = self.calendars.get(row.pk)
        if spec is None:  # a calendar created after this snapshot's rows were read
            spec = _calendar_spec(row, list(WorkingHours.objects.filter(calendar=row)), [])
        low, high = around - WINDOW_BEFORE, around + WINDOW_AFTER
        days = {day: shifts for day, shifts in spec.days.items() if low <= day <= high}
        return bt.WorkCalendar(tz=tz, weekly=spec.weekly, days=days)


def current() -> Snapshot:
    """The snapshot of the current configuration generation (read from the database when it changed)."""
    return configcache.cached(("sla", "snapshot"), _load)


def _load() -> Snapshot:
    from gongdan.tickets.models import Category, Priority, Status

    settings = SlaSettings.current()
    calendar_rows = list(BusinessCalendar.objects.prefetch_related("teams"))
    return Snapshot(
        settings=settings,
        policies=_policies(),
        ladders=_ladders(),
        stagnation_rules={(r.category_id, r.priority_id): r for r in StagnationRule.objects.all()},
        category_parents=dict(Category.objects.values_list("pk", "parent_id")),
        team_calendars=_team_calendars(calendar_rows),
        default_calendar=next((row for row in calendar_rows if row.is_default), None),
        calendars=_calendars(calendar_rows),
        people_ids={
            name: tuple(sorted(getattr(settings, name).values_list("pk", flat=True)))
            for name in ("managers", "directors", "duty_managers")
        },
        statuses={row.pk: row for row in Status.objects.all()},
        priorities={row.pk: row for row in Priority.objects.all()},
    )


def _policies() -> list[Policy]:
    rows = (
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("priorities", "categories", "pause_statuses")
    )
    return [
        Policy(
            row=row,
            priority_ids=frozenset(p.pk for p in row.priorities.all()),
            category_ids=frozenset(cat.pk for cat in row.categories.all()),
            pause_status_ids=frozenset(s.pk for s in row.pause_statuses.all()),
        )
        for row in rows
    ]


def _ladders() -> dict[int | None, list[Step]]:
    ladders: dict[int | None, list[Step]] = {}
    for row in EscalationStep.objects.order_by("policy_id", "order"):
        ladders.setdefault(row.policy_id, []).append(Step(row.order, timedelta(minutes=row.after_minutes), row.target))
    return ladders


def _team_calendars(rows: list[BusinessCalendar]) -> dict[int, BusinessCalendar]:
    """A team's calendar is the first by code that names it (rows come ordered by code)."""
    out: dict[int, BusinessCalendar] = {}
    for row in rows:
        for team in row.teams.all():
            out.setdefault(team.pk, row)
    return out


def _calendars(rows: list[BusinessCalendar]) -> dict[int, CalendarSpec]:
    hours: dict[int, list[WorkingHours]] = {}
    for item in WorkingHours.objects.all():
        hours.setdefault(item.calendar_id, []).append(item)
    days: dict[int, list[CalendarDay]] = {}
    for day in CalendarDay.objects.only("calendar_id", "date", "kind", "work_as_weekday"):
        days.setdefault(day.calendar_id, []).append(day)
    return {row.pk: _calendar_spec(row, hours.get(row.pk, []), days.get(row.pk, [])) for row in rows}


def _calendar_spec(row: BusinessCalendar, hours: list[WorkingHours], days: list[CalendarDay]) -> CalendarSpec:
    spec: dict[int, list] = {}
    for item in hours:
        spec.setdefault(item.weekday, []).append((item.start, item.end))
    weekly = bt.weekly_hours(spec)
    table = {day.date: () if day.kind == c.DayKind.HOLIDAY else weekly[day.work_as_weekday] for day in days}
    return CalendarSpec(row=row, weekly=weekly, days=table)
