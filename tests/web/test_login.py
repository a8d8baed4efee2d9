from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from gongdan.accounts.constants import Role
from gongdan.automation.models import OutboxMessage
from gongdan.core import clock
from gongdan.web.auth import make_link_token
from tests import factories


def test_the_root_opens_the_login_page(client, db):
    response = client.get("/", follow=True)
    assert response.redirect_chain == [("/login/", 302)]
    assert response.status_code == 200
    assert 'id="login-form"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("agent", "/desk/q/mine/"),
        ("lead", "/desk/board/"),
        ("purchasing", "/desk/q/team/"),
        ("admin_user", "/desk/board/"),
    ],
)
def test_each_staff_persona_lands_on_a_useful_screen(client, request, persona, landing):
    user = request.getfixturevalue(persona)
    response = client.post("/login/", {"username": user.username, "password": "pw-Gongdan-2026"})
    assert response["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_customer_lands_on_the_portal(client, customer):
    response = client.post("/login/", {"username": "zhang_san", "password": "pw-Gongdan-2026"})
    assert response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_a_wrong_password_shows_the_error_in_the_users_language(client, agent):
    response = client.post("/login/", {"username": agent.username, "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_login_language_is_the_users_remembered_language(client, agent):
    agent.language = "en"
    agent.save(update_fields=["language"])
    response = client.post("/login/", {"username": agent.username, "password": "pw-Gongdan-2026"})
    assert response.cookies["django_language"].value == "en"
    page = client.get("/desk/q/mine/")
    assert '<html lang="en">' in page.content.decode()


def test_the_language_switch_is_stored_on_the_user(client, agent):
    client.force_login(agent)
    response = client.post("/language/", {"language": "en", "next": "/desk/q/mine/"})
    assert response["Location"] == "/desk/q/mine/"
    agent.refresh_from_db()
    assert agent.language == "en"
    assert response.cookies["django_language"].value == "en"


def test_the_language_switch_refuses_an_outside_redirect(client, agent):
    client.force_login(agent)
    response = client.post("/language/", {"language": "en", "next": "https://evil.example.com/"})
    assert response["Location"] == "/"


def test_a_customer_gets_a_login_link_by_email_that_works_once(client, customer):
    response = client.post("/login/link/", {"email": "ZhangSan@example.com"})
    assert response.status_code == 200
    message = OutboxMessage.objects.get()
    assert message.recipient == "zhangsan@example.com"
    url = next(line for line in message.body.splitlines() if "/login/link/" in line).strip()
    path = url.split("8000", 1)[-1] if "8000" in url else url
    exchanged = client.get(path)  # the token leaves the address bar at once
    assert exchanged.status_code == 302
    assert exchanged["Location"] == "/login/link/continue/"
    assert exchanged["Referrer-Policy"] == "no-referrer"
    page = client.get("/login/link/continue/")
    assert page.status_code == 200  # a button, not yet a login
    assert path.split("/")[-2] not in page.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post("/login/link/continue/")
    assert response["Location"] == "/portal/"
    assert client.session["_auth_user_id"] == str(customer.user.pk)
    again = Client()
    assert again.get(path).status_code == 400
    assert again.post("/login/link/continue/").status_code == 400
    assert "_auth_user_id" not in again.session


def test_an_unknown_or_staff_address_gets_the_same_answer_and_no_email(client, agent):
    for email in ("nobody@example.com", agent.email):
        response = client.post("/login/link/", {"email": email})
        assert response.status_code == 200
        assert "a sign-in link is on its way" in response.content.decode() or "登录链接" in response.content.decode()
    assert OutboxMessage.objects.count() == 0


def test_a_login_link_expires(client, customer, settings):
    token = make_link_token(customer.user)
    with time_machine.travel(clock.now() + timedelta(seconds=settings.LOGIN_LINK_MAX_AGE + 1), tick=False):
        assert client.get(f"/login/link/{token}/").status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_login_link_never_signs_in_staff(client, agent):
    agent_as_customer_token = make_link_token(agent)
    assert client.get(f"/login/link/{agent_as_customer_token}/").status_code == 400
    assert "_auth_user_id" not in client.session
    assert agent.role == Role.AGENT


def test_an_inactive_customer_cannot_use_a_link(client, db):
    customer = factories.customer_with_login("gone", email="gone@example.com")
    token = make_link_token(customer.user)
    customer.user.is_active = False
    customer.user.save(update_fields=["is_active"])
    assert client.get(f"/login/link/{token}/").status_code == 400


def test_a_first_sign_in_follows_the_browser_then_the_persons_choice(db):
    """Issue 17, defect 11: an English customer saw a Chinese portal because the account's default language won."""
    emily = factories.customer_with_login("emily", email="emily@example.com")
    emily.user.language = ""  # a new account: no language chosen yet
    emily.user.save()
    browser = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    response = browser.post("/login/", {"username": "emily", "password": "pw-Gongdan-2026"})

    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in browser.get("/portal/").content.decode()
    browser.post("/language/", {"language": "zh-hans", "next": "/portal/"})
    again = Client(HTTP_ACCEPT_LANGUAGE="en")
    again.post("/login/", {"username": "emily", "password": "pw-Gongdan-2026"})
    assert '<html lang="zh-hans">' in again.get("/portal/").content.decode()
