from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongdan.web.constants import DEFAULT_OVERLOAD_RATIO, DEFAULT_PRESENCE_SECONDS, DEFAULT_REFRESH_SECONDS


class WorkspacePolicy(models.Model):
    """Thresholds of the agent workspace and the lead's board, editable by admins. Singleton."""

    overload_ratio = models.DecimalField(
        _("overloaded above (× team average of open tickets)"),
        max_digits=4,
        decimal_places=2,
        default=DEFAULT_OVERLOAD_RATIO,
    )
    presence_seconds = models.PositiveSmallIntegerField(
        _("another agent counts as present for (seconds)"), default=DEFAULT_PRESENCE_SECONDS
    )
    refresh_seconds = models.PositiveSmallIntegerField(
        _("queues and tickets refresh every (seconds)"), default=DEFAULT_REFRESH_SECONDS
    )

    class Meta:
        verbose_name = _("workspace policy")
        verbose_name_plural = _("workspace policy")

    def __str__(self) -> str:
        return str(_("Workspace policy"))

    @classmethod
    def current(cls) -> "WorkspacePolicy":
        """The policy, from the configuration cache (read on every page and poll). Read-only."""
        from gongdan.core import configcache

        return configcache.cached(("web", "workspace-policy"), lambda: cls.objects.get_or_create(pk=1)[0])


class Presence(models.Model):
    """Who has a ticket open right now, and whether they are writing: the collision notice reads it."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    replying = models.BooleanField(default=False)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="uniq_presence_ticket_user")]
        verbose_name = _("presence")
        verbose_name_plural = _("presence")

    def __str__(self) -> str:
        return f"{self.user_id}@{self.ticket_id}"
