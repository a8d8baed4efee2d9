"""Field dispatch (R6.3): the nearest available qualified engineer by great-circle distance, with a fallback."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import translation

from gongdan.accounts.constants import Availability, TeamKind
from gongdan.core.errors import DomainError, InvalidInput
from gongdan.routing import services
from gongdan.routing.constants import FieldFallback
from gongdan.routing.models import Dispatch, RoutingPolicy
from gongdan.tickets import rendering
from gongdan.tickets.constants import EventType
from tests import factories
from tests.routing.conftest import desk_actor, needs, staff

SHANGHAI = (31.2304, 121.4737)
NOW = "2026-11-23 02:00:00+00:00"


@pytest.fixture
def engineers(db):
    field = factories.TeamFactory(code="field-east", name_zh="华东现场组", name_en="Field east", kind=TeamKind.FIELD)
    hvac = {"hvac": 4}
    policy = RoutingPolicy.current()
    policy.field_range_km = 100
    policy.save()
    return {
        "suzhou": staff("eng_su", "苏州工程师", field, skills=hvac, home_latitude=31.2989, home_longitude=120.5853),
        "hangzhou": staff("eng_hz", "杭州工程师", field, skills=hvac, home_latitude=30.2741, home_longitude=120.1551),
        "beijing": staff("eng_bj", "北京工程师", field, skills=hvac, home_latitude=39.9042, home_longitude=116.4074),
        "novice": staff("eng_new", "新人", field, skills={"hvac": 1}, home_latitude=31.23, home_longitude=121.47),
    }


@pytest.fixture
def job(customer):
    repair = factories.category("ac-repair", "空调维修")
    needs(repair, "hvac", 3)
    return factories.ticket_for(customer, category=repair, subject="空调不制冷还滴水")


def run(actor, ticket, site=SHANGHAI):
    with time_machine.travel(NOW, tick=False):
        return services.dispatch(actor=actor, ticket=ticket, latitude=site[0], longitude=site[1])


def test_the_nearest_qualified_engineer_is_sent_and_the_distance_kept(agent_actor, job, engineers):
    dispatch = run(agent_actor, job)

    assert (dispatch.engineer, dispatch.distance_km, dispatch.fallback_used) == (engineers["suzhou"], 84.8, False)
    job.refresh_from_db()
    assert job.engineer == engineers["suzhou"]
    note = job.events.filter(event_type=EventType.NOTE).get()
    assert (note.summary, note.new_value, note.is_effective, note.is_public) == (
        "",
        {"dispatch": {"engineer": "苏州工程师", "km": 84.8}},
        False,
        False,
    )
    with translation.override("en"):
        assert rendering.describe(note) == "Field dispatch: 苏州工程师, 84.8 km"


def test_a_fresh_last_known_location_beats_home(agent_actor, job, engineers):
    hangzhou = engineers["hangzhou"]
    hangzhou.last_latitude, hangzhou.last_longitude = 31.2200, 121.4500
    hangzhou.last_located_at = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 90 minutes before: fresh
    hangzhou.save()

    dispatch = run(agent_actor, job)

    assert (dispatch.engineer, dispatch.distance_km) == (hangzhou, 2.5)


def test_out_of_range_the_job_goes_to_the_field_lead_by_default(agent_actor, job, engineers):
    engineers["suzhou"].availability = Availability.ON_BREAK
    engineers["suzhou"].save()

    dispatch = run(agent_actor, job)

    assert (dispatch.engineer, dispatch.distance_km, dispatch.fallback_used) == (None, None, True)
    job.refresh_from_db()
    assert job.engineer is None
    note = job.events.get(event_type=EventType.NOTE)
    assert note.body == (
        "range=100 km, fallback=lead_queue\n1. 苏州工程师: 84.8 km (on_break)\n2. 杭州工程师: 164.9 km\n"
        "3. 北京工程师: 1067.3 km\n"
        "no engineer chosen: left to the field team lead"
    )


def test_the_nearest_anywhere_fallback_sends_the_closest_one_however_far(agent_actor, job, engineers):
    engineers["suzhou"].availability = Availability.OFF
    engineers["suzhou"].save()
    policy = RoutingPolicy.current()
    policy.field_fallback = FieldFallback.NEAREST_ANYWHERE
    policy.save()

    dispatch = run(agent_actor, job)

    assert (dispatch.engineer, dispatch.distance_km, dispatch.fallback_used) == (engineers["hangzhou"], 164.9, True)


def test_redispatching_updates_the_one_dispatch_of_the_ticket(agent_actor, job, engineers):
    run(agent_actor, job)
    second = run(agent_actor, job, site=(30.2741, 120.1551))

    assert Dispatch.objects.filter(ticket=job).count() == 1
    assert (second.engineer, second.distance_km) == (engineers["hangzhou"], 0.0)


def test_bad_coordinates_change_nothing(agent_actor, job, engineers):
    with pytest.raises(InvalidInput):
        run(agent_actor, job, site=(91.0, 121.0))
    assert not Dispatch.objects.exists()
    job.refresh_from_db()
    assert job.engineer is None


def test_department_staff_cannot_dispatch(purchasing, job, engineers):
    with pytest.raises(DomainError):
        run(desk_actor(purchasing), job)
    assert not Dispatch.objects.exists()
