"""The bulk loader writes what the services would have: consistent ids, numbers, statuses, SLA columns."""

from datetime import timedelta

import pytest
from django.db.models import Count, Max, Min

from bench import workload as w
from bench.loader import Loader, create_reference, duplicate_index
from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.customers.models import Customer, CustomerIdentity, Device
from gongdan.sla.models import TicketSla
from gongdan.tickets import services
from gongdan.tickets.constants import ACTIVE_KINDS
from gongdan.tickets.models import Ticket, TicketEvent

SIZE = w.Size("test", 300, 80, 40)


@pytest.fixture
def loaded(db):
    create_reference()
    manifest = Loader(SIZE, now=clock.now(), progress=lambda _text: None).load("test")
    return manifest


def test_counts_and_numbers_follow_the_assigned_ids(loaded):
    assert (loaded.tickets, loaded.customers) == (300, 80)
    assert Ticket.objects.count() == 300
    assert TicketEvent.objects.count() == loaded.events
    assert 8 <= loaded.events / 300 <= 12
    for pk, number in Ticket.objects.values_list("pk", "number"):
        assert number == f"GD-{pk:06d}"
    first, last = Ticket.objects.aggregate(first=Min("pk"), last=Max("pk")).values()
    assert (first, last) == (loaded.first_ticket_id, loaded.first_ticket_id + 299)


def test_every_row_points_at_rows_that_exist(loaded):
    tickets = Ticket.objects.values("pk")
    assert not TicketEvent.objects.exclude(ticket_id__in=tickets).exists()
    assert not TicketSla.objects.exclude(ticket_id__in=tickets).exists()
    assert not Ticket.objects.exclude(customer_id__in=Customer.objects.values("pk")).exists()
    assert not Ticket.objects.exclude(device=None).exclude(device_id__in=Device.objects.values("pk")).exists()
    merged = Ticket.objects.exclude(merged_into=None)
    assert merged.exists()
    assert all(ticket.merged_into_id < ticket.pk for ticket in merged)
    assert set(merged.values_list("status__key", flat=True)) == {"merged"}


def test_customers_come_with_an_email_and_a_phone_and_devices_match_ticket_serials(loaded):
    identities = CustomerIdentity.objects.filter(customer_id__gte=loaded.first_customer_id)
    assert identities.filter(kind="email").count() == 80
    assert identities.filter(kind="phone").count() == 80
    for ticket in Ticket.objects.exclude(device_sn="").select_related("device"):
        assert ticket.device.serial_number == ticket.device_sn
        assert ticket.device.customer_id == ticket.customer_id


def test_the_long_ticket_has_a_hundred_events(loaded):
    assert Ticket.objects.get(number=loaded.long_ticket).events.count() == 100


def test_status_timestamps_and_sla_state_are_consistent(loaded):
    now = clock.now()
    assert not Ticket.objects.filter(status__kind="closed", closed_at=None).exists()
    assert not Ticket.objects.filter(status__kind="resolved", resolved_at=None).exists()
    active = Ticket.objects.filter(status__kind__in=ACTIVE_KINDS)
    assert TicketSla.objects.count() == active.count() == loaded.active
    assert not Ticket.objects.filter(first_response_due_at=None).exists()
    assert not active.filter(sla_status="on_track", sla_next_check_at__lte=now).exists()
    assert not Ticket.objects.exclude(status__kind__in=ACTIVE_KINDS).exclude(sla_next_check_at=None).exists()
    replied = Ticket.objects.exclude(first_response_at=None)
    assert replied.count() == TicketEvent.objects.filter(counts_as_first_response=True).count()
    latest = Ticket.objects.annotate(last=Max("events__created_at"))
    assert all(ticket.updated_at == ticket.last for ticket in latest)


def test_the_services_carry_on_after_a_load(loaded):
    customer = Customer.objects.get(pk=loaded.first_customer_id)
    ticket = services.create_ticket(actor=Actor.system(), customer=customer, subject="打印机卡纸")
    assert ticket.pk == loaded.first_ticket_id + 300
    assert ticket.number == f"GD-{ticket.pk:06d}"
    assert ticket.events.count() >= 1


def test_the_duplicate_index_is_filled_when_triage_provides_it(loaded):
    builders = duplicate_index()
    if not builders:
        pytest.skip("gongdan.triage.duplicates is not on this branch")
    from gongdan.triage.models import DuplicateBand

    per_ticket = DuplicateBand.objects.values("ticket").annotate(n=Count("pk"))
    assert per_ticket.count() == 300
    assert loaded.index_rows > 300
    assert loaded.duplicate_index is True


def test_created_times_spread_over_the_window(loaded):
    first, last = Ticket.objects.aggregate(first=Min("created_at"), last=Max("created_at")).values()
    assert last - first > timedelta(days=SIZE.days - 3)
    assert last < clock.now()
