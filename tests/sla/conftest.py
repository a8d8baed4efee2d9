"""SLA fixtures: a desk whose ladder reaches real people, and a frozen clock in Shanghai time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongdan.accounts.constants import Role
from gongdan.sla.models import SlaSettings
from tests import factories

CST = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST)


@pytest.fixture
def travel():
    """travel(moment): freeze the clock there (and stay until the next call)."""
    travellers = []

    def go(moment):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def desk(service_team, lead, agent):
    service_team.lead = lead
    service_team.save()
    manager = factories.UserFactory(username="manager_qian", role=Role.LEAD)
    director = factories.UserFactory(username="director_sun", role=Role.ADMIN)
    duty = factories.UserFactory(username="duty_gao", role=Role.LEAD)
    settings = SlaSettings.current()
    settings.managers.set([manager])
    settings.directors.set([director])
    settings.duty_managers.set([duty])
    return {"team": service_team, "lead": lead, "agent": agent, "manager": manager, "director": director, "duty": duty}
