"""Configuration changes (SLA, routing, categories, priorities, roles, teams…) are audit events with
who, from where and the values before and after (R14.2)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from gongdan.accounts.constants import Role
from gongdan.audit.models import AuditEvent
from gongdan.intake.models import Mailbox
from gongdan.sla.models import SlaPolicy
from gongdan.tickets.models import Priority

T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def admin_client(admin_user):
    client = Client(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="AdminBrowser")
    client.force_login(admin_user)
    return client


def test_a_priority_renamed_in_the_admin_records_actor_ip_and_the_change(admin_client, admin_user):
    p1 = Priority.objects.get(code="P1")
    data = {"code": "P1", "rank": p1.rank, "name_zh": p1.name_zh, "name_en": "Urgent", "color": p1.color}
    with time_machine.travel(T0, tick=False):
        response = admin_client.post(f"/admin/tickets/priority/{p1.pk}/change/", data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="config.updated", object_type="tickets.Priority")
    assert (event.actor_id, event.ip, event.user_agent, event.at) == (admin_user.pk, "10.1.2.3", "AdminBrowser", T0)
    assert (event.before, event.after) == ({"name_en": p1.name_en}, {"name_en": "Urgent"})
    assert event.object_id == str(p1.pk)


def test_saving_without_a_change_records_nothing(admin_client):
    p1 = Priority.objects.get(code="P1")
    data = {"code": "P1", "rank": p1.rank, "name_zh": p1.name_zh, "name_en": p1.name_en, "color": p1.color}
    admin_client.post(f"/admin/tickets/priority/{p1.pk}/change/", data)
    assert not AuditEvent.objects.filter(object_type="tickets.Priority").exists()


def test_sla_policies_created_changed_and_deleted_outside_a_request_are_system_events(db):
    policy = SlaPolicy.objects.create(name_zh="金牌", name_en="Gold", first_response_minutes=30)
    policy.first_response_minutes = 15
    policy.save()
    pk = policy.pk
    policy.delete()
    events = AuditEvent.objects.filter(object_type="sla.SlaPolicy").order_by("id")
    assert [e.action for e in events] == ["config.created", "config.updated", "config.deleted"]
    assert events[0].after["first_response_minutes"] == 30
    assert (events[1].before, events[1].after) == ({"first_response_minutes": 30}, {"first_response_minutes": 15})
    assert events[2].before["name_en"] == "Gold"
    assert {e.actor_label for e in events} == {"system"}
    assert {e.object_id for e in events} == {str(pk)}


def test_a_role_change_is_audited_but_a_login_time_is_not(admin_client, agent):
    AuditEvent.objects.all().delete()  # the fixture's own account creation and team membership
    agent.role = Role.LEAD
    agent.save()
    agent.availability = "on_break"
    agent.save()
    events = AuditEvent.objects.filter(object_type="accounts.User", action="config.updated")
    assert [(e.before, e.after) for e in events] == [({"role": "agent"}, {"role": "lead"})]


def test_secrets_never_enter_the_audit_trail(db):
    Mailbox.objects.create(name="support", host="127.0.0.1", username="support", password="hunter2-secret")
    event = AuditEvent.objects.get(object_type="intake.Mailbox")
    assert event.after["password"] == "••••••"
    assert "hunter2" not in str(event.after)


def test_team_membership_changes_are_audited(agent, purchasing_team, service_team):
    AuditEvent.objects.all().delete()
    agent.teams.add(purchasing_team)
    agent.teams.remove(service_team)
    events = AuditEvent.objects.filter(object_type="accounts.User", action="config.updated").order_by("id")
    assert [(e.before, e.after) for e in events] == [
        ({"teams": [service_team.code]}, {"teams": sorted([service_team.code, purchasing_team.code])}),
        ({"teams": sorted([service_team.code, purchasing_team.code])}, {"teams": [purchasing_team.code]}),
    ]
