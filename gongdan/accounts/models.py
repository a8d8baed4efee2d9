import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongdan.accounts import constants as c
from gongdan.accounts.constants import DESK_ROLES, STAFF_ROLES, Availability, Role, TeamKind


class Team(models.Model):
    """A service team or a department (tech, purchasing, logistics…); departments may nest."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices, default=TeamKind.SERVICE)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    lead = models.ForeignKey(
        "accounts.User", verbose_name=_("lead"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("team / department")
        verbose_name_plural = _("teams / departments")

    def __str__(self) -> str:
        return f"{self.name_zh} / {self.name_en}"


class User(AbstractUser):
    """An individual account. Shared accounts are not allowed (R1.4): one person, one login."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    teams = models.ManyToManyField(Team, verbose_name=_("teams"), blank=True, related_name="members")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Empty until the person picks a language: until then every sign-in follows the browser (issue 17).
    language = models.CharField(
        _("language"),
        max_length=10,
        default="",
        blank=True,
        choices=[("", _("As the browser asks")), ("zh-hans", "简体中文"), ("en", "English")],
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    availability = models.CharField(
        _("availability"), max_length=20, choices=Availability.choices, default=Availability.OFF
    )
    # Routing (R6.1, R6.3): VIP tickets go to senior people; field engineers are dispatched by distance.
    seniority = models.PositiveSmallIntegerField(
        _("seniority"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        default=1,
        help_text=_("1 = new … 5 = most senior; VIP tickets go to people at or above the routing policy's level."),
    )
    home_latitude = models.FloatField(
        _("home latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    home_longitude = models.FloatField(
        _("home longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    last_latitude = models.FloatField(
        _("last known latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    last_longitude = models.FloatField(
        _("last known longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    last_located_at = models.DateTimeField(_("last known location at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_desk_role(self) -> bool:
        return self.role in DESK_ROLES


class Skill(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return f"{self.name_zh} / {self.name_en}"


class UserSkill(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="holders")
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"), validators=[MinValueValidator(1), MaxValueValidator(5)], default=3
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "skill"], name="uniq_user_skill")]
        verbose_name = _("user skill")
        verbose_name_plural = _("user skills")

    def __str__(self) -> str:
        return f"{self.user} · {self.skill.code} ({self.proficiency})"


class Shift(models.Model):
    """A weekly working window; an overnight shift has `end` earlier than `start`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)], help_text=_("0 = Monday … 6 = Sunday")
    )
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        ordering = ["user", "weekday", "start"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.user} {self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def is_overnight(self) -> bool:
        return self.end <= self.start


class ApiToken(models.Model):
    """A personal API token for integrators. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "gd_" + secrets.token_urlsafe(32)


class SecurityPolicy(models.Model):
    """Sign-in lockout, link-mail limits, session lifetimes and who must use 2FA (one row, pk=1)."""

    lockout_account_failures = models.PositiveSmallIntegerField(
        _("failed sign-ins before an account is locked"),
        default=c.LOCKOUT_ACCOUNT_FAILURES,
        validators=[MinValueValidator(1)],
    )
    lockout_ip_failures = models.PositiveSmallIntegerField(
        _("failed sign-ins before an IP address is locked"),
        default=c.LOCKOUT_IP_FAILURES,
        validators=[MinValueValidator(1)],
    )
    lockout_window_minutes = models.PositiveIntegerField(
        _("failures counted over (minutes)"), default=c.LOCKOUT_WINDOW_MINUTES, validators=[MinValueValidator(1)]
    )
    lockout_minutes = models.PositiveIntegerField(
        _("lockout lasts (minutes)"), default=c.LOCKOUT_MINUTES, validators=[MinValueValidator(1)]
    )
    link_mails_per_address = models.PositiveSmallIntegerField(
        _("sign-in link mails per address per window"),
        default=c.LINK_MAILS_PER_ADDRESS,
        validators=[MinValueValidator(1)],
    )
    link_requests_per_ip = models.PositiveSmallIntegerField(
        _("sign-in link requests per IP address per window"),
        default=c.LINK_REQUESTS_PER_IP,
        validators=[MinValueValidator(1)],
    )
    link_window_minutes = models.PositiveIntegerField(
        _("sign-in link window (minutes)"), default=c.LINK_WINDOW_MINUTES, validators=[MinValueValidator(1)]
    )
    session_idle_minutes = models.PositiveIntegerField(
        _("sign out after idle (minutes)"), default=c.SESSION_IDLE_MINUTES, validators=[MinValueValidator(1)]
    )
    session_absolute_hours = models.PositiveIntegerField(
        _("sign out after (hours) regardless of activity"),
        default=c.SESSION_ABSOLUTE_HOURS,
        validators=[MinValueValidator(1)],
    )
    mfa_required_roles = models.JSONField(
        _("roles that must use two-factor sign-in"),
        default=list,
        blank=True,
        help_text=_('A list of role codes, e.g. ["admin", "lead"]. Customers never need it.'),
    )

    class Meta:
        verbose_name = _("sign-in security policy")
        verbose_name_plural = _("sign-in security policy")

    def __str__(self) -> str:
        return str(_("sign-in security policy"))

    @classmethod
    def current(cls) -> "SecurityPolicy":
        from gongdan.core import configcache

        # Unsaved defaults until an admin saves the row: reading never writes.
        return configcache.cached("accounts.SecurityPolicy", lambda: cls.objects.filter(pk=1).first() or cls(pk=1))


class SignInThrottle(models.Model):
    """Failures (or link mails) counted per account, IP or address in a window, and a lock."""

    scope = models.CharField(_("scope"), max_length=20, choices=c.ThrottleScope.choices)
    key = models.CharField(_("key"), max_length=200)
    count = models.PositiveIntegerField(_("count"), default=0)
    window_started_at = models.DateTimeField(_("window started at"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="uniq_signin_throttle")]
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class UserSession(models.Model):
    """One signed-in browser: what the user sees under "my sessions" and can revoke."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in at"))
    last_seen_at = models.DateTimeField(_("last seen"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "ended_at"], name="usersession_user_open")]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.ip or '-'} {self.created_at:%Y-%m-%d %H:%M}"
