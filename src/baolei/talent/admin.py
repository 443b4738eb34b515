"""The talent records in Django's admin: for looking, not for editing.

Changes go through the pages, the API and the importers, which check the rules (the
pipeline's order, a request's life cycle, capacity and certificates, scope).
"""

from django.contrib import admin

from baolei.registry.admin import ReadOnlyAdmin
from baolei.talent import models


@admin.register(models.Talent)
class TalentAdmin(ReadOnlyAdmin):
    list_display = ["person", "region_code", "source", "stage"]
    list_filter = ["source", "stage"]
    raw_id_fields = ["person"]


@admin.register(models.Studio)
class StudioAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "region_code", "partner_name"]
    list_filter = ["kind"]


@admin.register(models.ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_on", "studio", "region_code", "status"]
    list_filter = ["status"]


@admin.register(models.Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "region_code", "starts_on", "capacity"]


@admin.register(models.Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["course", "person", "region_code", "passed", "certificate_number"]
    raw_id_fields = ["person"]
