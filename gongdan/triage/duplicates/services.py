"""The only writers of duplicate detection's rows: the LSH band and keyword indexes, suspicions and
agents' decisions on them, and the fitted calibration."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from gongdan.core import clock, configcache
from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput, PermissionDenied
from gongdan.tickets import access
from gongdan.tickets import constants as tc
from gongdan.tickets import services as tickets
from gongdan.tickets.models import Ticket
from gongdan.tickets.services.hooks import CreationHints
from gongdan.triage.duplicates import analysis, calibration, scoring, selectors
from gongdan.triage.duplicates_constants import TERM_MAX_LENGTH
from gongdan.triage.models import DuplicateBand, DuplicateConfig, DuplicateSuspicion, SearchTerm
from gongdan.triage.models.duplicates import DuplicateFeatures

INDEXED_FIELDS = frozenset({"subject", "description"})
# At most this many earlier tickets are flagged for one new ticket (the best ones).
MAX_FLAGGED = 3


def band_rows_for(ticket_id: int, text: str) -> list[DuplicateBand]:
    """Unsaved band rows of one ticket, for `bulk_create` by bulk loaders and by `index_ticket`."""
    return [
        DuplicateBand(ticket_id=ticket_id, band_no=band_no, band_hash=band_hash)
        for band_no, band_hash in analysis.band_hashes(text)
    ]


def index_terms(text: str) -> list[str]:
    return sorted({term for term in analysis.analyse(text).words if len(term) <= TERM_MAX_LENGTH})


def term_rows_for(ticket_id: int, text: str) -> list[SearchTerm]:
    """Unsaved keyword-index rows of one ticket (related search), for `bulk_create`."""
    return [SearchTerm(ticket_id=ticket_id, term=term) for term in index_terms(text)]


def feature_rows_for(ticket_id: int, text: str) -> list[DuplicateFeatures]:
    """The unsaved stored analysis of one ticket (one row), for `bulk_create`: rescoring reads it."""
    return [analysis.feature_row(ticket_id, text)]


def index_ticket(ticket: Ticket) -> None:
    """(Re)build the indexes of one ticket (bands, keywords, stored analysis) from its subject and description."""
    reindex_batch([(ticket.pk, ticket.subject, ticket.description)])


@transaction.atomic
def reindex_batch(rows: Sequence[tuple[int, str, str]]) -> None:
    """Rebuild the indexes for many tickets at once, from (id, subject, description) rows."""
    ids = [pk for pk, _subject, _description in rows]
    for model in (DuplicateBand, SearchTerm, DuplicateFeatures):
        model.objects.filter(ticket_id__in=ids).delete()
    bands: list[DuplicateBand] = []
    terms: list[SearchTerm] = []
    features: list[DuplicateFeatures] = []
    for pk, subject, description in rows:
        text = scoring.ticket_text(subject, description)
        bands += band_rows_for(pk, text)
        terms += term_rows_for(pk, text)
        features += feature_rows_for(pk, text)
    DuplicateBand.objects.bulk_create(bands, batch_size=5000)
    SearchTerm.objects.bulk_create(terms, batch_size=5000)
    DuplicateFeatures.objects.bulk_create(features, batch_size=5000)


def _percent(probability: float) -> str:
    return f"{probability * 100:.0f}%"


@transaction.atomic
def flag_suspected_duplicates(
    *, actor: Actor, ticket: Ticket, candidates: Sequence[selectors.Candidate] | None = None
) -> list[DuplicateSuspicion]:
    """Flag the earlier tickets that are the same request at or above the threshold (R5.1):
    `candidates` when the caller already looked them up (the worker's check), else a lookup.

    The pair is only linked (`duplicate_of`) when an agent confirms it. No timeline event: the
    suspicion is the system's guess, shown in the ticket's duplicates panel and queue; the
    agent's decision is what the timeline records (a link or a note)."""
    config = selectors.current_config()
    if candidates is None:
        candidates = selectors.find_candidates(ticket, limit=MAX_FLAGGED)
    candidates = [
        candidate
        for candidate in candidates
        if candidate.score.probability >= config.threshold and candidate.ticket_id < ticket.pk
    ][:MAX_FLAGGED]
    now = clock.now()
    return [
        DuplicateSuspicion.objects.get_or_create(
            ticket=ticket,
            original_id=candidate.ticket_id,
            defaults={
                "probability": candidate.score.probability,
                "components": candidate.score.components,
                "created_at": now,
            },
        )[0]
        for candidate in candidates
    ]


def on_ticket_created(ticket: Ticket, actor: Actor, hints: CreationHints) -> None:
    # One configuration read for both; indexing first memoises the text's analysis for the lookup.
    # The lexical score flags the obvious at once (same requester, near-identical text); the worker
    # checks again with the ticket's embedding (`batch.check_pending`) and adds what meaning finds.
    with configcache.scope():
        index_ticket(ticket)
        flag_suspected_duplicates(actor=actor, ticket=ticket)


def on_ticket_changed(ticket: Ticket, actor: Actor, changed: frozenset[str]) -> None:
    if changed & INDEXED_FIELDS:
        index_ticket(ticket)


def _suspicion_for(ticket: Ticket, original: Ticket) -> DuplicateSuspicion:
    """The stored suspicion of the pair, or a new one scored now (an agent may spot a duplicate
    that was never flagged; the decision is a labelled pair all the same)."""
    existing = DuplicateSuspicion.objects.select_for_update().filter(ticket=ticket, original=original).first()
    if existing is not None:
        return existing
    score = selectors.pair_score(ticket, original)
    return DuplicateSuspicion.objects.create(
        ticket=ticket,
        original=original,
        probability=score.probability,
        components=score.components,
        created_at=clock.now(),
    )


@transaction.atomic
def decide(*, actor: Actor, ticket: Ticket, original: Ticket, confirmed: bool, reason: str = "") -> DuplicateSuspicion:
    """An agent's verdict on "`ticket` duplicates `original`": confirmed links the two
    (`duplicate_of`); either way the decision is kept for the next calibration refit."""
    if actor.is_system or actor.is_customer:
        raise PermissionDenied("Only the service desk decides on duplicates.", "只有服务台可以判定重复工单。")
    access.ensure_desk(actor, ticket)
    access.ensure_can_see(actor, original)
    if ticket.pk == original.pk:
        raise InvalidInput("A ticket cannot duplicate itself.", "工单不能与自身重复。", fields={"original": "self"})
    suspicion = _suspicion_for(ticket, original)
    suspicion.decision = DuplicateSuspicion.Decision.CONFIRMED if confirmed else DuplicateSuspicion.Decision.REJECTED
    suspicion.decided_by = actor.user
    suspicion.decided_at = clock.now()
    suspicion.save(update_fields=["decision", "decided_by", "decided_at"])
    if confirmed:
        tickets.link(actor=actor, ticket=ticket, target=original, kind=tc.LinkKind.DUPLICATE_OF)
    else:
        note = f"不是 {original.number} 的重复工单 / Not a duplicate of {original.number}"
        tickets.add_note(actor=actor, ticket=ticket, body=f"{note}\n{reason.strip()}".strip())
    return suspicion


def decided_pairs() -> list[tuple[dict[str, float], int]]:
    """Agents' decisions as labelled pairs (components, 1 = duplicate) for the refit."""
    rows = DuplicateSuspicion.objects.exclude(decision=DuplicateSuspicion.Decision.OPEN)
    return [
        (components, int(decision == DuplicateSuspicion.Decision.CONFIRMED))
        for components, decision in rows.values_list("components", "decision")
    ]


@transaction.atomic
def save_calibration(*, calibration: scoring.Calibration, pairs: int, decisions: int) -> DuplicateConfig:
    config = DuplicateConfig.objects.select_for_update().get(pk=DuplicateConfig.current().pk)
    config.intercept = calibration.intercept
    config.coefficients = dict(calibration.coefficients)
    config.lexical_intercept = calibration.lexical_intercept
    config.lexical_coefficients = dict(calibration.lexical_coefficients)
    config.fitted_at = clock.now()
    config.fitted_pairs = pairs
    config.fitted_decisions = decisions
    config.save()
    return config


def refit(*, bounded: bool = False, embedded: dict | None = None) -> DuplicateConfig:
    """Fit both text models on the hand-written tuning pairs plus every agent verdict, and store them.

    `bounded` (the nightly refit): each coefficient moves at most `MAX_NIGHTLY_STEP` from the current
    calibration. `embedded`: the set's vectors when the caller has them (else embedded now; without
    a provider, the semantic model keeps its current coefficients, fitted on verdicts alone it could
    be anything)."""
    from gongdan.triage.duplicates import evaluation  # rapidfuzz and the hand-written set: refits only

    if embedded is None:
        embedded = evaluation.embed_set()
    labelled = evaluation.tuning_pairs(embedded)
    decisions = decided_pairs()
    current = selectors.calibration(DuplicateConfig.current())
    fitted = calibration.fit(labelled, decisions, request_window_hours=current.request_window_hours)
    if embedded is None:
        fitted = scoring.Calibration(
            current.intercept, current.coefficients, fitted.lexical_intercept, fitted.lexical_coefficients
        )
    if bounded:
        fitted = calibration.bounded_step(current, fitted)
    return save_calibration(calibration=fitted, pairs=len(labelled), decisions=len(decisions))
