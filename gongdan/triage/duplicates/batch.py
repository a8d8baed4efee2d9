"""The worker's side of duplicate detection: embed tickets in batches, then check each embedded
ticket once (suspected duplicates, merge proposals, incident cluster) with its embedding.

Nothing here runs in a request. `embed_pending(limit)` and `check_pending(limit)` are the batch
steps (a periodic task calls them every minute, `tasks.embed_and_check`; a batch pipeline may call
them directly); `rebuild(batch_size)` re-embeds every ticket whose stored vector came from another
model or version (resumable: it only ever picks tickets not yet embedded by the current model).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from gongdan.core import clock, configcache
from gongdan.core.context import Actor
from gongdan.tickets.constants import ACTIVE_KINDS
from gongdan.tickets.models import Ticket
from gongdan.triage.duplicates import analysis, clusters, embeddings, scoring, selectors, services, vectors
from gongdan.triage.models.embeddings import TicketEmbedding

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 64
# Candidates read for one check: flags, merge proposals and the cluster come from the same list.
CHECK_CANDIDATES = 50


def _current(provider: embeddings.Provider):
    return TicketEmbedding.objects.filter(ticket_id=OuterRef("pk"), model=provider.model_id, version=provider.version)


def pending_ids(provider: embeddings.Provider, limit: int, *, since=None) -> list[int]:
    """Tickets without an embedding by the current model, newest first (a live desk's new tickets
    before an old backlog); `since` bounds the scan to the recent pool."""
    tickets = Ticket.objects.filter(merged_into__isnull=True).exclude(Exists(_current(provider)))
    if since is not None:
        tickets = tickets.filter(created_at__gte=since)
    return list(tickets.order_by("-id").values_list("id", flat=True)[:limit])


def embed_ids(provider: embeddings.Provider, ids: list[int]) -> int:
    """Embed these tickets in one call and store the vectors; 0 when the provider failed."""
    rows = list(Ticket.objects.filter(pk__in=ids).values_list("id", "subject", "description", "created_at"))
    texts = [scoring.ticket_text(subject, description) for _pk, subject, description, _at in rows]
    found = provider.embed(texts) if texts else None
    if found is None or len(found) != len(rows):
        return 0
    now = clock.now()
    old_enough = now - timedelta(hours=selectors.current_config().cluster_window_hours)
    with transaction.atomic():
        checked = dict(TicketEmbedding.objects.filter(ticket_id__in=ids).values_list("ticket_id", "checked_at"))
        TicketEmbedding.objects.filter(ticket_id__in=ids).delete()
        embedded = []
        for (pk, _subject, _description, created_at), text, vector in zip(rows, texts, found, strict=True):
            data, scale = vectors.quantise(vector)
            # A re-embedded ticket keeps its check; a ticket older than the cluster window needs none.
            was_checked = checked.get(pk) or (now if created_at < old_enough else None)
            embedded.append(
                TicketEmbedding(
                    ticket_id=pk,
                    model=provider.model_id,
                    version=provider.version,
                    text_hash=analysis.text_hash(text),
                    scale=scale,
                    vector=data,
                    embedded_at=now,
                    checked_at=was_checked,
                )
            )
        # A concurrent rebuild may have stored the same ticket meanwhile: its row stands.
        TicketEmbedding.objects.bulk_create(embedded, batch_size=1000, ignore_conflicts=True)
    return len(embedded)


def embed_pending(limit: int = DEFAULT_BATCH) -> int:
    """Embed up to `limit` recent tickets that lack an embedding by the configured model."""
    provider = embeddings.provider()
    if provider is None:
        return 0
    since = clock.now() - timedelta(days=selectors.current_config().pool_days)
    ids = pending_ids(provider, limit, since=since)
    return embed_ids(provider, ids) if ids else 0


def check_ticket(ticket: Ticket) -> None:
    """Flags, merge proposals and the incident cluster of one embedded ticket, from one lookup."""
    from gongdan.triage.merging import services as merging  # merging imports duplicates: no cycle at import

    with configcache.scope():
        candidates = selectors.find_candidates(ticket, limit=CHECK_CANDIDATES, semantic=True)
        services.flag_suspected_duplicates(actor=Actor.system(), ticket=ticket, candidates=candidates)
        if ticket.status.kind in ACTIVE_KINDS:
            merging.propose_merges(ticket=ticket, trigger="embedded")
        clusters.assign(ticket=ticket, candidates=candidates)


def check_pending(limit: int = DEFAULT_BATCH) -> int:
    """Check up to `limit` embedded tickets not checked yet, oldest first (a burst in its order)."""
    provider = embeddings.provider()
    if provider is None:
        return 0
    rows = TicketEmbedding.objects.filter(checked_at__isnull=True, model=provider.model_id).order_by("ticket_id")
    ids = list(rows.values_list("ticket_id", flat=True)[:limit])
    tickets = Ticket.objects.select_related("status").filter(pk__in=ids, merged_into__isnull=True).order_by("pk")
    for ticket in tickets:
        with transaction.atomic():
            check_ticket(ticket)
            TicketEmbedding.objects.filter(ticket_id=ticket.pk).update(checked_at=clock.now())
    TicketEmbedding.objects.filter(ticket_id__in=ids, checked_at__isnull=True).update(checked_at=clock.now())
    return len(ids)


def rebuild(*, batch_size: int = 256, limit: int | None = None, report=None) -> int:
    """Embed every ticket not embedded by the current model (after a model change), newest first.
    Interrupted, it resumes where it stopped: done tickets are no longer pending."""
    provider = embeddings.provider()
    if provider is None:
        return 0
    done = 0
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        ids = pending_ids(provider, size)
        if not ids:
            break
        stored = embed_ids(provider, ids)
        if not stored:
            logger.warning("Embedding provider failed; %d tickets embedded so far", done)
            break
        done += stored
        if report:
            report(done)
    return done
