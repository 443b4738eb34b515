"""The organisation pages: the overview of the scope, organisations, host entities and
coverage. Members are in `views.members`, the two committees in `views.committees`.

Every record is reached through `scoped()` or `get_in_scope()`; every view declares its
permission. Writes go through the services, whose refusals come back onto the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from baolei import pages, versioning
from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.imports import exporting
from baolei.organisation.choices import HostKind, OrganisationKind, OrganisationStatus
from baolei.organisation.forms.organisations import (
    CoverageFilterForm,
    HostEntityForm,
    HostFilterForm,
    OrganisationFilterForm,
    OrganisationForm,
    StatusChangeForm,
)
from baolei.organisation.models import HostEntity, PartyMember, PartyOrganisation
from baolei.organisation.services import coverage
from baolei.organisation.services import organisations as services
from baolei.organisation.sheets import common as sheets_common
from baolei.organisation.sheets import hosts as sheets_hosts
from baolei.organisation.sheets import organisations as sheets
from baolei.organisation.views.grading import summary_context
from baolei.pages import apply_error, drill_down, query_without, region_names
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.regions.services import picker_roots
from baolei.registry.services import shown_id_number

PAGE_SIZE = 50


# --- helpers shared by the organisation pages ------------------------------------------------


def filter_form(request: HttpRequest, form_class, **kwargs):
    """The bound filter form (GET without the page and format) or an unbound one."""
    params = request.GET.copy()
    for name in ("page", "format"):
        params.pop(name, None)
    return form_class(params or None, scope=request.scope, **kwargs)


def checked_filter_form(request: HttpRequest, form_class, **kwargs):
    """The filter form of an export or a report, which show no form errors: filters that
    do not validate (a region outside the scope among them) answer 404, as a record
    outside the scope does."""
    form = filter_form(request, form_class, **kwargs)
    if form.is_bound and not form.is_valid():
        raise Http404
    return form


def valid_filters(form) -> dict:
    if not form.is_bound:
        return {}
    if not form.is_valid():
        return {}
    return form.cleaned_data


def within(queryset: QuerySet, field: str, region: str | None) -> QuerySet:
    return queryset.filter(codes.within(field, region)) if region else queryset


def _show_person(scope: Scope, person) -> None:
    if person is not None:
        person.shown_id_number = shown_id_number(scope, person.id_number)


def page_of(request: HttpRequest, records):
    return Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))


def name_regions(records) -> None:
    """Give each record its region's name, in one query for them all."""
    names = region_names({record.region_code for record in records})
    for record in records:
        record.region_name = names.get(record.region_code, "")


def list_context(request: HttpRequest, form, page) -> dict:
    """What an organisation list shows around its rows (see `pages.list_context`)."""
    region = valid_filters(form).get("region")
    can_edit = request.scope.can(Perm.EDIT_ORGANISATION)
    return pages.list_context(request, form, page, region, can_edit=can_edit)


def export_filtered(
    request: HttpRequest, form, records: QuerySet, label, sheet, **options
) -> HttpResponse:
    """The download of a list's filtered records in the columns of its import sheet."""
    return exporting.export_response(
        request,
        filename=exporting.file_name(request.scope, label),
        filters=valid_filters(form),
        count=records.count,
        sheet_name=sheet.sheet_name,
        widths=[column.width for column in sheet.columns],
        **options,
    )


def region_form_context(request: HttpRequest, form, title: str, **extra) -> dict:
    """`organisation/form.html` for a record placed in a region: with the region picker
    beside the form. `extra`: where Cancel leads (`cancel` or `cancel_url`), `testid`."""
    return {
        "form": form,
        "title": title,
        "picker_roots": picker_roots(request.scope),
        "target": "id_region_code",
        **extra,
    }


# --- the overview ------------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """The party organisation system of the scope at a glance."""
    scope = request.scope
    today = timezone.localdate()
    by_kind = coverage.organisations_by_kind(scope, None)
    members = scoped(PartyMember.objects.all(), scope).filter(
        branch__status=OrganisationStatus.ACTIVE
    )
    member_counts = members.aggregate(
        total=Count("pk"),
        probationary=Count("pk", filter=Q(standing="probationary")),
        migrant=Count("pk", filter=Q(category="migrant")),
    )
    context = {
        "kinds": [(label, by_kind.get(value, 0)) for value, label in OrganisationKind.choices],
        "organisations": sum(by_kind.values()),
        "entities": coverage.entity_coverage(scope, scope.region_code, today).total,
        "links": coverage.household_link_coverage(scope, scope.region_code).total,
        "members": member_counts,
        "grading_summary": summary_context(scope, today),
        "can_edit": scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "organisation/index.html", context)


# --- organisations -----------------------------------------------------------------------------


def _organisations(request: HttpRequest) -> QuerySet[PartyOrganisation]:
    return scoped(PartyOrganisation.objects.all(), request.scope)


def _organisation(request: HttpRequest, pk: int) -> PartyOrganisation:
    queryset = PartyOrganisation.objects.select_related("parent", "host_entity", "secretary")
    return get_in_scope(queryset, request.scope, pk=pk)


def filtered_organisations(request: HttpRequest, form) -> QuerySet[PartyOrganisation]:
    data = valid_filters(form)
    organisations = within(_organisations(request), "region_code", data.get("region"))
    if data.get("kind"):
        organisations = organisations.filter(kind=data["kind"])
    if data.get("status"):
        organisations = organisations.filter(status=data["status"])
    if data.get("q"):
        organisations = organisations.filter(name__contains=data["q"])
    return organisations


@require_perm(Perm.VIEW)
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = filter_form(request, OrganisationFilterForm)
    organisations = filtered_organisations(request, form)
    organisations = organisations.select_related("parent", "secretary").annotate(
        member_count=Count("members")
    )
    organisations, sort = pages.sorted_by(
        request,
        organisations,
        {
            "name": "name",
            "kind": "kind",
            "region": ("region_code", "name"),
            "secretary": "secretary__name",
            "members": "member_count",
            "status": "status",
        },
        "region",
    )
    page = page_of(request, organisations)
    name_regions(page)
    context = list_context(request, form, page)
    context["sort"] = sort
    context["can_set_up"] = context["can_edit"] and services.may_set_up(request.scope)
    return render(request, "organisation/organisation_list.html", context)


@require_perm(Perm.VIEW)
def organisation_export(request: HttpRequest) -> HttpResponse:
    form = checked_filter_form(request, OrganisationFilterForm)
    organisations = filtered_organisations(request, form)
    reveal = request.scope.can(Perm.SEE_PERSONAL_DATA)
    return export_filtered(
        request,
        form,
        organisations,
        sheets.ORGANISATION_SHEET.title,
        sheets.ORGANISATION_SHEET,
        header=sheets.ORGANISATION_EXPORT_HEADER,
        rows=sheets.export_organisations(organisations, reveal),
        model="organisation.partyorganisation",
        text_columns=[0, *sheets_common.text_columns(sheets.ORGANISATION_COLUMNS)],
        details={"masked": not reveal},
    )


@require_perm(Perm.VIEW)
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    scope = request.scope
    _show_person(scope, organisation.secretary)
    members = list(
        organisation.members.select_related("person").order_by("person__name", "pk")[:500]
    )
    for member in members:
        _show_person(scope, member.person)
    children = scoped(organisation.children.all(), scope).order_by("region_code", "name")
    context = {
        "organisation": organisation,
        "region": Region.objects.filter(code=organisation.region_code).first(),
        "members": members,
        "member_count": organisation.members.count(),
        "children": list(children),
        "covered": list(organisation.covered_entities.order_by("name")),
        "history": list(
            organisation.status_changes.select_related("merged_into").order_by("changed_on", "id")
        ),
        "can_edit": scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "organisation/organisation_detail.html", context)


SECRETARY_ALIASES = {
    "secretary_id_number": "secretary_id_number",
    "secretary_name": "secretary_name",
}


@require_perm(Perm.EDIT_ORGANISATION)
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not services.may_set_up(request.scope):
        raise PermissionDenied
    initial = {"region_code": request.GET.get("region", ""), "kind": OrganisationKind.BRANCH}
    form = OrganisationForm(request.POST or None, scope=request.scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.do_create_organisation(request.user, **form.service_fields())
        except services.OrganisationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s created.") % {"name": organisation.name})
            return redirect("organisation:organisation_detail", pk=organisation.pk)
    context = region_form_context(
        request, form, _("New organisation"), cancel_url="organisation:organisation_list"
    )
    return render(request, "organisation/form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    form = OrganisationForm(request.POST or None, scope=request.scope, organisation=organisation)
    versioning.carry(form, organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_organisation(
                request.user,
                organisation,
                expected_version=versioning.expected(form),
                **form.service_fields(),
            )
        except services.OrganisationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("organisation:organisation_detail", pk=organisation.pk)
    context = region_form_context(request, form, organisation.name, cancel=organisation)
    return render(request, "organisation/form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def organisation_status(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    form = StatusChangeForm(
        request.POST or None,
        scope=request.scope,
        organisation=organisation,
        initial={"changed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_change_status(request.user, organisation, **form.cleaned_data)
        except services.OrganisationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("organisation:organisation_detail", pk=organisation.pk)
    context = {
        "form": form,
        "title": _("Change the status of %(name)s") % {"name": organisation.name},
        "cancel": organisation,
    }
    return render(request, "organisation/form.html", context)


# --- host entities ---------------------------------------------------------------------------


def _entity(request: HttpRequest, pk: int) -> HostEntity:
    return get_in_scope(HostEntity.objects.all(), request.scope, pk=pk)


def filtered_entities(request: HttpRequest, form) -> QuerySet[HostEntity]:
    data = valid_filters(form)
    entities = within(
        scoped(HostEntity.objects.all(), request.scope), "region_code", data.get("region")
    )
    if data.get("kind"):
        entities = entities.filter(kind=data["kind"])
    if data.get("q"):
        text = data["q"]
        entities = entities.filter(Q(name__contains=text) | Q(registration_number=text.upper()))
    if data.get("covered") == "yes":
        entities = entities.filter(coverage.organisation_covered())
    elif data.get("covered") == "no":
        entities = entities.exclude(coverage.organisation_covered())
    return entities


@require_perm(Perm.VIEW)
def host_list(request: HttpRequest) -> HttpResponse:
    form = filter_form(request, HostFilterForm)
    today = timezone.localdate()
    entities = coverage.annotate_coverage(filtered_entities(request, form), today)
    entities, sort = pages.sorted_by(
        request,
        entities,
        {
            "name": "name",
            "kind": "kind",
            "region": ("region_code", "name"),
            "size": "size",
            "covered": ("own_organisation", "joint_organisation"),
        },
        "region",
    )
    page = page_of(request, entities)
    name_regions(page)
    for entity in page:
        entity.organisation_covered = coverage.covered_flag(entity)
        entity.work_covered = coverage.work_flag(entity, today)
    context = {**list_context(request, form, page), "sort": sort}
    return render(request, "organisation/host_list.html", context)


@require_perm(Perm.VIEW)
def host_export(request: HttpRequest) -> HttpResponse:
    form = checked_filter_form(request, HostFilterForm)
    entities = filtered_entities(request, form)
    return export_filtered(
        request,
        form,
        entities,
        sheets_hosts.HOST_SHEET.title,
        sheets_hosts.HOST_SHEET,
        header=sheets_hosts.HOST_SHEET.headers,
        rows=sheets_hosts.export_hosts(entities),
        model="organisation.hostentity",
        text_columns=[0, 3],
    )


@require_perm(Perm.VIEW)
def host_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entity = _entity(request, pk)
    today = timezone.localdate()
    annotated = coverage.annotate_coverage(HostEntity.objects.filter(pk=entity.pk), today).get()
    organisations = scoped(
        PartyOrganisation.objects.filter(Q(host_entity=entity) | Q(covered_entities=entity)),
        request.scope,
    ).distinct()
    villages = list(entity.villages.values_list("region_code", flat=True))
    context = {
        "entity": entity,
        "region": Region.objects.filter(code=entity.region_code).first(),
        "villages": sorted(region_names(set(villages)).items()),
        "organisations": list(organisations.order_by("name")),
        "organisation_covered": coverage.covered_flag(annotated),
        "work_covered": coverage.work_flag(annotated, today),
        "can_edit": request.scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "organisation/host_detail.html", context)


def _host_fields(form) -> dict:
    data = dict(form.cleaned_data)
    villages = data.pop("villages")
    return {"villages": villages, **data}


@require_perm(Perm.EDIT_ORGANISATION)
def host_create(request: HttpRequest) -> HttpResponse:
    initial = {"region_code": request.GET.get("region", ""), "kind": HostKind.COOPERATIVE}
    form = HostEntityForm(request.POST or None, scope=request.scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entity = services.do_create_host_entity(request.user, **_host_fields(form))
        except services.OrganisationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s created.") % {"name": entity.name})
            return redirect("organisation:host_detail", pk=entity.pk)
    context = region_form_context(
        request, form, _("New entity"), cancel_url="organisation:host_list", testid="host-form"
    )
    return render(request, "organisation/form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def host_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entity = _entity(request, pk)
    form = HostEntityForm(request.POST or None, scope=request.scope, entity=entity)
    versioning.carry(form, entity)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_host_entity(
                request.user,
                entity,
                expected_version=versioning.expected(form),
                **_host_fields(form),
            )
        except services.OrganisationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("organisation:host_detail", pk=entity.pk)
    context = region_form_context(request, form, entity.name, cancel=entity, testid="host-form")
    return render(request, "organisation/form.html", context)


# --- coverage --------------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def coverage_page(request: HttpRequest) -> HttpResponse:
    """Organisation and work coverage of the region and the regions below, and the
    entities still without an organisation, the largest first."""
    form = checked_filter_form(request, CoverageFilterForm)
    data = valid_filters(form)
    scope = request.scope
    region = data.get("region") or scope.region_code
    today = timezone.localdate()
    table = coverage.entity_coverage(scope, region, today, data.get("kind") or None)
    uncovered = coverage.uncovered_entities(scope, region, today, data.get("kind") or None)
    page = page_of(request, uncovered)
    name_regions(page)
    for entity in page:
        entity.work_covered = coverage.work_flag(entity, today)
    crumbs, _children = drill_down(request, region)
    context = {
        "form": form,
        "table": table,
        "links": coverage.household_link_coverage(scope, region),
        "page": page,
        "crumbs": crumbs,
        "drill_query": query_without(request, "page", "region"),
        "today": today,
        "window_start": coverage.year_before(today),
    }
    return render(request, "organisation/coverage.html", context)
