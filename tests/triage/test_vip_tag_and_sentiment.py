"""The VIP tag comes from the customer's tier only; every ticket's classification stores a sentiment."""

from gongdan.triage.models import KeywordRule, TicketClassification
from tests import factories


def test_a_vip_customer_is_tagged_vip_and_a_text_saying_vip_is_not(db):
    vip = factories.customer_with_login("vip_one", tier="vip")
    standard = factories.customer_with_login("std_one", tier="standard")
    KeywordRule.objects.create(name="vip words", keywords="VIP\n大客户", tags=["vip", "priority-words"])

    tagged = factories.ticket_for(vip, subject="打印机卡纸", description="")
    claims = factories.ticket_for(standard, subject="我是VIP大客户，打印机卡纸", description="")

    assert list(tagged.tags.values_list("name", flat=True)) == ["vip"]
    assert list(claims.tags.values_list("name", flat=True)) == ["priority-words"]
    assert TicketClassification.objects.get(ticket=claims).tags == ["priority-words"]


def test_every_ticket_has_a_stored_sentiment_neutral_when_nothing_says_otherwise(customer):
    ticket = factories.ticket_for(customer, subject="打印机卡纸", description="")

    assert TicketClassification.objects.get(ticket=ticket).sentiment == "neutral"
