"""Issue 13 item 4: 25 sign-in-link requests sent 25 mails to one customer. Now a few per address
and per IP in a window; the answer stays the same so the form reveals nothing."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from django.test import Client

from gongdan.accounts.models import SecurityPolicy
from gongdan.audit.models import AuditEvent
from gongdan.automation.models import OutboxMessage

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def _ask(client: Client, email: str, ip: str = "203.0.113.5"):
    return client.post("/login/link/", {"email": email}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def _page(response) -> bytes:
    # The per-request CSRF mask is the only thing allowed to differ.
    text = re.sub(rb'"X-CSRFToken": "[^"]+"', b"", response.content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", text)


def test_twenty_five_requests_send_three_mails_and_answer_the_same_every_time(client, customer):
    with time_machine.travel(T0, tick=False):
        answers = {(_ask(client, "zhangsan@example.com").status_code) for _ in range(25)}
        bodies = {_page(_ask(client, "zhangsan@example.com")) for _ in range(2)}
        bodies.add(_page(_ask(Client(), "zhangsan@example.com", ip="203.0.113.99")))
    assert answers == {200}
    assert len(bodies) == 1
    assert OutboxMessage.objects.filter(recipient="zhangsan@example.com").count() == 3
    assert AuditEvent.objects.filter(action="link.sent").count() == 3
    assert AuditEvent.objects.filter(action="link.throttled").count() == 25


def test_the_limit_per_address_renews_after_the_window(client, customer):
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(4):
            _ask(client, "zhangsan@example.com")
        traveller.move_to(T0 + timedelta(minutes=60))
        _ask(client, "zhangsan@example.com")
    assert OutboxMessage.objects.count() == 4


def test_one_ip_asking_for_many_addresses_is_limited(client, customer, db):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"link_requests_per_ip": 5})
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            _ask(client, f"someone{n}@example.com", ip="198.51.100.1")
        _ask(client, "zhangsan@example.com", ip="198.51.100.1")
        assert OutboxMessage.objects.count() == 0
        _ask(client, "zhangsan@example.com", ip="198.51.100.2")
    assert OutboxMessage.objects.count() == 1


def test_an_unknown_address_over_its_limit_answers_like_a_known_one(client, customer):
    with time_machine.travel(T0, tick=False):
        known = [_page(_ask(client, "zhangsan@example.com")) for _ in range(4)]
        unknown = [_page(_ask(client, "nobody@example.com")) for _ in range(4)]
    assert [k.replace(b"zhangsan", b"X") for k in known] == [u.replace(b"nobody", b"X") for u in unknown]
