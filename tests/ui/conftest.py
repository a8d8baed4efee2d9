"""Browser tests: pytest-playwright driving Debian's Chromium against Django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (scripts/system-deps.sh checks it).
Screenshots of the main pages go to var/artifacts/screenshots (git-ignored).
"""

import importlib
import os
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
        language = language or user.language
        cookies.append({"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url})
        page.context.add_cookies(cookies)

    return login
