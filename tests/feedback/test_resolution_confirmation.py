"""R10.1/R10.3: resolving asks the customer; a signed, expiring link closes or reopens; silence auto-closes."""

import datetime as dt
import re

import pytest
import time_machine

from gongdan.automation import delivery
from gongdan.automation import services as outbox
from gongdan.automation.models import OutboxMessage
from gongdan.feedback import services as feedback
from gongdan.feedback.models import ResolutionConfirmation
from gongdan.tickets import services
from gongdan.tickets.constants import ClosureKind, EventType
from gongdan.tickets.constants import StatusKind as K

T0 = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)
LINK = re.compile(r"http://127\.0\.0\.1:8000(/feedback/confirm/[^/\s]+/)")


@pytest.fixture
def resolved(ticket, agent_actor):
    with time_machine.travel(T0, tick=False):
        services.change_status(actor=agent_actor, ticket=ticket, status="open")
        services.add_reply(actor=agent_actor, ticket=ticket, body="已为您重置短信通道，请重新获取验证码")
        services.change_status(actor=agent_actor, ticket=ticket, status="resolved", summary="重置短信通道")
    ticket.refresh_from_db()
    return ticket


def _mailed_link(smtp_server, resolved):
    with time_machine.travel(T0 + dt.timedelta(seconds=5), tick=False):
        assert outbox.deliver_due() == 2  # the reply and the confirmation request
    recipients, mail = smtp_server.messages[-1]
    assert recipients == ["zhangsan@example.com"]
    assert mail["Subject"] == f"[{resolved.number}] 您的问题解决了吗？"
    return LINK.search(mail.get_content()).group(1)


def test_resolving_mails_a_working_confirmation_link_and_confirming_closes_with_the_rating(
    client, smtp_server, resolved
):
    path = _mailed_link(smtp_server, resolved)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        page = client.get(path)
        assert page.status_code == 200
        assert "问题是否已解决" in page.content.decode()
        answer = client.post(path, {"solved": "yes", "clear": "yes", "rating": "4", "comment": "很快"})
    assert answer.status_code == 200
    resolved.refresh_from_db()
    assert (resolved.status.kind, resolved.closure_kind, resolved.rating) == (K.CLOSED, "customer_confirmed", 4)
    closing = resolved.events.get(event_type=EventType.CUSTOMER_CONFIRMED)
    assert (closing.actor_customer_id, closing.channel) == (resolved.customer_id, "email")
    assert client.get(path).status_code == 400  # answered links do not work twice


def test_answering_not_solved_reopens_the_ticket(client, smtp_server, resolved):
    path = _mailed_link(smtp_server, resolved)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        client.post(path, {"solved": "no", "clear": "no", "rating": "2", "comment": "还是收不到验证码"})
    resolved.refresh_from_db()
    assert (resolved.status.kind, resolved.reopen_count) == (K.OPEN, 1)
    rejected = resolved.events.get(event_type=EventType.CUSTOMER_REJECTED)
    assert rejected.body == "还是收不到验证码"


def test_an_incomplete_answer_shows_field_errors_and_changes_nothing(client, smtp_server, resolved):
    path = _mailed_link(smtp_server, resolved)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        page = client.post(path, {"solved": "yes"})
    assert page.status_code == 422
    assert page.content.decode().count("此字段为必填项") == 2
    resolved.refresh_from_db()
    assert resolved.status.kind == K.RESOLVED


def test_an_expired_link_is_refused_in_both_languages(client, smtp_server, resolved):
    path = _mailed_link(smtp_server, resolved)
    with time_machine.travel(T0 + dt.timedelta(days=15), tick=False):
        page = client.post(path, {"solved": "yes", "clear": "yes", "rating": "5"})
    body = page.content.decode()
    assert page.status_code == 400
    assert "该链接已过期。" in body and "This link has expired." in body
    resolved.refresh_from_db()
    assert resolved.status.kind == K.RESOLVED


def test_a_tampered_link_is_refused(client, resolved):
    confirmation = ResolutionConfirmation.objects.get(ticket=resolved)
    token = feedback.make_token(confirmation)
    page = client.get(f"/feedback/confirm/{token[:-2]}xx/")
    assert page.status_code == 400
    assert "该链接无效。" in page.content.decode()


def test_a_second_resolution_supersedes_the_first_link(client, resolved, agent_actor):
    first = feedback.make_token(ResolutionConfirmation.objects.get(ticket=resolved))
    services.change_status(actor=agent_actor, ticket=resolved, status="open", reason="客户来电仍有问题")
    services.change_status(actor=agent_actor, ticket=resolved, status="resolved")
    assert client.get(f"/feedback/confirm/{first}/").status_code == 400
    assert ResolutionConfirmation.objects.filter(ticket=resolved, superseded=False).count() == 1


def test_unconfirmed_resolutions_close_automatically_after_seven_days(resolved):
    with time_machine.travel(T0 + dt.timedelta(days=6, hours=23), tick=False):
        assert feedback.auto_close_due() == 0
    with time_machine.travel(T0 + dt.timedelta(days=7, minutes=1), tick=False):
        assert feedback.auto_close_due() == 1
        assert feedback.auto_close_due() == 0
    resolved.refresh_from_db()
    assert (resolved.status.kind, resolved.closure_kind, resolved.rating) == (K.CLOSED, ClosureKind.AUTO_CLOSED, None)
    auto = resolved.events.get(event_type=EventType.AUTO_CLOSED)
    assert (auto.actor_id, auto.actor_customer_id, auto.channel) == (None, None, "system")


def test_a_failed_delivery_is_retried_with_backoff_and_logged(settings, resolved):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    with time_machine.travel(T0, tick=False):
        assert outbox.deliver_due() == 0
    message = OutboxMessage.objects.order_by("id").first()
    assert (message.state, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=delivery.retry_delay(1, message.pk))
    assert message.deliveries.get().ok is False
