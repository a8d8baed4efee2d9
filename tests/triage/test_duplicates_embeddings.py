"""Optional embeddings over a real OpenAI-compatible endpoint on 127.0.0.1 (pytest-httpserver)."""

import pytest
from werkzeug import Response

from gongdan.triage.duplicates import pair_score
from gongdan.triage.duplicates.embeddings import EmbeddingProvider, embed
from tests import factories


@pytest.fixture
def configure(settings, httpserver):
    """Point the provider at the test server (after the tickets exist: creation scores too)."""

    def switch_on():
        settings.GONGDAN_EMBEDDINGS_URL = f"http://127.0.0.1:{httpserver.port}/v1"
        settings.GONGDAN_EMBEDDINGS_MODEL = "bge-m3"
        settings.GONGDAN_EMBEDDINGS_KEY = "sk-test"
        return httpserver

    return switch_on


def test_without_a_configured_endpoint_there_is_no_embedding_component(customer):
    a = factories.ticket_for(customer, subject="打印机卡纸", description="")
    b = factories.ticket_for(customer, subject="Printer paper jam", description="")

    assert "embedding" not in pair_score(a, b).components


def test_the_cosine_of_the_endpoints_vectors_is_a_component_of_the_pair_score(configure, customer):
    a = factories.ticket_for(customer, subject="打印机卡纸", description="")
    b = factories.ticket_for(customer, subject="Printer paper jam", description="")
    provider = configure()
    provider.expect_ordered_request(
        "/v1/embeddings",
        method="POST",
        headers={"Authorization": "Bearer sk-test"},
        json={"model": "bge-m3", "input": ["打印机卡纸", "Printer paper jam"]},
    ).respond_with_json({"data": [{"index": 1, "embedding": [0.6, 0.8]}, {"index": 0, "embedding": [1.0, 0.0]}]})

    score = pair_score(a, b)

    provider.check_assertions()
    assert score.components["embedding"] == 0.6
    assert score.components["text"] == 0.0


def test_a_failing_endpoint_degrades_to_the_score_without_embeddings(configure, customer):
    a = factories.ticket_for(customer, subject="打印机卡纸", description="")
    b = factories.ticket_for(customer, subject="打印机又卡纸", description="")
    without = pair_score(a, b).components
    provider = configure()
    provider.expect_request("/v1/embeddings", method="POST").respond_with_response(Response("overloaded", status=503))

    score = pair_score(a, b)

    assert score.components == without
    assert len(provider.log) == 1


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
