"""The talent pool's pages: the overview, the list, a person's page with the pipeline
timeline, create and edit, steps, the counts and the export.

Every record is reached through `scoped()` or `get_in_scope()`; studios and courses,
which the regions below their host also see, through `visible_studios()` /
`visible_courses()` (built on the same scope) and `services.get_visible()`. Every view
declares its permission. Writes go through the services, whose refusals come back onto the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from baolei import pages, versioning
from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.imports import exporting
from baolei.pages import apply_error, drill_down, region_names
from baolei.regions.services import picker_roots
from baolei.registry.services import shown_id_number
from baolei.talent.choices import RequestStatus, Source, Stage
from baolei.talent.forms import CountsForm, StepForm, TalentEditForm, TalentFilterForm, TalentForm
from baolei.talent.models import Talent
from baolei.talent.services import studios as services_studios
from baolei.talent.services import talent as services
from baolei.talent.services import training as services_training
from baolei.talent.sheets import talent as sheets

PAGE_SIZE = 50


# --- helpers shared by the talent views --------------------------------------------------


def _talent(request: HttpRequest) -> QuerySet[Talent]:
    return scoped(Talent.objects.select_related("person"), request.scope)


def _show(request: HttpRequest, talent: list[Talent]) -> None:
    names = region_names(t.region_code for t in talent)
    for item in talent:
        item.shown_id_number = shown_id_number(request.scope, item.person.id_number)
        item.village_name = names.get(item.region_code, item.region_code)


# --- overview ---------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    talent = scoped(Talent.objects.all(), scope)
    stages = dict(talent.values_list("stage").annotate(n=Count("pk")).order_by())
    sources = dict(talent.values_list("source").annotate(n=Count("pk")).order_by())
    requests = services_studios.visible_requests(scope)
    statuses = dict(requests.values_list("status").annotate(n=Count("pk")).order_by())
    year = timezone.localdate().year
    enrolments = services_training.visible_enrolments(scope)
    this_year = [
        row for row in services_training.yearly_counts(enrolments, None) if row["year"] == year
    ]
    context = {
        "talent_total": sum(stages.values()),
        "stages": [(label, stages.get(value, 0)) for value, label in Stage.choices],
        "sources": [(label, sources.get(value, 0)) for value, label in Source.choices],
        "studio_count": services_studios.visible_studios(scope).count(),
        "statuses": [(label, statuses.get(value, 0)) for value, label in RequestStatus.choices],
        "course_count": services_training.visible_courses(scope)
        .filter(starts_on__year=year)
        .count(),
        "training": this_year[0] if this_year else None,
        "year": year,
        "can_edit": scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "talent/index.html", context)


# --- the talent list --------------------------------------------------------------------


def _filtered(request: HttpRequest, params: QueryDict):
    form = TalentFilterForm(params or None, scope=request.scope)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    filters = services.TalentFilters(
        region=data.get("region") or None,
        source=data.get("source") or None,
        skill=data.get("skill") or None,
        stage=data.get("stage") or None,
        search=data.get("q") or None,
    )
    return form, services.filter_talent(_talent(request), filters)


@require_perm(Perm.VIEW)
def talent_list(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("page", None)
    form, talent = _filtered(request, params)
    items, sort = pages.sorted_by(
        request,
        talent if talent is not None else Talent.objects.none(),
        {
            "name": "person__name",
            "village": ("region_code", "person__name"),
            "source": ("source", "person__name"),
            "stage": ("stage", "person__name"),
        },
        "village",
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    _show(request, list(page))
    region = form.cleaned_data.get("region") if form.is_bound and form.is_valid() else None
    can_edit = request.scope.can(Perm.EDIT_ORGANISATION)
    context = pages.list_context(request, form, page, region or None, can_edit=can_edit)
    context["sort"] = sort
    return render(request, "talent/talent_list.html", context)


@require_perm(Perm.VIEW)
def talent_export(request: HttpRequest) -> HttpResponse:
    """The filtered talent list in the import sheet's columns, ID numbers masked unless
    the role may see them; recorded in the audit trail."""
    params = request.GET.copy()
    params.pop("format", None)
    form, talent = _filtered(request, params)
    if talent is None:
        if "region" in form.errors:  # unknown or outside the scope: not found, alike
            raise Http404
        return HttpResponseBadRequest(_("The filters are not valid."))
    reveal = request.scope.can(Perm.SEE_PERSONAL_DATA)
    rows = sheets.talent_export_rows(talent, reveal)
    return exporting.export_response(
        request,
        header=sheets.talent_export_header(),
        rows=rows,
        filename=exporting.file_name(request.scope, sheets.TALENT_SHEET.title),
        model="talent.talent",
        filters=form.cleaned_data if form.is_bound else {},
        count=talent.count,
        sheet_name=sheets.TALENT_SHEET.sheet_name,
        text_columns=sheets.text_columns(sheets.TALENT_SHEET),
        widths=[column.width for column in sheets.TALENT_SHEET.columns],
        details={"masked": not reveal},
    )


# --- a person's page --------------------------------------------------------------------


@require_perm(Perm.VIEW)
def talent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    talent = get_in_scope(Talent.objects.select_related("person"), request.scope, pk=pk)
    _show(request, [talent])
    enrolments = scoped(
        talent.person.enrolments.select_related("course").order_by("-enrolled_on"), request.scope
    )
    context = {
        "talent": talent,
        "steps": list(talent.steps.order_by("taken_on", "id")),
        "stages": [(value, label, value == talent.stage) for value, label in Stage.choices],
        "enrolments": list(enrolments),
        "step_form": StepForm(
            scope=request.scope,
            # Everyone in the pool is identified already: the next step cultivates.
            initial={"taken_on": timezone.localdate(), "stage": Stage.CULTIVATED},
        ),
        "can_edit": request.scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "talent/talent_detail.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def talent_create(request: HttpRequest) -> HttpResponse:
    form = TalentForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            talent = services.do_create_talent(request.user, **form.cleaned_data)
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("%(name)s added to the talent pool.") % {"name": talent.person.name}
            )
            return redirect("talent:talent_detail", pk=talent.pk)
    context = {"form": form, "picker_roots": picker_roots(request.scope), "title": _("New talent")}
    return render(request, "talent/talent_form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def talent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    talent = get_in_scope(Talent.objects.select_related("person"), request.scope, pk=pk)
    initial = {
        "village_code": talent.region_code,
        "source": talent.source,
        "skills": talent.skill_codes,
        "skill_notes": talent.skill_notes,
        "occupation": talent.occupation,
    }
    form = TalentEditForm(request.POST or None, scope=request.scope, initial=initial)
    versioning.carry(form, talent)
    if request.method == "POST" and form.is_valid():
        try:
            expected_version = versioning.expected(form)
            services.do_update_talent(
                request.user, talent, expected_version=expected_version, **form.cleaned_data
            )
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("talent:talent_detail", pk=talent.pk)
    context = {
        "form": form,
        "talent": talent,
        "picker_roots": picker_roots(request.scope),
        "title": talent.person.name,
    }
    return render(request, "talent/talent_form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def step_create(request: HttpRequest, pk: int) -> HttpResponse:
    talent = get_in_scope(Talent.objects.select_related("person"), request.scope, pk=pk)
    form = StepForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_step(request.user, talent, **form.cleaned_data)
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Step recorded."))
            return redirect("talent:talent_detail", pk=talent.pk)
    return render(request, "talent/step_form.html", {"form": form, "talent": talent})


# --- counts -----------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def talent_counts(request: HttpRequest) -> HttpResponse:
    """Rows = the regions one level down, columns = the sources, then the stages."""
    form = CountsForm(request.GET or None, scope=request.scope)
    if form.is_bound and not form.is_valid():
        raise Http404
    region = (form.cleaned_data.get("region") if form.is_bound else "") or request.scope.region_code
    rows, total = services.talent_counts(
        scoped(Talent.objects.all(), request.scope), request.scope, region
    )
    for row in [*rows, total]:
        row.source_cells = [row.counts[key] for key in Source.values]
        row.stage_cells = [row.counts[key] for key in Stage.values]
    crumbs, _children = drill_down(request, region)
    context = {
        "rows": rows,
        "total": total,
        "sources": Source.choices,
        "stages": Stage.choices,
        "crumbs": crumbs,
        "region": region,
    }
    return render(request, "talent/talent_counts.html", context)
