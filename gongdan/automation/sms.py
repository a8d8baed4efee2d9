"""The SMS adapter interface. apprise has no Aliyun or Tencent Cloud SMS, so gateways plug in here.

Set `GONGDAN_SMS_BACKEND` to the dotted path of a class with `send(phone, text)`; it raises on
failure so the outbox retries. The console sender (default) logs the message; `LocmemSmsSender`
keeps messages in memory for tests.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsSender:
    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


class LocmemSmsSender:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        LocmemSmsSender.outbox.append((phone, text))


def get_sender() -> SmsSender:
    return import_string(settings.GONGDAN_SMS_BACKEND)()
