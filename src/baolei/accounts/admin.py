from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from baolei.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "scope_region", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "phone"]
    raw_id_fields = ["scope_region"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Baolei", {"fields": ("full_name", "phone", "role", "scope_region")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix", "created_at", "last_used_at"]
