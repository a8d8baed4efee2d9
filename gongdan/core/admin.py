import zoneinfo
from functools import cache

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.utils.translation import gettext_lazy as _

from gongdan.core.models import IdempotencyRecord

admin.site.site_header = _("Gongdan administration")
admin.site.site_title = _("Gongdan admin")
admin.site.index_title = _("Service desk configuration")


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class TimeZoneFormMixin:
    """For model forms with a free-text `timezone`: only IANA names (Asia/Shanghai) are accepted."""

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"].strip()
        if value not in _time_zones():
            raise forms.ValidationError(_("Unknown time zone: use an IANA name such as Asia/Shanghai."))
        return value


class ReadOnlyAdminMixin:
    """A view-only admin: the change view renders as a read-only page and nothing can be added,
    edited or deleted. For rows that only services write (rule 1) and logs that are append-only."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # Every shown field is read-only, so non-editable ones (auto_now_add, editable=False) can be listed too.
        if self.fieldsets:
            return flatten_fieldsets(self.fieldsets)
        if self.fields:
            return list(self.fields)
        opts = self.model._meta
        return [field.name for field in [*opts.fields, *opts.many_to_many] if not field.primary_key]


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["scope", "key", "method", "path", "status_code", "created_at"]
    list_filter = ["method", "status_code", "created_at"]
    search_fields = ["=scope", "key", "path"]
    fields = ["scope", "key", "method", "path", "request_hash", "status_code", "content_type", "created_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False


class SecretFieldsForm(forms.ModelForm):
    """Admin form for models with encrypted secrets (`core.secrets.EncryptedTextField`): a stored
    secret is never sent back to the browser. The page says "set" or "not set"; typing a value
    replaces it and leaving the box empty keeps it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stored = {}
        for name in self.secret_names():
            stored = getattr(self.instance, name) if self.instance.pk else ""
            self._stored[name] = stored
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            field.initial = ""
            field.required = field.required and not stored
            field.help_text = (
                _("Set. Type a new value to replace it; leave empty to keep it.") if stored else _("Not set.")
            )

    def secret_names(self) -> list[str]:
        model_fields = {f.name: f for f in self._meta.model._meta.concrete_fields}
        return [name for name in self.fields if getattr(model_fields.get(name), "is_secret", False)]

    def clean(self):
        data = super().clean()
        for name, stored in self._stored.items():
            if not data.get(name) and stored:
                data[name] = stored
        return data
