from django.db import migrations

PRIORITIES = [
    ("P0", 0, "立即响应", "Critical", "#dc3545"),
    ("P1", 1, "高", "High", "#fd7e14"),
    ("P2", 2, "中", "Normal", "#0d6efd"),
    ("P3", 3, "低", "Low", "#6c757d"),
    ("P4", 4, "最低", "Lowest", "#adb5bd"),
]

STATUSES = [
    ("new", "new", "新建", "New", 10),
    ("open", "open", "处理中", "Open", 20),
    ("pending-customer", "pending", "待客户回复", "Pending (customer)", 30),
    ("pending-third-party", "pending", "待第三方", "Pending (third party)", 31),
    ("on-hold", "on_hold", "挂起", "On hold", 40),
    ("resolved", "resolved", "已解决（待确认）", "Resolved (awaiting confirmation)", 50),
    ("closed", "closed", "已关闭", "Closed", 60),
    ("merged", "merged", "已合并", "Merged", 70),
]
DEFAULT_KEYS = {"new", "open", "pending-customer", "on-hold", "resolved", "closed", "merged"}


def seed(apps, schema_editor):
    Priority = apps.get_model("tickets", "Priority")
    Status = apps.get_model("tickets", "Status")
    DeskPolicy = apps.get_model("tickets", "DeskPolicy")
    for code, rank, zh, en, color in PRIORITIES:
        Priority.objects.update_or_create(code=code, defaults={"rank": rank, "name_zh": zh, "name_en": en, "color": color})
    for key, kind, zh, en, order in STATUSES:
        Status.objects.update_or_create(
            key=key,
            defaults={"kind": kind, "label_zh": zh, "label_en": en, "order": order, "is_default": key in DEFAULT_KEYS},
        )
    from gongdan.tickets.models import DeskPolicy as LiveDeskPolicy

    DeskPolicy.objects.get_or_create(pk=1, defaults=LiveDeskPolicy.default_values())


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
