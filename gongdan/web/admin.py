from django.contrib import admin

from gongdan.web.models import WorkspacePolicy


@admin.register(WorkspacePolicy)
class WorkspacePolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "overload_ratio", "presence_seconds", "refresh_seconds")

    def has_add_permission(self, request):
        # A singleton, created with its defaults by the migration.
        return not WorkspacePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
