from django.db import models
from django.utils.translation import gettext_lazy as _


class ResolutionConfirmation(models.Model):
    """One request to the customer to confirm a resolution (R10.1); a new one each time it resolves."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="confirmations")
    nonce = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    solved = models.BooleanField(_("problem solved"), null=True)
    clear = models.BooleanField(_("solution clear"), null=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("resolution confirmation")
        verbose_name_plural = _("resolution confirmations")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.created_at:%Y-%m-%d}"
