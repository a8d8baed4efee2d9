import gc

from django.urls import get_resolver
from huey.contrib.djhuey import HUEY

from gongdan.sla import tasks


def test_workers_warm_up_on_start():
    assert HUEY._startup["warm_up"] is tasks.warm_up
    try:
        tasks.warm_up()
        assert get_resolver()._populated
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
