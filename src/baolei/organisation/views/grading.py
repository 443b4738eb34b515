"""Pages of branch grading, weak branches and their rectification, organisation life.

Every record is reached through `scoped()` or `get_in_scope()`; checklists and criteria
set above the viewer's region are read through the in-scope branch they apply to. Writes
go through the services, whose refusals come back onto the form.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.imports import exporting
from baolei.organisation.forms import grading as forms
from baolei.organisation.models import (
    BranchGrading,
    Grade,
    GradeBand,
    GradingChecklist,
    GradingIndicator,
    LifeKind,
    LifeRecord,
    PartyOrganisation,
    RectificationTask,
    WeakBranchDesignation,
)
from baolei.organisation.services import grading, life, rectification
from baolei.pages import apply_error, sorted_by
from baolei.regions import codes
from baolei.regions.models import Region

PAGE_SIZE = 50


def _refuse(request: HttpRequest, form, error) -> None:
    """On the field at fault, or as a message when the form shown may not be this one
    (a task page shows only the forms its state allows)."""
    if getattr(error, "field", None) in form.fields:
        apply_error(form, error)
    else:
        messages.error(request, str(error.message))


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except ValueError:
        return default
    return value if low <= value <= high else default


def _year(request: HttpRequest) -> int:
    return _int(request, "year", timezone.localdate().year, grading.EARLIEST_YEAR, 2100)


def _region(request: HttpRequest) -> str | None:
    """The region filter: a code within the scope, or 404 like any record outside it."""
    code = request.GET.get("region", "").strip()
    if not code:
        return None
    if not codes.is_region_code(code) or not request.scope.contains(code):
        raise Http404
    return code


def _branch(request: HttpRequest, pk: int) -> PartyOrganisation:
    return get_in_scope(grading.village_branches(request.scope), request.scope, pk=pk)


def _may_grade(request: HttpRequest) -> bool:
    return request.scope.can(Perm.EDIT_ORGANISATION) and grading.may_judge(request.scope)


def _drill(request: HttpRequest, code: str | None) -> tuple[list[Region], list[Region]]:
    current = code or request.scope.region_code
    if current is None:
        return [], list(Region.objects.children_of(None))
    ancestors = [c for c in codes.ancestors_of(current) if request.scope.contains(c)]
    crumbs = list(Region.objects.filter(code__in=[*ancestors, current]).order_by("code"))
    children = [] if len(current) == 12 else list(Region.objects.children_of(current))
    return crumbs, children


def _share(part: int, whole: int) -> str:
    """`part` as a percentage of `whole`, to one decimal ("—" of nothing)."""
    return f"{100 * part / whole:.1f}" if whole else "—"


def _names(codes_: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes_).values_list("code", "name"))


def _configurable_region(request: HttpRequest) -> str:
    """The region a checklist or criterion is set for: the viewer's own county or above."""
    code = request.scope.region_code
    if code is None or not request.scope.can(Perm.EDIT_ORGANISATION) or len(code) > 6:
        raise PermissionDenied
    return code


# --- grading -----------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def grading_overview(request: HttpRequest) -> HttpResponse:
    graded_years = grading.years_graded(request.scope)
    # The latest grading by default, rather than a year not graded yet.
    year = graded_years[0] if "year" not in request.GET and graded_years else _year(request)
    region = _region(request)
    current = region or request.scope.region_code
    counts = grading.grade_counts(request.scope, year, region)
    by_child = grading.grade_counts_by_child(request.scope, year, current) if current else {}
    crumbs, children = _drill(request, region)
    gradings = scoped(BranchGrading.objects.filter(year=year), request.scope)
    grade = request.GET.get("grade", "")
    if region:
        gradings = gradings.filter(codes.within("region_code", region))
    if grade in Grade.values:
        gradings = gradings.filter(grade=grade)
    # The best first: the grade follows the percentage, so one order serves both columns.
    gradings, sort = sorted_by(
        request,
        gradings.select_related("organisation"),
        {
            "branch": ("region_code", "organisation__name"),
            "score": ("percent", "total"),
        },
        "-score",
    )
    page = Paginator(gradings, PAGE_SIZE).get_page(request.GET.get("page"))
    maxima = grading.weighted_maxima({g.checklist_id for g in page})
    distinct_maxima = set(maxima.values())
    history = [(y, grading.grade_counts(request.scope, y, region)) for y in graded_years[:5]]
    graded = sum(n for g, n in counts.items() if g != "ungraded")
    used = grading.grades_used(request.scope, year, counts)
    context = {
        "year": year,
        "region": region,
        "counts": [
            (g, label, counts.get(g, 0), _share(counts.get(g, 0), graded))
            for g, label in Grade.choices
            if counts.get(g)
        ],
        "graded": graded,
        "ungraded": counts.get("ungraded", 0),
        "children": [
            (child, per, sum(per.values()))
            for child in children
            for per in [by_child.get(child.code, {})]
        ],
        "crumbs": crumbs,
        "grades": [(g, label) for g, label in Grade.choices if g in used],
        "history_grades": [
            (g, label)
            for g, label in Grade.choices
            if any(per.get(g) for _y, per in history) or g in used
        ],
        "all_grades": Grade.choices,
        "grade": grade,
        "page": page,
        "sort": sort,
        # The maximum in the header when one applies to the page; the percentage of a
        # maximum of 100 points repeats the score, so it is shown only otherwise.
        "maximum": grading.plain(distinct_maxima.pop()) if len(distinct_maxima) == 1 else None,
        "show_percent": any(m != 100 for m in maxima.values()),
        "history": history,
    }
    return render(request, "organisation/grading/overview.html", context)


@require_perm(Perm.VIEW)
def checklist_list(request: HttpRequest) -> HttpResponse:
    checklists = grading.checklists_visible(request.scope).order_by("-year", "region_code")
    can_configure = (
        request.scope.region_code is not None
        and len(request.scope.region_code) <= 6
        and request.scope.can(Perm.EDIT_ORGANISATION)
    )
    own = scoped(GradingChecklist.objects.all(), request.scope)
    form = forms.ChecklistForm(
        request.POST or None,
        checklists=own,
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST":
        region_code = _configurable_region(request)
        if form.is_valid():
            try:
                checklist = grading.do_create_checklist(
                    request.user,
                    region_code,
                    form.cleaned_data["year"],
                    form.cleaned_data["title"],
                    copy_from=form.cleaned_data["copy_from"],
                )
            except grading.GradingError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Checklist created."))
                return redirect("organisation:checklist_detail", pk=checklist.pk)
    context = {"checklists": checklists, "form": form, "can_configure": can_configure}
    return render(request, "organisation/grading/checklist_list.html", context)


@require_perm(Perm.VIEW)
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Not get_in_scope(): a township reads the checklist its county set above it.
    checklist = grading.checklists_visible(request.scope).filter(pk=pk).first()
    if checklist is None:
        raise Http404
    can_edit = request.scope.can(Perm.EDIT_ORGANISATION) and grading.may_configure(
        request.scope, checklist.region_code
    )
    indicator_form = forms.IndicatorForm(prefix="indicator")
    band_form = forms.BandForm(prefix="band")
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "indicator":
                indicator_form = forms.IndicatorForm(request.POST, prefix="indicator")
                if indicator_form.is_valid():
                    grading.do_add_indicator(request.user, checklist, **indicator_form.cleaned_data)
                    return redirect("organisation:checklist_detail", pk=pk)
            elif action == "band":
                band_form = forms.BandForm(request.POST, prefix="band")
                if band_form.is_valid():
                    grading.do_set_band(request.user, checklist, **band_form.cleaned_data)
                    return redirect("organisation:checklist_detail", pk=pk)
            elif action == "remove_indicator":
                indicator = GradingIndicator.objects.get(
                    checklist=checklist, pk=request.POST.get("id", "0")
                )
                grading.do_remove_indicator(request.user, indicator)
                return redirect("organisation:checklist_detail", pk=pk)
            elif action == "remove_band":
                band = GradeBand.objects.get(checklist=checklist, pk=request.POST.get("id", "0"))
                grading.do_remove_band(request.user, band)
                return redirect("organisation:checklist_detail", pk=pk)
        except (GradingIndicator.DoesNotExist, GradeBand.DoesNotExist, ValueError) as error:
            raise Http404 from error
        except grading.GradingError as error:
            messages.error(request, str(error.message))
    indicators = list(checklist.indicators.all())
    max_total = sum((i.max_score * i.weight for i in indicators), 0)
    context = {
        "checklist": checklist,
        "indicators": indicators,
        "bands": list(checklist.bands.all()),
        "max_total": max_total,
        "in_use": BranchGrading.objects.filter(checklist=checklist).exists(),
        "can_edit": can_edit,
        "indicator_form": indicator_form,
        "band_form": band_form,
    }
    return render(request, "organisation/grading/checklist_detail.html", context)


@require_perm(Perm.VIEW)
def branch_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A branch's grades across the years, its weak-branch designations and its life.

    Any branch that holds organisation life has this page (the life overview links here);
    grades and designations are only for a village branch."""
    branch = get_in_scope(life.life_branches(request.scope), request.scope, pk=pk)
    gradable = grading.village_branches(request.scope).filter(pk=branch.pk).exists()
    gradings = list(branch.gradings.order_by("-year"))
    today = timezone.localdate()
    context = {
        "branch": branch,
        "village": Region.objects.filter(code=branch.region_code).first(),
        "gradings": gradings,
        "this_year": today.year,
        "designations": list(branch.weak_designations.order_by("-year")),
        "life_records": list(branch.life_records.order_by("-held_on")[:20]),
        "gradable": gradable,
        "can_grade": gradable and _may_grade(request),
        # The township or the county designates a branch weak, as it grades it.
        "can_designate": gradable and _may_grade(request),
        "can_record": request.scope.can(Perm.RECORD_BRANCH_WORK),
        # The page serves two tabs: the one it was opened from stays highlighted, and a
        # branch that is not graded is only about its organisation life.
        "nav": "life" if request.GET.get("section") == "life" or not gradable else "grading",
    }
    return render(request, "organisation/grading/branch.html", context)


def _grading_context(request, branch, year, form, result, grading_row=None) -> dict:
    return {
        "branch": branch,
        "year": year,
        "form": form,
        "result": result,
        "grading": grading_row,
        "checklist": form.checklist,
    }


@require_perm(Perm.EDIT_ORGANISATION)
def grading_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    branch = _branch(request, pk)
    if not grading.may_judge(request.scope):
        raise PermissionDenied  # the village does not grade its own branch
    if not grading.EARLIEST_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404
    checklist = grading.checklist_for(branch.region_code, year)
    if checklist is None:
        messages.error(
            request, _("There is no grading checklist for %(year)d yet.") % {"year": year}
        )
        return redirect("organisation:branch_record", pk=branch.pk)
    existing = BranchGrading.objects.filter(organisation=branch, year=year).first()
    form = forms.GradingForm(request.POST or None, checklist=checklist, grading=existing)
    form.checklist = checklist
    if request.method == "POST" and form.is_valid():
        try:
            grading.do_save_grading(
                request.user,
                branch,
                year,
                form.entries(),
                form.cleaned_data["note"],
                scope=request.scope,
            )
        except grading.GradingError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Grading saved."))
            return redirect("organisation:branch_record", pk=branch.pk)
    if form.is_bound:
        result = grading.compute(checklist, form.scores())
    elif existing:
        result = grading.explain(existing)
    else:
        result = grading.compute(checklist, {})
    context = _grading_context(request, branch, year, form, result, existing)
    return render(request, "organisation/grading/grading_form.html", context)


@require_perm(Perm.VIEW)
@require_POST
def grading_preview(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The live total while scores are typed (HTMX): computed, never saved."""
    branch = _branch(request, pk)
    checklist = grading.checklist_for(branch.region_code, year)
    if checklist is None:
        raise Http404
    form = forms.GradingForm(request.POST, checklist=checklist)
    result = grading.compute(checklist, form.scores())
    return render(request, "organisation/grading/_total.html", {"result": result})


def _grading_rows(gradings):
    for row in gradings.iterator(chunk_size=2000):
        yield [
            row.year,
            row.region_code,
            row.organisation.name,
            float(row.total),
            float(row.percent),
            row.get_grade_display(),
            row.graded_by,
        ]


@require_perm(Perm.VIEW)
def grading_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    region = _region(request)
    gradings = scoped(BranchGrading.objects.filter(year=year), request.scope)
    if region:
        gradings = gradings.filter(codes.within("region_code", region))
    gradings = gradings.select_related("organisation").order_by("region_code")
    header = [
        _("Year"),
        _("Village code"),
        _("Branch"),
        _("Total"),
        _("Percent"),
        _("Grade"),
        _("Graded by"),
    ]
    return exporting.export_response(
        request,
        header=header,
        rows=_grading_rows(gradings),
        filename=exporting.file_name(request.scope, gettext_lazy("Branch grading"), year),
        model="organisation.branchgrading",
        filters={"year": year, "region": region},
        count=gradings.count,
        text_columns=(1,),
    )


# --- organisation life ------------------------------------------------------------------


@require_perm(Perm.VIEW)
def life_overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # The last finished quarter by default, as the index summary: the running one would
    # flag every branch that has simply not met yet.
    default_year, default_quarter = life.previous_quarter(today)
    year = _int(request, "year", default_year, grading.EARLIEST_YEAR, 2100)
    quarter = _int(request, "quarter", default_quarter, 1, 4)
    region = _region(request)
    rows = life.quarter_overview(request.scope, year, quarter, region, today=today)
    only_flagged = request.GET.get("flagged") == "1"
    shown = [row for row in rows if row.flagged] if only_flagged else rows
    shown, sort = sorted_by(
        request,
        shown,
        {
            "branch": ("branch.region_code", "branch.name"),
            "meetings": "total",
            "attendance": "attendance_percent",
            **{kind: (lambda row, kind=kind: row.counts.get(kind, 0)) for kind in LifeKind.values},
        },
        "branch",
    )
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    first, last = life.quarter_bounds(year, quarter)
    context = {
        "year": year,
        "quarter": quarter,
        "first": first,
        "last": last,
        "running": not life.is_over(year, quarter, today),
        "started": first <= today,
        "region": region,
        "flags": life.flag_counts(rows),
        "branch_count": len(rows),
        "kinds": LifeKind.choices,
        "page": page,
        "sort": sort,
        "only_flagged": only_flagged,
        "crumbs": _drill(request, region)[0],
        "can_record": request.scope.can(Perm.RECORD_BRANCH_WORK),
    }
    return render(request, "organisation/grading/life_overview.html", context)


@require_perm(Perm.RECORD_BRANCH_WORK)
def life_create(request: HttpRequest) -> HttpResponse:
    branches = life.life_branches(request.scope)
    initial = {"held_on": timezone.localdate()}
    if request.GET.get("branch", "").isdigit():
        initial["organisation"] = request.GET["branch"]
    form = forms.LifeForm(
        request.POST or None, request.FILES or None, branches=branches, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data.pop("organisation")
        try:
            life.do_record_life(request.user, organisation, today=timezone.localdate(), **data)
        except life.LifeError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Meeting recorded."))
            url = reverse("organisation:branch_record", kwargs={"pk": organisation.pk})
            return redirect(f"{url}?section=life#life")
    return render(request, "organisation/grading/life_form.html", {"form": form})


@require_perm(Perm.VIEW)
def life_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A meeting's photo, for those whose scope holds its branch: media files are never
    served publicly (a photo shows the people at the meeting)."""
    record = get_in_scope(LifeRecord.objects.all(), request.scope, pk=pk)
    if not record.photo:
        raise Http404
    suffix = Path(record.photo.name).suffix.lower()
    content_type = life.PHOTO_TYPES.get(suffix)
    if content_type is None:
        raise Http404
    response = FileResponse(record.photo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_perm(Perm.VIEW)
def life_export(request: HttpRequest) -> HttpResponse:
    records = scoped(LifeRecord.objects.all(), request.scope)
    region = _region(request)
    if region:
        records = records.filter(codes.within("region_code", region))
    year = request.GET.get("year", "")
    if year.isdigit():
        records = records.filter(held_on__year=int(year))
    records = records.select_related("organisation").order_by("region_code", "held_on")

    def rows():
        for record in records.iterator(chunk_size=2000):
            yield [
                record.region_code,
                record.organisation.name,
                record.get_kind_display(),
                record.held_on.isoformat(),
                record.topic,
                record.attended,
                record.expected,
            ]

    header = [
        _("Village code"),
        _("Branch"),
        _("Kind"),
        _("Held on"),
        _("Topic"),
        _("Attended"),
        _("Expected"),
    ]
    return exporting.export_response(
        request,
        header=header,
        rows=rows(),
        filename=exporting.file_name(
            request.scope, gettext_lazy("Organisation life"), year if year.isdigit() else ""
        ),
        model="organisation.liferecord",
        filters={"region": region, "year": year},
        count=records.count,
        text_columns=(0,),
    )


def summary_context(scope, today: datetime.date | None = None) -> dict:
    """What `organisation/grading/_summary.html` shows: the org index includes it with
    `{% include "organisation/grading/_summary.html" with grading_summary=... %}`."""
    today = today or timezone.localdate()
    year = today.year
    counts = grading.grade_counts(scope, year)
    if not any(v for k, v in counts.items() if k != "ungraded"):
        year -= 1
        counts = grading.grade_counts(scope, year)
    previous = life.previous_quarter(today)
    quiet = life.branches_without_life(
        life.life_branches(scope), *life.quarter_bounds(*previous)
    ).count()
    tasks = scoped(RectificationTask.objects.all(), scope)
    return {
        "year": year,
        "counts": [(g, label, counts.get(g, 0)) for g, label in Grade.choices if counts.get(g)],
        "ungraded": counts.get("ungraded", 0),
        "weak_open": scoped(
            WeakBranchDesignation.objects.exclude(status=WeakBranchDesignation.Status.CLOSED),
            scope,
        ).count(),
        "overdue": rectification.overdue(tasks, today).count(),
        "quarter": previous,
        "without_life": quiet,
    }


@require_perm(Perm.VIEW)
def summary(request: HttpRequest) -> HttpResponse:
    """The summary partial on its own (HTMX), for pages that load it lazily."""
    context = {"grading_summary": summary_context(request.scope)}
    return render(request, "organisation/grading/_summary.html", context)
