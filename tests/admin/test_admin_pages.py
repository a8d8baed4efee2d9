"""Every admin page renders for a superuser; tickets are view-only there; customers are kept out."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongdan.accounts.models import ApiToken, SecurityPolicy, Shift, SignInThrottle, Skill, UserSkill
from gongdan.automation import services as outbox
from gongdan.automation.models import DeliveryCircuit, NotificationPreference
from gongdan.core import clock
from gongdan.core.models import IdempotencyRecord
from gongdan.customers.models import Device
from gongdan.routing import services as routing
from gongdan.routing.models import CategorySkill, RoutingPolicy, TeamRouting
from gongdan.sla.models import StagnationRule
from gongdan.tickets import services
from gongdan.tickets.constants import CustomFieldType, ExternalSystem, LinkKind
from gongdan.tickets.models import CustomFieldDefinition, Tag, Ticket, TicketEvent
from tests import factories
from tests.intake.rows import one_intake_row_each
from tests.triage.rows import one_triage_row_each

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def one_of_everything(admin_user, agent, agent_actor, customer, ticket, service_team):
    """At least one row of every registered model, domain rows written through the services."""
    skill = Skill.objects.create(code="plc", name_zh="PLC 调试", name_en="PLC tuning")
    UserSkill.objects.create(user=agent, skill=skill, proficiency=4)
    Shift.objects.create(user=agent, weekday=0, start="09:00", end="18:00")
    raw = ApiToken.generate()
    ApiToken.objects.create(user=agent, name="ERP sync", prefix=raw[:8], digest=ApiToken.hash(raw))
    customer.organization = factories.OrganizationFactory()
    customer.save()
    Device.objects.create(customer=customer, serial_number="SN-2026-0001", model="GD-300")
    parent = factories.category("hardware", "硬件")
    child = factories.category("printer", "打印机", parent=parent)
    field = CustomFieldDefinition.objects.create(
        key="firmware", label_zh="固件版本", label_en="Firmware", field_type=CustomFieldType.TEXT
    )
    field.categories.add(child)
    Tag.objects.create(name="VIP")
    Group.objects.create(name="质检")
    TeamRouting.objects.create(team=service_team, strategy="round_robin")
    CategorySkill.objects.create(category=child, skill=skill, min_proficiency=2)
    RoutingPolicy.objects.update_or_create(pk=1, defaults={"breaker_threshold": 0})  # the next P0 switches it on
    other = factories.ticket_for(customer, subject="打印机卡纸", priority_code="P0")  # fires a P0 alert signal
    StagnationRule.objects.create(category=child, yellow_hours=24, red_hours=48)
    NotificationPreference.objects.create(user=agent, channel="apprise", target="json://127.0.0.1:9/hook")
    services.attach(
        actor=agent_actor, ticket=ticket, files=[services.Upload("log.txt", b"boot failed\n", "text/plain")]
    )
    services.add_external_ref(actor=agent_actor, ticket=ticket, system=ExternalSystem.ERP_PO, reference="PO-778")
    services.link(actor=agent_actor, ticket=ticket, target=other, kind=LinkKind.RELATED)
    routing.dispatch(actor=agent_actor, ticket=ticket, latitude=31.2304, longitude=121.4737)
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved", summary="重置验证码服务后恢复")
    outbox.deliver_due()
    DeliveryCircuit.objects.create(channel="sms", failures=3, open_until=clock.now(), changed_at=clock.now())
    one_intake_row_each(customer)
    one_triage_row_each(ticket, agent_actor)
    SecurityPolicy.objects.create(pk=1, mfa_required_roles=["lead"])
    SignInThrottle.objects.create(scope="account", key="someone", count=2, window_started_at=clock.now())
    IdempotencyRecord.objects.create(
        scope=f"user:{agent.pk}",
        key="k-1",
        method="POST",
        path="/api/v1/tickets",
        request_hash="0" * 64,
        status_code=201,
        created_at=clock.now(),
    )
    return ticket


@pytest.fixture
def admin_client_for(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_registered_model_has_a_changelist_and_a_change_page_that_render(
    model, one_of_everything, admin_client_for
):
    changelist = admin_client_for.get(admin_url(model, "changelist"))
    obj = model._default_manager.order_by("pk").first()
    change = admin_client_for.get(admin_url(model, "change", obj.pk))

    assert changelist.status_code == 200
    assert change.status_code == 200


def test_the_ticket_changelist_query_count_does_not_grow_with_the_number_of_tickets(
    admin_client_for, agent, service_team, django_assert_max_num_queries
):
    def make_tickets(count: int) -> None:
        for _ in range(count):
            factories.ticket_for(factories.CustomerFactory(), assignee=agent, team=service_team)

    url = admin_url(Ticket, "changelist")
    make_tickets(5)
    with CaptureQueriesContext(connection) as five:
        response = admin_client_for.get(url)
    assert response.context["cl"].result_count == 5

    make_tickets(25)
    with django_assert_max_num_queries(len(five)):
        response = admin_client_for.get(url)
    assert response.context["cl"].result_count == 30
    assert len(response.context["cl"].result_list) == 30


def test_the_ticket_change_view_is_a_read_only_page(admin_client_for, ticket):
    response = admin_client_for.get(admin_url(Ticket, "change", ticket.pk))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["adminform"].form.fields == {}
    assert ticket.subject in response.content.decode()


def test_the_ticket_admin_refuses_an_edit_and_the_ticket_is_unchanged(admin_client_for, ticket):
    events_before = TicketEvent.objects.filter(ticket=ticket).count()

    response = admin_client_for.post(
        admin_url(Ticket, "change", ticket.pk), {"subject": "被管理后台改掉的标题", "description": "x"}
    )

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.subject == "无法登录，验证码收不到"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before


def test_the_ticket_admin_offers_no_add_and_no_delete(admin_client_for, ticket):
    changelist = admin_client_for.get(admin_url(Ticket, "changelist"))
    add = admin_client_for.get(admin_url(Ticket, "add"))
    delete = admin_client_for.post(admin_url(Ticket, "delete", ticket.pk), {"post": "yes"})
    bulk_delete = admin_client_for.post(
        admin_url(Ticket, "changelist"), {"action": "delete_selected", "_selected_action": [ticket.pk], "post": "yes"}
    )

    assert changelist.context["has_add_permission"] is False
    assert changelist.context["action_form"] is None
    assert add.status_code == 403
    assert delete.status_code == 403
    assert bulk_delete.status_code == 200
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_the_timeline_admin_is_read_only(admin_client_for, ticket):
    event = ticket.events.get()

    response = admin_client_for.post(admin_url(TicketEvent, "change", event.pk), {"summary": "篡改"})
    delete = admin_client_for.post(admin_url(TicketEvent, "delete", event.pk), {"post": "yes"})

    assert response.status_code == 403
    assert delete.status_code == 403
    event.refresh_from_db()
    assert event.summary == "无法登录，验证码收不到"


def test_a_customer_without_staff_access_is_redirected_to_the_admin_login(client, customer):
    client.force_login(customer.user)
    url = admin_url(Ticket, "changelist")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_a_department_member_with_admin_access_sees_only_the_tickets_access_rules_allow(
    client, purchasing, purchasing_team, customer
):
    ours = factories.ticket_for(customer, subject="采购备件：主板", team=purchasing_team)
    factories.ticket_for(customer, subject="无关的登录问题")
    purchasing.is_staff = True
    purchasing.save()
    purchasing.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    client.force_login(purchasing)

    response = client.get(admin_url(Ticket, "changelist"))

    assert response.status_code == 200
    assert [t.number for t in response.context["cl"].result_list] == [ours.number]
