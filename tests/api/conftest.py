"""API test helpers: clients logged in as each persona, Bearer tokens, problem+json assertions."""

import pytest
from django.test import Client

from gongdan.accounts.services import issue_api_token
from gongdan.core.problems import PROBLEM_BASE

PROBLEM_KEYS = {"type", "title", "status", "detail", "detail_en", "detail_zh"}


def session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user, name: str = "test") -> dict[str, str]:
    _token, raw = issue_api_token(user=user, name=name)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_problem(response, status: int, type_slug: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["type"] == PROBLEM_BASE + type_slug
    assert body["status"] == status
    return body


@pytest.fixture
def as_customer(customer):
    return session_client(customer.user)


@pytest.fixture
def as_other_customer(other_customer):
    return session_client(other_customer.user)


@pytest.fixture
def as_agent(agent):
    return session_client(agent)


@pytest.fixture
def as_lead(lead):
    return session_client(lead)


@pytest.fixture
def as_purchasing(purchasing):
    return session_client(purchasing)


@pytest.fixture
def as_admin(admin_user):
    return session_client(admin_user)
