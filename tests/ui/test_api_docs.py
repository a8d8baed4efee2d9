"""The API docs page draws Swagger UI from vendored files under the app's own CSP (issue 17, defect 5)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_api_docs_draw_the_operations_without_a_cdn(page, live_server, agent, sign_in):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    sign_in(page, agent)

    page.goto(live_server.url + "/api/v1/docs")

    expect(page.locator("#swagger-ui .info .title")).to_contain_text("Gongdan API")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert page.locator("#swagger-ui .opblock").count() > 20
    assert outside == []
