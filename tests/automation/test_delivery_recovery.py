"""Issue 24.5/24.7: jittered capped retries, a half-open circuit per channel that re-drives the
waiting messages as soon as one send succeeds, stable Message-IDs, and sent-but-unrecorded mail."""

import datetime as dt
import smtplib
import socket

import pytest
import time_machine
from aiosmtpd.controller import Controller

from gongdan.automation import delivery
from gongdan.automation import services as outbox
from gongdan.automation.constants import CIRCUIT_THRESHOLD, RETRY_CAP_SECONDS
from gongdan.automation.models import DeliveryCircuit, OutboxMessage

T0 = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


class Sink:
    """An SMTP server on a fixed port that can be stopped and started again."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received: list[str] = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes

        self.received.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


@pytest.fixture
def sink(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    server = Sink()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    yield server
    if server.controller is not None and server.controller._thread is not None:
        server.stop()


def _mails(count, at=T0):
    with time_machine.travel(at, tick=False):
        return [outbox.enqueue_email(recipient=f"u{i}@example.com", subject="主题", body="正文") for i in range(count)]


def _deliver(at):
    with time_machine.travel(at, tick=False):
        return outbox.deliver_due()


def test_retry_steps_grow_are_capped_and_jittered_between_half_and_all_of_the_step():
    assert [round(delivery.retry_delay(n, "x") / step, 3) >= 0.5 for n, step in [(1, 30), (2, 60), (3, 120)]] == [
        True
    ] * 3
    steps = [delivery.retry_delay(n, 7) for n in range(1, 12)]
    assert all(a <= RETRY_CAP_SECONDS for a in steps)
    assert 15 <= steps[0] < 30 and 30 <= steps[1] < 60 and 150 <= steps[10] < 300
    assert delivery.retry_delay(3, 7) == delivery.retry_delay(3, 7)  # the same message, the same moment
    spread = {round(delivery.retry_delay(4, pk), 1) for pk in range(50)}
    assert len(spread) > 40  # an outage's messages do not all come back at once


def test_a_refused_recipient_is_the_messages_failure_a_dropped_connection_the_channels():
    assert delivery.is_channel_failure(ConnectionRefusedError()) is True
    assert delivery.is_channel_failure(smtplib.SMTPServerDisconnected()) is True
    assert delivery.is_channel_failure(smtplib.SMTPDataError(451, b"try later")) is True
    assert delivery.is_channel_failure(smtplib.SMTPDataError(554, b"rejected")) is False
    assert delivery.is_channel_failure(smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")})) is False
    assert delivery.is_channel_failure(ValueError("not a valid apprise URL")) is False


def test_the_attempt_is_counted_before_anything_is_sent(db):
    [message] = _mails(1)
    with time_machine.travel(T0, tick=False):
        assert outbox._claim(message.pk) is True
    message.refresh_from_db()
    assert (message.state, message.attempts, message.claimed_at) == ("sending", 1, T0)


def test_every_attempt_carries_the_same_message_id(db, sink):
    [message] = _mails(1)
    _deliver(T0)  # the server is down
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("pending", 1)
    sink.start()
    _deliver(message.next_attempt_at)
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 2)
    assert sink.received == [f"<gd-outbox-{message.pk}-20261120120000@gongdan.local>"]


def test_an_open_circuit_sends_one_probe_and_its_success_re_drives_the_channel_at_once(db, sink):
    messages = _mails(6)
    assert _deliver(T0) == 0  # SMTP down: three channel failures open the circuit, the rest wait
    circuit = DeliveryCircuit.objects.get(channel="email")
    assert circuit.failures == CIRCUIT_THRESHOLD
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 0, 1, 1, 1]
    probe_at = circuit.open_until
    assert T0 + dt.timedelta(seconds=15) <= probe_at < T0 + dt.timedelta(seconds=30)

    assert _deliver(probe_at - dt.timedelta(seconds=1)) == 0  # still open: nobody tries
    assert sum(OutboxMessage.objects.values_list("attempts", flat=True)) == 3

    _deliver(probe_at)  # half-open, still down: one probe fails, the circuit waits longer
    circuit.refresh_from_db()
    assert circuit.failures == CIRCUIT_THRESHOLD + 1
    assert sum(OutboxMessage.objects.values_list("attempts", flat=True)) == 4

    sink.start()
    assert _deliver(circuit.open_until) == 6  # the probe succeeds: all six leave in this run
    assert sorted(sink.received) == sorted(delivery.stable_message_id(m) for m in messages)
    circuit.refresh_from_db()
    assert (circuit.failures, circuit.open_until) == (0, None)


def test_a_message_sent_while_the_database_could_not_record_it_is_recorded_not_sent_again(db, sink):
    sink.start()
    [message] = _mails(1)
    with time_machine.travel(T0, tick=False):
        outbox._claim(message.pk)
    delivery.remember_unrecorded(message.pk, T0)  # what `_record_sent` keeps after its patience
    try:
        assert _deliver(T0 + dt.timedelta(minutes=10)) == 0  # a stale claim, yet not taken over
    finally:
        delivery.forget_unrecorded(message.pk)
    message.refresh_from_db()
    assert (message.state, message.sent_at, message.attempts) == ("sent", T0, 1)
    assert list(message.deliveries.values_list("ok", flat=True)) == [True]
    assert sink.received == []
