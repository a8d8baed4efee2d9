import pytest
from django.test import Client


@pytest.fixture
def customer_client(customer):
    client = Client()
    client.force_login(customer.user)
    return client
