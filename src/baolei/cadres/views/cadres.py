"""The cadre pages: the overview, the cadre list (and its export), a cadre's file, and
the forms that add to it.

Every record is reached through `scoped()` or `get_in_scope()`; every view declares its
permission. Disciplinary records — and whether a cadre has any — appear only for roles
with VIEW_DISCIPLINE. Writes go through `services`, whose refusals come back onto the form.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from baolei import pages, versioning
from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.cadres.forms.cadres import (
    AchievementForm,
    AssessmentForm,
    CadreFilterForm,
    CadreForm,
    DisciplineForm,
    PeriodForm,
)
from baolei.cadres.models import Achievement, Cadre, LeaderCandidate
from baolei.cadres.services import cadres as services
from baolei.cadres.services import leaders
from baolei.cadres.services.achievements import computed_for
from baolei.cadres.sheets import cadres as sheets
from baolei.imports import exporting
from baolei.pages import apply_error
from baolei.regions.models import Region
from baolei.regions.services import picker_roots
from baolei.registry.models import Household

PAGE_SIZE = 50


# --- helpers -----------------------------------------------------------------------------


def cadres_in_scope(request: HttpRequest):
    return scoped(Cadre.objects.select_related("person"), request.scope)


def cadre_in_scope(request: HttpRequest, pk: int) -> Cadre:
    return get_in_scope(Cadre.objects.select_related("person", "helper"), request.scope, pk=pk)


def sees_discipline(request: HttpRequest) -> bool:
    return request.scope.can(Perm.VIEW_DISCIPLINE)


def shown_id(request: HttpRequest, person) -> str:
    from baolei.registry.services.people import shown_id_number

    return shown_id_number(request.scope, person.id_number)


def export_name(request: HttpRequest, title) -> str:
    return exporting.file_name(request.scope, title)


def filtered_region(form) -> str | None:
    return form.cleaned_data.get("region") if form.is_bound and form.is_valid() else None


def list_context(request: HttpRequest, form, page) -> dict:
    """What the cadre and leader lists show around their rows (see `pages.list_context`)."""
    can_edit = request.scope.can(Perm.MANAGE_CADRES)
    return pages.list_context(request, form, page, filtered_region(form), can_edit=can_edit)


def _teams_summary(request: HttpRequest) -> dict:
    """The teams part of the overview (`teams_summary`), from the teams views."""
    from baolei.cadres.views.teams import summary_context

    return summary_context(request)


# --- the overview --------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    cadres = scoped(Cadre.objects.all(), request.scope)
    candidates = scoped(LeaderCandidate.objects.all(), request.scope)
    context = {
        "cadre_count": cadres.count(),
        "helper_count": cadres.filter(helper__isnull=False).count(),
        "candidate_count": candidates.count(),
        "leader_counts": leaders.counts_by_source(candidates),
        "can_edit": request.scope.can(Perm.MANAGE_CADRES),
        **_teams_summary(request),
    }
    return render(request, "cadres/index.html", context)


# --- the cadre list and its export ---------------------------------------------------------


def _filtered(request: HttpRequest, params) -> tuple[CadreFilterForm, object | None]:
    form = CadreFilterForm(params or None, scope=request.scope)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, services.filter_cadres(cadres_in_scope(request), form.to_filters())


@require_perm(Perm.VIEW)
def cadre_list(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("page", None)
    form, cadres = _filtered(request, params)
    if cadres is None:
        cadres = Cadre.objects.none()
    if sees_discipline(request):
        cadres = services.with_discipline_flag(cadres)
    cadres, sort = pages.sorted_by(
        request,
        cadres,
        {
            "name": "person__name",
            "unit": ("unit", "person__name"),
            "post": "post",
            "rank": "rank",
            "political_status": "political_status",
            "education": "education",
            "region": ("region_code", "person__name"),
        },
        "region",
    )
    page = Paginator(cadres, PAGE_SIZE).get_page(request.GET.get("page"))
    for cadre in page:
        cadre.shown_id_number = shown_id(request, cadre.person)
    context = {
        **list_context(request, form, page),
        "sort": sort,
        "sees_discipline": sees_discipline(request),
    }
    return render(request, "cadres/cadre_list.html", context)


@require_perm(Perm.VIEW)
def cadre_export(request: HttpRequest) -> HttpResponse:
    """The filtered list in the import sheet's columns (masked unless the role may see
    personal data), with a 处分影响期内 column only for roles that may see discipline."""
    params = request.GET.copy()
    params.pop("format", None)
    form, cadres = _filtered(request, params)
    if cadres is None:
        if "region" in form.errors:
            raise Http404
        return HttpResponseBadRequest(_("The filters are not valid."))
    discipline = sees_discipline(request)
    if discipline:
        cadres = services.with_discipline_flag(cadres)
    cadres = cadres.order_by("region_code", "person__name", "pk")
    reveal = request.scope.can(Perm.SEE_PERSONAL_DATA)
    sheet = sheets.CADRE_SHEET
    return exporting.export_response(
        request,
        header=sheets.cadre_export_header(discipline),
        rows=sheets.cadre_export_rows(cadres, reveal, discipline),
        filename=export_name(request, sheet.title),
        model="cadres.cadre",
        filters=form.cleaned_data if form.is_bound else {},
        count=cadres.count,
        sheet_name=sheet.sheet_name,
        text_columns=sheets.text_columns(),
        widths=[column.width for column in sheet.columns],
        details={"masked": not reveal, "discipline": discipline},
    )


# --- a cadre's file ------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = cadre_in_scope(request, pk)
    period_form = PeriodForm(request.GET or None)
    period = period_form.period()
    households = scoped(Household.objects.all(), request.scope)
    context = {
        "cadre": cadre,
        "region": Region.objects.filter(code=cadre.region_code).first(),
        "shown_id_number": shown_id(request, cadre.person),
        "years": cadre.years_of_experience(),
        "period": period,
        "period_form": period_form,
        "computed": computed_for(cadre, period, households),
        "entered": list(
            scoped(cadre.achievements.all(), request.scope).order_by("-achieved_on", "-id")
        ),
        "assessments": list(cadre.assessments.order_by("-year")),
        "decisions": list(cadre.incentive_decisions.order_by("-decided_on", "-id")),
        "sees_discipline": sees_discipline(request),
        "discipline": (
            list(cadre.disciplinary_records.order_by("-decided_on", "-id"))
            if sees_discipline(request)
            else []
        ),
        "can_edit": request.scope.can(Perm.MANAGE_CADRES),
    }
    return render(request, "cadres/cadre_detail.html", context)


@require_perm(Perm.MANAGE_CADRES)
def cadre_create(request: HttpRequest) -> HttpResponse:
    form = CadreForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cadre = services.do_create_cadre(
                request.user,
                id_number=data["id_number"],
                name=data["name"],
                phone=data["phone"],
                **form.cadre_fields(),
            )
        except services.CadreError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Cadre %(name)s added.") % {"name": cadre.person.name})
            return redirect("cadres:cadre_detail", pk=cadre.pk)
    context = {"form": form, "cadre": None, "picker_roots": picker_roots(request.scope)}
    return render(request, "cadres/cadre_form.html", context)


@require_perm(Perm.MANAGE_CADRES)
def cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = cadre_in_scope(request, pk)
    form = CadreForm(request.POST or None, instance=cadre, scope=request.scope)
    versioning.carry(form, cadre)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_cadre(
                request.user,
                cadre,
                expected_version=versioning.expected(form),
                **form.cadre_fields(),
            )
        except services.CadreError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Cadre record saved."))
            return redirect("cadres:cadre_detail", pk=cadre.pk)
    context = {
        "form": form,
        "cadre": cadre_in_scope(request, pk),
        "picker_roots": picker_roots(request.scope),
    }
    return render(request, "cadres/cadre_form.html", context)


def _cadre_subform(request, cadre, form, save, success, title: str) -> HttpResponse:
    """A form that adds to a cadre's file: a valid post is given to `save(data)`, then
    the file is shown with the message `success` (or `success(data)`); a refusal comes
    back onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.CadreError as error:
            apply_error(form, error)
        else:
            message = success(form.cleaned_data) if callable(success) else success
            messages.success(request, message)
            return redirect("cadres:cadre_detail", pk=cadre.pk)
    context = {"form": form, "cadre": cadre, "title": title}
    return render(request, "cadres/cadre_subform.html", context)


@require_perm(Perm.MANAGE_CADRES)
def achievement_create(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = cadre_in_scope(request, pk)
    form = AchievementForm(request.POST or None, request.FILES or None, scope=request.scope)

    def save(data):
        services.do_add_achievement(
            request.user,
            cadre,
            kind=data["kind"],
            region_code=data["region_code"],
            household=data["household"],
            achieved_on=data["achieved_on"],
            title=data["title"],
            quantity=data["quantity"],
            evidence=data["evidence"],
            evidence_file=data["evidence_file"],
        )

    success = _("Achievement recorded.")
    return _cadre_subform(request, cadre, form, save, success, _("Add an achievement"))


@require_perm(Perm.MANAGE_CADRES)
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = cadre_in_scope(request, pk)
    form = AssessmentForm(request.POST or None)

    def save(data):
        services.do_save_assessment(
            request.user,
            cadre,
            data["year"],
            score=data["score"],
            grade=data["grade"],
            note=data["note"],
        )

    def success(data):
        return _("Assessment of %(year)d saved.") % {"year": data["year"]}

    return _cadre_subform(request, cadre, form, save, success, _("Record an assessment"))


@require_perm(Perm.VIEW_DISCIPLINE)
def discipline_create(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.scope.can(Perm.MANAGE_CADRES):
        raise PermissionDenied
    cadre = cadre_in_scope(request, pk)
    form = DisciplineForm(request.POST or None)

    def save(data):
        services.do_add_disciplinary_record(request.user, cadre, **data)

    success = _("Disciplinary record added.")
    return _cadre_subform(request, cadre, form, save, success, _("Add a disciplinary record"))


@require_perm(Perm.VIEW)
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """An achievement's evidence file, for those whose scope holds its village (media
    files are not served otherwise: evidence may name people)."""
    achievement = get_in_scope(Achievement.objects.all(), request.scope, pk=pk)
    if not achievement.evidence_file:
        raise Http404
    name = Path(achievement.evidence_file.name).name
    return FileResponse(achievement.evidence_file.open("rb"), as_attachment=True, filename=name)
