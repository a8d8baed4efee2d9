"""Infrastructure rows only (no domain models live in core)."""

from django.db import models


class IdempotencyRecord(models.Model):
    """The stored answer to a POST sent with an `Idempotency-Key` (R2.4), per caller."""

    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="uniq_idempotency_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class ConfigGeneration(models.Model):
    """One row whose token changes with every configuration change (`core.configcache`).

    A random token rather than a counter: a rolled-back change (or a test's rolled-back database)
    restores an older token whose cached values match the restored rows, and never reuses a token
    some process cached other data under."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


class RateCounter(models.Model):
    """Hits of one client in one fixed window of one limit (`core.ratelimit`): a row per window.

    Rows, not a process cache: every web worker (and node) counts against the same limit.
    """

    scope = models.CharField(max_length=40)
    client = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "client", "window_start"], name="uniq_rate_counter_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_age")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.client}@{self.window_start:%Y-%m-%d %H:%M} = {self.hits}"
