"""Cadre records in Django's admin: for looking, not for editing. Changes go through the
pages, the API and the importers, which check the scope and the rules."""

from django.contrib import admin

from baolei.cadres import models


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Cadre)
class CadreAdmin(ReadOnlyAdmin):
    list_display = ["person", "unit", "post", "rank", "region_code"]
    list_filter = ["rank", "political_status", "education"]
    search_fields = ["person__name", "unit"]
    raw_id_fields = ["person", "helper"]


@admin.register(models.Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "year", "score", "grade"]
    list_filter = ["year", "grade"]
    raw_id_fields = ["cadre"]


@admin.register(models.Achievement)
class AchievementAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "kind", "title", "achieved_on", "region_code"]
    list_filter = ["kind"]
    raw_id_fields = ["cadre", "household", "recorded_by"]


@admin.register(models.IncentiveDecision)
class IncentiveDecisionAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "kind", "decided_on", "decided_by"]
    list_filter = ["kind"]
    raw_id_fields = ["cadre", "recorded_by"]


@admin.register(models.LeaderCandidate)
class LeaderCandidateAdmin(ReadOnlyAdmin):
    list_display = ["person", "region_code", "category", "source", "party_member"]
    list_filter = ["category", "source"]
    raw_id_fields = ["person"]
