"""Issue 24.1: every after-commit hook goes through `core.aftercommit`, which never raises."""

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction

from gongdan.core.aftercommit import after_commit, run_safely


def test_no_code_registers_an_after_commit_hook_around_the_safe_helper():
    root = Path(settings.BASE_DIR) / "gongdan"
    direct = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "on_commit(" in path.read_text(encoding="utf-8") and path.name != "aftercommit.py"
    ]
    assert direct == [], "use gongdan.core.aftercommit.after_commit: a raising hook fails a committed request"


def test_a_failing_hook_is_logged_by_name_and_kind_never_raised(caplog):
    ran = []

    def kick_the_queue():
        raise ConnectionError("Error 111 connecting to 10.0.0.5:6379. Connection refused.")

    with caplog.at_level(logging.WARNING, logger="gongdan.core.aftercommit"):
        assert run_safely(kick_the_queue) is False
        assert run_safely(lambda: ran.append("second")) is True
    assert ran == ["second"]
    assert [r.getMessage() for r in caplog.records] == [
        "after-commit kick_the_queue failed (ConnectionError); the periodic sweep will catch up"
    ]


def test_hooks_run_after_the_commit_and_a_failure_does_not_escape_it(db, django_capture_on_commit_callbacks):
    ran = []

    def boom():
        raise ConnectionError("down")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        after_commit(boom)
        after_commit(lambda: ran.append("after"))
        assert ran == []
    assert (len(callbacks), ran) == (2, ["after"])
