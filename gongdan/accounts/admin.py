from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gongdan.accounts import mfa, sessions, throttle
from gongdan.accounts.constants import STAFF_ROLES, Role, ThrottleScope
from gongdan.accounts.models import (
    ApiToken,
    SecurityPolicy,
    Shift,
    SignInThrottle,
    Skill,
    Team,
    User,
    UserSession,
    UserSkill,
)
from gongdan.core import clock
from gongdan.core.admin import ReadOnlyAdminMixin, TimeZoneFormMixin
from gongdan.core.context import client_ip


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "parent", "lead", "email"]
    list_filter = ["kind"]
    search_fields = ["code", "name_zh", "name_en", "email"]
    list_select_related = ["parent", "lead"]
    autocomplete_fields = ["parent", "lead"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]


class UserSkillInline(admin.TabularInline):
    model = UserSkill
    extra = 0
    autocomplete_fields = ["skill"]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


class UserForm(TimeZoneFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class UserAddForm(TimeZoneFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserForm
    add_form = UserAddForm
    list_display = ["username", "display_name", "email", "role", "availability", "language", "is_staff", "is_active"]
    list_filter = ["role", "availability", "language", "teams", "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email", "phone"]
    filter_horizontal = ["teams", "groups", "user_permissions"]
    inlines = [UserSkillInline, ShiftInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("display_name", "first_name", "last_name", "email", "phone")}),
        (_("Service desk"), {"fields": ("role", "teams", "availability", "seniority", "language", "timezone")}),
        (
            _("Location (field dispatch)"),
            {
                "fields": (
                    ("home_latitude", "home_longitude"),
                    ("last_latitude", "last_longitude", "last_located_at"),
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Service desk"), {"fields": ("display_name", "email", "role", "language", "timezone")}),
    )

    actions = ["unlock_sign_in", "reset_two_factor", "sign_out_everywhere"]

    @admin.action(description=_("Lift sign-in locks of the selected accounts"))
    def unlock_sign_in(self, request, queryset) -> None:
        keys = [throttle.account_key(u.get_username()) for u in queryset]
        rows = SignInThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key__in=keys)
        count = 0
        for row in rows:
            throttle.unlock(actor=request.user, throttle=row, ip=client_ip(request))
            count += 1
        self.message_user(request, _("Locks lifted: %(count)d.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Remove two-factor sign-in (lost phone)"))
    def reset_two_factor(self, request, queryset) -> None:
        for user in queryset:
            mfa.reset(actor=request.user, user=user, ip=client_ip(request))
        self.message_user(request, _("Two-factor sign-in removed for %(count)d accounts.") % {"count": len(queryset)})

    @admin.action(description=_("Sign the selected accounts out everywhere"))
    def sign_out_everywhere(self, request, queryset) -> None:
        ended = sum(
            sessions.sign_out_everywhere(actor=request.user, user=user, ip=client_ip(request)) for user in queryset
        )
        self.message_user(request, _("Sessions ended: %(count)d.") % {"count": ended})

    def get_inline_instances(self, request, obj=None):
        # The add page is the short first step (account and password); skills and shifts come after.
        return super().get_inline_instances(request, obj) if obj is not None else []


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Tokens are issued to their owner once; here they can only be listed and revoked."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "prefix", "user__username", "user__display_name"]
    list_select_related = ["user"]
    fields = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description=_("Revoke selected API tokens"), permissions=["revoke"])
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=clock.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )


class SecurityPolicyForm(forms.ModelForm):
    mfa_required_roles = forms.MultipleChoiceField(
        label=_("roles that must use two-factor sign-in"),
        choices=[(role.value, role.label) for role in Role if role in STAFF_ROLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = SecurityPolicy
        fields = [
            "lockout_account_failures",
            "lockout_ip_failures",
            "lockout_window_minutes",
            "lockout_minutes",
            "link_mails_per_address",
            "link_requests_per_ip",
            "link_window_minutes",
            "session_idle_minutes",
            "session_absolute_hours",
            "mfa_required_roles",
        ]


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(admin.ModelAdmin):
    """One row: the defaults apply until an admin saves other values."""

    form = SecurityPolicyForm
    fieldsets = (
        (
            _("Password sign-in lockout"),
            {
                "fields": (
                    "lockout_account_failures",
                    "lockout_ip_failures",
                    "lockout_window_minutes",
                    "lockout_minutes",
                )
            },
        ),
        (
            _("Sign-in link mails"),
            {"fields": ("link_mails_per_address", "link_requests_per_ip", "link_window_minutes")},
        ),
        (_("Sessions"), {"fields": ("session_idle_minutes", "session_absolute_hours")}),
        (_("Two-factor sign-in"), {"fields": ("mfa_required_roles",)}),
    )

    def has_add_permission(self, request) -> bool:
        return not SecurityPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SignInThrottle)
class SignInThrottleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Failure counters and locks; an admin lifts a lock with the action (recorded in the audit trail)."""

    list_display = ["scope", "key", "count", "window_started_at", "locked_until"]
    list_filter = ["scope", ("locked_until", admin.EmptyFieldListFilter)]
    search_fields = ["key"]
    actions = ["unlock"]

    def has_unlock_permission(self, request) -> bool:
        return request.user.is_superuser or request.user.role == Role.ADMIN

    @admin.action(description=_("Lift the selected locks"), permissions=["unlock"])
    def unlock(self, request, queryset) -> None:
        rows = list(queryset)
        for row in rows:
            throttle.unlock(actor=request.user, throttle=row, ip=client_ip(request))
        self.message_user(request, _("Locks lifted: %(count)d.") % {"count": len(rows)}, messages.SUCCESS)


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "ip", "user_agent", "created_at", "last_seen_at", "ended_at"]
    # Listed so the read-only page never shows the session key (a bearer secret).
    fields = list_display
    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "ip"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_revoke_permission(self, request) -> bool:
        return request.user.is_superuser or request.user.role == Role.ADMIN

    @admin.action(description=_("Sign the selected sessions out"), permissions=["revoke"])
    def revoke(self, request, queryset) -> None:
        rows = list(queryset.filter(ended_at__isnull=True))
        for row in rows:
            sessions.revoke(actor=request.user, session_id=row.pk, ip=client_ip(request))
        self.message_user(request, _("Sessions ended: %(count)d.") % {"count": len(rows)}, messages.SUCCESS)
