"""Two-factor sign-in for staff (R14.1): TOTP enrolment with a QR code, recovery codes shown once,
the second step at sign-in, enforcement per role, API tokens unaffected. Codes are computed with
django-otp's own TOTP function on a frozen clock."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongdan.accounts import mfa
from gongdan.accounts.models import SecurityPolicy
from gongdan.accounts.services import issue_api_token
from gongdan.audit.models import AuditEvent

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
GOOD = "pw-Gongdan-2026"


def code(device: TOTPDevice, at: datetime = T0) -> str:
    """What the authenticator app shows at `at` (RFC 6238, computed by django-otp's own function)."""
    with time_machine.travel(at, tick=False):
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def leads_must_enrol(db):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"mfa_required_roles": ["lead", "admin"]})


def _enrolled(user) -> TOTPDevice:
    device = mfa.begin_enrolment(user=user)
    mfa.confirm_enrolment(user=user, token=code(device))
    device.refresh_from_db()
    return device


def test_a_lead_who_must_enrol_reaches_only_the_enrolment_page(client, lead, leads_must_enrol, frozen):
    client.force_login(lead)
    response = client.get("/desk/board/")
    assert (response.status_code, response["Location"]) == (302, "/account/2fa/")
    page = client.get("/account/2fa/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<div class="my-2" id="totp-qr"><svg width="\d+" height="\d+" class="segno">', html)
    device = TOTPDevice.objects.get(user=lead, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(secret) == device.bin_key


def test_enrolment_checks_the_code_then_shows_ten_recovery_codes_once(client, lead, leads_must_enrol, frozen):
    client.force_login(lead)
    client.get("/account/2fa/")
    device = TOTPDevice.objects.get(user=lead)
    wrong = client.post("/account/2fa/", {"action": "enrol", "token": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 422
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/desk/board/").status_code == 302
    frozen.move_to(T0 + timedelta(seconds=2))  # django-otp waits 2^(failures-1) s after a wrong code
    done = client.post("/account/2fa/", {"action": "enrol", "token": code(device)}, HTTP_ACCEPT_LANGUAGE="en")
    shown = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(shown) == 10
    assert sorted(shown) == sorted(StaticToken.objects.filter(device__user=lead).values_list("token", flat=True))
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/desk/board/").status_code == 200
    again = client.get("/account/2fa/").content.decode()
    assert not any(token in again for token in shown)
    assert list(
        AuditEvent.objects.filter(action__startswith="mfa").order_by("id").values_list("action", flat=True)
    ) == [
        "mfa.failed",
        "mfa.enrolled",
    ]


def test_an_enrolled_user_signs_in_with_password_then_a_code(client, agent, frozen):
    device = _enrolled(agent)
    frozen.move_to(T0 + timedelta(seconds=60))
    first = client.post("/login/", {"username": agent.username, "password": GOOD})
    assert first["Location"] == "/login/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/desk/q/mine/").status_code == 302
    response = client.post("/login/verify/", {"token": code(device, T0 + timedelta(seconds=60))})
    assert response["Location"] == "/desk/q/mine/"
    assert client.session["_auth_user_id"] == str(agent.pk)
    assert AuditEvent.objects.filter(action="signin.success").latest("id").detail == "password+2fa"


def test_a_code_cannot_be_used_twice(agent, frozen):
    device = _enrolled(agent)
    frozen.move_to(T0 + timedelta(seconds=60))
    token = code(device, T0 + timedelta(seconds=60))
    one, two = Client(), Client()
    for c in (one, two):
        c.post("/login/", {"username": agent.username, "password": GOOD})
    assert one.post("/login/verify/", {"token": token}).status_code == 302
    assert two.post("/login/verify/", {"token": token}).status_code == 422
    assert "_auth_user_id" not in two.session


def test_a_recovery_code_signs_in_once(agent, frozen):
    device = mfa.begin_enrolment(user=agent)
    codes = mfa.confirm_enrolment(user=agent, token=code(device))
    one, two = Client(), Client()
    for c in (one, two):
        c.post("/login/", {"username": agent.username, "password": GOOD})
    assert one.post("/login/verify/", {"token": codes[3].upper()}).status_code == 302
    assert two.post("/login/verify/", {"token": codes[3]}).status_code == 422
    assert mfa.recovery_codes_left(agent) == 9
    assert AuditEvent.objects.get(action="mfa.recovery_used").detail == "9 left"


def test_wrong_codes_count_towards_the_lockout(client, agent, frozen):
    _enrolled(agent)
    client.post("/login/", {"username": agent.username, "password": GOOD})
    statuses = [
        client.post("/login/verify/", {"token": "123456"}, HTTP_ACCEPT_LANGUAGE="en").status_code for _ in range(5)
    ]
    assert statuses == [422, 422, 422, 422, 429]
    assert client.get("/login/verify/")["Location"] == "/login/"  # the half-done sign-in is dropped


def test_the_second_step_expires_after_five_minutes(client, agent, frozen):
    device = _enrolled(agent)
    client.post("/login/", {"username": agent.username, "password": GOOD})
    later = T0 + timedelta(minutes=5, seconds=30)
    frozen.move_to(later)
    response = client.post("/login/verify/", {"token": code(device, later)})
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_api_tokens_are_not_affected_but_a_sessions_api_call_is(client, lead, leads_must_enrol, frozen):
    _token, raw = issue_api_token(user=lead, name="ci")
    with_token = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert with_token.status_code == 200
    client.force_login(lead)
    by_session = client.get("/api/v1/me")
    assert by_session.status_code == 403
    assert by_session["Content-Type"] == "application/problem+json"
    assert by_session.json()["type"].endswith("second-factor-required")


def test_customers_and_roles_not_listed_are_never_asked(client, agent, customer, leads_must_enrol):
    client.force_login(agent)
    assert client.get("/desk/q/mine/").status_code == 200
    portal = Client()
    portal.force_login(customer.user)
    assert portal.get("/portal/").status_code == 200
    assert portal.get("/account/2fa/")["Location"] == "/account/security/"


def test_a_lead_who_must_use_it_cannot_turn_it_off_but_an_admin_can_reset_it(
    client, lead, admin_user, leads_must_enrol, frozen
):
    device = _enrolled(lead)
    client.force_login(lead)
    client.post("/account/2fa/", {"action": "verify", "token": code(device, T0 + timedelta(seconds=31))})
    frozen.move_to(T0 + timedelta(seconds=31))
    client.post("/account/2fa/", {"action": "verify", "token": code(device, T0 + timedelta(seconds=31))})
    refused = client.post("/account/2fa/", {"action": "remove"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert mfa.is_enrolled(lead)
    admin = Client()
    admin.force_login(admin_user)
    assert admin.get("/admin/")["Location"] == "/account/2fa/"  # admins must enrol too
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"mfa_required_roles": ["lead"]})
    frozen.move_to(T0 + timedelta(seconds=92))  # sessions re-read the policy once a minute
    answer = admin.post("/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [lead.pk]})
    assert answer["Location"] == "/admin/accounts/user/"
    assert not mfa.is_enrolled(lead)
    reset = AuditEvent.objects.get(action="mfa.reset")
    assert (reset.actor_id, reset.object_id) == (admin_user.pk, str(lead.pk))
