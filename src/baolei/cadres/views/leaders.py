"""The village leader pool: the list with counts per village and source, a candidate's
page with their development timeline, and the forms that add to it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from baolei import versioning
from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.cadres.choices import DevelopmentStep, LeaderSource
from baolei.cadres.forms.cadres import LeaderEditForm, LeaderFilterForm, LeaderForm, StepForm
from baolei.cadres.models import LeaderCandidate
from baolei.cadres.services import cadres as services
from baolei.cadres.services import leaders
from baolei.cadres.sheets import cadres as sheets
from baolei.cadres.sheets import leaders as sheets_leaders
from baolei.cadres.views.cadres import export_name, filtered_region, list_context, shown_id
from baolei.imports import exporting
from baolei.pages import apply_error, sorted_by
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.regions.services import picker_roots

PAGE_SIZE = 50


def _candidates(request: HttpRequest, params):
    form = LeaderFilterForm(params or None, scope=request.scope)
    candidates = scoped(LeaderCandidate.objects.select_related("person"), request.scope)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    if data.get("region"):
        candidates = candidates.filter(codes.within("region_code", data["region"]))
    if data.get("source"):
        candidates = candidates.filter(source=data["source"])
    if data.get("category"):
        candidates = candidates.filter(category=data["category"])
    text = (data.get("q") or "").strip()
    if text:
        if len(text) == 18:
            candidates = candidates.filter(person__id_number=text.upper())
        else:
            candidates = candidates.filter(Q(person__name__startswith=text))
    return form, candidates


@require_perm(Perm.VIEW)
def leader_list(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("page", None)
    form, candidates = _candidates(request, params)
    if candidates is None:
        candidates = LeaderCandidate.objects.none()
    current = filtered_region(form) or request.scope.region_code or ""
    length = next((n for n in (2, 4, 6, 9, 12) if n > len(current)), 12)
    counts = leaders.counts_by_region(candidates, length)
    names = dict(
        Region.objects.filter(code__in=[row["region_code"] for row in counts]).values_list(
            "code", "name"
        )
    )
    for row in counts:
        row["name"] = names.get(row["region_code"], "")
        row["by_source"] = [row[source] for source in LeaderSource.values]
    people, sort = sorted_by(
        request,
        leaders.with_stage(candidates),
        {
            "name": "person__name",
            "village": ("region_code", "person__name"),
            "pool": "category",
            "source": "source",
            "party_member": "party_member",
            "stage": ("stage", "stage_on"),
        },
        "village",
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    village_names = dict(
        Region.objects.filter(code__in=[c.region_code for c in page]).values_list("code", "name")
    )
    for candidate in page:
        candidate.village_name = village_names.get(candidate.region_code, candidate.region_code)
        candidate.shown_id_number = shown_id(request, candidate.person)
        candidate.stage_label = DevelopmentStep(candidate.stage).label if candidate.stage else ""
    context = {
        **list_context(request, form, page),
        "sort": sort,
        "counts": counts[:1000],
        "sources": LeaderSource.choices,
    }
    return render(request, "cadres/leader_list.html", context)


@require_perm(Perm.VIEW)
def leader_export(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("format", None)
    form, candidates = _candidates(request, params)
    if candidates is None:
        raise Http404
    candidates = candidates.order_by("region_code", "person__name", "pk")
    reveal = request.scope.can(Perm.SEE_PERSONAL_DATA)
    sheet = sheets_leaders.LEADER_SHEET
    return exporting.export_response(
        request,
        header=sheet.headers,
        rows=sheets_leaders.leader_export_rows(candidates, reveal),
        filename=export_name(request, sheet.title),
        model="cadres.leadercandidate",
        filters=form.cleaned_data if form.is_bound else {},
        count=candidates.count,
        sheet_name=sheet.sheet_name,
        text_columns=sheets.text_columns(sheet.columns),
        widths=[column.width for column in sheet.columns],
        details={"masked": not reveal},
    )


def _candidate(request: HttpRequest, pk: int) -> LeaderCandidate:
    return get_in_scope(LeaderCandidate.objects.select_related("person"), request.scope, pk=pk)


def _leader_page(request: HttpRequest, candidate: LeaderCandidate, form) -> HttpResponse:
    """A candidate's page with their development timeline and the form for a next step."""
    context = {
        "candidate": candidate,
        "shown_id_number": shown_id(request, candidate.person),
        "village": Region.objects.filter(code=candidate.region_code).first(),
        "steps": list(candidate.steps.order_by("done_on", "id")),
        "form": form,
        "can_edit": request.scope.can(Perm.MANAGE_CADRES),
    }
    return render(request, "cadres/leader_detail.html", context)


@require_perm(Perm.VIEW)
def leader_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _leader_page(request, _candidate(request, pk), StepForm())


@require_perm(Perm.MANAGE_CADRES)
def leader_create(request: HttpRequest) -> HttpResponse:
    form = LeaderForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = leaders.do_add_candidate(request.user, **form.cleaned_data)
        except services.CadreError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("%(name)s added to the leader pool.") % {"name": candidate.person.name}
            )
            return redirect("cadres:leader_detail", pk=candidate.pk)
    context = {"form": form, "picker_roots": picker_roots(request.scope)}
    return render(request, "cadres/leader_form.html", context)


@require_perm(Perm.MANAGE_CADRES)
def leader_edit(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate(request, pk)
    initial = {name: getattr(candidate, name) for name in (*leaders.LEADER_FIELDS, "region_code")}
    form = LeaderEditForm(request.POST or None, initial=initial, scope=request.scope)
    versioning.carry(form, candidate)
    if request.method == "POST" and form.is_valid():
        try:
            expected_version = versioning.expected(form)
            leaders.do_update_candidate(
                request.user, candidate, expected_version=expected_version, **form.cleaned_data
            )
        except services.CadreError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cadres:leader_detail", pk=candidate.pk)
    context = {"form": form, "candidate": candidate, "picker_roots": picker_roots(request.scope)}
    return render(request, "cadres/leader_form.html", context)


@require_perm(Perm.MANAGE_CADRES)
def leader_step_create(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate(request, pk)
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            leaders.do_add_step(request.user, candidate, **form.cleaned_data)
        except services.CadreError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Step recorded."))
            return redirect("cadres:leader_detail", pk=candidate.pk)
    return _leader_page(request, candidate, form)
