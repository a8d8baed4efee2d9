from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    LEAD = "lead", _("Team lead")
    AGENT = "agent", _("Agent")
    DEPARTMENT = "department", _("Department staff")
    CUSTOMER = "customer", _("Customer")


STAFF_ROLES = {Role.ADMIN, Role.LEAD, Role.AGENT, Role.DEPARTMENT}
DESK_ROLES = {Role.ADMIN, Role.LEAD, Role.AGENT}


class TeamKind(models.TextChoices):
    SERVICE = "service", _("Service team")
    DEPARTMENT = "department", _("Department")
    FIELD = "field", _("Field service")


class Availability(models.TextChoices):
    ON_SHIFT = "on_shift", _("On shift")
    ON_BREAK = "on_break", _("On break")
    OFF = "off", _("Off")
