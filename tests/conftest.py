"""Personas shared by every test: customer, other customer, agent, lead, purchasing, admin."""

import datetime as dt
import os
import socket
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongdan.accounts.constants import Role, TeamKind
from gongdan.core.context import Actor, Channel
from tests import factories


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("GONGDAN_TEST_CLOCK", ""),
        help="Start the session at this Asia/Shanghai wall time, HH:MM (today) or 'YYYY-MM-DD HH:MM'; the clock "
        "then ticks. Default: $GONGDAN_TEST_CLOCK, else the real time. Finds tests that forget to freeze it.",
    )


def session_start(value: str) -> dt.datetime:
    shanghai = ZoneInfo("Asia/Shanghai")
    if " " in value.strip():
        return dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=shanghai)
    wall = dt.datetime.strptime(value.strip(), "%H:%M").time()
    return dt.datetime.combine(dt.datetime.now(shanghai).date(), wall, tzinfo=shanghai)


_session_clock = []


def pytest_unconfigure(config):
    while _session_clock:
        _session_clock.pop().stop()


def pytest_report_header(config):
    if config.getoption("--clock"):
        return f"session clock: {session_start(config.getoption('--clock')).isoformat()} (Asia/Shanghai, ticking)"
    return None


def pytest_configure(config):
    from django.conf import settings

    if config.getoption("--clock"):
        traveller = time_machine.travel(session_start(config.getoption("--clock")), tick=True)
        traveller.start()
        _session_clock.append(traveller)

    # Hashing speed is not under test; PBKDF2 would dominate the suite's runtime.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from huey.contrib.djhuey import HUEY

    # Tasks run inline in tests, never against the developer's queue file.
    HUEY.immediate = True


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://…); CI runs it there")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_config_cache():
    # Each test's database is rolled back; values cached under a token of another test's rows must go.
    from gongdan.core import configcache
    from gongdan.web import queues

    configcache.clear()
    queues.forget_counts()  # the queue counts kept for 5 s (per user) belong to the test that made them


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that the outbox delivers to."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            from email import message_from_bytes, policy

            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def service_team(db):
    return factories.TeamFactory(code="kefu-1", name_zh="客服一组", name_en="Service desk 1")


@pytest.fixture
def purchasing_team(db):
    return factories.TeamFactory(code="purchasing", name_zh="采购部", name_en="Purchasing", kind=TeamKind.DEPARTMENT)


@pytest.fixture
def agent(service_team):
    user = factories.UserFactory(username="agent_li", role=Role.AGENT, display_name="李坐席")
    user.teams.add(service_team)
    return user


@pytest.fixture
def other_agent(service_team):
    user = factories.UserFactory(username="agent_wang", role=Role.AGENT, display_name="王坐席")
    user.teams.add(service_team)
    return user


@pytest.fixture
def lead(service_team):
    user = factories.UserFactory(username="lead_zhao", role=Role.LEAD, display_name="赵组长")
    user.teams.add(service_team)
    return user


@pytest.fixture
def purchasing(purchasing_team):
    user = factories.UserFactory(username="buyer_sun", role=Role.DEPARTMENT, display_name="孙采购")
    user.teams.add(purchasing_team)
    return user


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def customer(db):
    return factories.customer_with_login("zhang_san", email="zhangsan@example.com")


@pytest.fixture
def other_customer(db):
    return factories.customer_with_login("li_si", email="lisi@example.com")


@pytest.fixture
def agent_actor(agent):
    return Actor(user=agent, ip="10.0.0.5", channel=Channel.WEB)


@pytest.fixture
def lead_actor(lead):
    return Actor(user=lead, ip="10.0.0.6", channel=Channel.WEB)


@pytest.fixture
def customer_actor(customer):
    return Actor(user=customer.user, customer=customer, ip="203.0.113.9", channel=Channel.PORTAL)


@pytest.fixture
def ticket(customer):
    return factories.ticket_for(customer, subject="无法登录，验证码收不到")
