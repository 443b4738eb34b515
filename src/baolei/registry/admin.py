"""The register in Django's admin: for looking, not for editing.

Changes go through the pages, the API and the importers, which check the rules (one
person, one household; the ID number; optimistic locking; procedures for the status).
Only the annual standards, reference values, are editable here (and on their page).
"""

from django.contrib import admin

from baolei.registry import models


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False  # no COUNT(*) over a national table on every page
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MemberInline(admin.TabularInline):
    model = models.Member
    fields = ["person", "relation", "labour_capacity", "health"]
    raw_id_fields = ["person"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["number", "village", "head", "status", "monitoring_type", "version"]
    list_filter = ["status", "monitoring_type", "attribute", "registered_poor"]
    list_select_related = ["village", "head"]
    search_fields = ["=number"]
    inlines = [MemberInline]


@admin.register(models.Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "masked_id_number", "sex", "birth_date", "region_code"]
    search_fields = ["=id_number", "name"]


@admin.register(models.HouseholdYear)
class HouseholdYearAdmin(ReadOnlyAdmin):
    list_display = ["household", "year", "per_capita_net_income", "member_count"]
    list_select_related = ["household"]
    search_fields = ["=household__number"]


@admin.register(models.Helper)
class HelperAdmin(ReadOnlyAdmin):
    list_display = ["person", "unit", "post", "region_code"]
    list_select_related = ["person"]
    search_fields = ["person__name", "unit"]


@admin.register(models.Pairing)
class PairingAdmin(ReadOnlyAdmin):
    list_display = ["helper", "household", "started_on", "ended_on"]
    list_select_related = ["helper__person", "household"]
    search_fields = ["=household__number", "helper__person__name"]


@admin.register(models.Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["household", "visited_on", "helper", "recorded_by"]
    list_select_related = ["household", "helper__person", "recorded_by"]
    search_fields = ["=household__number"]


@admin.register(models.StatusChange, models.Procedure, models.MonitoringCase, models.RiskEvent)
class HistoryAdmin(ReadOnlyAdmin):
    list_select_related = ["household"]
    search_fields = ["=household__number"]


@admin.register(models.AnnualStandard)
class AnnualStandardAdmin(admin.ModelAdmin):
    """The lines also have their own page (registry:standard_list), scoped by province."""

    list_display = [
        "year",
        "region_code",
        "poverty_line",
        "monitoring_line",
        "village_incidence_limit",
    ]
    list_filter = ["region_code"]


@admin.register(models.VillagePopulation)
class VillagePopulationAdmin(ReadOnlyAdmin):
    """Set on the county's population page or through the API, which record the change."""

    list_display = ["village", "year", "population", "source"]
    list_select_related = ["village"]
    search_fields = ["=village__code"]
