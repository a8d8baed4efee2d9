"""Issue 13 item 4: 40 wrong passwords in 16 s, then the right one logged in. Now failures lock the
account (5) and the IP (20) for a while; not even the right password gets in until the lock ends or
an admin lifts it. Every step is in the audit trail."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from gongdan.accounts import throttle
from gongdan.accounts.constants import ThrottleScope
from gongdan.accounts.models import SecurityPolicy, SignInThrottle
from gongdan.audit.models import AuditEvent

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
GOOD = "pw-Gongdan-2026"


def _post(client: Client, username: str, password: str, ip: str = "203.0.113.5", **extra):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en", **extra
    )


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, agent, frozen):
    for _ in range(4):
        assert _post(client, agent.username, "wrong").status_code == 422
    locked = _post(client, agent.username, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "10:15" in locked.content.decode()  # the lock's end in the desk's time zone
    right = _post(client, agent.username, GOOD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    row = SignInThrottle.objects.get(scope=ThrottleScope.ACCOUNT, key=agent.username.lower())
    assert (row.count, row.locked_until) == (5, T0 + timedelta(minutes=15))


def test_the_lock_is_shown_in_chinese_too(client, agent, frozen):
    for _ in range(5):
        response = client.post(
            "/login/", {"username": agent.username, "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_the_lock_ends_by_itself_after_the_lockout_time(client, agent, frozen):
    for _ in range(5):
        _post(client, agent.username, "wrong")
    frozen.move_to(T0 + timedelta(minutes=15, seconds=1))
    response = _post(client, agent.username, GOOD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)
    assert not SignInThrottle.objects.filter(scope=ThrottleScope.ACCOUNT).exists()  # success forgets failures


def test_failures_spread_beyond_the_window_do_not_lock(client, agent, frozen):
    for minute in range(0, 80, 16):  # five failures, each in a new 15-minute window
        frozen.move_to(T0 + timedelta(minutes=minute))
        assert _post(client, agent.username, "wrong").status_code == 422
    assert throttle.locked_until(username=agent.username, ip="203.0.113.5") is None


def test_one_address_trying_many_accounts_is_locked_by_ip(client, agent, frozen):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"lockout_ip_failures": 6})
    for n in range(6):
        _post(client, f"guess{n}", "wrong", ip="198.51.100.7")
    assert _post(client, agent.username, GOOD, ip="198.51.100.7").status_code == 429
    other = Client()
    assert _post(other, agent.username, GOOD, ip="198.51.100.8").status_code == 302


def test_the_admin_sign_in_page_is_locked_too(client, admin_user, frozen):
    for _ in range(5):
        client.post("/admin/login/?next=/admin/", {"username": admin_user.username, "password": "wrong"})
    response = client.post("/admin/login/?next=/admin/", {"username": admin_user.username, "password": GOOD})
    assert response.status_code == 200  # the form again, not the redirect into the admin
    assert "_auth_user_id" not in client.session


def test_an_admin_lifts_the_lock_from_the_admin(client, agent, admin_user, frozen):
    for _ in range(5):
        _post(client, agent.username, "wrong")
    row = SignInThrottle.objects.get(scope=ThrottleScope.ACCOUNT)
    admin_client = Client()
    admin_client.force_login(admin_user)
    response = admin_client.post(
        "/admin/accounts/signinthrottle/", {"action": "unlock", "_selected_action": [row.pk]}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302
    assert not SignInThrottle.objects.filter(scope=ThrottleScope.ACCOUNT).exists()
    assert _post(client, agent.username, GOOD).status_code == 302
    unlock = AuditEvent.objects.get(action="signin.unlock")
    assert (unlock.actor_id, unlock.ip, unlock.detail) == (admin_user.pk, "10.0.0.9", f"account:{agent.username}")


def test_the_user_action_lifts_an_accounts_lock(agent, admin_user, frozen):
    client = Client()
    for _ in range(5):
        _post(client, agent.username, "wrong")
    admin_client = Client()
    admin_client.force_login(admin_user)
    admin_client.post("/admin/accounts/user/", {"action": "unlock_sign_in", "_selected_action": [agent.pk]})
    assert _post(client, agent.username, GOOD).status_code == 302


def test_failures_and_the_lockout_are_audited_with_ip_and_actor(client, agent, frozen):
    for _ in range(5):
        _post(client, agent.username, "wrong", HTTP_USER_AGENT="curl/8")
    rows = AuditEvent.objects.filter(action__startswith="signin").order_by("id")
    events = list(rows.values_list("action", "actor_id", "actor_label", "ip", "user_agent"))
    assert events[:5] == [("signin.failure", agent.pk, agent.username, "203.0.113.5", "curl/8")] * 5
    assert events[5] == ("signin.lockout", agent.pk, agent.username, "203.0.113.5", "curl/8")
    assert len(events) == 6


def test_a_success_is_audited(client, agent, frozen):
    _post(client, agent.username, GOOD)
    event = AuditEvent.objects.get(action="signin.success")
    assert (event.actor_id, event.ip, event.detail, event.at) == (agent.pk, "203.0.113.5", "password", T0)
