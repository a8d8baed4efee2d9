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


# Sign-in security defaults (R14.1); each is a field of `SecurityPolicy`, editable by admins.
LOCKOUT_ACCOUNT_FAILURES = 5
LOCKOUT_IP_FAILURES = 20
LOCKOUT_WINDOW_MINUTES = 15
LOCKOUT_MINUTES = 15
LINK_MAILS_PER_ADDRESS = 3
LINK_REQUESTS_PER_IP = 20
LINK_WINDOW_MINUTES = 60
SESSION_IDLE_MINUTES = 8 * 60
SESSION_ABSOLUTE_HOURS = 7 * 24
MFA_PENDING_MINUTES = 5
RECOVERY_CODE_COUNT = 10
# A session's "last seen" is written at most this often, so reading pages does not write on every request.
SESSION_TOUCH_SECONDS = 60


class ThrottleScope(models.TextChoices):
    ACCOUNT = "account", _("Account (password sign-in)")
    IP = "ip", _("IP address (password sign-in)")
    LINK_ADDRESS = "link_address", _("Email address (sign-in link)")
    LINK_IP = "link_ip", _("IP address (sign-in link)")
