"""Admins configure SLAs as data: editing a policy recomputes active tickets; holidays are seeded
from the holidays library into an editable table; customer time zones come from profile or phone."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command

from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import CustomerIdentity
from gongdan.sla import policies
from gongdan.sla.models import BusinessCalendar, CalendarDay, SlaPolicy
from tests import factories
from tests.sla.conftest import at


def test_editing_a_policy_in_the_admin_recomputes_the_open_tickets(
    client, admin_user, customer, travel, django_capture_on_commit_callbacks
):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    policy = SlaPolicy.objects.get(name_en="P2 normal")
    client.force_login(admin_user)
    page = client.get(f"/admin/sla/slapolicy/{policy.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()} | {"first_response_minutes": 60}
    data |= {"escalation_steps-TOTAL_FORMS": 0, "escalation_steps-INITIAL_FORMS": 0}
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", data)

    assert saved.status_code == 302, saved.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == at(2026, 11, 18, 11)


def test_holidays_are_seeded_once_and_an_admins_correction_is_kept(db):
    calendar = BusinessCalendar.objects.get(code="cn-business")
    CalendarDay.objects.filter(calendar=calendar, date__year=2028).delete()
    CalendarDay.objects.filter(calendar=calendar, date=dt.date(2026, 10, 10)).update(kind="holiday", source="manual")
    out = StringIO()
    call_command("seed_holidays", "2026", "2028", stdout=out)

    assert CalendarDay.objects.filter(calendar=calendar, date__year=2028, kind="holiday").count() >= 10
    corrected = CalendarDay.objects.get(calendar=calendar, date=dt.date(2026, 10, 10))
    assert (corrected.kind, corrected.source) == ("holiday", "manual")
    again = StringIO()
    call_command("seed_holidays", "2026", "2028", stdout=again)
    assert again.getvalue() == "0 day(s) added\n"


def test_the_seeded_calendar_knows_chinas_make_up_working_days(db):
    days = CalendarDay.objects.filter(calendar__code="cn-business", kind="workday", date__year=2026)
    assert sorted(d.isoformat() for d in days.values_list("date", flat=True)) == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]


def test_a_customer_without_a_usable_profile_zone_is_placed_by_phone_prefix(db):
    customer = factories.CustomerFactory(timezone="")
    CustomerIdentity.objects.create(customer=customer, kind=IdentityKind.PHONE, value="+447700900123")
    assert policies.customer_timezone(customer) == ZoneInfo("Europe/London")
    customer.timezone = "America/Los_Angeles"
    assert policies.customer_timezone(customer) == ZoneInfo("America/Los_Angeles")
