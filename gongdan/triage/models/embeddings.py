"""Semantic embeddings of tickets and the incident clusters built from them (R5.1, R5.2).

A ticket's embedding is computed by the background worker (never in a request), stored as int8
bytes with one scale (384 bytes + a float per ticket for multilingual-e5-small) and the model id and
version it came from, so a model change is detected and rebuilt by `rebuild_embeddings`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketEmbedding(models.Model):
    """One ticket's embedding of subject + description. `checked_at` is set once the worker has
    looked for duplicates, merge proposals and its incident cluster with it."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+")
    model = models.CharField(_("model"), max_length=100)
    version = models.CharField(_("model version"), max_length=40)
    text_hash = models.BigIntegerField(_("hash of the embedded text"))
    scale = models.FloatField(_("scale"))
    vector = models.BinaryField(_("vector (int8)"))
    embedded_at = models.DateTimeField(_("embedded at"))
    checked_at = models.DateTimeField(_("duplicates checked at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["checked_at", "ticket"], name="ticketemb_checked")]
        verbose_name = _("ticket embedding")
        verbose_name_plural = _("ticket embeddings")

    def __str__(self) -> str:
        return f"{self.ticket_id} ({self.model} {self.version})"


class IncidentCluster(models.Model):
    """Many customers reporting one problem (an outage): tickets whose texts say the same thing,
    from different requesters, within the cluster window. Shown as one row with a count."""

    first_ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    size = models.PositiveIntegerField(_("tickets"), default=0)
    created_at = models.DateTimeField(_("created at"))
    last_ticket_at = models.DateTimeField(_("last ticket at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [models.Index(fields=["closed_at", "last_ticket_at"], name="incident_open_recent")]
        verbose_name = _("incident cluster")
        verbose_name_plural = _("incident clusters")

    def __str__(self) -> str:
        return f"{self.subject} ×{self.size}"


class ClusterMember(models.Model):
    """A ticket's membership of an incident cluster (at most one), with its same-problem probability."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+")
    cluster = models.ForeignKey(IncidentCluster, on_delete=models.CASCADE, related_name="members")
    probability = models.FloatField(_("same-problem probability"))
    joined_at = models.DateTimeField(_("joined at"))

    class Meta:
        verbose_name = _("incident cluster member")
        verbose_name_plural = _("incident cluster members")

    def __str__(self) -> str:
        return f"{self.ticket_id} ∈ {self.cluster_id}"
