"""Training of new professional farmers: courses, enrolments, completion and
certificates, the counts per village and year, and the enrolments export."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.imports import exporting
from baolei.pages import apply_error, drill_down, region_names, sorted_by
from baolei.regions.services import picker_roots
from baolei.registry.services import shown_id_number
from baolei.talent.forms import CompletionForm, CourseForm, EnrolForm, TrainingCountsForm
from baolei.talent.models import Course
from baolei.talent.services import talent as services
from baolei.talent.services import training as services_training
from baolei.talent.sheets import talent as sheets


def _course(request: HttpRequest, pk: int) -> Course:
    return services.get_visible(services_training.visible_courses(request.scope), pk=pk)


@require_perm(Perm.VIEW)
def course_list(request: HttpRequest) -> HttpResponse:
    courses = services_training.visible_courses(request.scope)
    year = request.GET.get("year", "")
    if year.isdigit():
        courses = courses.filter(starts_on__year=int(year))
    courses, sort = sorted_by(
        request,
        courses,
        {
            "code": "code",
            "title": ("title", "code"),
            "subject": ("subject", "code"),
            "dates": ("starts_on", "code"),
        },
        "-dates",
    )
    page = Paginator(courses, 50).get_page(request.GET.get("page"))
    enrolments = services_training.visible_enrolments(request.scope)
    counts = {
        row["course_id"]: row
        for row in services_training.count_enrolments(
            enrolments.filter(course__in=[course.pk for course in page]), "course_id"
        )
    }
    for course in page:
        course.counted = counts.get(course.pk, {"enrolled": 0, "completed": 0, "certified": 0})
    context = {
        "page": page,
        "sort": sort,
        "year": year,
        "can_edit": request.scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "talent/course_list.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def course_create(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            course = services_training.do_create_course(request.user, **form.cleaned_data)
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Course %(code)s created.") % {"code": course.code})
            return redirect("talent:course_detail", pk=course.pk)
    context = {"form": form, "picker_roots": picker_roots(request.scope), "title": _("New course")}
    return render(request, "talent/course_form.html", context)


@require_perm(Perm.VIEW)
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    enrolments = services_training.visible_enrolments(request.scope).filter(course=course)
    enrolments, sort = sorted_by(
        request,
        enrolments.select_related("person"),
        {
            "name": "person__name",
            "village": ("region_code", "person__name"),
            "hours": ("hours_attended", "person__name"),
            "passed": ("passed", "person__name"),
            "certificate": ("certificate_number", "person__name"),
        },
        "village",
    )
    enrolments = list(enrolments)
    names = region_names([course.region_code, *(e.region_code for e in enrolments)])
    for enrolment in enrolments:
        enrolment.shown_id_number = shown_id_number(request.scope, enrolment.person.id_number)
        enrolment.village_name = names.get(enrolment.region_code, enrolment.region_code)
    context = {
        "course": course,
        "host_name": names.get(course.region_code, course.region_code),
        "enrolments": enrolments,
        "sort": sort,
        "taken": course.enrolments.count(),
        "can_edit": request.scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "talent/course_detail.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    initial = {"enrolled_on": timezone.localdate()}
    if request.scope.region_code and len(request.scope.region_code) == 12:
        initial["village_code"] = request.scope.region_code
    form = EnrolForm(request.POST or None, scope=request.scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services_training.do_enrol(request.user, course, **form.cleaned_data)
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s enrolled.") % {"name": enrolment.person.name})
            return redirect("talent:course_detail", pk=course.pk)
    context = {
        "form": form,
        "course": course,
        "picker_roots": picker_roots(request.scope),
        "title": _("Enrol on %(course)s") % {"course": course.title},
    }
    return render(request, "talent/course_form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def completion(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = services_training.visible_enrolments(request.scope).select_related(
        "course", "person"
    )
    enrolment = services.get_visible(queryset, pk=pk)
    passed = {True: "yes", False: "no"}.get(enrolment.passed, "")
    initial = {
        "hours_attended": enrolment.hours_attended,
        "passed": passed,
        "certificate_number": enrolment.certificate_number,
        "certificate_issued_on": enrolment.certificate_issued_on,
    }
    form = CompletionForm(request.POST or None, scope=request.scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_training.do_record_completion(request.user, enrolment, **form.cleaned_data)
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Completion recorded."))
            return redirect("talent:course_detail", pk=enrolment.course_id)
    context = {
        "form": form,
        "course": enrolment.course,
        "title": _("Completion of %(name)s") % {"name": enrolment.person.name},
    }
    return render(request, "talent/course_form.html", context)


@require_perm(Perm.VIEW)
def training_counts(request: HttpRequest) -> HttpResponse:
    form = TrainingCountsForm(request.GET or None, scope=request.scope)
    if form.is_bound and not form.is_valid():
        if "region" in form.errors:
            raise Http404
        form = TrainingCountsForm(scope=request.scope)
    data = form.cleaned_data if form.is_bound else {}
    region = data.get("region") or request.scope.region_code
    year = data.get("year")
    enrolments = services_training.visible_enrolments(request.scope)
    # Counted where the trainees live, so only the villages of the scope.
    enrolments = request.scope.filter(enrolments)
    rows, total = services_training.training_counts(enrolments, request.scope, region, year)
    crumbs, _children = drill_down(request, region)
    context = {
        "rows": rows,
        "total": total,
        "years": services_training.yearly_counts(enrolments, region),
        "year": year,
        "region": region,
        "crumbs": crumbs,
    }
    return render(request, "talent/training_counts.html", context)


@require_perm(Perm.VIEW)
def enrolment_export(request: HttpRequest) -> HttpResponse:
    """Enrolments in the sheet's columns (the import's), masked unless the role may see."""
    enrolments = services_training.visible_enrolments(request.scope)
    course = request.GET.get("course", "")
    if course:
        enrolments = enrolments.filter(course=_course(request, course))
    reveal = request.scope.can(Perm.SEE_PERSONAL_DATA)
    return exporting.export_response(
        request,
        header=sheets.ENROLMENT_SHEET.headers,
        rows=sheets.enrolment_export_rows(enrolments, reveal),
        filename=exporting.file_name(request.scope, sheets.ENROLMENT_SHEET.title),
        model="talent.enrolment",
        filters={"course": course},
        count=enrolments.count,
        sheet_name=sheets.ENROLMENT_SHEET.sheet_name,
        text_columns=sheets.text_columns(sheets.ENROLMENT_SHEET),
        widths=[column.width for column in sheets.ENROLMENT_SHEET.columns],
        details={"masked": not reveal},
    )
