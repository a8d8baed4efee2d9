"""Field changes, tags, links, parent/child and external references through the services."""

import pytest

from gongdan.core.errors import InvalidInput, PermissionDenied
from gongdan.tickets import services
from gongdan.tickets.constants import EventType
from tests import factories


def test_changed_fields_are_recorded_with_old_and_new_values_in_one_event(ticket, agent_actor, purchasing_team):
    services.update_fields(
        actor=agent_actor,
        ticket=ticket,
        changes={
            "fault_code": "E-102",
            "sentiment": "negative",
            "collaborating_departments": ["purchasing"],
            "materials": [{"item": "进纸辊", "quantity": 1}],
            "site_location": "",
        },
        tags=["短信通道"],
    )
    ticket.refresh_from_db()
    changed = ticket.events.get(event_type=EventType.FIELDS_CHANGED)
    assert changed.old_value == {"fault_code": "", "sentiment": "", "collaborating_departments": [], "materials": []}
    assert changed.new_value == {
        "fault_code": "E-102",
        "sentiment": "negative",
        "collaborating_departments": ["purchasing"],
        "materials": [{"item": "进纸辊", "quantity": 1}],
    }
    assert changed.is_effective is False
    assert ticket.events.get(event_type=EventType.TAGS_CHANGED).new_value == {"tags": ["短信通道"]}


def test_an_unchanged_value_writes_no_event(ticket, agent_actor):
    services.update_fields(actor=agent_actor, ticket=ticket, changes={"subject": ticket.subject})
    assert ticket.events.count() == 1


def test_read_only_fields_are_refused(ticket, agent_actor):
    with pytest.raises(InvalidInput) as refused:
        services.update_fields(actor=agent_actor, ticket=ticket, changes={"first_response_at": None, "rating": 5})
    assert refused.value.fields == {"first_response_at": "read_only", "rating": "read_only"}


def test_department_staff_cannot_edit_fields_but_can_write_notes(ticket, agent_actor, purchasing, purchasing_team):
    from gongdan.core.context import Actor

    services.update_fields(actor=agent_actor, ticket=ticket, changes={"collaborating_departments": ["purchasing"]})
    buyer = Actor(user=purchasing, ip="10.9.9.9")
    with pytest.raises(PermissionDenied):
        services.update_fields(actor=buyer, ticket=ticket, changes={"fault_code": "X"})
    note = services.add_note(actor=buyer, ticket=ticket, body="备件 P/N 4411 已下单", summary="备件已下单")
    assert (note.actor_id, note.is_effective) == (purchasing.pk, True)


def test_links_parents_and_external_references(ticket, customer, agent_actor):
    other = factories.ticket_for(customer, subject="门店库存查询异常")
    services.link(actor=agent_actor, ticket=ticket, target=other, kind="related")
    services.set_parent(actor=agent_actor, ticket=other, parent=ticket)
    with pytest.raises(InvalidInput) as cycle:
        services.set_parent(actor=agent_actor, ticket=ticket, parent=other)
    assert cycle.value.fields == {"parent": "cycle"}
    ref = services.add_external_ref(actor=agent_actor, ticket=ticket, system="erp_po", reference="PO-2026-0042")
    assert list(ticket.links_out.values_list("target__number", "kind")) == [(other.number, "related")]
    assert list(ticket.children.values_list("number", flat=True)) == [other.number]
    assert (ref.system, ref.reference) == ("erp_po", "PO-2026-0042")
    with pytest.raises(InvalidInput):
        services.link(actor=agent_actor, ticket=ticket, target=ticket)
