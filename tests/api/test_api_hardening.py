"""Issue 13, item 8: every 4xx under /api/ is problem+json, unknown query parameters are refused,
cookies are Secure under HTTPS settings, DEBUG is off unless asked for."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.api.conftest import assert_problem


def test_an_unknown_api_path_is_a_404_problem(as_agent):
    body = assert_problem(as_agent.get("/api/v1/no-such-thing"), 404, "not-found")
    assert body["detail_zh"] == "不存在该 API 资源。"
    assert_problem(as_agent.get("/api/v2/tickets"), 404, "not-found")


def test_a_wrong_method_is_a_405_problem_that_keeps_the_allow_header(as_agent, ticket):
    response = as_agent.delete(f"/api/v1/tickets/{ticket.number}")
    assert_problem(response, 405, "method-not-allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_a_session_write_without_the_csrf_token_is_a_403_problem(agent, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post(
        "/api/v1/tickets", {"subject": "x", "customer_id": customer.pk}, content_type="application/json"
    )
    assert_problem(response, 403, "forbidden")


def test_an_oversized_body_is_a_413_or_400_problem(as_agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = as_agent.post("/api/v1/tickets", {"subject": "x" * 5000}, content_type="application/json")
    assert response.status_code in (400, 413)
    assert response["Content-Type"] == "application/problem+json"


def test_a_page_outside_the_api_keeps_its_html_404(as_agent):
    response = as_agent.get("/desk/t/GD-999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "unknown"),
    [
        ("/api/v1/tickets?stauts=open", ["stauts"]),
        ("/api/v1/tickets?status=open&assigne=me&page=2", ["assigne", "page"]),
        ("/api/v1/customers?name=张", ["name"]),
        ("/api/v1/users?rol=agent", ["rol"]),
        ("/api/v1/duplicates/related?q=打印机&limt=3", ["limt"]),
        ("/api/v1/intake/dead-letters?sate=open", ["sate"]),
        ("/api/v1/statuses?lang=en", ["lang"]),
    ],
)
def test_unknown_query_parameters_are_refused_with_their_names(as_admin, path, unknown):
    body = assert_problem(as_admin.get(path), 422, "unknown-parameter")
    assert body["errors"] == dict.fromkeys(unknown, "unknown_parameter")
    assert ", ".join(unknown) in body["detail_en"]


def test_known_query_parameters_still_work(as_agent, ticket):
    response = as_agent.get("/api/v1/tickets?status=new&order=newest&limit=5")
    assert response.status_code == 200
    assert [item["number"] for item in response.json()["items"]] == [ticket.number]


def test_an_anonymous_caller_with_unknown_parameters_is_asked_to_authenticate_first(client, db):
    assert_problem(client.get("/api/v1/tickets?stauts=open"), 401, "unauthenticated")


def _settings_in_a_fresh_process(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GONGDAN_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="gongdan.config.settings", GONGDAN_VAR_DIR=env.get("VAR", "/tmp"))
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_debug_is_off_and_cookies_plain_by_default(tmp_path):
    assert _settings_in_a_fresh_process(VAR=str(tmp_path)) == "False False False None"


def test_an_https_site_gets_secure_cookies_and_debug_can_be_turned_on(tmp_path):
    https = _settings_in_a_fresh_process(
        VAR=str(tmp_path), GONGDAN_SITE_URL="https://desk.example.com", GONGDAN_BEHIND_TLS_PROXY="1"
    )
    assert https == "False True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    assert _settings_in_a_fresh_process(VAR=str(tmp_path), GONGDAN_DEBUG="true").startswith("True ")


def test_make_run_turns_debug_on():
    script = (settings.BASE_DIR / "scripts" / "run.sh").read_text()
    assert 'export GONGDAN_DEBUG="${GONGDAN_DEBUG:-true}"' in script
