from django.contrib import admin

from gongdan.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is appended by the application, never edited."""

    list_display = ["at", "action", "actor_label", "ip", "object_repr", "detail"]
    list_filter = ["action"]
    search_fields = ["actor_label", "ip", "object_repr", "detail"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _hide_otp_device_admins() -> None:
    """django-otp's own admin pages show device keys; devices are managed on the account page and by
    the user actions in accounts.admin (a secret is never shown again after enrolment). This runs
    here because this app comes after django-otp's in INSTALLED_APPS."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_hide_otp_device_admins()
