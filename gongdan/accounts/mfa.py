"""Two-factor sign-in for staff (R14.1): TOTP (an authenticator app) with one-time recovery codes,
on django-otp's devices (ADR 0016). Which roles must use it is data
(`SecurityPolicy.mfa_required_roles`). API tokens are not affected: a token is its own credential."""

from __future__ import annotations

import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongdan.accounts.constants import RECOVERY_CODE_COUNT, Role
from gongdan.accounts.models import SecurityPolicy
from gongdan.audit import services as audit
from gongdan.audit.constants import Action
from gongdan.core.errors import InvalidInput, PermissionDenied

SESSION_FLAG = "gd_mfa"
DEVICE_NAME = "authenticator"


def role_of(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def required_for(user, policy: SecurityPolicy | None = None) -> bool:
    policy = policy or SecurityPolicy.current()
    role = role_of(user)
    return role != Role.CUSTOMER and role in (policy.mfa_required_roles or [])


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def begin_enrolment(*, user) -> TOTPDevice:
    """A fresh, unconfirmed secret for the enrolment page (a reload shows the same one)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code (no external service, no CDN)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm_enrolment(*, user, token: str, ip: str | None = None) -> list[str]:
    """Check the first code from the app; on success the device counts and recovery codes are
    returned (once: only the device's copies remain, which are consumed on use)."""
    codes = _confirm(user, token, ip)
    if codes is None:
        audit.record(action=Action.MFA_FAILED, actor=user, ip=ip, detail="enrolment")
        raise InvalidInput(
            "That code is not right. Check the time on your phone and try the newest code.",
            "验证码不正确。请检查手机时间并输入最新的验证码。",
            fields={"token": "invalid"},
        )
    return codes


@transaction.atomic
def _confirm(user, token: str, ip: str | None) -> list[str] | None:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False, name=DEVICE_NAME).first()
    if device is None:
        raise InvalidInput("Start the enrolment again.", "请重新开始绑定。", fields={"token": "expired"})
    if not device.verify_token(_clean(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit.record(action=Action.MFA_ENROLLED, actor=user, ip=ip, target=device)
    return codes


def _clean(token: str) -> str:
    return "".join((token or "").split()).lower()[:32]


@transaction.atomic
def verify(*, user, token: str, ip: str | None = None) -> bool:
    """A code from the app, or one recovery code (used up)."""
    token = _clean(token)
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(token):
            audit.record(action=Action.MFA_VERIFIED, actor=user, ip=ip, detail="totp")
            return True
    for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(token):
            left = recovery_codes_left(user)
            audit.record(action=Action.MFA_RECOVERY_USED, actor=user, ip=ip, detail=f"{left} left")
            return True
    return False


@transaction.atomic
def renew_recovery_codes(*, user, ip: str | None = None) -> list[str]:
    if not is_enrolled(user):
        raise InvalidInput("Enrol an authenticator app first.", "请先绑定身份验证器应用。")
    codes = _new_recovery_codes(user)
    audit.record(action=Action.MFA_RECOVERY_RENEWED, actor=user, ip=ip)
    return codes


@transaction.atomic
def reset(*, actor, user, ip: str | None = None) -> None:
    """Remove a user's second factor: admins for anyone (a lost phone); users for themselves when
    their role does not require it."""
    is_admin = actor.is_superuser or actor.role == Role.ADMIN
    if not is_admin and (actor.pk != user.pk or required_for(user)):
        raise PermissionDenied(
            "Your role requires two-factor sign-in; ask an administrator to reset it.",
            "您的角色必须使用双因素登录；如需重置请联系管理员。",
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(action=Action.MFA_RESET, actor=actor, ip=ip, target=user)
