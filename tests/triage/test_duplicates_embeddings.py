"""Embeddings through an OpenAI-compatible endpoint on 127.0.0.1 (pytest-httpserver): the worker's
batch stores them; a failing endpoint leaves the tickets for the next run."""

import numpy as np
import pytest
from werkzeug import Response

from gongdan.triage.duplicates import batch, pair_score
from gongdan.triage.duplicates.embeddings import EmbeddingProvider, embed
from gongdan.triage.models import TicketEmbedding
from tests import factories


@pytest.fixture
def configure(settings, httpserver):
    def switch_on():
        settings.GONGDAN_EMBEDDINGS_PROVIDER = "openai"
        settings.GONGDAN_EMBEDDINGS_URL = f"http://127.0.0.1:{httpserver.port}/v1"
        settings.GONGDAN_EMBEDDINGS_MODEL = "bge-m3"
        settings.GONGDAN_EMBEDDINGS_KEY = "sk-test"
        return httpserver

    return switch_on


def test_with_embeddings_off_nothing_is_embedded_and_the_pair_has_no_embedding_component(settings, customer):
    settings.GONGDAN_EMBEDDINGS_PROVIDER = "off"
    a = factories.ticket_for(customer, subject="打印机卡纸", description="")
    b = factories.ticket_for(customer, subject="Printer paper jam", description="")

    assert batch.embed_pending(10) == 0
    assert "embedding" not in pair_score(a, b).components


def test_the_worker_stores_the_endpoints_vectors_and_the_pair_score_reads_their_cosine(configure, customer):
    a = factories.ticket_for(customer, subject="打印机卡纸", description="")
    b = factories.ticket_for(customer, subject="Printer paper jam", description="")
    provider = configure()
    # Newest first: b, then a.
    provider.expect_ordered_request(
        "/v1/embeddings",
        method="POST",
        headers={"Authorization": "Bearer sk-test"},
        json={"model": "bge-m3", "input": ["Printer paper jam", "打印机卡纸"]},
    ).respond_with_json({"data": [{"index": 1, "embedding": [1.0, 0.0]}, {"index": 0, "embedding": [0.6, 0.8]}]})

    assert batch.embed_pending(10) == 2

    provider.check_assertions()
    stored = TicketEmbedding.objects.get(ticket=b)
    assert (stored.model, stored.version, len(bytes(stored.vector))) == ("bge-m3", "remote", 2)
    assert np.frombuffer(bytes(stored.vector), dtype=np.int8).tolist() == [95, 127]
    score = pair_score(a, b)
    # Stored as int8: (95, 127) × 0.8/127 → cosine 0.5991 instead of 0.6.
    assert score.components["embedding"] == 0.599
    assert score.components["cross_language"] == 1.0


def test_a_failing_endpoint_stores_nothing_and_the_next_run_embeds_the_tickets(configure, customer):
    factories.ticket_for(customer, subject="打印机卡纸", description="")
    provider = configure()
    provider.expect_oneshot_request("/v1/embeddings", method="POST").respond_with_response(
        Response("overloaded", status=503)
    )

    assert batch.embed_pending(10) == 0
    assert not TicketEmbedding.objects.exists()

    provider.expect_oneshot_request("/v1/embeddings", method="POST").respond_with_json(
        {"data": [{"index": 0, "embedding": [0.0, 1.0]}]}
    )
    assert batch.embed_pending(10) == 1


def test_a_reply_with_the_wrong_number_of_vectors_or_no_json_is_ignored(configure):
    provider = configure()
    provider.expect_request("/v1/embeddings").respond_with_json({"data": [{"index": 0, "embedding": [1.0]}]})
    assert embed(["a", "b"]) is None
    provider.clear()
    provider.expect_request("/v1/embeddings").respond_with_data("not json")
    assert embed(["a"]) is None


def test_the_endpoint_may_be_given_with_or_without_the_embeddings_path():
    assert EmbeddingProvider(url="http://127.0.0.1:9/v1", model="m").endpoint == "http://127.0.0.1:9/v1/embeddings"
    assert EmbeddingProvider(url="http://h/v1/embeddings", model="m").endpoint == "http://h/v1/embeddings"
