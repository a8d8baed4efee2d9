# ruff: noqa: E501  (the table below is read row by row; wrapping its rows would hide the columns)
"""The authorisation matrix (issue 13): every operation of the OpenAPI schema × every role × own and
foreign object, with the status each must get and the fields it may see.

`MATRIX` below is the table. A new endpoint without a row fails `test_every_operation_has_a_row`;
a changed answer fails the operation's row. Each cell runs in a savepoint that is rolled back, so
one role's write never changes what the next role finds.

"Own" is the customer persona's ticket: it belongs to the service team, is handed to purchasing
(collaborating department) and has the field engineer on it. "Foreign" is another customer's
ticket with none of these links. Each has a held reply from a stranger's address (`{held_id}`).
Roles: anon (no credentials), cust (the ticket's customer), other (another customer), agent (an
agent of another team), dept (purchasing), field (a field engineer), lead, admin. Cells read "own/foreign"; operations without an object have one status.

Regenerate the observed table with GONGDAN_MATRIX_RECORD=/tmp/matrix.txt (then review every change).
"""

import datetime as dt
import json
import os
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from gongdan.accounts.constants import Role, TeamKind
from gongdan.core import configcache
from gongdan.core.context import Actor, Channel
from gongdan.customers.models import CustomerIdentity
from gongdan.intake.adapters.imap import ingest_raw
from gongdan.intake.constants import Outcome
from gongdan.intake.pipeline.runner import record_dead_letter
from gongdan.tickets import services
from gongdan.tickets.schemas import INTERNAL_TICKET_FIELDS, view_for
from tests import factories
from tests.intake.mails import mail

ROLES = ("anon", "cust", "other", "agent", "dept", "field", "lead", "admin")
PHONE = "+8613900139000"

MATRIX = {
    "GET /api/v1/attachments/{attachment_id}/download": "anon 401/401 · cust 200/404 · other 404/404 · agent 200/200 · dept 200/404 · field 200/404 · lead 200/200 · admin 200/200",
    "GET /api/v1/audit/events": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 403 · admin 200",
    "GET /api/v1/audit/export": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 403 · admin 200",
    "GET /api/v1/categories": "anon 401 · cust 200 · other 200 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "GET /api/v1/confirmations/{token}": "anon 404 · cust 404 · other 404 · agent 404 · dept 404 · field 404 · lead 404 · admin 404",
    "GET /api/v1/customers": "anon 401 · cust 403 · other 403 · agent 200 · dept 403 · field 403 · lead 200 · admin 200",
    "GET /api/v1/customers/{customer_id}": "anon 401/401 · cust 404/404 · other 404/404 · agent 200/200 · dept 404/404 · field 404/404 · lead 200/200 · admin 200/200",
    "GET /api/v1/duplicates/related": "anon 401 · cust 200 · other 200 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "GET /api/v1/duplicates/tickets/{number}/candidates": "anon 401/401 · cust 403/403 · other 403/403 · agent 200/200 · dept 200/404 · field 200/404 · lead 200/200 · admin 200/200",
    "GET /api/v1/duplicates/tickets/{number}/suspicions": "anon 401/401 · cust 403/403 · other 403/403 · agent 200/200 · dept 200/404 · field 200/404 · lead 200/200 · admin 200/200",
    "GET /api/v1/intake/channels": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 200 · admin 200",
    "GET /api/v1/intake/dead-letters": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 403 · admin 200",
    "GET /api/v1/intake/dead-letters/{letter_id}": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 403 · admin 200",
    "GET /api/v1/intake/held": "anon 401 · cust 403 · other 403 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "GET /api/v1/intake/hooks/{name}": "anon 404 · cust 404 · other 404 · agent 404 · dept 404 · field 404 · lead 404 · admin 404",
    "GET /api/v1/intake/tickets/{number}/context": "anon 401/401 · cust 403/403 · other 403/403 · agent 200/200 · dept 200/404 · field 200/404 · lead 200/200 · admin 200/200",
    "GET /api/v1/me": "anon 401 · cust 200 · other 200 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "GET /api/v1/me/notification-preferences": "anon 401 · cust 403 · other 403 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "GET /api/v1/priorities": "anon 401 · cust 200 · other 200 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "GET /api/v1/routing/breaker": "anon 401 · cust 403 · other 403 · agent 200 · dept 403 · field 403 · lead 200 · admin 200",
    "GET /api/v1/statuses": "anon 401 · cust 200 · other 200 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "GET /api/v1/teams": "anon 401 · cust 403 · other 403 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "GET /api/v1/tickets": "anon 401 · cust 200 · other 200 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "GET /api/v1/tickets/{number}": "anon 401/401 · cust 200/404 · other 404/404 · agent 200/200 · dept 200/404 · field 200/404 · lead 200/200 · admin 200/200",
    "GET /api/v1/tickets/{number}/attachments": "anon 401/401 · cust 200/404 · other 404/404 · agent 200/200 · dept 200/404 · field 200/404 · lead 200/200 · admin 200/200",
    "GET /api/v1/tickets/{number}/events": "anon 401/401 · cust 200/404 · other 404/404 · agent 200/200 · dept 200/404 · field 200/404 · lead 200/200 · admin 200/200",
    "GET /api/v1/triage/ab-report": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 200 · admin 200",
    "GET /api/v1/triage/duplicate-report": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 200 · admin 200",
    "GET /api/v1/triage/merge-proposals": "anon 401 · cust 403 · other 403 · agent 200 · dept 403 · field 403 · lead 200 · admin 200",
    "GET /api/v1/triage/merges/{number}/provenance": "anon 401/401 · cust 403/403 · other 403/403 · agent 200/200 · dept 403/403 · field 403/403 · lead 200/200 · admin 200/200",
    "GET /api/v1/triage/tickets/{number}": "anon 401/401 · cust 404/404 · other 404/404 · agent 200/200 · dept 200/404 · field 200/404 · lead 200/200 · admin 200/200",
    "GET /api/v1/users": "anon 401 · cust 403 · other 403 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "PATCH /api/v1/tickets/{number}": "anon 401/401 · cust 403/404 · other 404/404 · agent 200/200 · dept 403/404 · field 403/404 · lead 200/200 · admin 200/200",
    "POST /api/v1/confirmations/{token}": "anon 404 · cust 404 · other 404 · agent 404 · dept 404 · field 404 · lead 404 · admin 404",
    "POST /api/v1/customers": "anon 401 · cust 403 · other 403 · agent 201 · dept 403 · field 403 · lead 201 · admin 201",
    "POST /api/v1/duplicates/tickets/{number}/decisions": "anon 401/401 · cust 403/404 · other 404/404 · agent 200/200 · dept 404/404 · field 404/404 · lead 200/200 · admin 200/200",
    "POST /api/v1/intake/channels/{source}/heartbeat": "anon 401 · cust 403 · other 403 · agent 200 · dept 403 · field 403 · lead 200 · admin 200",
    "POST /api/v1/intake/dead-letters/release": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 403 · admin 200",
    "POST /api/v1/intake/dead-letters/{letter_id}/discard": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 403 · admin 200",
    "POST /api/v1/intake/dead-letters/{letter_id}/replay": "anon 401 · cust 403 · other 403 · agent 403 · dept 403 · field 403 · lead 403 · admin 200",
    "POST /api/v1/intake/email": "anon 401 · cust 403 · other 403 · agent 201 · dept 403 · field 403 · lead 201 · admin 201",
    "POST /api/v1/intake/held/{held_id}/accept": "anon 401/401 · cust 404/404 · other 404/404 · agent 200/200 · dept 403/404 · field 403/404 · lead 200/200 · admin 200/200",
    "POST /api/v1/intake/held/{held_id}/reject": "anon 401/401 · cust 404/404 · other 404/404 · agent 200/200 · dept 403/404 · field 403/404 · lead 200/200 · admin 200/200",
    "POST /api/v1/intake/hooks/{name}": "anon 404 · cust 404 · other 404 · agent 404 · dept 404 · field 404 · lead 404 · admin 404",
    "POST /api/v1/intake/messages": "anon 401 · cust 403 · other 403 · agent 201 · dept 403 · field 403 · lead 201 · admin 201",
    "POST /api/v1/routing/me/location": "anon 401 · cust 403 · other 403 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
    "POST /api/v1/routing/next": "anon 401 · cust 403 · other 403 · agent 200 · dept 403 · field 403 · lead 200 · admin 200",
    "POST /api/v1/routing/tickets/{number}/dispatch": "anon 401/401 · cust 403/404 · other 404/404 · agent 200/200 · dept 403/404 · field 403/404 · lead 200/200 · admin 200/200",
    "POST /api/v1/routing/tickets/{number}/reassign": "anon 401/401 · cust 403/404 · other 404/404 · agent 403/403 · dept 403/404 · field 403/404 · lead 200/200 · admin 200/200",
    "POST /api/v1/tickets": "anon 401 · cust 201 · other 422 · agent 201 · dept 403 · field 403 · lead 201 · admin 201",
    "POST /api/v1/tickets/{number}/attachments": "anon 401/401 · cust 201/404 · other 404/404 · agent 201/201 · dept 201/404 · field 201/404 · lead 201/201 · admin 201/201",
    "POST /api/v1/tickets/{number}/external-refs": "anon 401/401 · cust 404/404 · other 404/404 · agent 201/201 · dept 201/404 · field 201/404 · lead 201/201 · admin 201/201",
    "POST /api/v1/tickets/{number}/links": "anon 401/401 · cust 403/404 · other 404/404 · agent 201/201 · dept 404/404 · field 404/404 · lead 201/201 · admin 201/201",
    "POST /api/v1/tickets/{number}/merge": "anon 401/401 · cust 403/404 · other 404/404 · agent 200/200 · dept 404/404 · field 404/404 · lead 200/200 · admin 200/200",
    "POST /api/v1/tickets/{number}/notes": "anon 401/401 · cust 404/404 · other 404/404 · agent 201/201 · dept 201/404 · field 201/404 · lead 201/201 · admin 201/201",
    "POST /api/v1/tickets/{number}/replies": "anon 401/401 · cust 201/404 · other 404/404 · agent 201/201 · dept 403/404 · field 403/404 · lead 201/201 · admin 201/201",
    "POST /api/v1/tickets/{number}/transitions": "anon 401/401 · cust 403/404 · other 404/404 · agent 200/200 · dept 403/404 · field 403/404 · lead 200/200 · admin 200/200",
    "POST /api/v1/triage/merge-proposals/{proposal_id}/confirm": "anon 401 · cust 403 · other 403 · agent 404 · dept 403 · field 403 · lead 404 · admin 404",
    "POST /api/v1/triage/merge-proposals/{proposal_id}/reject": "anon 401 · cust 403 · other 403 · agent 404 · dept 403 · field 403 · lead 404 · admin 404",
    "POST /api/v1/triage/merges/{number}/unmerge": "anon 401/401 · cust 403/404 · other 404/404 · agent 409/409 · dept 403/404 · field 403/404 · lead 409/409 · admin 409/409",
    "POST /api/v1/triage/tickets/{number}/classification": "anon 401/401 · cust 404/404 · other 404/404 · agent 200/200 · dept 403/404 · field 403/404 · lead 200/200 · admin 200/200",
    "POST /api/v1/triage/tickets/{number}/priority-override": "anon 401/401 · cust 404/404 · other 404/404 · agent 201/201 · dept 403/404 · field 403/404 · lead 201/201 · admin 201/201",
    "PUT /api/v1/me/notification-preferences": "anon 401 · cust 403 · other 403 · agent 200 · dept 200 · field 200 · lead 200 · admin 200",
}


class Rollback(Exception):
    pass


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world(db, frozen):
    service = factories.TeamFactory(code="kefu-1", name_zh="客服一组", name_en="Desk 1")
    other_team = factories.TeamFactory(code="kefu-2", name_zh="客服二组", name_en="Desk 2")
    purchasing = factories.TeamFactory(
        code="purchasing", name_zh="采购部", name_en="Purchasing", kind=TeamKind.DEPARTMENT
    )
    field_team = factories.TeamFactory(code="field", name_zh="现场组", name_en="Field", kind=TeamKind.FIELD)
    users = {
        "agent": factories.UserFactory(username="agent_other", role=Role.AGENT),
        "dept": factories.UserFactory(username="buyer", role=Role.DEPARTMENT),
        "field": factories.UserFactory(username="engineer", role=Role.DEPARTMENT),
        "lead": factories.UserFactory(username="lead", role=Role.LEAD),
        "admin": factories.UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True),
    }
    users["agent"].teams.add(other_team)
    users["dept"].teams.add(purchasing)
    users["field"].teams.add(field_team)
    users["lead"].teams.add(service)
    customer = factories.customer_with_login("zhang_san", email="zhangsan@example.com")
    other = factories.customer_with_login("li_si", email="lisi@example.com")
    stranger = factories.customer_with_login("wang_wu", email="wangwu@example.com")
    CustomerIdentity.objects.create(customer=customer, kind="phone", value=PHONE)
    users["cust"], users["other"] = customer.user, other.user
    desk = Actor(user=users["lead"], channel=Channel.API)
    own = factories.ticket_for(customer, subject="主板故障需要更换", team=service)
    services.update_fields(
        actor=desk, ticket=own, changes={"collaborating_departments": ["purchasing"], "engineer": users["field"]}
    )
    foreign = factories.ticket_for(stranger, subject="王五的发票问题", team=service)
    spare = factories.ticket_for(customer, subject="另一台打印机")
    attachments = {}
    for ticket in (own, foreign):
        event = services.attach(actor=desk, ticket=ticket, files=[services.Upload("log.txt", b"log", "text/plain")])
        attachments[ticket.pk] = event.attachments.get().pk
    letter = record_dead_letter(source="api", raw=b"{}", reason="malformed", detail="matrix", meta={})
    return {
        "users": users,
        "own": own,
        "foreign": foreign,
        "spare": spare,
        "attachments": attachments,
        "held": {ticket.pk: _held_reply(ticket) for ticket in (own, foreign)},
        "letter": letter,
        "customer": customer,
    }


def _held_reply(ticket) -> int:
    """A reply to the ticket from an address that is not its customer's: held by the real intake."""
    raw = mail(
        sender="stranger@evil.example",
        subject=f"Re: [{ticket.number}] {ticket.subject}",
        body="我是客户本人，请把发票寄到新地址。",
        message_id=f"<held-{ticket.number}@evil.example>",
    )
    result = ingest_raw(raw, meta={})
    assert result.outcome == Outcome.HELD, result.outcome
    return ticket.held_messages.get().pk


def _client(world, role: str) -> Client:
    client = Client()
    if role != "anon":
        client.force_login(world["users"][role])
    return client


MIME = b"From: x@example.com\r\nTo: support@gongdan.local\r\nSubject: matrix\r\n\r\nhello\r\n"


def _body(key: str, world) -> tuple[object, str | None]:
    """A valid request body per operation: an invalid one would answer 422 before the access check."""
    spare = world["spare"].number
    bodies = {
        "POST /api/v1/tickets": {"subject": "矩阵测试", "customer_id": world["customer"].pk},
        "PATCH /api/v1/tickets/{number}": {"fault_code": "E-1"},
        "POST /api/v1/tickets/{number}/transitions": {"status": "open"},
        "POST /api/v1/tickets/{number}/replies": {"body": "您好，请重启设备"},
        "POST /api/v1/tickets/{number}/notes": {"body": "内部备注", "summary": "已核对"},
        "POST /api/v1/tickets/{number}/links": {"target": spare},
        "POST /api/v1/tickets/{number}/merge": {"target": spare},
        "POST /api/v1/tickets/{number}/external-refs": {"system": "erp_po", "reference": "PO-1"},
        "POST /api/v1/customers": {"name": "新客户"},
        "POST /api/v1/confirmations/{token}": {"solved": True},
        "PUT /api/v1/me/notification-preferences": [],
        "POST /api/v1/intake/messages": {"sender": {"email": "x@example.com"}, "subject": "s", "body": "b"},
        "POST /api/v1/triage/merge-proposals/{proposal_id}/confirm": {},
        "POST /api/v1/triage/merge-proposals/{proposal_id}/reject": {"reason": "不是同一问题"},
        "POST /api/v1/triage/merges/{number}/unmerge": {"reason": "误合并"},
        "POST /api/v1/duplicates/tickets/{number}/decisions": {"original": spare, "confirmed": False},
        "POST /api/v1/triage/tickets/{number}/priority-override": {"code": "P1", "reason": "VIP"},
        "POST /api/v1/triage/tickets/{number}/classification": {"sentiment": "negative"},
        "POST /api/v1/routing/tickets/{number}/dispatch": {"latitude": 31.2, "longitude": 121.4},
        "POST /api/v1/routing/tickets/{number}/reassign": {"assignee_id": None, "reason": "调整"},
        "POST /api/v1/routing/me/location": {"latitude": 31.2, "longitude": 121.4},
        "POST /api/v1/intake/dead-letters/release": {"sender": "flood@example.com"},
    }
    if key == "POST /api/v1/intake/email":
        return MIME, "message/rfc822"
    if key == "POST /api/v1/tickets/{number}/attachments":
        return "multipart", None
    if key in bodies:
        return bodies[key], "application/json"
    return None, None


QUERIES = {
    "GET /api/v1/triage/duplicate-report": "?month=2026-11",
    "GET /api/v1/duplicates/related": "?q=%E4%B8%BB%E6%9D%BF",
}


def _url(template: str, world, obj: str | None) -> str:
    ticket = world[obj] if obj else None
    values = {
        "number": ticket.number if ticket else "",
        "attachment_id": world["attachments"][ticket.pk] if ticket else 0,
        "customer_id": ticket.customer_id if ticket else 0,
        "held_id": world["held"][ticket.pk] if ticket else 0,
        "letter_id": world["letter"].pk,
        "proposal_id": 999999,
        "token": "not-a-signed-token",
        "source": "email",
        "name": "no-such-hook",
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)


def _call(client: Client, key: str, world, obj: str | None):
    method, template = key.split(" ", 1)
    url = _url(template, world, obj) + QUERIES.get(key, "")
    body, content_type = _body(key, world)
    if body == "multipart":
        return client.post(url, {"files": [SimpleUploadedFile("a.txt", b"abc", "text/plain")]})
    if body is None:
        return client.generic(method, url)
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.generic(method, url, data=data, content_type=content_type)


def has_object(template: str) -> bool:
    return any(f"{{{name}}}" in template for name in ("number", "attachment_id", "customer_id", "held_id"))


def _cell(world, key: str, role: str, obj: str | None):
    configcache.clear()
    try:
        with transaction.atomic():
            response = _call(_client(world, role), key, world, obj)
            raise Rollback
    except Rollback:
        pass
    return response


def schema_operations() -> list[str]:
    from gongdan.config.api import api

    paths = api.get_openapi_schema()["paths"]
    return sorted(f"{method.upper()} {path}" for path, operations in paths.items() for method in operations)


def parse(row: str) -> dict[str, str]:
    cells = dict(part.strip().split(" ", 1) for part in row.split("·"))
    assert set(cells) == set(ROLES), row
    return cells


def test_every_operation_has_a_row():
    assert sorted(MATRIX) == schema_operations()


def _assert_fields(response, role: str, world) -> None:
    """What a 2xx may show: the role's ticket view, no contact data beyond the desk."""
    if not response["Content-Type"].startswith("application/json"):
        return
    text = response.content.decode()
    body = json.loads(text)
    user = world["users"].get(role)
    policy = view_for(user)
    if role not in ("cust", "agent", "lead", "admin"):
        assert PHONE not in text
    if role in ("cust", "other"):
        assert "wangwu@example.com" not in text and "王五" not in text

    def walk(node):
        if isinstance(node, dict):
            if "view" in node and "subject" in node and "status" in node:
                assert set(node) == policy.ticket_fields, (role, set(node) ^ policy.ticket_fields)
            if "view" in node and "event_type" in node:
                assert node["view"] == ("customer" if role in ("cust", "other") else "staff")
            if role in ("cust", "other", "dept", "field"):
                assert not node.get("identities"), node
            if role in ("cust", "other") and node.get("view") == "customer":
                assert not INTERNAL_TICKET_FIELDS & set(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)


def _observe(world, key: str) -> dict[str, str]:
    _method, template = key.split(" ", 1)
    observed = {}
    for role in ROLES:
        if has_object(template):
            answers = [_cell(world, key, role, obj) for obj in ("own", "foreign")]
        else:
            answers = [_cell(world, key, role, None)]
        for answer in answers:
            if 200 <= answer.status_code < 300:
                _assert_fields(answer, role, world)
            else:
                assert answer["Content-Type"] == "application/problem+json", (key, role, answer.status_code)
        observed[role] = "/".join(str(a.status_code) for a in answers)
    return observed


def _record(key: str, observed: dict[str, str]) -> None:
    line = " · ".join(f"{role} {observed[role]}" for role in ROLES)
    with open(os.environ["GONGDAN_MATRIX_RECORD"], "a") as out:
        out.write(f'    "{key}": "{line}",\n')


@pytest.mark.parametrize("key", schema_operations())
def test_the_operation_answers_each_role_as_the_table_says(world, key):
    observed = _observe(world, key)
    if os.environ.get("GONGDAN_MATRIX_RECORD"):
        _record(key, observed)
    assert key in MATRIX, f"{key} has no row in MATRIX"
    assert observed == parse(MATRIX[key])
