"""What the admin may change: configuration yes, stable codes and kinds no; tokens revoke, outbox retries."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from gongdan.accounts.constants import Availability, Role
from gongdan.accounts.models import ApiToken
from gongdan.automation.constants import OutboxKind, OutboxState
from gongdan.automation.models import OutboxMessage
from gongdan.customers.models import Customer
from gongdan.tickets.models import DeskPolicy, Priority, Status

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_priority_name_and_colour_change_but_its_code_and_rank_stay(staff_client):
    p1 = Priority.objects.get(code="P1")

    response = staff_client.post(
        admin_url(Priority, "change", p1.pk),
        {"code": "P4", "rank": "9", "name_zh": "紧急", "name_en": "Urgent", "color": "#ff0000"},
    )

    assert response.status_code == 302
    p1.refresh_from_db()
    assert (p1.code, p1.rank, p1.name_zh, p1.name_en, p1.color) == ("P1", 1, "紧急", "Urgent", "#ff0000")


def test_a_priority_cannot_be_deleted_nor_added_once_all_codes_exist(staff_client):
    p4 = Priority.objects.get(code="P4")

    delete = staff_client.post(admin_url(Priority, "delete", p4.pk), {"post": "yes"})
    add = staff_client.get(admin_url(Priority, "add"))

    assert (delete.status_code, add.status_code) == (403, 403)
    assert sorted(Priority.objects.values_list("code", flat=True)) == ["P0", "P1", "P2", "P3", "P4"]


def test_a_status_label_changes_but_its_kind_and_key_stay(staff_client):
    status = Status.objects.get(key="pending-customer")

    response = staff_client.post(
        admin_url(Status, "change", status.pk),
        {
            "key": "renamed",
            "kind": "closed",
            "label_zh": "等待客户答复",
            "label_en": "Waiting for customer",
            "order": "30",
            "is_default": "on",
        },
    )

    assert response.status_code == 302
    status.refresh_from_db()
    assert (status.key, status.kind, status.label_zh, status.label_en) == (
        "pending-customer",
        "pending",
        "等待客户答复",
        "Waiting for customer",
    )


def test_the_desk_policy_is_a_singleton_that_cannot_be_added_twice_or_deleted(staff_client):
    policy = DeskPolicy.current()

    add = staff_client.get(admin_url(DeskPolicy, "add"))
    delete = staff_client.post(admin_url(DeskPolicy, "delete", policy.pk), {"post": "yes"})
    change = staff_client.get(admin_url(DeskPolicy, "change", policy.pk))

    assert add.status_code == 403
    assert delete.status_code == 403
    assert change.status_code == 200
    assert DeskPolicy.objects.count() == 1


def test_the_desk_policy_thresholds_are_editable(staff_client):
    policy = DeskPolicy.current()
    form = {
        "ack_phrases": '["收到"]',
        "vague_summaries": '["处理中"]',
        "summary_max_length": "30",
        "effective_event_types": '["reply"]',
        "reopen_on_customer_reply": "on",
        "auto_close_days": "5",
        "confirmation_link_days": "10",
        "attachment_max_bytes": "1048576",
        "attachment_max_per_action": "3",
        "attachment_allowed_types": '["image/png"]',
    }

    response = staff_client.post(admin_url(DeskPolicy, "change", policy.pk), form)

    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.auto_close_days, policy.confirmation_link_days, policy.ack_phrases) == (5, 10, ["收到"])


def test_the_user_admin_edits_the_service_desk_fields(staff_client, agent, service_team, purchasing_team):
    page = staff_client.get(admin_url(type(agent), "change", agent.pk))
    form = {
        "username": agent.username,
        "display_name": "李坐席",
        "email": agent.email,
        "role": Role.LEAD,
        "teams": [service_team.pk, purchasing_team.pk],
        "availability": Availability.ON_SHIFT,
        "seniority": "3",
        "home_latitude": "31.2304",
        "home_longitude": "121.4737",
        "language": "en",
        "timezone": "Asia/Singapore",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "skills-TOTAL_FORMS": "0",
        "skills-INITIAL_FORMS": "0",
        "shifts-TOTAL_FORMS": "1",
        "shifts-INITIAL_FORMS": "0",
        "shifts-0-weekday": "6",
        "shifts-0-start": "22:00",
        "shifts-0-end": "06:00",
    }

    response = staff_client.post(admin_url(type(agent), "change", agent.pk), form)

    assert page.status_code == 200
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.role, agent.availability, agent.language, agent.timezone) == (
        Role.LEAD,
        Availability.ON_SHIFT,
        "en",
        "Asia/Singapore",
    )
    assert sorted(agent.teams.values_list("code", flat=True)) == ["kefu-1", "purchasing"]
    assert [(s.weekday, s.is_overnight) for s in agent.shifts.all()] == [(6, True)]
    assert (agent.seniority, agent.home_latitude, agent.home_longitude) == (3, 31.2304, 121.4737)


def test_revoking_api_tokens_stamps_only_the_active_ones_and_never_shows_a_digest(staff_client, agent):
    earlier = NOW - timedelta(days=3)
    active = ApiToken.objects.create(user=agent, name="ERP", prefix="gd_aaaa", digest=ApiToken.hash("a"))
    revoked = ApiToken.objects.create(
        user=agent, name="WMS", prefix="gd_bbbb", digest=ApiToken.hash("b"), revoked_at=earlier
    )

    listing = staff_client.get(admin_url(ApiToken, "changelist"))
    page = staff_client.get(admin_url(ApiToken, "change", active.pk))
    with time_machine.travel(NOW, tick=False):
        response = staff_client.post(
            admin_url(ApiToken, "changelist"),
            {"action": "revoke", "_selected_action": [active.pk, revoked.pk]},
        )

    assert response.status_code == 302
    active.refresh_from_db()
    revoked.refresh_from_db()
    assert (active.revoked_at, revoked.revoked_at) == (NOW, earlier)
    assert (listing.status_code, page.status_code) == (200, 200)
    assert active.digest not in listing.content.decode()
    assert revoked.digest not in listing.content.decode()
    assert active.digest not in page.content.decode()


def test_an_api_token_cannot_be_added_or_edited_in_the_admin(staff_client, agent):
    token = ApiToken.objects.create(user=agent, name="ERP", prefix="gd_aaaa", digest=ApiToken.hash("a"))

    add = staff_client.get(admin_url(ApiToken, "add"))
    edit = staff_client.post(admin_url(ApiToken, "change", token.pk), {"name": "renamed"})

    assert add.status_code == 403
    assert edit.status_code == 403
    token.refresh_from_db()
    assert token.name == "ERP"


def _message(state: str, **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind=OutboxKind.EMAIL,
        recipient="zhangsan@example.com",
        subject="[GD-000001] 您的问题解决了吗？",
        state=state,
        next_attempt_at=NOW + timedelta(hours=6),
        created_at=NOW - timedelta(days=1),
        **fields,
    )


def test_retry_now_queues_dead_and_waiting_messages_and_leaves_sent_and_sending_ones_alone(staff_client):
    dead = _message(OutboxState.DEAD, attempts=8, last_error="SMTPServerDisconnected")
    waiting = _message(OutboxState.PENDING, attempts=3)
    sent = _message(OutboxState.SENT, attempts=1)
    sending = _message(OutboxState.SENDING, attempts=2, claimed_at=NOW - timedelta(seconds=10))

    with time_machine.travel(NOW, tick=False):
        response = staff_client.post(
            admin_url(OutboxMessage, "changelist"),
            {"action": "retry_now", "_selected_action": [dead.pk, waiting.pk, sent.pk, sending.pk]},
        )

    assert response.status_code == 302
    rows = {m.pk: (m.state, m.next_attempt_at) for m in OutboxMessage.objects.all()}
    assert rows == {
        dead.pk: (OutboxState.PENDING, NOW),
        waiting.pk: (OutboxState.PENDING, NOW),
        sent.pk: (OutboxState.SENT, NOW + timedelta(hours=6)),
        sending.pk: (OutboxState.SENDING, NOW + timedelta(hours=6)),
    }


def test_the_outbox_log_can_be_filtered_by_state(staff_client):
    dead = _message(OutboxState.DEAD, attempts=8)
    _message(OutboxState.SENT, attempts=1)

    response = staff_client.get(admin_url(OutboxMessage, "changelist"), {"state__exact": "dead"})

    assert response.status_code == 200
    assert [m.pk for m in response.context["cl"].result_list] == [dead.pk]


def test_a_new_account_is_created_with_its_role_and_language(staff_client):
    User = get_user_model()
    page = staff_client.get(admin_url(User, "add"))

    response = staff_client.post(
        admin_url(User, "add"),
        {
            "username": "lead_qian",
            "usable_password": "true",
            "password1": "Gongdan-lead-2026!",
            "password2": "Gongdan-lead-2026!",
            "display_name": "钱组长",
            "email": "qian@staff.example.com",
            "role": Role.LEAD,
            "language": "zh-hans",
            "timezone": "Asia/Shanghai",
        },
    )

    assert page.status_code == 200
    assert response.status_code == 302
    created = User.objects.get(username="lead_qian")
    assert (created.role, created.display_name, created.check_password("Gongdan-lead-2026!")) == (
        Role.LEAD,
        "钱组长",
        True,
    )


def _customer_form(customer, **overrides) -> dict:
    form = {
        "name": customer.name,
        "tier": "standard",
        "timezone": "Asia/Shanghai",
        "language": "zh-hans",
        "notes": "",
        "identities-TOTAL_FORMS": "1",
        "identities-INITIAL_FORMS": "0",
        "identities-0-kind": "phone",
        "identities-0-value": "+86 138-0013-8000",
        "devices-TOTAL_FORMS": "0",
        "devices-INITIAL_FORMS": "0",
    }
    form.update(overrides)
    return form


def test_an_identity_added_in_the_admin_is_stored_normalised(staff_client):
    customer = Customer.objects.create(name="王工")
    form = _customer_form(customer, **{"identities-0-kind": "email", "identities-0-value": " Wang.Gong@Example.COM "})

    response = staff_client.post(admin_url(Customer, "change", customer.pk), form)

    assert response.status_code == 302
    assert list(customer.identities.values_list("kind", "value")) == [("email", "wang.gong@example.com")]


def test_a_phone_number_that_is_not_one_is_refused_and_nothing_is_saved(staff_client):
    customer = Customer.objects.create(name="王工")
    form = _customer_form(customer, **{"identities-0-value": "call me", "notes": "changed"})

    response = staff_client.post(admin_url(Customer, "change", customer.pk), form)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["value"] == [
        "电话号码无效：callme。请只填数字，可以“+”开头（例如 +8613800138000）。 / "
        "Not a phone number: callme. Use digits, optionally with a leading + (e.g. +8613800138000)."
    ]
    customer.refresh_from_db()
    assert (customer.notes, customer.identities.count()) == ("", 0)


def test_an_unknown_time_zone_is_refused(staff_client):
    customer = Customer.objects.create(name="王工")
    form = _customer_form(customer, timezone="Beijing", **{"identities-TOTAL_FORMS": "0"})

    response = staff_client.post(admin_url(Customer, "change", customer.pk), form)

    assert response.status_code == 200
    with translation.override("en"):
        assert response.context["adminform"].form.errors["timezone"] == [
            "Unknown time zone: use an IANA name such as Asia/Shanghai."
        ]
    customer.refresh_from_db()
    assert customer.timezone == "Asia/Shanghai"
