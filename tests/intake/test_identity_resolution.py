"""Who wrote (R2.2): a known sender is found in one query with all their identities loaded, new
identities are linked to them, an identity of someone else stays theirs, a stranger becomes a customer."""

import pytest

from gongdan.core.context import Actor, Channel
from gongdan.customers.models import Customer, CustomerIdentity
from gongdan.customers.services import NewIdentity, resolve_identity

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system(Channel.EMAIL)


def test_a_known_sender_costs_one_query_and_their_identities_come_along(customer, django_assert_num_queries):
    CustomerIdentity.objects.create(customer=customer, kind="phone", value="13800138000")

    with django_assert_num_queries(1):
        found = resolve_identity(actor=SYSTEM, identities=[NewIdentity("email", " ZhangSan@Example.com ")])
        assert found.customer.primary_email == "zhangsan@example.com"
        assert sorted((i.kind, i.value) for i in found.customer.identities.all()) == [
            ("email", "zhangsan@example.com"),
            ("phone", "13800138000"),
        ]

    assert (found.customer.pk, found.created, found.linked) == (customer.pk, False, ())


def test_a_new_identity_of_a_known_sender_is_linked_to_them(customer):
    found = resolve_identity(
        actor=SYSTEM,
        identities=[NewIdentity("phone", "138-0013-8001"), NewIdentity("email", "zhangsan@example.com")],
    )

    assert (found.customer.pk, found.created, found.linked) == (customer.pk, False, (("phone", "13800138001"),))
    assert CustomerIdentity.objects.get(kind="phone", value="13800138001").customer == customer
    assert [i.value for i in found.customer.identities.all()] == ["zhangsan@example.com", "13800138001"]


def test_the_first_identity_that_leads_somewhere_decides_and_the_others_stay_with_their_customer(
    customer, other_customer
):
    found = resolve_identity(
        actor=SYSTEM,
        identities=[
            NewIdentity("wecom", "unknown-user"),
            NewIdentity("email", "lisi@example.com"),
            NewIdentity("email", "zhangsan@example.com"),
        ],
    )

    assert (found.customer.pk, found.created, found.linked) == (other_customer.pk, False, (("wecom", "unknown-user"),))
    assert CustomerIdentity.objects.get(value="zhangsan@example.com").customer == customer
    assert found.customer.primary_email == "lisi@example.com"


def test_a_stranger_becomes_a_customer_with_every_usable_identity(db, django_assert_num_queries):
    found = resolve_identity(
        actor=SYSTEM,
        identities=[NewIdentity("email", "Wang@Example.cn"), NewIdentity("phone", "not a phone")],
        name="王工",
        language="zh-hans",
    )

    assert (found.created, found.linked) == (True, (("email", "wang@example.cn"),))
    assert Customer.objects.get().name == "王工"
    with django_assert_num_queries(0):
        assert found.customer.primary_email == "wang@example.cn"
