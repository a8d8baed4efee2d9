"""Classification: keyword rules, trained models shared through the database, what the classifier
said about each ticket, and agents' corrections (which weigh more in the next training)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongdan.tickets.constants import Sentiment
from gongdan.triage import constants as c


class KeywordRule(models.Model):
    """Keywords → category / tags / sentiment. It matches strongly when at least `min_hits` of its
    keywords occur in the normalised subject and description; a strong match beats the model."""

    name = models.CharField(_("name"), max_length=100)
    keywords = models.TextField(_("keywords"), help_text=_("One keyword or phrase per line, Chinese or English."))
    min_hits = models.PositiveSmallIntegerField(_("keywords needed for a strong match"), default=1)
    category = models.ForeignKey(
        "tickets.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=20, choices=Sentiment.choices, blank=True)
    is_active = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("keyword rule")
        verbose_name_plural = _("keyword rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.keyword_list():
            raise ValidationError({"keywords": _("Give at least one keyword.")})
        if not isinstance(self.tags, list) or not all(isinstance(t, str) and t.strip() for t in self.tags):
            raise ValidationError({"tags": _("Tags are a list of names.")})
        if not (self.category_id or self.tags or self.sentiment):
            raise ValidationError(_("A rule sets a category, tags or a sentiment."))

    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class ClassifierModel(models.Model):
    """A trained classifier (joblib bytes) in the database so every node and process uses the same one."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    blob = models.BinaryField(_("model"))
    digest = models.CharField(_("SHA-256 of the model"), max_length=64)
    metrics = models.JSONField(_("metrics"), default=dict)
    sample_count = models.PositiveIntegerField(_("samples"))
    trained_at = models.DateTimeField(_("trained at"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("classifier model")
        verbose_name_plural = _("classifier models")

    def __str__(self) -> str:
        return f"v{self.version} ({self.sample_count})"


class TicketClassification(models.Model):
    """What the classifier predicted for a ticket and whether it waits in the triage queue."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="classification"
    )
    model_version = models.PositiveIntegerField(_("model version"), null=True)
    source = models.CharField(_("source"), max_length=10, choices=c.ClassificationSource.choices)
    category = models.ForeignKey(
        "tickets.Category", verbose_name=_("predicted category"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField(_("confidence"), default=0)
    suggestions = models.JSONField(_("top suggestions"), default=list)  # [[category code, probability], …]
    tags = models.JSONField(_("predicted tags"), default=list)
    sentiment = models.CharField(_("predicted sentiment"), max_length=20, blank=True)
    sentiment_confidence = models.FloatField(_("sentiment confidence"), default=0)
    applied = models.BooleanField(_("category applied"), default=False)
    needs_review = models.BooleanField(_("in the triage queue"), default=False, db_index=True)
    classified_at = models.DateTimeField(_("classified at"))

    class Meta:
        verbose_name = _("ticket classification")
        verbose_name_plural = _("ticket classifications")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.category_id} ({self.confidence:.2f})"


class ClassificationCorrection(models.Model):
    """An agent's verdict on a prediction: accepted (corrected == predicted) or corrected."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="classification_corrections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(_("field"), max_length=20, choices=c.CorrectionField.choices)
    predicted = models.JSONField(_("predicted"), null=True)
    corrected = models.JSONField(_("corrected"), null=True)
    confidence = models.FloatField(_("confidence of the prediction"), default=0)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("classification correction")
        verbose_name_plural = _("classification corrections")

    def __str__(self) -> str:
        return f"{self.field}: {self.predicted} → {self.corrected}"

    @property
    def accepted(self) -> bool:
        return self.predicted == self.corrected
