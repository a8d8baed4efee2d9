"""Related search (R5.2): one box for a ticket number, phone, device SN or keywords."""

import pytest

from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import CustomerIdentity
from gongdan.triage.duplicates import related_search
from tests import factories


@pytest.fixture
def desk(customer, other_customer):
    CustomerIdentity.objects.create(customer=customer, kind=IdentityKind.PHONE, value="+8613900001111")
    return {
        "jam": factories.ticket_for(customer, subject="打印机卡纸", description="三楼的打印机卡纸了"),
        "paper": factories.ticket_for(other_customer, subject="打印机缺纸", description="加了纸还提示缺纸"),
        "aircon": factories.ticket_for(
            other_customer, subject="空调不制冷", description="吹热风", device_sn="SN-AC-0001"
        ),
        "refund": factories.ticket_for(customer, subject="退款没有到账", description=""),
    }


def numbers(found):
    return [t.number for t in found]


def test_a_phone_number_in_any_spelling_finds_the_customers_tickets_newest_first(desk):
    found = related_search("139 0000 1111")

    assert numbers(found) == [desk["refund"].number, desk["jam"].number]
    assert numbers(related_search("+86 13900001111")) == numbers(found)


def test_a_device_serial_number_finds_its_tickets_whatever_the_case(desk):
    assert numbers(related_search("sn-ac-0001")) == [desk["aircon"].number]


def test_keywords_find_tickets_with_every_word_and_a_ticket_number_finds_that_ticket(desk):
    assert numbers(related_search("打印机")) == [desk["paper"].number, desk["jam"].number]
    assert numbers(related_search("打印机 卡纸")) == [desk["jam"].number]
    assert numbers(related_search("打印機卡紙")) == [desk["jam"].number]
    assert numbers(related_search(desk["aircon"].number.lower())) == [desk["aircon"].number]
    assert related_search("   ") == []
    assert related_search("冰箱") == []


def test_the_current_ticket_is_left_out_and_the_limit_holds(desk):
    found = related_search("打印机", exclude_ticket_id=desk["paper"].pk)
    assert numbers(found) == [desk["jam"].number]
    assert len(related_search("打印机", limit=1)) == 1


def test_a_customer_finds_only_tickets_they_may_see(desk, customer, other_customer):
    assert numbers(related_search("打印机", user=customer.user)) == [desk["jam"].number]
    assert numbers(related_search("sn-ac-0001", user=customer.user)) == []
    assert numbers(related_search("sn-ac-0001", user=other_customer.user)) == [desk["aircon"].number]


def test_the_desk_searches_everything_in_a_fixed_number_of_queries(desk, agent, django_assert_num_queries):
    with django_assert_num_queries(2):
        found = related_search("打印机 卡纸", user=agent)
    assert numbers(found) == [desk["jam"].number]
