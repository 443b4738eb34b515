from django.contrib import admin

from baolei.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the admin can look, never add, change or delete."""

    list_display = ["at", "actor_name", "channel", "action", "model", "object_repr", "region_code"]
    list_filter = ["action", "channel", "model"]
    search_fields = ["actor_name", "object_repr", "region_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
