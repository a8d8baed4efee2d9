"""Duplicate detection: the shared LSH band index, the keyword index of related search, the fitted
calibration, and the suspicions that agents confirm or reject (R5.1, R5.2)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongdan.triage import duplicates_constants as c


class DuplicateConfig(models.Model):
    """Thresholds and the fitted calibration, one row shared by every node (rule 10). Singleton."""

    threshold = models.FloatField(
        _("suspected-duplicate threshold"),
        default=c.DEFAULT_THRESHOLD,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Calibrated probability: at least this share of flagged pairs are true duplicates."),
    )
    similar_threshold = models.FloatField(
        _("similar-request hint threshold"),
        default=c.DEFAULT_SIMILAR_THRESHOLD,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("From this probability the portal shows a customer their own similar earlier requests."),
    )
    pool_days = models.PositiveSmallIntegerField(_("recent pool (days)"), default=c.DEFAULT_POOL_DAYS)
    candidate_limit = models.PositiveSmallIntegerField(_("candidates rescored"), default=c.DEFAULT_CANDIDATE_LIMIT)
    intercept = models.FloatField(_("calibration intercept"), default=c.DEFAULT_MODEL["intercept"])
    coefficients = models.JSONField(_("calibration coefficients"), default=c.default_coefficients)
    lexical_intercept = models.FloatField(
        _("lexical calibration intercept"), default=c.DEFAULT_LEXICAL_MODEL["intercept"]
    )
    lexical_coefficients = models.JSONField(
        _("lexical calibration coefficients"), default=c.default_lexical_coefficients
    )
    request_window_hours = models.PositiveSmallIntegerField(
        _("same-request window (hours)"),
        default=c.DEFAULT_REQUEST_WINDOW_HOURS,
        help_text=_("The same customer, device or phone within this many hours asks the same request again."),
    )
    cluster_window_hours = models.PositiveSmallIntegerField(
        _("incident cluster window (hours)"),
        default=c.DEFAULT_CLUSTER_WINDOW_HOURS,
        help_text=_("Other customers reporting the same problem within this many hours join one incident."),
    )
    fitted_at = models.DateTimeField(_("fitted at"), null=True, blank=True)
    fitted_pairs = models.PositiveIntegerField(_("pairs fitted on"), default=0)
    fitted_decisions = models.PositiveIntegerField(_("agent decisions fitted on"), default=0)

    class Meta:
        verbose_name = _("duplicate detection settings")
        verbose_name_plural = _("duplicate detection settings")

    def __str__(self) -> str:
        return str(_("Duplicate detection settings"))

    @classmethod
    def current(cls) -> "DuplicateConfig":
        return cls.objects.get_or_create(pk=1)[0]


class DuplicateBand(models.Model):
    """One LSH band of a ticket's MinHash signature. Two tickets sharing a row are candidates.

    `band_hash` already folds in `band_no`, so a lookup is one `band_hash IN (…)` over the composite
    index, which also covers `ticket_id` (no table access for the candidate step).
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="duplicate_bands")
    band_no = models.PositiveSmallIntegerField(_("band"))
    band_hash = models.BigIntegerField(_("band hash"))

    class Meta:
        indexes = [models.Index(fields=["band_hash", "ticket"], name="dupband_hash_ticket")]
        verbose_name = _("duplicate index band")
        verbose_name_plural = _("duplicate index bands")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.band_no}:{self.band_hash}"


class DuplicateFeatures(models.Model):
    """The analysed text of one ticket, kept beside its bands so that rescoring a candidate reads
    these instead of segmenting its text again (jieba is most of a lookup's cost otherwise).

    `compact` is `textanalysis.compact(text)`, the base of the character bigrams; `words` and
    `phones` are the distinct analysed words and the mobile numbers written in the text, sorted and
    space-separated (neither ever contains a space); `text_hash` tells whether the row still matches
    the ticket's text (see `duplicates.analysis`). Rebuilt with the bands by `index_ticket`.
    """

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="duplicate_features")
    text_hash = models.BigIntegerField(_("hash of the analysed text"))
    compact = models.TextField(_("compact text"), blank=True)
    words = models.TextField(_("words"), blank=True)
    phones = models.TextField(_("phone numbers in the text"), blank=True)

    class Meta:
        verbose_name = _("duplicate features")
        verbose_name_plural = _("duplicate features")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.words[:40]}"


class SearchTerm(models.Model):
    """Inverted index of related search: one row per distinct analysed word of a ticket."""

    term = models.CharField(_("term"), max_length=c.TERM_MAX_LENGTH)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="search_terms")

    class Meta:
        indexes = [models.Index(fields=["term", "ticket"], name="searchterm_term_ticket")]
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return f"{self.term} → {self.ticket_id}"


class DuplicateSuspicion(models.Model):
    """A new ticket that looks like an earlier one, with the score; an agent confirms or rejects it.

    Decided rows are the labelled pairs that the next calibration refit learns from.
    """

    class Decision(models.TextChoices):
        OPEN = "open", _("Open")
        CONFIRMED = "confirmed", _("Confirmed duplicate")
        REJECTED = "rejected", _("Not a duplicate")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="duplicate_suspicions")
    original = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="suspected_copies")
    probability = models.FloatField(_("probability"))
    components = models.JSONField(_("score components"), default=dict)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "original"], name="uniq_duplicate_suspicion")]
        indexes = [models.Index(fields=["decision", "ticket"], name="dupsusp_decision_ticket")]
        verbose_name = _("suspected duplicate")
        verbose_name_plural = _("suspected duplicates")

    def __str__(self) -> str:
        return f"{self.ticket_id} ≈ {self.original_id} ({self.probability:.2f})"

    @property
    def percent(self) -> str:
        return f"{self.probability * 100:.0f}%"
