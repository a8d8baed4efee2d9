"""Flood and size limits on the anonymous forms (issue 13, item 4): /help/ and the portal's new
request are limited per client IP; every text field has a maximum size, in forms and in the API."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from gongdan.core.models import RateCounter
from gongdan.intake.models import InboundMessage
from gongdan.tickets.models import Ticket
from tests.api.conftest import session_client

T0 = dt.datetime(2026, 12, 2, 2, 0, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.GONGDAN_ANON_FORM_LIMIT = 3
    settings.GONGDAN_ANON_FORM_WINDOW = 600


def _help(client: Client, ip: str, body: str = "充电桩指示灯不亮", **extra):
    form = {
        "submission_id": str(uuid.uuid4()),
        "name": "周师傅",
        "email": "zhou@example.cn",
        "phone": "",
        "subject": "叉车充电桩故障",
        "body": body,
        "device_sn": "",
    }
    return client.post("/help/", form, REMOTE_ADDR=ip, **extra)


def test_the_help_form_takes_a_few_requests_per_ip_then_answers_429(client, db):
    with time_machine.travel(T0, tick=False):
        accepted = [_help(client, "198.51.100.7").status_code for _ in range(3)]
        refused = _help(client, "198.51.100.7", HTTP_ACCEPT_LANGUAGE="en")
        neighbour = _help(client, "198.51.100.8")

    assert accepted == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "570"
    page = refused.content.decode()
    assert "Too many requests from your network: at most 3 in 10 minutes." in page
    assert "充电桩指示灯不亮" in page  # the typed text is kept
    assert neighbour.status_code == 200
    assert InboundMessage.objects.count() == 4
    assert Ticket.objects.count() == 4


def test_the_limit_opens_again_in_the_next_window(client, db):
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            _help(client, "198.51.100.7")
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        assert _help(client, "198.51.100.7").status_code == 200
    assert Ticket.objects.count() == 4


def test_the_refusal_reads_in_chinese(client, db):
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            _help(client, "198.51.100.7")
        refused = _help(client, "198.51.100.7", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "来自您网络的请求过多" in refused.content.decode()


def test_a_one_megabyte_description_is_refused_with_a_message(client, db):
    response = _help(client, "198.51.100.9", body="长" * 1_000_000, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert "at most 20000 characters (it has 1000000)" in response.content.decode()
    assert Ticket.objects.count() == 0 and InboundMessage.objects.count() == 0


def test_the_portal_new_request_is_limited_per_ip(customer):
    client = session_client(customer.user)
    with time_machine.travel(T0, tick=False):
        answers = [
            client.post(
                "/portal/new/", {"subject": f"打印机卡纸 {i}", "description": "三楼"}, REMOTE_ADDR="203.0.113.5"
            )
            for i in range(4)
        ]

    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert Ticket.objects.count() == 3
    assert RateCounter.objects.get(scope="portal-new-request").hits == 4


# ---- every text field of the API has a size limit ----------------------------------------------------

# Path and filter parameters of intake endpoints owned by another branch (h/mail); equality filters
# and URL segments bounded by the URL length, listed here so that a new unbounded field still fails.
UNBOUNDED_ALLOWED = {
    "GET /api/v1/intake/dead-letters query:state",
    "GET /api/v1/intake/dead-letters query:source",
    "POST /api/v1/intake/channels/{source}/heartbeat path:source",
    "GET /api/v1/intake/hooks/{name} path:name",
    "POST /api/v1/intake/hooks/{name} path:name",
}
BOUNDED_FORMATS = {"date-time", "date", "time", "uuid", "binary", "email"}


def _unbounded(node: dict, where: str, components: dict, seen=()):
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _unbounded(components[name], f"{where}→{name}", components, (*seen, name))
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key, []):
            yield from _unbounded(sub, where, components, seen)
    kind, pattern = node.get("type"), node.get("pattern", "")
    bounded = {"maxLength", "enum", "const"} & set(node) or node.get("format") in BOUNDED_FORMATS
    if kind == "string" and not (bounded or (pattern.startswith("^") and pattern.endswith("$"))):
        yield where
    for name, sub in node.get("properties", {}).items():
        yield from _unbounded(sub, f"{where}.{name}", components, seen)
    for key in ("additionalProperties", "propertyNames", "items"):
        if isinstance(node.get(key), dict):
            yield from _unbounded(node[key], f"{where}.{key}", components, seen)


def test_every_text_the_api_accepts_has_a_maximum_length():
    from gongdan.config.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    found = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                label = f"{where} {parameter['in']}:{parameter['name']}"
                found |= set(_unbounded(parameter.get("schema", {}), label, components))
            for body in operation.get("requestBody", {}).get("content", {}).values():
                found |= set(_unbounded(body.get("schema", {}), f"{where} body", components))
    assert found - UNBOUNDED_ALLOWED == set()
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 30 * 1024 * 1024
