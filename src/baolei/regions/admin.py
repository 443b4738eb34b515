from django.contrib import admin

from baolei.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Regions come from the NBS files via `baolei load-regions`; the admin only reads."""

    list_display = ["code", "name", "level", "full_name"]
    list_filter = ["level"]
    search_fields = ["=code", "name"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
