"""The organisation in Django's admin: for looking, not for editing. Changes go through
the pages, the API and the importers, which check the rules and the scope."""

from django.contrib import admin

from baolei.organisation import models
from baolei.registry.admin import ReadOnlyAdmin


@admin.register(models.PartyOrganisation)
class PartyOrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "region_code", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "=region_code"]
    raw_id_fields = ["parent", "host_entity", "secretary"]


@admin.register(models.HostEntity)
class HostEntityAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "region_code", "registration_number", "size"]
    list_filter = ["kind"]
    search_fields = ["name", "=registration_number"]


@admin.register(models.PartyMember)
class PartyMemberAdmin(ReadOnlyAdmin):
    list_display = ["person", "branch", "standing", "category", "joined_on"]
    list_filter = ["standing", "category"]
    raw_id_fields = ["person", "branch"]


@admin.register(models.CommitteePost)
class CommitteePostAdmin(ReadOnlyAdmin):
    list_display = ["region_code", "kind", "person", "started_on", "ended_on"]
    list_filter = ["kind", "source"]
    raw_id_fields = ["person", "election"]
