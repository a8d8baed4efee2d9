"""The Simplified Chinese catalog is complete and is what Chinese-speaking users see."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from gongdan.accounts.constants import Role
from gongdan.accounts.models import User
from gongdan.customers.models import Customer, Device
from gongdan.tickets.constants import PriorityCode, StatusKind
from gongdan.tickets.models import Priority, Ticket, TicketEvent

PO_FILE = Path(django_settings.BASE_DIR) / "gongdan" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MSGFMT = shutil.which("msgfmt")

needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="msgfmt (GNU gettext) is not installed")


def msgfmt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MSGFMT, *args], capture_output=True, text=True, check=False)


@pytest.fixture
def chinese_catalog(tmp_path, settings):
    """Compile the .po under test into a private locale dir (the .mo in the tree is a build product)."""
    target = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    result = msgfmt("--check", "-o", str(target / "django.mo"), str(PO_FILE))
    assert result.returncode == 0, result.stderr
    # Changing LOCALE_PATHS resets Django's translation caches, so the fresh catalog is loaded.
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    return target / "django.mo"


@needs_msgfmt
def test_every_message_in_the_chinese_catalog_is_translated_and_none_is_fuzzy():
    result = msgfmt("--check", "--statistics", "-o", "/dev/null", str(PO_FILE))

    assert result.returncode == 0
    assert re.fullmatch(r"\d+ translated messages\.\n", result.stderr), result.stderr
    fuzzy_flags = [
        line for line in PO_FILE.read_text(encoding="utf-8").splitlines() if line.startswith("#,") and "fuzzy" in line
    ]
    assert fuzzy_flags == []


@needs_msgfmt
def test_model_names_come_out_in_chinese(chinese_catalog):
    with translation.override("zh-hans"):
        names = [str(model._meta.verbose_name) for model in (Ticket, TicketEvent, Priority, Customer, Device, User)]
        field = str(Ticket._meta.get_field("assignee").verbose_name)

    assert names == ["工单", "时间线事件", "优先级", "客户", "设备", "用户"]
    assert field == "处理人"


@needs_msgfmt
def test_status_kinds_roles_and_priority_codes_come_out_in_chinese(chinese_catalog):
    with translation.override("zh-hans"):
        kinds = [str(label) for label in StatusKind.labels]
        roles = [str(label) for label in Role.labels]
        p0 = str(PriorityCode.P0.label)

    assert kinds == ["新建", "处理中", "等待中", "挂起", "已解决", "已关闭", "已合并"]
    assert roles == ["管理员", "组长", "坐席", "部门人员", "客户"]
    assert p0 == "P0 · 紧急，立即响应"


@needs_msgfmt
def test_english_stays_english(chinese_catalog):
    with translation.override("en"):
        kinds = [str(label) for label in StatusKind.labels]

    assert kinds == ["New", "Open", "Pending", "On hold", "Resolved", "Closed", "Merged"]


@needs_msgfmt
def test_the_admin_ticket_list_speaks_chinese_by_default(chinese_catalog, client, admin_user, ticket):
    client.force_login(admin_user)

    response = client.get(reverse("admin:tickets_ticket_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    page = response.content.decode()
    for header in ("编号", "标题", "状态", "优先级", "客户", "处理人", "团队", "创建时间"):
        assert f">{header}</a>" in page, header
    assert "<title>选择工单查看 | 工单管理后台</title>" in page
