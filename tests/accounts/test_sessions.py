"""Session policies (R14.1): idle timeout, absolute lifetime, my signed-in browsers with revoke,
sign out everywhere; all set by the admin as data."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from gongdan.accounts.models import SecurityPolicy, UserSession
from gongdan.audit.models import AuditEvent

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
GOOD = "pw-Gongdan-2026"


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _sign_in(user, ip="203.0.113.5", agent="Firefox/140") -> Client:
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    assert client.post("/login/", {"username": user.username, "password": GOOD}).status_code == 302
    return client


def test_signing_in_lists_the_browser_with_ip_and_agent(agent, frozen):
    client = _sign_in(agent)
    row = UserSession.objects.get(user=agent)
    assert (row.ip, row.user_agent, row.created_at, row.last_seen_at, row.ended_at) == (
        "203.0.113.5",
        "Firefox/140",
        T0,
        T0,
        None,
    )
    client.cookies["django_language"] = "en"  # signing in set the user's language (Chinese)
    page = client.get("/account/security/").content.decode()
    assert "Firefox/140" in page
    assert "this browser" in page


def test_an_idle_session_ends_after_the_idle_timeout(agent, frozen):
    client = _sign_in(agent)
    frozen.move_to(T0 + timedelta(hours=7, minutes=59))
    assert client.get("/desk/q/mine/").status_code == 200
    frozen.move_to(T0 + timedelta(hours=15, minutes=58))  # 7 h 59 since the last request: still fine
    assert client.get("/desk/q/mine/").status_code == 200
    frozen.move_to(T0 + timedelta(hours=24))
    response = client.get("/desk/q/mine/")
    assert response["Location"] == "/login/?next=/desk/q/mine/"
    assert "_auth_user_id" not in client.session
    assert UserSession.objects.get(user=agent).ended_at == T0 + timedelta(hours=24)
    assert AuditEvent.objects.get(action="session.expired").detail == "idle"


def test_an_active_session_ends_at_the_absolute_lifetime(agent, frozen):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"session_absolute_hours": 10})
    client = _sign_in(agent)
    for hour in range(1, 10):
        frozen.move_to(T0 + timedelta(hours=hour))
        assert client.get("/desk/q/mine/").status_code == 200
    frozen.move_to(T0 + timedelta(hours=10, minutes=1))
    assert client.get("/desk/q/mine/").status_code == 302
    assert AuditEvent.objects.get(action="session.expired").detail == "absolute"


def test_the_api_answers_401_problem_json_when_the_session_has_ended(agent, frozen):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"session_idle_minutes": 30})
    client = _sign_in(agent)
    frozen.move_to(T0 + timedelta(minutes=31))
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_revoking_another_browser_signs_it_out(agent, frozen):
    laptop = _sign_in(agent, agent="Laptop")
    phone = _sign_in(agent, ip="198.51.100.3", agent="Phone")
    phone_row = UserSession.objects.get(user_agent="Phone")
    response = laptop.post(f"/account/sessions/{phone_row.pk}/revoke/")
    assert response["Location"] == "/account/security/"
    assert phone.get("/desk/q/mine/").status_code == 302
    assert laptop.get("/desk/q/mine/").status_code == 200
    phone_row.refresh_from_db()
    assert phone_row.ended_at == T0
    assert AuditEvent.objects.get(action="session.revoked").object_id == str(phone_row.pk)


def test_nobody_revokes_someone_elses_session(agent, other_agent, frozen):
    _sign_in(agent)
    theirs = _sign_in(other_agent)
    mine = UserSession.objects.get(user=agent)
    assert theirs.post(f"/account/sessions/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    assert mine.ended_at is None


def test_sign_out_everywhere_ends_every_session(agent, frozen):
    browsers = [_sign_in(agent, agent=f"B{n}") for n in range(3)]
    response = browsers[0].post("/account/sessions/sign-out-everywhere/")
    assert response["Location"] == "/login/"
    assert [b.get("/desk/q/mine/").status_code for b in browsers] == [302, 302, 302]
    assert UserSession.objects.filter(user=agent, ended_at__isnull=True).count() == 0
    assert AuditEvent.objects.get(action="signout.everywhere").detail == "3 sessions"


def test_signing_out_ends_the_listed_session(agent, frozen):
    client = _sign_in(agent)
    client.post("/logout/")
    assert UserSession.objects.get(user=agent).ended_at == T0
    assert AuditEvent.objects.filter(action="signout", actor=agent).count() == 1


def test_last_seen_is_written_at_most_once_a_minute(agent, frozen):
    client = _sign_in(agent, ip="203.0.113.5")
    frozen.move_to(T0 + timedelta(seconds=30))
    client.get("/account/security/", REMOTE_ADDR="203.0.113.6")
    assert UserSession.objects.get(user=agent).last_seen_at == T0
    frozen.move_to(T0 + timedelta(seconds=61))
    client.get("/account/security/", REMOTE_ADDR="203.0.113.6")
    row = UserSession.objects.get(user=agent)
    assert (row.last_seen_at, row.ip) == (T0 + timedelta(seconds=61), "203.0.113.6")


def test_a_customer_sees_their_sessions_in_the_portal_layout(customer, frozen):
    client = _sign_in(customer.user, agent="CustomerPhone")
    client.cookies["django_language"] = "en"
    page = client.get("/account/security/").content.decode()
    assert 'data-area="portal"' in page
    assert "CustomerPhone" in page
    assert "Two-factor sign-in" not in page


def test_the_admin_sets_the_policy_and_it_applies_at_once(admin_user, agent, frozen):
    admin = Client()
    admin.force_login(admin_user)
    form = {
        "lockout_account_failures": "3",
        "lockout_ip_failures": "20",
        "lockout_window_minutes": "15",
        "lockout_minutes": "60",
        "link_mails_per_address": "3",
        "link_requests_per_ip": "20",
        "link_window_minutes": "60",
        "session_idle_minutes": "30",
        "session_absolute_hours": "168",
        "mfa_required_roles": ["lead", "admin"],
    }
    assert admin.post("/admin/accounts/securitypolicy/add/", form).status_code == 302
    policy = SecurityPolicy.current()
    assert (policy.lockout_account_failures, policy.session_idle_minutes, policy.mfa_required_roles) == (
        3,
        30,
        ["lead", "admin"],
    )
    event = AuditEvent.objects.get(action="config.created", object_type="accounts.SecurityPolicy")
    assert event.actor_id == admin_user.pk
    client = _sign_in(agent)
    frozen.move_to(T0 + timedelta(minutes=31))
    assert client.get("/desk/q/mine/").status_code == 302
