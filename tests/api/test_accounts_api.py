"""Who am I, staff directory, catalog (categories, statuses, priorities) and `issue_api_token`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from gongdan.accounts.models import ApiToken
from gongdan.tickets.models import Category
from tests import factories
from tests.api.conftest import assert_problem


def test_me_describes_a_staff_account(as_agent, agent):
    assert as_agent.get("/api/v1/me").json() == {
        "id": agent.pk,
        "username": "agent_li",
        "display_name": "李坐席",
        "role": "agent",
        "email": "agent_li@staff.example.com",
        "language": "zh-hans",
        "timezone": "Asia/Shanghai",
        "is_superuser": False,
        "teams": ["kefu-1"],
        "customer_id": None,
    }


def test_me_tells_a_customer_their_customer_id(as_customer, customer):
    body = as_customer.get("/api/v1/me").json()
    assert (body["role"], body["customer_id"]) == ("customer", customer.pk)


def test_staff_list_active_staff_filtered_by_role_and_team(as_agent, agent, other_agent, lead, purchasing, customer):
    other_agent.is_active = False
    other_agent.save()
    everyone = as_agent.get("/api/v1/users").json()
    assert [u["username"] for u in everyone] == ["agent_li", "buyer_sun", "lead_zhao"]
    assert [u["username"] for u in as_agent.get("/api/v1/users?role=lead").json()] == ["lead_zhao"]
    assert [u["username"] for u in as_agent.get("/api/v1/users?team=purchasing").json()] == ["buyer_sun"]
    with_inactive = as_agent.get("/api/v1/users?include_inactive=true").json()
    assert [u["username"] for u in with_inactive] == ["agent_li", "agent_wang", "buyer_sun", "lead_zhao"]


def test_staff_list_teams_with_members(as_purchasing, agent, purchasing):
    teams = as_purchasing.get("/api/v1/teams").json()
    assert [(t["code"], t["kind"], t["members"]) for t in teams] == [
        ("kefu-1", "service", [agent.pk]),
        ("purchasing", "department", [purchasing.pk]),
    ]


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/teams"])
def test_customers_cannot_list_staff_or_teams(as_customer, agent, path):
    body = assert_problem(as_customer.get(path), 403, "forbidden")
    assert "agent_li" not in str(body)


def test_categories_come_as_a_bilingual_tree_without_inactive_branches(as_customer):
    fault = factories.category("fault", "故障类")
    login = factories.category("login", "登录问题", parent=fault)
    factories.category("sms-code", "收不到验证码", parent=login)
    retired = factories.category("old", "旧分类")
    factories.category("old-child", "旧子类", parent=retired)
    Category.objects.filter(pk=retired.pk).update(is_active=False)
    assert as_customer.get("/api/v1/categories").json() == [
        {
            "code": "fault",
            "name_zh": "故障类",
            "name_en": "fault",
            "depth": 1,
            "children": [
                {
                    "code": "login",
                    "name_zh": "登录问题",
                    "name_en": "login",
                    "depth": 2,
                    "children": [
                        {
                            "code": "sms-code",
                            "name_zh": "收不到验证码",
                            "name_en": "sms-code",
                            "depth": 3,
                            "children": [],
                        }
                    ],
                }
            ],
        }
    ]


def test_statuses_and_priorities_are_listed_for_integrators(as_customer):
    priorities = as_customer.get("/api/v1/priorities").json()
    assert [p["code"] for p in priorities] == ["P0", "P1", "P2", "P3", "P4"]
    kinds = {s["kind"] for s in as_customer.get("/api/v1/statuses").json()}
    assert kinds == {"new", "open", "pending", "on_hold", "resolved", "closed", "merged"}


def test_issue_api_token_prints_a_token_once_and_stores_only_its_digest(agent):
    out, err = StringIO(), StringIO()
    call_command("issue_api_token", "agent_li", "--name", "ERP sync", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert raw.startswith("gd_")
    assert (token.user, token.name, token.digest, token.prefix) == (agent, "ERP sync", ApiToken.hash(raw), raw[:10])
    assert raw not in str(ApiToken.objects.values().get())
    assert "shown only once" in err.getvalue()
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.json()["username"] == "agent_li"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_issue_api_token_for_an_unknown_user_fails_without_a_token(db):
    with pytest.raises(CommandError, match="No account with username 'ghost'"):
        call_command("issue_api_token", "ghost", "--name", "x", stdout=StringIO())
    assert ApiToken.objects.count() == 0


def test_a_revoked_token_is_refused(client, agent):
    call_command("issue_api_token", "agent_li", "--name", "old", stdout=(out := StringIO()), stderr=StringIO())
    from gongdan.core import clock

    ApiToken.objects.update(revoked_at=clock.now())
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    assert_problem(response, 401, "unauthenticated")
