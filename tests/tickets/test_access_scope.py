"""R14.1 baseline: who sees which tickets (queryset side of tickets/access.py)."""

from gongdan.tickets.access import visible_tickets
from gongdan.tickets.models import Ticket
from tests import factories


def _numbers(user):
    return sorted(visible_tickets(user).values_list("number", flat=True))


def test_desk_roles_see_every_ticket(customer, other_customer, agent, lead, admin_user):
    mine, theirs = factories.ticket_for(customer), factories.ticket_for(other_customer)
    expected = sorted([mine.number, theirs.number])
    assert _numbers(agent) == _numbers(lead) == _numbers(admin_user) == expected


def test_a_customer_sees_only_their_own_tickets(customer, other_customer):
    mine = factories.ticket_for(customer)
    factories.ticket_for(other_customer)
    assert _numbers(customer.user) == [mine.number]


def test_colleagues_see_each_others_tickets_only_when_the_organization_shares_and_they_opted_in(
    customer, other_customer
):
    organization = factories.OrganizationFactory(share_tickets=False)
    for person in (customer, other_customer):
        person.organization = organization
        person.sees_organization_tickets = True
        person.save()
    mine, colleague = factories.ticket_for(customer), factories.ticket_for(other_customer)
    assert _numbers(customer.user) == [mine.number]
    organization.share_tickets = True
    organization.save()
    customer.refresh_from_db()
    assert _numbers(customer.user) == sorted([mine.number, colleague.number])
    customer.sees_organization_tickets = False
    customer.save()
    assert _numbers(customer.user) == [mine.number]


def test_department_staff_see_tickets_of_their_departments_only(customer, purchasing, purchasing_team, agent_actor):
    from gongdan.tickets import services

    involved, unrelated = factories.ticket_for(customer), factories.ticket_for(customer)
    services.update_fields(actor=agent_actor, ticket=involved, changes={"collaborating_departments": ["purchasing"]})
    assert _numbers(purchasing) == [involved.number]
    assert Ticket.objects.filter(pk=unrelated.pk).exists()


def test_inactive_and_anonymous_users_see_nothing(customer, agent):
    from django.contrib.auth.models import AnonymousUser

    factories.ticket_for(customer)
    agent.is_active = False
    agent.save()
    assert _numbers(agent) == []
    assert _numbers(AnonymousUser()) == []
