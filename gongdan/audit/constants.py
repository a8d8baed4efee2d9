from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    SIGNIN_SUCCESS = "signin.success", _("Signed in")
    SIGNIN_FAILURE = "signin.failure", _("Sign-in failed")
    SIGNIN_LOCKOUT = "signin.lockout", _("Sign-in locked out")
    SIGNIN_UNLOCK = "signin.unlock", _("Sign-in lock lifted")
    SIGNOUT = "signout", _("Signed out")
    SIGNOUT_EVERYWHERE = "signout.everywhere", _("Signed out everywhere")
    SESSION_REVOKED = "session.revoked", _("Session revoked")
    SESSION_EXPIRED = "session.expired", _("Session expired")
    LINK_SENT = "link.sent", _("Sign-in link sent")
    LINK_THROTTLED = "link.throttled", _("Sign-in link refused (rate limit)")
    MFA_ENROLLED = "mfa.enrolled", _("Two-factor authentication enrolled")
    MFA_VERIFIED = "mfa.verified", _("Two-factor code accepted")
    MFA_FAILED = "mfa.failed", _("Two-factor code refused")
    MFA_RECOVERY_USED = "mfa.recovery_used", _("Recovery code used")
    MFA_RECOVERY_RENEWED = "mfa.recovery_renewed", _("Recovery codes renewed")
    MFA_RESET = "mfa.reset", _("Two-factor authentication removed")
    CONFIG_CREATED = "config.created", _("Configuration created")
    CONFIG_UPDATED = "config.updated", _("Configuration changed")
    CONFIG_DELETED = "config.deleted", _("Configuration deleted")


SIGNIN_ACTIONS = [a for a in Action.values if not a.startswith("config.")]
CONFIG_ACTIONS = [a for a in Action.values if a.startswith("config.")]
# Values longer than this are cut in before/after snapshots (a classifier blob is not an audit value).
SNAPSHOT_VALUE_LIMIT = 500
EXPORT_CHUNK = 500
