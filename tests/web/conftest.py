import pytest
from django.test import Client

from gongdan.core.context import Actor, Channel


@pytest.fixture
def agent_client(agent):
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def lead_client(lead):
    client = Client()
    client.force_login(lead)
    return client


@pytest.fixture
def web_actor(agent):
    return Actor(user=agent, channel=Channel.WEB)
