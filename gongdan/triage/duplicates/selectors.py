"""Read side of duplicate detection: ticket features, LSH candidates with rescoring, related search."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db.models import Exists, OuterRef, QuerySet

from gongdan.core import clock, configcache, textanalysis
from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import Customer, CustomerIdentity
from gongdan.customers.services import normalise_phone_query
from gongdan.tickets import access
from gongdan.tickets.models import Category, Ticket
from gongdan.tickets.schemas import view_for
from gongdan.triage.duplicates import analysis, embeddings, scoring, vectors
from gongdan.triage.duplicates.pool import CandidatePool, Row, candidate_rows
from gongdan.triage.duplicates.scoring import Calibration, PairScore, TicketFeatures
from gongdan.triage.duplicates_constants import RELATED_LIMIT, TERM_MAX_LENGTH
from gongdan.triage.models import DuplicateConfig, DuplicateSuspicion, SearchTerm
from gongdan.triage.models.duplicates import DuplicateFeatures
from gongdan.triage.models.embeddings import TicketEmbedding

_TICKET_NUMBER = re.compile(r"^gd-?(\d{1,12})$", re.IGNORECASE)
_MAX_QUERY_TERMS = 5


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    score: PairScore


def current_config() -> DuplicateConfig:
    """The settings row, through the configuration cache: every lookup and creation reads it."""
    return configcache.cached(("duplicate-config",), DuplicateConfig.current)


def calibration(config: DuplicateConfig | None = None) -> Calibration:
    config = config or current_config()
    return Calibration(
        intercept=config.intercept,
        coefficients=config.coefficients,
        lexical_intercept=config.lexical_intercept,
        lexical_coefficients=config.lexical_coefficients,
        request_window_hours=config.request_window_hours,
    )


def _category_groups() -> dict[int, int]:
    parents = dict(Category.objects.values_list("id", "parent_id"))
    groups = {}
    for category_id in parents:
        node = category_id
        while parents.get(node) is not None:
            node = parents[node]
        groups[category_id] = node
    return groups


def category_groups() -> dict[int, int]:
    """Category id → id of its top-level ancestor (the "category group"), through the configuration cache."""
    return configcache.cached(("duplicate-category-groups",), _category_groups)


def customer_phones(customer_ids: Iterable[int | None]) -> dict[int, set[str]]:
    wanted = {pk for pk in customer_ids if pk is not None}
    if not wanted:
        return {}
    phones: dict[int, set[str]] = {}
    rows = CustomerIdentity.objects.filter(customer_id__in=wanted, kind=IdentityKind.PHONE)
    for customer_id, value in rows.values_list("customer_id", "value"):
        phones.setdefault(customer_id, set()).add(value)
    return phones


def _row_of(ticket: Ticket, stored: tuple | None) -> Row:
    text = scoring.ticket_text(ticket.subject, ticket.description)
    return Row(
        ticket.pk,
        ticket.customer_id,
        ticket.device_sn,
        ticket.category_id,
        ticket.created_at,
        text,
        analysis.stored(text, stored),
    )


def _features_of(rows: Sequence[Row], phones: dict[int, set[str]]) -> dict[int, TicketFeatures]:
    groups = category_groups()
    return {
        row.pk: scoring.features(
            row.text,
            customer_id=row.customer_id,
            device_sn=row.device_sn,
            phones=phones.get(row.customer_id, ()),
            category_group=groups.get(row.category_id) if row.category_id else None,
            created_at=row.created_at,
            analysed=row.analysed,
        )
        for row in rows
    }


def stored_analyses(ticket_ids: Iterable[int]) -> dict[int, tuple]:
    """ticket id → (text_hash, compact, words, phones) of the stored analyses (see `analysis.stored`)."""
    rows = DuplicateFeatures.objects.filter(ticket_id__in=set(ticket_ids))
    return {row[0]: row[1:] for row in rows.values_list("ticket_id", "text_hash", "compact", "words", "phones")}


def features_for(tickets: Sequence[Ticket]) -> dict[int, TicketFeatures]:
    """Features of many tickets in two queries (stored analyses, phones), whatever their number."""
    stored = stored_analyses(t.pk for t in tickets)
    rows = [_row_of(t, stored.get(t.pk)) for t in tickets]
    return _features_of(rows, customer_phones(t.customer_id for t in tickets))


def stored_vectors(ticket_ids: Iterable[int]) -> dict[int, np.ndarray]:
    """ticket id → its stored embedding (restored to float32), for the tickets that have one made by
    the configured model. The worker computes them; a lookup never embeds."""
    chosen = embeddings.provider()
    if chosen is None:
        return {}
    rows = TicketEmbedding.objects.filter(ticket_id__in=set(ticket_ids), model=chosen.model_id)
    return {pk: vectors.restore(data, scale) for pk, data, scale in rows.values_list("ticket_id", "vector", "scale")}


def _embedding_cosines(query_id: int, other_ids: Sequence[int], found: dict[int, np.ndarray]) -> list[float | None]:
    if query_id not in found:
        return [None] * len(other_ids)
    present = [pk for pk in other_ids if pk in found]
    cosines = dict(zip(present, vectors.cosines(found[query_id], [found[pk] for pk in present]).tolist(), strict=True))
    return [cosines.get(pk) for pk in other_ids]


def pair_scores(ticket: Ticket, others: Sequence[Ticket], *, semantic: bool = True) -> list[PairScore]:
    """`ticket` scored against each of `others`, in their order: one features pass (two queries)
    and one read of the stored embeddings for the lot, however many there are. `semantic=False`
    skips that read (a ticket being created has no embedding yet: the lexical model scores)."""
    if not others:
        return []
    with configcache.scope():
        found = features_for([ticket, *others])
        model = calibration()
    query, features = found[ticket.pk], [found[other.pk] for other in others]
    ids = [other.pk for other in others]
    found_vectors = stored_vectors([ticket.pk, *ids]) if semantic else {}
    cosines = _embedding_cosines(ticket.pk, ids, found_vectors)
    return [
        scoring.score(query, other, model, embedding=cosine) for other, cosine in zip(features, cosines, strict=True)
    ]


def pair_score(a: Ticket, b: Ticket) -> PairScore:
    return pair_scores(a, [b])[0]


def find_candidates(
    ticket_or_text: Ticket | str, *, customer: Customer | None = None, limit: int = 20, semantic: bool = False
) -> list[Candidate]:
    """Earlier tickets that may be the same request, best first: one indexed LSH lookup over the
    recent pool, plus the customer's own newest tickets, then every candidate rescored with
    `pair_score`; merged tickets are left out. `semantic` (the worker's check): with the ticket's
    stored embedding, the recent window joins the pool and the candidates are re-ranked by cosine."""
    with configcache.scope():
        config = current_config()
        if isinstance(ticket_or_text, Ticket):
            ticket = ticket_or_text
            query_row = _row_of(ticket, None)
            exclude_id, device_sn = ticket.pk, ticket.device_sn.strip()
        else:
            text = ticket_or_text
            customer_id = customer.pk if customer else None
            query_row = Row(0, customer_id, "", None, clock.now(), text, analysis.analyse(text))
            exclude_id, device_sn = None, ""
        since = query_row.created_at - timedelta(days=config.pool_days)
        hashes = [band_hash for _band, band_hash in analysis.band_hashes(query_row.text)]
        own = stored_vectors([exclude_id]) if semantic and exclude_id is not None else {}
        # The recent window (other customers hit by one outage, another language) only helps when
        # the ticket has an embedding to re-rank it by.
        recent_since = query_row.created_at - timedelta(hours=config.cluster_window_hours) if own else None
        pool = CandidatePool(
            hashes, since, exclude_id, query_row.customer_id, device_sn, config.candidate_limit, recent_since
        )
        rows = candidate_rows(pool)
        found_vectors = {**own, **stored_vectors(row.pk for row in rows)} if own else {}
        cosines = _embedding_cosines(query_row.pk, [row.pk for row in rows], found_vectors)
        rows, cosines = _reranked(query_row, rows, cosines, config.candidate_limit)
        phones = customer_phones([query_row.customer_id, *(row.customer_id for row in rows)])
        found = _features_of([query_row, *rows], phones)
        model = calibration(config)
    query, others = found[query_row.pk], [found[row.pk] for row in rows]
    scored = [
        Candidate(ticket_id=row.pk, score=scoring.score(query, other, model, embedding=cosine))
        for row, other, cosine in zip(rows, others, cosines, strict=True)
    ]
    scored.sort(key=lambda c: (-c.score.probability, -c.score.problem, -c.ticket_id))
    return scored[:limit]


def _reranked(
    query: Row, rows: list[Row], cosines: list[float | None], limit: int
) -> tuple[list[Row], list[float | None]]:
    """Without embeddings, every pooled row; with them, the `limit` nearest by cosine plus every
    row of the same requester (a customer's or device's own tickets are always scored)."""
    if all(cosine is None for cosine in cosines):
        return rows, cosines
    order = sorted(range(len(rows)), key=lambda i: -(cosines[i] if cosines[i] is not None else -1.0))
    own = {
        i
        for i, row in enumerate(rows)
        if (query.customer_id is not None and row.customer_id == query.customer_id)
        or (query.device_sn.strip() and row.device_sn == query.device_sn)
    }
    kept = sorted(set(order[:limit]) | own)
    return [rows[i] for i in kept], [cosines[i] for i in kept]


def _number_ids(query: str) -> list[int]:
    match = _TICKET_NUMBER.match(query.replace(" ", ""))
    if not match:
        return []
    return list(Ticket.objects.filter(number=f"GD-{int(match.group(1)):06d}").values_list("pk", flat=True))


def _phone_ids(query: str, limit: int) -> list[int]:
    digits = normalise_phone_query(query)
    if len(digits.lstrip("+")) < 7:
        return []
    local = scoring.canonical_phone(digits)
    variants = {digits, local, "+86" + local, "86" + local}
    customers = CustomerIdentity.objects.filter(kind=IdentityKind.PHONE, value__in=variants).values("customer_id")
    return list(Ticket.objects.filter(customer_id__in=customers).order_by("-pk").values_list("pk", flat=True)[:limit])


def _serial_ids(query: str, limit: int) -> list[int]:
    serial = query.strip()
    if not serial or " " in serial or len(serial) > 100:
        return []
    found = Ticket.objects.filter(device_sn__in={serial, serial.upper()}).order_by("-pk")
    return list(found.values_list("pk", flat=True)[:limit])


def query_terms(query: str) -> list[str]:
    """The query's distinct index terms, longest (usually rarest) first, at most five."""
    terms = {term for term in textanalysis.words(query) if len(term) <= TERM_MAX_LENGTH}
    return sorted(terms, key=lambda term: (-len(term), term))[:_MAX_QUERY_TERMS]


def _keyword_ids(query: str, limit: int, visible: QuerySet[Ticket] | None) -> list[int]:
    terms = query_terms(query)
    if not terms:
        return []
    postings = SearchTerm.objects.filter(term=terms[0])
    for term in terms[1:]:
        postings = postings.filter(Exists(SearchTerm.objects.filter(term=term, ticket_id=OuterRef("ticket_id"))))
    if visible is not None:
        postings = postings.filter(ticket__in=visible)
    return list(postings.order_by("-ticket_id").values_list("ticket_id", flat=True)[:limit])


def related_search(
    query: str, *, limit: int = RELATED_LIMIT, exclude_ticket_id: int | None = None, user=None
) -> list[Ticket]:
    """One box (R5.2): a ticket number, a phone number, a device SN or keywords; newest first within
    each kind of match, exact matches (number, phone, SN) before keyword matches.

    With `user`, only tickets that user may see; without, all (for internal callers)."""
    query = (query or "").strip()[:200]
    if not query:
        return []
    visible = None
    if user is not None:
        scope = access.ticket_scope(user)
        if scope is None:
            return []
        # An empty scope (the desk) sees everything: skip the subquery rather than filter by it.
        visible = access.visible_tickets(user) if scope else None
    ranked: list[int] = []
    for ids in (
        _number_ids(query),
        # Looking a ticket up by the customer's phone is for those who may see contact data (R8.2).
        _phone_ids(query, limit) if user is None or view_for(user).customer_contact else [],
        _serial_ids(query, limit),
        _keyword_ids(query, limit + 1, visible),
    ):
        ranked += [pk for pk in ids if pk not in ranked and pk != exclude_ticket_id]
    tickets = Ticket.objects.filter(pk__in=ranked).select_related("status", "priority", "customer")
    if visible is not None:
        tickets = tickets.filter(pk__in=visible.values("pk"))
    by_id = {t.pk: t for t in tickets}
    return [by_id[pk] for pk in ranked if pk in by_id][:limit]


def suspicions_of(ticket: Ticket, *, user) -> list[DuplicateSuspicion]:
    """The earlier tickets this one was flagged against (or decided on), best first, as `user` sees them."""
    rows = DuplicateSuspicion.objects.filter(ticket=ticket).select_related("original__status", "decided_by")
    return list(rows.filter(original__in=access.visible_tickets(user)).order_by("-probability", "id"))


def copies_of(ticket: Ticket, *, user) -> list[DuplicateSuspicion]:
    """Later tickets flagged as possible copies of this one."""
    rows = DuplicateSuspicion.objects.filter(original=ticket).select_related("ticket__status")
    return list(rows.filter(ticket__in=access.visible_tickets(user)).order_by("-ticket_id"))


def suspicion_queue(decision: str) -> QuerySet[DuplicateSuspicion]:
    """The suspected-duplicates queue of the desk, newest first."""
    return (
        DuplicateSuspicion.objects.filter(decision=decision)
        .select_related("ticket__status", "ticket__priority", "ticket__customer", "original__status", "decided_by")
        .order_by("-ticket_id", "-probability")
    )


def similar_for_customer(text: str, *, customer: Customer, limit: int) -> list[tuple[Ticket, PairScore]]:
    """A customer's own earlier tickets that look like `text` (portal, while writing a request)."""
    config = current_config()
    candidates = [
        c
        for c in find_candidates(text, customer=customer, limit=limit * 4)
        if c.score.probability >= config.similar_threshold
    ]
    owned = Ticket.objects.filter(customer=customer, pk__in=[c.ticket_id for c in candidates]).select_related("status")
    by_id = {t.pk: t for t in owned}
    return [(by_id[c.ticket_id], c.score) for c in candidates if c.ticket_id in by_id][:limit]
