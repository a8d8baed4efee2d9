"""Duplicate detection and related search (R5.1, R5.2): the public interface of this package.

- `pair_score(a, b)`: calibrated probability that two tickets are the same request, with components;
  `pair_scores(ticket, others)` scores many pairs in one pass.
- `find_candidates(ticket_or_text, customer=…, limit=…)`: LSH lookup over the shared band index,
  then every candidate rescored.
- `related_search(query, …)`: one box for a ticket number, phone, device SN or keywords.
- `index_ticket(ticket)`, `band_rows_for(ticket_id, text)`, `term_rows_for(ticket_id, text)`,
  `feature_rows_for(ticket_id, text)`: the indexes and the stored text analysis that rescoring reads;
  the row builders return unsaved rows for `bulk_create` by bulk loaders.
"""

from gongdan.triage.duplicates.scoring import PairScore
from gongdan.triage.duplicates.selectors import Candidate, find_candidates, pair_score, pair_scores, related_search
from gongdan.triage.duplicates.services import band_rows_for, feature_rows_for, index_ticket, term_rows_for

__all__ = [
    "Candidate",
    "PairScore",
    "band_rows_for",
    "feature_rows_for",
    "find_candidates",
    "index_ticket",
    "pair_score",
    "pair_scores",
    "related_search",
    "term_rows_for",
]
