"""The organisation API under /api/organisation/: organisations, host entities, coverage,
party members and the two committees. The grading part adds its own router (api_grading).

Scoped exactly like the pages: a record outside the caller's scope answers 404, lists
hold only the scope's records, a missing permission answers 403, ID numbers are masked
unless the role may see personal data, and a refusal of the services answers 422 with
the field at fault.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.bounds import Count, PastYear
from baolei.messages import lazy_format
from baolei.organisation.api.common import (
    ErrorOut,
    ListFilters,
    RegionQuery,
    StrictSchema,
    in_scope,
    refusal,
    region_filter,
    require,
    value_of,
    within,
)
from baolei.organisation.choices import (
    HostKind,
    OrganisationKind,
    OrganisationStatus,
)
from baolei.organisation.forms.organisations import possible_parents
from baolei.organisation.models import HostEntity, PartyOrganisation
from baolei.organisation.services import coverage
from baolei.organisation.services import organisations as services
from baolei.registry.services import shown_id_number

router = Router(tags=["organisation"])


# --- schemas -----------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    version: int
    kind: str
    name: str
    region_code: str
    parent_id: int | None
    host_entity_id: int | None
    covered_entity_ids: list[int]
    secretary_name: str | None
    secretary_id_number: str | None = Field(description="Masked unless permitted.")
    founded_on: datetime.date | None
    status: str


class OrganisationIn(StrictSchema):
    kind: OrganisationKind
    name: str
    region_code: str
    parent_id: int | None = None
    host_entity_id: int | None = None
    covered_entity_ids: list[int] = Field(default_factory=list)
    secretary_id_number: str | None = None
    secretary_name: str | None = None
    founded_on: datetime.date | None = None


class OrganisationPatch(StrictSchema):
    version: int | None = Field(
        None,
        ge=1,
        description="The version the change starts from (as last read); a change made "
        "since refuses this one (422, code stale). Omitted: no check.",
    )
    kind: OrganisationKind | None = None
    name: str | None = None
    region_code: str | None = None
    parent_id: int | None = None
    host_entity_id: int | None = None
    covered_entity_ids: list[int] | None = None
    secretary_id_number: str | None = None
    secretary_name: str | None = None
    founded_on: datetime.date | None = None


class OrganisationStatusIn(StrictSchema):
    to_status: OrganisationStatus
    changed_on: datetime.date
    reason: str
    merged_into_id: int | None = None


class HostOut(Schema):
    id: int
    version: int
    kind: str
    name: str
    region_code: str
    village_codes: list[str]
    registration_number: str
    industry: str
    size: int
    founded_year: int | None
    instructor: str
    last_activity_on: datetime.date | None
    organisation_covered: bool
    work_covered: bool


class HostIn(StrictSchema):
    kind: HostKind
    name: str
    region_code: str = ""
    village_codes: list[str] = Field(default_factory=list)
    registration_number: str = ""
    industry: str = ""
    size: Count = 0
    founded_year: PastYear | None = None
    instructor: str = ""
    last_activity_on: datetime.date | None = None


class HostPatch(StrictSchema):
    version: int | None = Field(
        None,
        ge=1,
        description="The version the change starts from (as last read); a change made "
        "since refuses this one (422, code stale). Omitted: no check.",
    )
    kind: HostKind | None = None
    name: str | None = None
    region_code: str | None = None
    village_codes: list[str] | None = None
    registration_number: str | None = None
    industry: str | None = None
    size: Count | None = None
    founded_year: PastYear | None = None
    instructor: str | None = None
    last_activity_on: datetime.date | None = None


class CoverageRowOut(Schema):
    code: str
    name: str
    entities: int
    organisation_covered: int
    work_covered: int
    organisation_rate: float | None
    work_rate: float | None


class LinkRowOut(Schema):
    code: str
    name: str
    registered: int
    registered_linked: int
    monitored: int
    monitored_linked: int


class CoverageOut(Schema):
    region: str | None
    total: CoverageRowOut
    regions: list[CoverageRowOut]
    households: LinkRowOut
    household_regions: list[LinkRowOut]


class OrganisationFilters(ListFilters):
    kind: OrganisationKind | None = None
    status: OrganisationStatus | None = None


class HostFilters(ListFilters):
    kind: HostKind | None = None


# --- helpers -----------------------------------------------------------------------------


def _organisation_out(scope: Scope, organisation: PartyOrganisation) -> dict:
    secretary = organisation.secretary
    return {
        "id": organisation.pk,
        "version": organisation.version,
        "kind": organisation.kind,
        "name": organisation.name,
        "region_code": organisation.region_code,
        "parent_id": organisation.parent_id,
        "host_entity_id": organisation.host_entity_id,
        "covered_entity_ids": sorted(e.pk for e in organisation.covered_entities.all()),
        "secretary_name": secretary.name if secretary else None,
        "secretary_id_number": shown_id_number(scope, secretary.id_number) if secretary else None,
        "founded_on": organisation.founded_on,
        "status": organisation.status,
    }


def _organisations(scope: Scope):
    return scoped(
        PartyOrganisation.objects.select_related("secretary").prefetch_related("covered_entities"),
        scope,
    )


def _organisation_refs(scope: Scope, payload, sent: set[str]) -> dict:
    fields = {}
    for name in ("kind", "name", "region_code", "founded_on"):
        if name in sent:
            fields[name] = value_of(getattr(payload, name))
    if "parent_id" in sent:
        parent = None
        if payload.parent_id is not None:
            # The scope's organisations and those above it: a parent elsewhere is not
            # named back, as it would be in the refusal of a wrong region.
            parent = possible_parents(scope).filter(pk=payload.parent_id).first()
            if parent is None:
                raise services.OrganisationError(
                    "not_found",
                    lazy_format(_("There is no organisation %(pk)s."), pk=payload.parent_id),
                    field="parent_id",
                )
        fields["parent"] = parent
    if "host_entity_id" in sent:
        fields["host_entity"] = in_scope(
            scope, HostEntity.objects.all(), payload.host_entity_id, "host_entity_id"
        )
    if "covered_entity_ids" in sent and payload.covered_entity_ids is not None:
        fields["covered_entities"] = [
            in_scope(scope, HostEntity.objects.all(), pk, "covered_entity_ids")
            for pk in payload.covered_entity_ids
        ]
    for name in ("secretary_id_number", "secretary_name"):
        if name in sent:
            fields[name] = getattr(payload, name) or ""
    return fields


def _host_out(entity: HostEntity, today: datetime.date) -> dict:
    return {
        "id": entity.pk,
        "version": entity.version,
        "kind": entity.kind,
        "name": entity.name,
        "region_code": entity.region_code,
        "village_codes": sorted(v.region_code for v in entity.villages.all()),
        "registration_number": entity.registration_number,
        "industry": entity.industry,
        "size": entity.size,
        "founded_year": entity.founded_year,
        "instructor": entity.instructor,
        "last_activity_on": entity.last_activity_on,
        "organisation_covered": coverage.covered_flag(entity),
        "work_covered": coverage.work_flag(entity, today),
    }


def _hosts(scope: Scope, today: datetime.date):
    entities = scoped(HostEntity.objects.prefetch_related("villages"), scope)
    return coverage.annotate_coverage(entities, today)


# --- organisations -----------------------------------------------------------------------


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations in scope")
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]):
    scope = require(request, Perm.VIEW)
    region = region_filter(scope, filters.region)
    organisations = within(_organisations(scope), "region_code", region)
    if filters.kind:
        organisations = organisations.filter(kind=value_of(filters.kind))
    if filters.status:
        organisations = organisations.filter(status=value_of(filters.status))
    page = organisations.order_by("region_code", "name")[
        filters.offset : filters.offset + filters.limit
    ]
    return [_organisation_out(scope, organisation) for organisation in page]


@router.post(
    "/organisations", response={201: OrganisationOut, 422: ErrorOut}, summary="New organisation"
)
def create_organisation(request: HttpRequest, payload: OrganisationIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    if not services.may_set_up(scope):
        raise HttpError(403, "not allowed")
    try:
        fields = _organisation_refs(scope, payload, set(type(payload).model_fields))
        organisation = services.do_create_organisation(request.user, **fields)
    except services.OrganisationError as error:
        return refusal(error)
    return Status(201, _organisation_out(scope, _organisations(scope).get(pk=organisation.pk)))


@router.get("/organisations/{pk}", response=OrganisationOut, summary="One organisation")
def get_organisation(request: HttpRequest, pk: int):
    scope = require(request, Perm.VIEW)
    return _organisation_out(scope, get_in_scope(_organisations(scope), scope, pk=pk))


def _change_organisation(request: HttpRequest, pk: int, change):
    """`change(scope, organisation)` on an organisation of the scope: the organisation
    as it is afterwards, or the services' refusal (422)."""
    scope = require(request, Perm.EDIT_ORGANISATION)
    organisation = get_in_scope(_organisations(scope), scope, pk=pk)
    try:
        change(scope, organisation)
    except services.OrganisationError as error:
        return refusal(error)
    return _organisation_out(scope, _organisations(scope).get(pk=pk))


@router.patch(
    "/organisations/{pk}",
    response={200: OrganisationOut, 422: ErrorOut},
    summary="Change the fields sent (not the status)",
)
def patch_organisation(request: HttpRequest, pk: int, payload: OrganisationPatch):
    def change(scope: Scope, organisation: PartyOrganisation) -> None:
        fields = _organisation_refs(scope, payload, payload.model_fields_set)
        services.do_update_organisation(
            request.user, organisation, expected_version=payload.version, **fields
        )

    return _change_organisation(request, pk, change)


@router.post(
    "/organisations/{pk}/status",
    response={200: OrganisationOut, 422: ErrorOut},
    summary="Merge, dissolve or revive the organisation",
)
def change_status(request: HttpRequest, pk: int, payload: OrganisationStatusIn):
    def change(scope: Scope, organisation: PartyOrganisation) -> None:
        merged_into = in_scope(
            scope, PartyOrganisation.objects.all(), payload.merged_into_id, "merged_into_id"
        )
        services.do_change_status(
            request.user,
            organisation,
            to_status=value_of(payload.to_status),
            changed_on=payload.changed_on,
            reason=payload.reason,
            merged_into=merged_into,
        )

    return _change_organisation(request, pk, change)


# --- host entities -----------------------------------------------------------------------


@router.get("/hosts", response=list[HostOut], summary="Cooperatives and other host entities")
def list_hosts(request: HttpRequest, filters: Query[HostFilters]):
    scope = require(request, Perm.VIEW)
    today = timezone.localdate()
    region = region_filter(scope, filters.region)
    entities = within(_hosts(scope, today), "region_code", region)
    if filters.kind:
        entities = entities.filter(kind=value_of(filters.kind))
    page = entities.order_by("region_code", "name")[filters.offset : filters.offset + filters.limit]
    return [_host_out(entity, today) for entity in page]


def _host_fields(payload, sent: set[str]) -> dict:
    fields = {
        name: value_of(getattr(payload, name))
        for name in sent
        if name not in ("village_codes", "version")
    }
    if "village_codes" in sent:
        fields["villages"] = payload.village_codes or []
    return fields


@router.post("/hosts", response={201: HostOut, 422: ErrorOut}, summary="New host entity")
def create_host(request: HttpRequest, payload: HostIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    try:
        entity = services.do_create_host_entity(
            request.user, **_host_fields(payload, set(type(payload).model_fields))
        )
    except services.OrganisationError as error:
        return refusal(error)
    today = timezone.localdate()
    return Status(201, _host_out(_hosts(scope, today).get(pk=entity.pk), today))


@router.get("/hosts/{pk}", response=HostOut, summary="One host entity")
def get_host(request: HttpRequest, pk: int):
    scope = require(request, Perm.VIEW)
    today = timezone.localdate()
    return _host_out(get_in_scope(_hosts(scope, today), scope, pk=pk), today)


@router.patch(
    "/hosts/{pk}", response={200: HostOut, 422: ErrorOut}, summary="Change the fields sent"
)
def patch_host(request: HttpRequest, pk: int, payload: HostPatch):
    scope = require(request, Perm.EDIT_ORGANISATION)
    today = timezone.localdate()
    entity = get_in_scope(_hosts(scope, today), scope, pk=pk)
    try:
        services.do_update_host_entity(
            request.user,
            entity,
            expected_version=payload.version,
            **_host_fields(payload, payload.model_fields_set),
        )
    except services.OrganisationError as error:
        return refusal(error)
    return _host_out(_hosts(scope, today).get(pk=pk), today)


# --- coverage ----------------------------------------------------------------------------


def _coverage_row(row: coverage.CoverageRow) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "entities": row.entities,
        "organisation_covered": row.organisation,
        "work_covered": row.work,
        "organisation_rate": row.organisation_rate.percent,
        "work_rate": row.work_rate.percent,
    }


def _link_row(row: coverage.LinkRow) -> dict:
    return {
        name: getattr(row, name)
        for name in (
            "code",
            "name",
            "registered",
            "registered_linked",
            "monitored",
            "monitored_linked",
        )
    }


@router.get(
    "/coverage",
    response=CoverageOut,
    summary="Organisation, work and household-link coverage of a region and the regions below",
)
def get_coverage(request: HttpRequest, query: Query[RegionQuery]):
    scope = require(request, Perm.VIEW)
    region = region_filter(scope, query.region) or scope.region_code
    table = coverage.entity_coverage(scope, region, timezone.localdate())
    links = coverage.household_link_coverage(scope, region)
    return {
        "region": region,
        "total": _coverage_row(table.total),
        "regions": [_coverage_row(row) for row in table.rows],
        "households": _link_row(links.total),
        "household_regions": [_link_row(row) for row in links.rows],
    }
