"""R1.1, R1.6, R12.2: creation validates its input and leaves nothing behind when it refuses."""

import pytest
from django.core.exceptions import ValidationError

from gongdan.core.context import Actor, Channel
from gongdan.core.errors import InvalidInput
from gongdan.customers.models import Device
from gongdan.tickets import services
from gongdan.tickets.constants import CustomFieldType, EventType
from gongdan.tickets.models import Category, CustomFieldDefinition, Ticket
from tests import factories


@pytest.fixture
def aircon(db):
    root = factories.category("appliance", "家电")
    return factories.category("aircon-not-cooling", "空调不制冷", parent=root)


@pytest.fixture
def model_field(aircon):
    definition = CustomFieldDefinition.objects.create(
        key="unit_model", label_zh="机型", label_en="Unit model", field_type=CustomFieldType.TEXT, required=True
    )
    definition.categories.add(aircon.parent)
    return definition


def test_a_staff_created_ticket_records_channel_actor_and_the_customers_organization(agent, customer):
    organization = factories.OrganizationFactory()
    customer.organization = organization
    customer.save()
    Device.objects.create(customer=customer, serial_number="SN-AC-0001", model="KFR-35GW")
    actor = Actor(user=agent, ip="10.1.1.1", channel=Channel.PHONE)
    ticket = services.create_ticket(
        actor=actor,
        customer=customer,
        subject=" 空调不制冷还滴水 ",
        device_sn="SN-AC-0001",
        priority_code="P1",
        tags=["夏季高峰", "夏季高峰", " 上门 "],
        external_refs=[("crm", "CRM-88")],
    )
    assert (ticket.subject, ticket.channel, ticket.organization_id) == ("空调不制冷还滴水", "phone", organization.pk)
    assert (ticket.device.model, ticket.priority.code, ticket.created_by_id) == ("KFR-35GW", "P1", agent.pk)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["上门", "夏季高峰"]
    assert list(ticket.external_refs.values_list("system", "reference")) == [("crm", "CRM-88")]
    created = ticket.events.get()
    assert (created.event_type, created.actor_id, created.ip, created.channel) == (
        EventType.CREATED,
        agent.pk,
        "10.1.1.1",
        "phone",
    )


def test_the_priority_is_never_empty(customer):
    ticket = factories.ticket_for(customer)
    assert ticket.priority.code == "P2"


def test_an_unknown_priority_is_refused_and_nothing_is_created(customer_actor, customer):
    with pytest.raises(InvalidInput) as refused:
        services.create_ticket(actor=customer_actor, customer=customer, subject="退款", priority_code="P9")
    assert refused.value.fields == {"priority": "unknown"}
    assert Ticket.objects.count() == 0


def test_a_blank_subject_is_refused(customer_actor, customer):
    with pytest.raises(InvalidInput):
        services.create_ticket(actor=customer_actor, customer=customer, subject="  ")
    assert Ticket.objects.count() == 0


def test_a_category_requires_its_required_custom_fields(customer_actor, customer, aircon, model_field):
    with pytest.raises(InvalidInput) as refused:
        services.create_ticket(actor=customer_actor, customer=customer, subject="空调不制冷", category=aircon)
    assert refused.value.fields == {"unit_model": "required"}
    assert Ticket.objects.count() == 0
    ticket = services.create_ticket(
        actor=customer_actor,
        customer=customer,
        subject="空调不制冷",
        category=aircon,
        custom_fields={"unit_model": "KFR-35GW"},
    )
    assert ticket.custom_fields == {"unit_model": "KFR-35GW"}


def test_custom_fields_are_typed(customer_actor, customer, aircon):
    CustomFieldDefinition.objects.create(
        key="units", label_zh="台数", label_en="Units", field_type=CustomFieldType.NUMBER
    )
    with pytest.raises(InvalidInput) as refused:
        services.create_ticket(
            actor=customer_actor, customer=customer, subject="空调", category=aircon, custom_fields={"units": "three"}
        )
    assert refused.value.fields == {"units": "invalid number"}
    with pytest.raises(InvalidInput) as unknown:
        services.create_ticket(
            actor=customer_actor, customer=customer, subject="空调", category=aircon, custom_fields={"colour": "red"}
        )
    assert unknown.value.fields == {"colour": "unknown"}
    assert Ticket.objects.count() == 0


def test_a_customer_cannot_open_a_ticket_for_someone_else(customer_actor, other_customer):
    with pytest.raises(InvalidInput):
        services.create_ticket(actor=customer_actor, customer=other_customer, subject="代提")
    assert Ticket.objects.count() == 0


def test_categories_nest_at_most_three_levels(db):
    one = factories.category("fault", "故障类")
    two = factories.category("login", "登录问题", parent=one)
    three = factories.category("no-sms-code", "收不到验证码", parent=two)
    assert [c.depth for c in (one, two, three)] == [1, 2, 3]
    assert str(three) == "故障类 > 登录问题 > 收不到验证码"
    four = Category(code="deeper", name_zh="更深", name_en="deeper", parent=three)
    with pytest.raises(ValidationError):
        four.full_clean()


def test_ticket_numbers_are_unique_and_sequential(customer):
    first, second = factories.ticket_for(customer), factories.ticket_for(customer)
    assert int(second.number[3:]) == int(first.number[3:]) + 1
