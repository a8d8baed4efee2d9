from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gongdan.accounts.models import ApiToken, Shift, Skill, Team, User, UserSkill
from gongdan.core import clock
from gongdan.core.admin import TimeZoneFormMixin


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

    def get_inline_instances(self, request, obj=None):
        # The add page is the short first step (account and password); skills and shifts come after.
        return super().get_inline_instances(request, obj) if obj is not None else []


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued to their owner once; here they can only be listed and revoked."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "prefix", "user__username", "user__display_name"]
    list_select_related = ["user"]
    fields = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

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
