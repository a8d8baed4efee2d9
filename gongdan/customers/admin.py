from django import forms
from django.contrib import admin

from gongdan.core.admin import TimeZoneFormMixin
from gongdan.core.errors import InvalidInput
from gongdan.customers.models import Customer, CustomerIdentity, Device, Organization
from gongdan.customers.services import normalise_identity


class CustomerIdentityForm(forms.ModelForm):
    """Identities are stored normalised (lower-case email, digits-only phone), as customers.services does."""

    class Meta:
        model = CustomerIdentity
        fields = ["customer", "kind", "value", "verified"]

    def clean(self):
        data = super().clean()
        kind, value = data.get("kind"), data.get("value")
        if kind and value:
            try:
                data["value"] = normalise_identity(kind, value)
            except InvalidInput as exc:
                self.add_error("value", exc.bilingual)
        # The instance is built from cleaned_data afterwards, so uniqueness is checked on the normalised value.
        return data


class CustomerForm(TimeZoneFormMixin, forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["name", "organization", "user", "tier", "timezone", "language", "sees_organization_tickets", "notes"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "tier", "share_tickets"]
    list_filter = ["tier", "share_tickets"]
    search_fields = ["name", "domain"]


class CustomerIdentityInline(admin.TabularInline):
    model = CustomerIdentity
    form = CustomerIdentityForm
    extra = 0
    fields = ["kind", "value", "verified", "created_at"]
    readonly_fields = ["created_at"]


class DeviceInline(admin.TabularInline):
    model = Device
    extra = 0
    fields = ["serial_number", "model", "installed_at", "location"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerForm
    list_display = ["name", "organization", "tier", "language", "user", "created_at"]
    list_filter = ["tier", "language", "sees_organization_tickets"]
    search_fields = ["name", "organization__name", "identities__value", "devices__serial_number"]
    list_select_related = ["organization", "user"]
    autocomplete_fields = ["organization", "user"]
    readonly_fields = ["created_at"]
    inlines = [CustomerIdentityInline, DeviceInline]
    date_hierarchy = "created_at"


@admin.register(CustomerIdentity)
class CustomerIdentityAdmin(admin.ModelAdmin):
    form = CustomerIdentityForm
    list_display = ["value", "kind", "customer", "verified", "created_at"]
    list_filter = ["kind", "verified"]
    search_fields = ["value", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["created_at"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["serial_number", "model", "customer", "installed_at", "location"]
    list_filter = ["installed_at"]
    search_fields = ["serial_number", "model", "location", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
