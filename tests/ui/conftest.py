"""Browser tests: pytest-playwright driving Debian's Chromium against Django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (scripts/system-deps.sh checks it).
Screenshots of the main pages go to var/artifacts/screenshots (git-ignored).
"""

import importlib
import os
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "artifacts" / "screenshots"
PASSWORD = "pw-Gongdan-2026"


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """The statuses, priorities and desk policy the migrations seed. A live-server test runs on a
    flushed database; serialized_rollback alone did not restore them after another module's
    live-server tests in the same worker, so seed them here with the migration's own function."""
    from django.apps import apps

    importlib.import_module("gongdan.tickets.migrations.0002_seed_priorities_statuses").seed(apps, None)


class _InFlight:
    """Counts the live server's requests in progress (a WSGI wrapper around its application)."""

    def __init__(self, app):
        self.app, self.count, self.lock = app, 0, threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.lock:
                self.count -= 1

    def wait_idle(self, seconds: float = 10.0, settle: float = 0.1) -> None:
        """Until no request has been in progress for `settle` seconds (one the closing page sent may
        still be on its way to a server thread), or `seconds` have passed."""
        deadline, idle_since = time.monotonic() + seconds, None
        while time.monotonic() < deadline:
            if self.count:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= settle:
                return
            time.sleep(0.02)


@pytest.fixture(autouse=True)
def _server_idle_before_flush(_seeded, live_server):
    """A page's last poll (presence, live refresh) can still be running in the live server when the
    test ends; flushing the database under it locks SQLite's tables and fails the teardown. Set up
    after the database and before the page, so at teardown the page has closed and the database is
    flushed only once the server has answered what it was answering."""
    httpd = live_server.thread.httpd
    if not isinstance(httpd.get_app(), _InFlight):
        httpd.set_app(_InFlight(httpd.get_app()))
    yield
    httpd.get_app().wait_idle()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture
def page(page):
    """Every page fails its test on a Content-Security-Policy violation or a script error."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_default_timeout(10_000)
    yield page
    assert problems == []


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(live_server):
    """Sign a user in by session cookie (the login form itself is driven in its own test)."""

    def login(page, user, language: str | None = None):
        client = Client()
        client.force_login(user)
        cookies = [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
        language = language or user.language or "zh-hans"
        cookies.append({"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url})
        page.context.add_cookies(cookies)

    return login
