from gongdan.tickets.constants import EventType


def test_a_customer_ticket_gets_a_number_a_new_status_and_a_created_event(ticket, customer):
    assert ticket.number == f"GD-{ticket.pk:06d}"
    assert ticket.status.key == "new"
    assert ticket.priority.code == "P2"
    assert list(ticket.events.values_list("event_type", "actor_customer")) == [(EventType.CREATED, customer.pk)]
