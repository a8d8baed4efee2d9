"""Candidates from the shared LSH band index, and the threshold gate on creation."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import time_machine
from django.core.management import call_command

from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import CustomerIdentity
from gongdan.tickets import services as tickets
from gongdan.triage.duplicates import find_candidates, index_ticket
from gongdan.triage.models import DuplicateBand, DuplicateConfig, DuplicateSuspicion, SearchTerm
from tests import factories

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
AIRCON = ("空调不制冷", "空调开了制冷模式吹出来是热风，室外机不转，显示 E1。")
AIRCON_REWORDED = ("空调开了制冷还是吹热风", "空调不制冷，室外机不转，面板显示 E1。")
AIRCON_AGAIN = ("空调还是不制冷", "空调开了制冷模式还是吹出来是热风，室外机不转，显示 E1。")
REFUND = ("退款一直没有到账", "上周申请的退款到现在还没有到账。")


def test_lsh_finds_a_reworded_duplicate_from_another_customer_but_not_an_unrelated_ticket(customer, other_customer):
    original = factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    unrelated = factories.ticket_for(customer, subject=REFUND[0], description=REFUND[1])
    third = factories.customer_with_login("wang_wu")

    found = {c.ticket_id: c for c in find_candidates("\n".join(AIRCON_REWORDED), customer=third)}

    assert original.pk in found
    assert unrelated.pk not in found
    assert found[original.pk].score.components["same_customer"] == 0.0


def test_the_pool_leaves_out_other_customers_tickets_older_than_the_pool_but_keeps_the_customers_own(
    customer, other_customer
):
    with time_machine.travel(NOW - timedelta(days=120), tick=False):
        old_other = factories.ticket_for(other_customer, subject=AIRCON[0], description=AIRCON[1])
        old_own = factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    with time_machine.travel(NOW, tick=False):
        found = {c.ticket_id for c in find_candidates("\n".join(AIRCON_REWORDED), customer=customer)}

    assert old_own.pk in found
    assert old_other.pk not in found


def test_a_merged_ticket_is_no_candidate(customer, agent_actor):
    master = factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    copy = factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    tickets.merge(actor=agent_actor, source=copy, target=master)

    found = {c.ticket_id for c in find_candidates("\n".join(AIRCON), customer=customer)}

    assert found == {master.pk}


def test_a_repeated_report_by_the_same_customer_is_flagged_with_its_score(customer):
    CustomerIdentity.objects.create(customer=customer, kind=IdentityKind.PHONE, value="+8613900001111")
    with time_machine.travel(NOW, tick=False):
        original = factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        again = factories.ticket_for(customer, subject=AIRCON_AGAIN[0], description=AIRCON_AGAIN[1])

    suspicion = DuplicateSuspicion.objects.get(ticket=again)
    assert suspicion.original == original
    assert suspicion.decision == DuplicateSuspicion.Decision.OPEN
    assert suspicion.components == {
        "text": 0.7667,
        "words": 0.9167,
        "numbers_differ": 0.0,
        "negation_differs": 0.0,
        "opposite": 0.0,
        "cross_language": 0.0,
        "same_customer": 1.0,
        "same_device_sn": 0.0,
        "same_phone": 1.0,
        "same_category_group": 0.0,
        "hours_apart": 2.0,
    }
    # Lexical model (no embedding yet at creation): z = −1.1436 + 5.302·0.7667 + 0.0643·0.9167 = 2.9804
    assert suspicion.probability == 0.9517
    assert not DuplicateSuspicion.objects.filter(ticket=original).exists()


def test_below_the_configured_threshold_nothing_is_flagged(customer):
    DuplicateConfig.objects.update_or_create(pk=1, defaults={"threshold": 0.99})
    factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    factories.ticket_for(customer, subject=AIRCON_REWORDED[0], description=AIRCON_REWORDED[1])

    assert DuplicateSuspicion.objects.count() == 0


def test_another_customers_unrelated_ticket_is_not_flagged(customer, other_customer):
    factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    factories.ticket_for(other_customer, subject=REFUND[0], description=REFUND[1])

    assert DuplicateSuspicion.objects.count() == 0


def test_creation_indexes_the_ticket_and_a_subject_edit_reindexes_it(customer, agent_actor):
    ticket = factories.ticket_for(customer, subject="打印机卡纸", description="")
    bands_before = set(DuplicateBand.objects.filter(ticket=ticket).values_list("band_hash", flat=True))
    assert set(SearchTerm.objects.filter(ticket=ticket).values_list("term", flat=True)) == {"打印机", "卡纸"}

    tickets.update_fields(actor=agent_actor, ticket=ticket, changes={"subject": "打印机缺纸"})

    assert set(SearchTerm.objects.filter(ticket=ticket).values_list("term", flat=True)) == {"打印机", "缺纸"}
    assert DuplicateBand.objects.filter(ticket=ticket).count() == 20
    assert set(DuplicateBand.objects.filter(ticket=ticket).values_list("band_hash", flat=True)) != bands_before


def test_index_ticket_and_the_rebuild_command_give_the_same_rows(customer):
    ticket = factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    rows = sorted(DuplicateBand.objects.filter(ticket=ticket).values_list("band_no", "band_hash"))
    DuplicateBand.objects.all().delete()
    SearchTerm.objects.all().delete()

    call_command("rebuild_duplicate_index", batch_size=1, stdout=StringIO())

    assert sorted(DuplicateBand.objects.filter(ticket=ticket).values_list("band_no", "band_hash")) == rows
    index_ticket(ticket)
    assert DuplicateBand.objects.filter(ticket=ticket).count() == 20
