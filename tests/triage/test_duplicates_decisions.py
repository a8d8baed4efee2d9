"""Agents confirm or reject suspected duplicates; the decisions are kept and used by the refit."""

import pytest

from gongdan.core.errors import PermissionDenied
from gongdan.tickets.constants import EventType, LinkKind
from gongdan.tickets.models import TicketEvent, TicketLink
from gongdan.triage.duplicates import calibration, evaluation, services
from gongdan.triage.duplicates.tasks import refit_duplicate_calibration_nightly
from gongdan.triage.duplicates_constants import DEFAULT_LEXICAL_MODEL
from gongdan.triage.models import DuplicateConfig, DuplicateSuspicion
from tests import factories


@pytest.fixture
def pair(customer):
    original = factories.ticket_for(customer, subject="空调不制冷", description="空调吹热风，室外机不转")
    again = factories.ticket_for(customer, subject="空调还是不制冷", description="空调吹热风，室外机不转")
    return original, again


def test_an_agent_confirms_a_flagged_duplicate_which_links_the_tickets(pair, agent, agent_actor):
    original, again = pair
    assert DuplicateSuspicion.objects.filter(ticket=again, original=original).exists()

    suspicion = services.decide(actor=agent_actor, ticket=again, original=original, confirmed=True)

    assert (suspicion.decision, suspicion.decided_by) == (DuplicateSuspicion.Decision.CONFIRMED, agent)
    assert TicketLink.objects.filter(source=again, target=original, kind=LinkKind.DUPLICATE_OF).count() == 1
    event = TicketEvent.objects.filter(ticket=again, event_type=EventType.LINKED).get()
    assert event.new_value == {"kind": "duplicate_of", "target": original.number}


def test_an_agent_rejects_a_pair_that_was_never_flagged_and_the_reason_goes_on_the_timeline(
    customer, other_customer, agent_actor
):
    first = factories.ticket_for(customer, subject="打印机卡纸", description="")
    second = factories.ticket_for(other_customer, subject="打印机缺纸", description="")
    assert not DuplicateSuspicion.objects.exists()

    suspicion = services.decide(
        actor=agent_actor, ticket=second, original=first, confirmed=False, reason="缺纸不是卡纸"
    )

    assert suspicion.decision == DuplicateSuspicion.Decision.REJECTED
    assert suspicion.components["same_customer"] == 0.0
    assert not TicketLink.objects.exists()
    note = TicketEvent.objects.filter(ticket=second, event_type=EventType.NOTE).get()
    assert note.body == f"不是 {first.number} 的重复工单 / Not a duplicate of {first.number}\n缺纸不是卡纸"


def test_a_customer_cannot_decide_and_nothing_changes(pair, customer_actor):
    original, again = pair
    events = TicketEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.decide(actor=customer_actor, ticket=again, original=original, confirmed=True)

    assert DuplicateSuspicion.objects.get(ticket=again).decision == DuplicateSuspicion.Decision.OPEN
    assert TicketEvent.objects.count() == events
    assert not TicketLink.objects.exists()


def test_the_refit_learns_from_the_hand_written_pairs_and_the_agents_decisions(pair, agent_actor, embedded_set):
    original, again = pair
    services.decide(actor=agent_actor, ticket=again, original=original, confirmed=False)
    decisions = services.decided_pairs()

    config = services.refit(embedded=embedded_set)

    expected = calibration.fit(evaluation.tuning_pairs(embedded_set), decisions)
    assert (config.fitted_pairs, config.fitted_decisions) == (805, 1)
    assert (config.intercept, config.coefficients) == (expected.intercept, dict(expected.coefficients))
    assert config.lexical_coefficients == dict(expected.lexical_coefficients)
    assert config.lexical_coefficients != DEFAULT_LEXICAL_MODEL["coefficients"]
    assert DuplicateConfig.current().fitted_at is not None


def test_the_nightly_refit_runs_only_when_agents_decided_something_new(pair, agent_actor, embedded_set):
    original, again = pair
    assert refit_duplicate_calibration_nightly.call_local() is False

    services.decide(actor=agent_actor, ticket=again, original=original, confirmed=True)

    assert refit_duplicate_calibration_nightly.call_local() is True
    assert refit_duplicate_calibration_nightly.call_local() is False
    assert DuplicateConfig.current().fitted_decisions == 1
