"""The customer directory over the API: search, read, create with normalised identities and devices."""

import pytest

from gongdan.customers.models import Customer, CustomerIdentity, Device
from tests import factories
from tests.api.conftest import assert_problem

JSON = "application/json"


def _create(client, **fields):
    payload = {"name": "王五", **fields}
    return client.post("/api/v1/customers", payload, content_type=JSON)


def test_staff_create_a_customer_with_normalised_identities_and_devices(as_agent):
    organization = factories.OrganizationFactory(name="华东智造")
    response = _create(
        as_agent,
        organization_id=organization.pk,
        tier="vip",
        identities=[
            {"kind": "email", "value": "  Wang.Wu@Example.COM "},
            {"kind": "phone", "value": "+86 138-0013 (8000)"},
            {"kind": "wecom", "value": "wangwu"},
        ],
        devices=[{"serial_number": " SN-001 ", "model": "KFR-35", "installed_at": "2024-05-01"}],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["tier"], body["is_vip"], body["organization"]["name"]) == (
        "王五",
        "vip",
        True,
        "华东智造",
    )
    assert body["identities"] == [
        {"kind": "email", "value": "wang.wu@example.com", "verified": False},
        {"kind": "phone", "value": "+8613800138000", "verified": False},
        {"kind": "wecom", "value": "wangwu", "verified": False},
    ]
    assert body["devices"] == [
        {"serial_number": "SN-001", "model": "KFR-35", "location": "", "installed_at": "2024-05-01"}
    ]


def test_an_identity_of_another_customer_is_a_409_and_nothing_is_created(as_agent, customer):
    before = Customer.objects.count()
    response = _create(
        as_agent,
        identities=[{"kind": "phone", "value": "13900000000"}, {"kind": "email", "value": "ZhangSan@example.com"}],
    )
    body = assert_problem(response, 409, "identity-taken")
    assert body["errors"] == {"identities.1.value": "taken"}
    assert "zhangsan@example.com" in body["detail_en"]
    assert Customer.objects.count() == before
    assert not CustomerIdentity.objects.filter(value="13900000000").exists()


def test_a_registered_device_is_a_409_and_nothing_is_created(as_agent, customer):
    Device.objects.create(customer=customer, serial_number="SN-9")
    before = Customer.objects.count()
    body = assert_problem(_create(as_agent, devices=[{"serial_number": "SN-9"}]), 409, "device-taken")
    assert body["errors"] == {"devices": "taken"}
    assert Customer.objects.count() == before


@pytest.mark.parametrize(
    ("identity", "error"),
    [
        ({"kind": "email", "value": "not-an-email"}, "invalid_email"),
        ({"kind": "phone", "value": "call me"}, "invalid_phone"),
        ({"kind": "phone", "value": "+86+1380"}, "invalid_phone"),
    ],
)
def test_a_malformed_identity_is_a_422_naming_it(as_agent, identity, error):
    body = assert_problem(_create(as_agent, identities=[identity]), 422, "invalid-input")
    assert body["errors"] == {"identities.0.value": error}
    assert Customer.objects.count() == 0


def test_the_same_identity_twice_in_one_request_is_a_422(as_agent):
    identities = [{"kind": "email", "value": "a@example.com"}, {"kind": "email", "value": "A@example.com"}]
    body = assert_problem(_create(as_agent, identities=identities), 422, "invalid-input")
    assert body["errors"] == {"identities": "duplicate"}


def test_an_unknown_time_zone_is_a_422(as_agent):
    body = assert_problem(_create(as_agent, timezone="Mars/Olympus"), 422, "invalid-input")
    assert body["errors"] == {"timezone": "unknown"}


def test_search_matches_the_name_or_any_identity(as_agent, customer, other_customer):
    CustomerIdentity.objects.create(customer=other_customer, kind="phone", value="+8613800138000")
    assert [c["id"] for c in as_agent.get("/api/v1/customers?q=ZHANGSAN@").json()["items"]] == [customer.pk]
    assert [c["id"] for c in as_agent.get("/api/v1/customers?q=138 0013 8000").json()["items"]] == [other_customer.pk]
    named = as_agent.get(f"/api/v1/customers?q={customer.name}").json()["items"]
    assert [c["id"] for c in named] == [customer.pk]


def test_staff_read_a_customer_and_a_missing_one_is_404(as_agent, customer):
    body = as_agent.get(f"/api/v1/customers/{customer.pk}").json()
    assert (body["id"], body["has_portal_account"]) == (customer.pk, True)
    assert_problem(as_agent.get("/api/v1/customers/999999"), 404, "not-found")


def test_customers_and_department_staff_cannot_use_the_customer_directory(
    as_customer, as_purchasing, customer, other_customer
):
    for client in (as_customer, as_purchasing):
        assert_problem(client.get("/api/v1/customers"), 403, "forbidden")
        assert_problem(client.get(f"/api/v1/customers/{other_customer.pk}"), 404, "not-found")
        assert_problem(client.get(f"/api/v1/customers/{customer.pk}"), 404, "not-found")
        assert_problem(_create(client, identities=[{"kind": "email", "value": "x@example.com"}]), 403, "forbidden")
    assert Customer.objects.count() == 2
