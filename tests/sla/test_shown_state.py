"""The SLA badge and its countdown never contradict each other (issue 17, defect 10)."""

from datetime import UTC, datetime, timedelta

import pytest

from gongdan.sla.selectors import shown
from gongdan.tickets.constants import SlaStatus

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PAST, FUTURE = NOW - timedelta(hours=12), NOW + timedelta(days=4)


@pytest.mark.parametrize(
    ("stored", "due", "expected"),
    [
        (SlaStatus.ON_TRACK, FUTURE, (SlaStatus.ON_TRACK, FUTURE)),
        (SlaStatus.ON_TRACK, PAST, (SlaStatus.BREACHED, PAST)),  # not "on track, 12 h overdue"
        (SlaStatus.AT_RISK, PAST, (SlaStatus.BREACHED, PAST)),
        (SlaStatus.BREACHED, FUTURE, (SlaStatus.BREACHED, None)),  # not "breached, 4 days left"
        (SlaStatus.BREACHED, PAST, (SlaStatus.BREACHED, PAST)),
        (SlaStatus.MET, PAST, (SlaStatus.MET, None)),  # not "met, overdue"
        (SlaStatus.PAUSED, FUTURE, (SlaStatus.PAUSED, None)),
        (SlaStatus.ON_TRACK, None, (SlaStatus.ON_TRACK, None)),
    ],
)
def test_the_badge_and_the_countdown_agree(stored, due, expected):
    assert shown(stored, due, NOW) == expected
