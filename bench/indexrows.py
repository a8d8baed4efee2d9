"""The duplicate-index rows of the loaded tickets: built in worker processes, once per distinct text.

Segmenting a text with jieba and hashing its MinHash bands is most of the loader's work, and the rows
depend on the text alone (about half the generated texts repeat an earlier one). The loader asks for
the next chunk's texts with `prepare` before it writes the current chunk, so the workers build while
PostgreSQL copies; `rows` then hands out each text's rows with the ticket id swapped in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

from django.apps import apps
from django.db import connections

from bench.rows import as_row

Built = list[tuple[str, dict]]  # (model label, row without its ticket) per index row of one text


def build(builders: list[Callable], text: str) -> Built:
    return [(row._meta.label, as_row(row)) for make in builders for row in make(0, text)]


def _build_many(texts: list[str]) -> list[Built]:
    from bench.loader import duplicate_index

    builders = duplicate_index()
    return [build(builders, text) for text in texts]


class IndexRows:
    LIMIT = 300_000  # distinct texts kept (≈ 1 GB at 1M tickets); the cache restarts when full

    def __init__(self, builders: list[Callable], workers: int | None = None):
        self.builders = builders
        self.by_text: dict[str, Built] = {}
        self.pending: dict[str, tuple[Future, int]] = {}
        workers = workers if workers is not None else (os.cpu_count() or 1)
        self.pool = None
        # Not inside a transaction (the tests' loads): closing its connection to fork would end it.
        if builders and workers > 1 and not any(c.in_atomic_block for c in connections.all()):
            connections.close_all()  # forked workers must not share the parent's database connection
            self.pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"))
        self.workers = workers

    def prepare(self, texts: Iterable[str]) -> None:
        """Start building the rows of texts not seen yet, in the workers (a no-op without them)."""
        if self.pool is None:
            return
        fresh = list(dict.fromkeys(t for t in texts if t not in self.by_text and t not in self.pending))
        share = -(-len(fresh) // self.workers) if fresh else 0
        for start in range(0, len(fresh), share or 1):
            part = fresh[start : start + share]
            future = self.pool.submit(_build_many, part)
            for position, text in enumerate(part):
                self.pending[text] = (future, position)

    def rows(self, ticket_id: int, text: str) -> Iterator[tuple[type, dict]]:
        built = self.by_text.get(text)
        if built is None:
            built = self._collect(text)
        for label, row in built:
            yield apps.get_model(label), {**row, "ticket_id": ticket_id}

    def _collect(self, text: str) -> Built:
        waiting = self.pending.pop(text, None)
        built = waiting[0].result()[waiting[1]] if waiting else build(self.builders, text)
        if len(self.by_text) >= self.LIMIT:
            self.by_text.clear()
        self.by_text[text] = built
        return built

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
