from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    VIP = "vip", _("VIP")


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WECOM = "wecom", _("WeCom user id")
    DINGTALK = "dingtalk", _("DingTalk user id")
    FEISHU = "feishu", _("Feishu open id")
    WECHAT = "wechat", _("WeChat open id")
    CRM = "crm", _("CRM id")
