"""The one clock. Every piece of code asks `now()`; tests freeze it with time-machine."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
