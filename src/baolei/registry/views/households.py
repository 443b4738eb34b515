"""The register's pages: the household list and page, the edit forms, pairing and visits.

Every record is reached through `scoped()` or `get_in_scope()`; every view declares its
permission. Writes go through `services`, whose refusals come back onto the form.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baolei import idnumbers, pages
from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.imports import exporting
from baolei.pages import apply_error, query_without
from baolei.regions.services import picker_roots
from baolei.registry import choices
from baolei.registry.forms.households import (
    HelperForm,
    HouseholdCreateForm,
    HouseholdEditForm,
    HouseholdFilterForm,
    MemberForm,
    PairingForm,
    VisitForm,
    YearForm,
)
from baolei.registry.models import (
    Household,
    HouseholdYear,
    Member,
    Pairing,
    Person,
    Procedure,
)
from baolei.registry.services import households as services_households
from baolei.registry.services import lists as services_lists
from baolei.registry.services import pairing as services_pairing
from baolei.registry.services import people as services
from baolei.registry.services import years as services_years
from baolei.registry.sheets import households as registry_sheets

DEFAULT_OVERDUE_DAYS = 30


# --- helpers -----------------------------------------------------------------------------


def _households(request: HttpRequest) -> QuerySet[Household]:
    return scoped(Household.objects.select_related("village", "head"), request.scope)


def _household(request: HttpRequest, pk: int) -> Household:
    return get_in_scope(Household.objects.select_related("village", "head"), request.scope, pk=pk)


def _show_people(scope: Scope, people: list[Person | None]) -> None:
    for person in people:
        if person is not None:
            person.shown_id_number = services.shown_id_number(scope, person.id_number)


# --- the household list ------------------------------------------------------------------


@require_perm(Perm.VIEW)
def household_list(request: HttpRequest) -> HttpResponse:
    """Filters, search and keyset pages ("next"/"previous", no total): as fast at the
    millionth household as at the first."""
    params = request.GET.copy()
    for cursor in ("after", "before"):
        params.pop(cursor, None)
    form = HouseholdFilterForm(params or None, scope=request.scope)
    total, more = 0, False
    if form.is_bound and not form.is_valid():
        page = services_lists.KeysetPage(items=[], next_cursor=None, previous_cursor=None)
        region_code = None
    else:
        filters = form.to_filters()
        region_code = filters.region
        queryset = services.filter_households(_households(request), filters)
        # Keyset pages have no count of their own; one capped count keeps it cheap.
        total, more = pages.capped_count(queryset)
        page = services_lists.household_page(
            queryset, after=request.GET.get("after"), before=request.GET.get("before")
        )
    _show_people(request.scope, [household.head for household in page.items])
    can_edit = request.scope.can(Perm.EDIT_REGISTRY)
    context = {
        **pages.list_context(
            request, form, page, region_code, can_edit=can_edit, paging=("after", "before")
        ),
        "not_visited": bool(form.is_bound and form.is_valid() and form.cleaned_data["not_visited"]),
        "total": total,
        "more": more,
    }
    return render(request, "registry/household_list.html", context)


# --- the household page -----------------------------------------------------------------


@require_perm(Perm.VIEW)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    scope = request.scope
    members = list(household.members.select_related("person").order_by("id"))
    _show_people(scope, [member.person for member in members])
    today = timezone.localdate()
    for member in members:
        member.age = idnumbers.age_on(member.person.birth_date, today)
    years = list(household.years.order_by("-year"))
    for record in years:
        record.assurances = [
            (label, getattr(record, name), (record.assurance_notes or {}).get(name, ""))
            for name, label in choices.ASSURANCES
        ]
    cases = household.monitoring_cases.prefetch_related("measures").order_by("-opened_on", "-id")
    pairings = household.pairings.select_related("helper__person").order_by("-started_on", "-id")
    context = {
        "household": household,
        "members": members,
        "years": years,
        "latest_year": years[0] if years else None,
        "cases": list(cases),
        "risk_events": list(household.risk_events.order_by("-occurred_on", "-id")),
        "visits": list(
            household.visits.select_related("helper__person", "recorded_by").order_by(
                "-visited_on", "-id"
            )[:50]
        ),
        "pairings": list(pairings),
        "status_changes": list(household.status_changes.order_by("changed_on", "id")),
        "procedures": list(household.procedures.order_by("-started_on", "-id")),
        "procedure_kinds": Procedure.Kind.choices,
        "sees_personal_data": scope.can(Perm.SEE_PERSONAL_DATA),
        "can_edit": scope.can(Perm.EDIT_REGISTRY),
        "can_visit": scope.can(Perm.RECORD_VISITS),
        "today": today,
        "this_year": today.year,
        "new_years": new_years(household, {record.year for record in years}, today.year),
    }
    return render(request, "registry/household_detail.html", context)


def new_years(household: Household, recorded: set[int], this_year: int) -> list[int]:
    """The years a new income and assurance entry may be made for, the latest first: from
    the household's identification year (else its earliest entry, else this year) to this
    year, those without an entry."""
    first = household.identification_year or min(recorded, default=this_year)
    first = max(first, services.EARLIEST_YEAR)
    return [year for year in range(this_year, first - 1, -1) if year not in recorded]


# --- households: create and edit ---------------------------------------------------------

HEAD_ALIASES = {
    "id_number": "head_id_number",
    "name": "head_name",
    "labour_capacity": "head_labour_capacity",
}


@require_perm(Perm.EDIT_REGISTRY)
def household_create(request: HttpRequest) -> HttpResponse:
    form = HouseholdCreateForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = form.household_fields()
        village = fields.pop("village")
        number = fields.pop("number")
        try:
            household = services_households.do_create_household(
                request.user,
                village=village,
                number=number,
                head_id_number=data["head_id_number"],
                head_name=data["head_name"],
                head_labour_capacity=data["head_labour_capacity"],
                status=data["status"],
                status_since=data["status_since"],
                **fields,
            )
        except services.RegistryError as error:
            apply_error(form, error, HEAD_ALIASES)
        else:
            messages.success(request, _("Household %(number)s created.") % {"number": number})
            return redirect("registry:household_detail", pk=household.pk)
    context = {"form": form, "creating": True, "picker_roots": picker_roots(request.scope)}
    return render(request, "registry/household_form.html", context)


@require_perm(Perm.EDIT_REGISTRY)
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Optimistic locking: the form carries the version it was opened at; a save made in
    between makes this one refused, with nothing overwritten."""
    household = _household(request, pk)
    form = HouseholdEditForm(request.POST or None, instance=household, scope=request.scope)
    status = 200
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services_households.do_update_household(
                request.user, household, form.cleaned_data["version"], **form.household_fields()
            )
        except services.StaleEdit as error:
            form.add_error(None, str(error.message))
            stale, status = True, 409
        except services.RegistryError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("Household %(number)s saved.") % {"number": household.number}
            )
            return redirect("registry:household_detail", pk=household.pk)
    context = {
        "form": form,
        "creating": False,
        "household": _household(request, pk),  # as saved, not as the form left it
        "stale": stale,
        "picker_roots": picker_roots(request.scope),
    }
    return render(request, "registry/household_form.html", context, status=status)


# --- members -----------------------------------------------------------------------------


def _member(request: HttpRequest, pk: int) -> Member:
    return get_in_scope(
        Member.objects.select_related("person", "household__village"), request.scope, pk=pk
    )


@require_perm(Perm.EDIT_REGISTRY)
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = MemberForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        person = form.person_fields()
        try:
            services_households.do_add_member(
                request.user,
                household,
                id_number=person.pop("id_number", ""),
                name=person.pop("name"),
                ethnicity=person.pop("ethnicity") or "",
                phone=person.pop("phone") or "",
                **person,
                **form.member_fields(),
            )
        except services.RegistryError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Member added."))
            return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/member_form.html",
        {"form": form, "household": household, "member": None},
    )


@require_perm(Perm.EDIT_REGISTRY)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    household = member.household
    form = MemberForm(request.POST or None, instance=member, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            services_households.do_update_member(
                request.user, member, **form.person_fields(), **form.member_fields()
            )
        except services.RegistryError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Member saved."))
            return redirect("registry:household_detail", pk=household.pk)
    _show_people(request.scope, [member.person])
    return render(
        request,
        "registry/member_form.html",
        {"form": form, "household": household, "member": member},
    )


@require_perm(Perm.EDIT_REGISTRY)
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    household_pk = member.household_id
    services_households.do_remove_member(request.user, member)
    messages.success(
        request,
        _("%(name)s is no longer a member of this household.") % {"name": member.person.name},
    )
    return redirect("registry:household_detail", pk=household_pk)


# --- years -------------------------------------------------------------------------------


@require_perm(Perm.EDIT_REGISTRY)
def year_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    household = _household(request, pk)
    if not services.EARLIEST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    record = HouseholdYear.objects.filter(household=household, year=year).first()
    if record is None:
        record = HouseholdYear(
            household=household, year=year, member_count=max(household.members.count(), 1)
        )
    form = YearForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            services_years.do_save_household_year(
                request.user, household, year, **form.year_fields()
            )
        except services.RegistryError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Year %(year)d saved.") % {"year": year})
            return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/year_form.html",
        {"form": form, "household": household, "year": year, "record": record},
    )


# --- pairing and visits ------------------------------------------------------------------


@require_perm(Perm.RECORD_VISITS)
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = VisitForm(
        request.POST or None, scope=request.scope, household=household, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_pairing.do_record_visit(request.user, household, **form.cleaned_data)
        except services.RegistryError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/visit_form.html", {"form": form, "household": household})


@require_perm(Perm.EDIT_REGISTRY)
def pairing_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = PairingForm(request.POST or None, scope=request.scope, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services_pairing.do_pair(
                request.user,
                form.cleaned_data["helper"],
                household,
                form.cleaned_data["started_on"],
            )
        except services.RegistryError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Helper paired with the household."))
            return redirect("registry:household_detail", pk=household.pk)
    context = {
        "form": form,
        "household": household,
        "current": services_pairing.current_helper(household),
    }
    return render(request, "registry/pairing_form.html", context)


@require_perm(Perm.EDIT_REGISTRY)
def pairing_helpers(request: HttpRequest, pk: int) -> HttpResponse:
    """The pairing form's helper options for what was typed in its search (htmx)."""
    household = _household(request, pk)
    offered = services_pairing.helpers_to_offer(
        request.scope, household, search=request.GET.get("helper_search", "")
    )
    options = format_html_join(
        "", '<option value="{}">{}</option>', ((h.pk, str(h)) for h in offered)
    )
    return HttpResponse(format_html('<option value="">---------</option>{}', options))


@require_perm(Perm.EDIT_REGISTRY)
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_in_scope(Pairing.objects.all(), request.scope, pk=pk)
    try:
        services_pairing.do_end_pairing(request.user, pairing)
    except services.RegistryError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Pairing ended."))
    return redirect("registry:household_detail", pk=pairing.household_id)


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_OVERDUE_DAYS))
    except ValueError:
        return DEFAULT_OVERDUE_DAYS
    return min(max(days, 1), 3650)


@require_perm(Perm.VIEW)
def visits_overdue(request: HttpRequest) -> HttpResponse:
    """Households nobody has visited for N days, and the helpers responsible for them."""
    days = _days(request)
    today = timezone.localdate()
    households = _households(request)
    not_visited = services_lists.households_not_visited(households, days, today)
    total, more = pages.capped_count(not_visited)
    page = services_lists.household_page(
        not_visited, after=request.GET.get("after"), before=request.GET.get("before")
    )
    _show_people(request.scope, [household.head for household in page.items])
    helpers, helper_sort = pages.sorted_by(
        request,
        services_lists.helpers_with_overdue_visits(households, days, today),
        {"name": "person__name", "unit": "unit", "households": "overdue_households"},
        "-households",
        paging=("page", "after", "before"),
    )
    helper_page = Paginator(helpers, 20).get_page(request.GET.get("page"))
    context = {
        "days": days,
        "page": page,
        "total": total,
        "more": more,
        "helpers": helper_page,
        "sort": helper_sort,
        "filter_query": query_without(request, "after", "before"),
        "cutoff": today - datetime.timedelta(days=days),
    }
    return render(request, "registry/visits_overdue.html", context)


@require_perm(Perm.VIEW)
def helper_list(request: HttpRequest) -> HttpResponse:
    helpers = services_pairing.helpers_for(request.scope).select_related("person")
    query = request.GET.get("q", "").strip()
    if query:
        helpers = helpers.filter(Q(person__name__startswith=query) | Q(unit__contains=query))
    current = Pairing.objects.filter(ended_on__isnull=True).select_related("household")
    current = scoped(current, request.scope)
    helpers = helpers.prefetch_related(Prefetch("pairings", queryset=current, to_attr="current"))
    helpers, sort = pages.sorted_by(
        request,
        helpers,
        {"name": "person__name", "unit": "unit", "post": "post"},
        "name",
    )
    page = Paginator(helpers, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "sort": sort,
        "query": query,
        "can_edit": request.scope.can(Perm.EDIT_REGISTRY),
    }
    return render(request, "registry/helper_list.html", context)


@require_perm(Perm.EDIT_REGISTRY)
def helper_create(request: HttpRequest) -> HttpResponse:
    form = HelperForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            helper = services_pairing.do_create_helper(request.user, **form.cleaned_data)
        except services.RegistryError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Helper %(name)s added.") % {"name": helper.person.name})
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("registry:helper_list")
            return redirect(target)
    return render(
        request,
        "registry/helper_form.html",
        {"form": form, "picker_roots": picker_roots(request.scope)},
    )


@require_perm(Perm.VIEW)
def household_export(request: HttpRequest) -> HttpResponse:
    """The filtered household list, one row per person in the import sheet's columns;
    ID numbers masked (health and disability hidden) unless the role may see them."""

    params = request.GET.copy()
    params.pop("format", None)
    form = HouseholdFilterForm(params or None, scope=request.scope)
    if form.is_bound and not form.is_valid():
        if "region" in form.errors:  # unknown or outside the scope: not found, alike
            raise Http404
        return HttpResponseBadRequest(_("The filters are not valid."))
    households = services.filter_households(
        scoped(Household.objects.all(), request.scope), form.to_filters()
    )
    reveal = request.scope.can(Perm.SEE_PERSONAL_DATA)
    members = registry_sheets.export_members(households)
    filters = form.cleaned_data if form.is_bound else {}
    return exporting.export_response(
        request,
        header=registry_sheets.export_header(),
        rows=registry_sheets.export_rows(members.iterator(chunk_size=2000), reveal),
        filename=exporting.file_name(request.scope, registry_sheets.SHEET.title),
        model="registry.household",
        filters=filters,
        count=members.count,
        sheet_name=registry_sheets.SHEET.sheet_name,
        text_columns=registry_sheets.text_columns(),
        widths=[column.width for column in registry_sheets.COLUMNS],
        details={"masked": not reveal},
    )
