"""Optional semantic embeddings through an OpenAI-compatible `/v1/embeddings` endpoint.

Configured by settings (`GONGDAN_EMBEDDINGS_URL`, `…_MODEL`, `…_KEY`, `…_TIMEOUT`). Without a URL,
or when the endpoint fails, `embed` returns None and the pair score is computed without the
embedding component: duplicate detection never waits on, or breaks because of, the provider.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbeddingProvider:
    url: str
    model: str
    key: str = ""
    timeout: float = 5.0

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

    def embed(self, texts: Sequence[str]) -> list[list[float]] | None:
        if not texts:
            return []
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        try:
            response = requests.post(
                self.endpoint, json={"model": self.model, "input": list(texts)}, headers=headers, timeout=self.timeout
            )
            response.raise_for_status()
            rows = sorted(response.json()["data"], key=lambda row: row["index"])
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            logger.warning("Embeddings provider %s failed, scoring without embeddings: %s", self.endpoint, error)
            return None
        if len(vectors) != len(texts):
            logger.warning(
                "Embeddings provider %s returned %d vectors for %d texts", self.endpoint, len(vectors), len(texts)
            )
            return None
        return vectors


def embed(texts: Sequence[str]) -> list[list[float]] | None:
    provider = EmbeddingProvider.configured()
    return provider.embed(texts) if provider else None
