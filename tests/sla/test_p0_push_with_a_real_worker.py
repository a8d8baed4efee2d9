"""R7.6: a P0 pushes within 15 seconds of creation — through real huey worker processes, the
outbox and apprise, to a real HTTP endpoint on 127.0.0.1.

Two set-ups, nothing mocked: one worker on the SQLite queue file, as `make run` does; and two
worker processes (one scheduling the periodic sweeps, one `--no-periodic`) on a real Redis, as on
several nodes. The workers and the process that opens the ticket share a throw-away database.
"""

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import _free_port

ROOT = Path(settings.BASE_DIR)
SETUP = """
from gongdan.accounts.models import User
from gongdan.automation.models import NotificationPreference
from gongdan.customers.models import Customer
from gongdan.sla.models import SlaSettings
duty = User.objects.create(username="duty_gao", role="lead", email="duty@example.com")
NotificationPreference.objects.create(user=duty, channel="apprise", target="{url}")
SlaSettings.current().duty_managers.add(duty)
Customer.objects.create(name="华东智造")
"""
CREATE = """
from gongdan.core.context import Actor, Channel
from gongdan.customers.models import Customer
from gongdan.tickets import services
ticket = services.create_ticket(actor=Actor(channel=Channel.API), customer=Customer.objects.get(),
    subject="产线停机 line stopped", priority_code="P0")
print(ticket.number, ticket.created_at.isoformat())
"""


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGDAN_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'desk.sqlite3'}",
        GONGDAN_VAR_DIR=str(tmp_path),
        GONGDAN_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="gongdan.config.settings",
        # The duty manager's endpoint is on 127.0.0.1, refused by the SSRF guard unless allow-listed.
        GONGDAN_OUTBOUND_ALLOWED_NETWORKS="127.0.0.1/32",
    )
    return env


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def redis_url(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=20)


def _start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture(params=["sqlite-queue", "redis-two-workers"])
def worker(request, tmp_path, httpserver):
    env = _env(tmp_path)
    if request.param == "redis-two-workers":
        env["GONGDAN_REDIS_URL"] = request.getfixturevalue("redis_url")
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "shell", "-c", SETUP.format(url=f"json://127.0.0.1:{httpserver.port}/p0"))
    processes = [_start(env)]
    if request.param == "redis-two-workers":
        processes.append(_start(env, "--no-periodic"))
    time.sleep(3)  # let the consumers start their workers
    for process in processes:
        assert process.poll() is None, process.stderr.read().decode()[-3000:]
    yield env
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=20)


def test_a_new_p0_reaches_the_duty_managers_http_endpoint_once_within_15_seconds(worker, httpserver):
    arrivals = []
    httpserver.expect_request("/p0", method="POST").respond_with_handler(
        lambda request: arrivals.append((time.time(), request.get_data())) or _ok()
    )
    number, created = _manage(worker, "shell", "-c", CREATE).strip().splitlines()[-1].split()
    created_at = datetime.fromisoformat(created).timestamp()

    deadline = time.time() + 20
    while not arrivals and time.time() < deadline:
        time.sleep(0.1)

    time.sleep(2)  # a second worker or a periodic sweep must not push it again
    assert len(arrivals) == 1, f"{len(arrivals)} pushes arrived"
    arrived_at, body = arrivals[0]
    payload = json.loads(body)
    assert number in payload["title"] and "新 P0 工单" in payload["title"]
    assert arrived_at - created_at < 15


def _ok():
    from werkzeug import Response

    return Response("ok")
