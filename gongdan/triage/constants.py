"""Choices and the defaults of triage configuration (rule 10: thresholds live in the database,
these are only the values a fresh rule set or policy starts from)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FaultType(models.TextChoices):
    OUTAGE = "outage", _("Outage")
    PAYMENT = "payment", _("Payment failure")
    FAULT = "fault", _("Fault")
    COMPLAINT = "complaint", _("Complaint")
    REQUEST = "request", _("Request")
    QUESTION = "question", _("Question")


class ImpactScope(models.TextChoices):
    SINGLE = "single", _("One person")
    GROUP = "group", _("Several people")
    SITE = "site", _("A whole site")
    ALL = "all", _("Everyone")


class WindowKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    MONTH_END = "month_end", _("Month-end")
    RELEASE = "release", _("Release window")
    OTHER = "other", _("Other")


class Recurrence(models.TextChoices):
    ONCE = "once", _("One-off date range")
    MONTH_END = "month_end", _("Last days of every month")


class AbGroup(models.TextChoices):
    A = "A", _("A · current rule set")
    B = "B", _("B · previous rule set")


class ClassificationSource(models.TextChoices):
    NONE = "none", _("Not classified")
    MODEL = "model", _("Learned model")
    RULE = "rule", _("Keyword rule")


class CorrectionField(models.TextChoices):
    CATEGORY = "category", _("Category")
    TAGS = "tags", _("Tags")
    SENTIMENT = "sentiment", _("Sentiment")


DEFAULT_AB_SHARE_PERCENT = 10
DEFAULT_CONFIDENCE_FLOOR = 0.5
DEFAULT_TAG_THRESHOLD = 0.5
SUGGESTION_COUNT = 3
# A sample an agent corrected (or accepted) counts this many times in the next training.
CORRECTION_WEIGHT = 3.0
MIN_TRAINING_SAMPLES = 10
MIN_LABEL_SAMPLES = 2

# The rule set a fresh desk starts from (docs/triage.md explains every number).
DEFAULT_RULES = {
    "fault_points": {
        FaultType.OUTAGE: 50,
        FaultType.PAYMENT: 35,
        FaultType.FAULT: 30,
        FaultType.COMPLAINT: 30,
        FaultType.REQUEST: 15,
        FaultType.QUESTION: 10,
    },
    "unknown_fault_points": 30,
    "scope_factors": {ImpactScope.SINGLE: 1.0, ImpactScope.GROUP: 1.3, ImpactScope.SITE: 1.6, ImpactScope.ALL: 2.0},
    "tier_coefficients": {"standard": 1.0, "silver": 1.1, "gold": 1.3, "vip": 1.8},
    "complaint_points": 5,
    "complaint_cap": 20,
    "history_days": 30,
    "large_organization_size": 20,
    "bands": [["P0", 90], ["P1", 60], ["P2", 30], ["P3", 15], ["P4", 0]],
    "default_priority": "P2",
    "category_fault_types": {
        "fault": FaultType.FAULT,
        "outage": FaultType.OUTAGE,
        "hardware": FaultType.FAULT,
        "appliance": FaultType.FAULT,
        "payment": FaultType.PAYMENT,
        "order": FaultType.REQUEST,
        "account": FaultType.QUESTION,
        "complaint": FaultType.COMPLAINT,
    },
    "fault_cues": {
        FaultType.OUTAGE: [
            "宕机",
            "系统崩溃",
            "全部瘫痪",
            "服务不可用",
            "outage",
            "system down",
            "is down for everyone",
        ],
        FaultType.PAYMENT: ["支付失败", "付款失败", "重复扣款", "payment failed", "charged twice"],
        FaultType.COMPLAINT: ["投诉", "complaint", "unacceptable"],
    },
    "scope_cues": {
        ImpactScope.ALL: [
            "全部用户",
            "所有用户",
            "所有门店",
            "全公司",
            "all users",
            "all stores",
            "everyone",
            "whole company",
        ],
        ImpactScope.SITE: ["整个门店", "整个办公室", "整层楼", "全店", "whole office", "whole store", "entire site"],
        ImpactScope.GROUP: ["多个用户", "部分用户", "好几个同事", "several users", "some users", "my team"],
    },
}

# Keyword rules a desk starts from (`manage.py train_triage --seed-rules`, the demo); admins edit them.
DEFAULT_KEYWORD_RULES = [
    {
        "name": "Angry customer / 客户愤怒",
        "keywords": ["气死", "忍无可忍", "太过分", "骗子", "furious", "unacceptable", "ridiculous", "worst service"],
        "sentiment": "angry",
    },
    {
        "name": "Unhappy customer / 客户不满",
        "keywords": ["投诉", "太差", "差评", "很失望", "不满意", "第三次", "complaint", "disappointed", "terrible"],
        "sentiment": "negative",
    },
    {
        "name": "Happy customer / 客户满意",
        "keywords": ["非常满意", "太棒了", "点赞", "表扬", "great job", "thank you so much", "excellent service"],
        "sentiment": "positive",
    },
    {
        "name": "Payment failed / 支付失败",
        "keywords": ["支付失败", "付款失败", "payment failed", "payment declined"],
        "category": "pay-failed",
        "tags": ["支付"],
    },
]
