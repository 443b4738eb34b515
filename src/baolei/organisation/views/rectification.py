"""Pages of weak and lax branches and their rectification: the list, the criteria,
designation, tasks with progress notes, verification and closing, the overdue list and
the task export. Shared helpers are in `views.grading`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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
    RectificationTask,
    TaskStatus,
    WeakBranchDesignation,
)
from baolei.organisation.services import rectification
from baolei.organisation.views.grading import (
    PAGE_SIZE,
    _branch,
    _configurable_region,
    _names,
    _refuse,
    _region,
    _year,
)
from baolei.pages import apply_error, sorted_by
from baolei.regions import codes


@require_perm(Perm.VIEW)
def weak_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    today = timezone.localdate()
    designations = scoped(WeakBranchDesignation.objects.filter(year=year), request.scope)
    region = _region(request)
    if region:
        designations = designations.filter(codes.within("region_code", region))
    status = request.GET.get("status", "")
    if status in WeakBranchDesignation.Status.values:
        designations = designations.filter(status=status)
    designations = designations.select_related("organisation").prefetch_related("tasks")
    rows = []
    for designation in designations:
        tasks = list(designation.tasks.all())
        rows.append(
            (
                designation,
                len(tasks),
                sum(1 for t in tasks if t.status == TaskStatus.CLOSED),
                sum(1 for t in tasks if t.is_overdue(today)),
            )
        )
    rows, sort = sorted_by(
        request,
        rows,
        {
            "branch": lambda row: (row[0].region_code, row[0].organisation.name),
            "status": lambda row: row[0].status,
            "closed": lambda row: (row[2], row[1]),
            "overdue": lambda row: row[3],
        },
        "branch",
    )
    context = {
        "year": year,
        "rows": rows,
        "sort": sort,
        "status": status,
        "statuses": WeakBranchDesignation.Status.choices,
        "suggestions": rectification.suggestions(request.scope, year, today)[:50],
        "can_designate": may_designate(request),
    }
    return render(request, "organisation/grading/weak_list.html", context)


@require_perm(Perm.VIEW)
def criteria(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = forms.CriterionForm(request.POST or None, initial={"year": year, "rule": "manual"})
    if request.method == "POST":
        region_code = _configurable_region(request)
        if form.is_valid():
            try:
                rectification.do_add_criterion(
                    request.user, region_code, **form.cleaned_data, scope=request.scope
                )
            except rectification.RectificationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Criterion added."))
                return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    listed = rectification.criteria_visible(request.scope).filter(year=year)
    context = {
        "year": year,
        "criteria": listed,
        "form": form,
        "can_configure": request.scope.region_code is not None
        and len(request.scope.region_code) <= 6
        and request.scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "organisation/grading/criteria.html", context)


def may_designate(request: HttpRequest) -> bool:
    """Whether the designate buttons are shown: the township or the county designates."""
    return request.scope.can(Perm.EDIT_ORGANISATION) and rectification.may_designate(request.scope)


@require_perm(Perm.EDIT_ORGANISATION)
def designate(request: HttpRequest, pk: int) -> HttpResponse:
    branch = _branch(request, pk)  # out of scope is 404, before the designator's 403
    if not rectification.may_designate(request.scope):
        raise PermissionDenied  # the village does not designate its own branch weak
    # The criteria offered are those of the year posted (or asked for), checked again by
    # the service; a year that is not a number falls back to the page's.
    posted = request.POST.get("year", "")
    year = int(posted) if posted.isdigit() and 2000 <= int(posted) <= 2100 else _year(request)
    applicable = rectification.criteria_for(branch.region_code, year)
    form = forms.DesignationForm(
        request.POST or None,
        criteria=applicable,
        initial={"year": year, "designated_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            designation = rectification.do_designate(
                request.user,
                branch,
                data["year"],
                data["criteria"],
                data["reason"],
                data["designated_on"],
                scope=request.scope,
            )
        except rectification.RectificationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The branch is designated weak and lax."))
            return redirect("organisation:designation_detail", pk=designation.pk)
    context = {"branch": branch, "form": form, "year": year, "has_criteria": applicable.exists()}
    return render(request, "organisation/grading/designate.html", context)


@require_perm(Perm.VIEW)
def designation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    designation = get_in_scope(
        WeakBranchDesignation.objects.select_related("organisation"), request.scope, pk=pk
    )
    form = forms.TaskForm(request.POST or None)
    if request.method == "POST":
        if not request.scope.can(Perm.EDIT_ORGANISATION):
            raise PermissionDenied
        if form.is_valid():
            try:
                rectification.do_add_task(request.user, designation, **form.cleaned_data)
            except rectification.RectificationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Task added."))
                return redirect("organisation:designation_detail", pk=pk)
    context = {
        "designation": designation,
        "criteria": list(designation.criteria.all()),
        "tasks": list(designation.tasks.all()),
        "today": timezone.localdate(),
        "form": form,
        "can_edit": request.scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "organisation/grading/designation.html", context)


def _may_verify(request: HttpRequest) -> bool:
    return request.scope.can(Perm.EDIT_ORGANISATION) and rectification.may_verify(request.scope)


def _task(request: HttpRequest, pk: int) -> RectificationTask:
    return get_in_scope(
        RectificationTask.objects.select_related("designation__organisation"),
        request.scope,
        pk=pk,
    )


def _task_page(request, task, status=200, **forms_) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "task": task,
        "notes": list(task.notes.all()),
        "today": today,
        "overdue": task.is_overdue(today),
        # The village records progress; the township or county verifies and closes.
        "can_record": request.scope.can(Perm.RECORD_BRANCH_WORK),
        "may_verify": _may_verify(request),
        "note_form": forms_.get("note_form") or forms.NoteForm(initial={"noted_on": today}),
        "verify_form": forms_.get("verify_form")
        or forms.VerifyForm(initial={"verified_on": today, "result": "passed"}),
        "close_form": forms_.get("close_form") or forms.CloseForm(initial={"closed_on": today}),
    }
    return render(request, "organisation/grading/task.html", context, status=status)


@require_perm(Perm.VIEW)
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, _task(request, pk))


def _task_form(request: HttpRequest, pk: int, form_name: str, form, act, done) -> HttpResponse:
    """A task page's form posted: `act(task, cleaned_data)` and back to the task, or the
    page again (422) with the form and its errors, shown as `form_name`."""
    if form.is_valid():
        try:
            act(_task(request, pk), form.cleaned_data)
        except rectification.RectificationError as error:
            _refuse(request, form, error)
        else:
            messages.success(request, done)
            return redirect("organisation:task_detail", pk=pk)
    return _task_page(request, _task(request, pk), status=422, **{form_name: form})


@require_perm(Perm.RECORD_BRANCH_WORK)
@require_POST
def task_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_form(
        request,
        pk,
        "note_form",
        forms.NoteForm(request.POST),
        lambda task, data: rectification.do_add_note(request.user, task, **data),
        _("Progress recorded."),
    )


@require_perm(Perm.RECORD_BRANCH_WORK)
@require_POST
def task_submit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    try:
        rectification.do_request_verification(request.user, task)
    except rectification.RectificationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The task awaits verification."))
    return redirect("organisation:task_detail", pk=pk)


def _verify(request: HttpRequest, task: RectificationTask, data: dict) -> None:
    passed = data["result"] == "passed"
    rectification.do_verify(
        request.user, task, passed, data["verified_on"], data["note"], scope=request.scope
    )


@require_perm(Perm.EDIT_ORGANISATION)
@require_POST
def task_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_form(
        request,
        pk,
        "verify_form",
        forms.VerifyForm(request.POST),
        lambda task, data: _verify(request, task, data),
        _("Verification recorded."),
    )


def _close(request: HttpRequest, task: RectificationTask, data: dict) -> None:
    rectification.do_close_task(request.user, task, data["closed_on"], scope=request.scope)


@require_perm(Perm.EDIT_ORGANISATION)
@require_POST
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    _task(request, pk)  # out of scope is 404, before the verifier's 403
    if not rectification.may_verify(request.scope):
        raise PermissionDenied  # the village does not close (销号) its own task
    return _task_form(
        request,
        pk,
        "close_form",
        forms.CloseForm(request.POST),
        lambda task, data: _close(request, task, data),
        _("Task closed."),
    )


@require_perm(Perm.VIEW)
def overdue_tasks(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    tasks = scoped(RectificationTask.objects.all(), request.scope)
    region = _region(request)
    if region:
        tasks = tasks.filter(codes.within("region_code", region))
    by_township = rectification.overdue_by_township(tasks, today)
    names = _names(set(by_township))
    late = rectification.overdue(tasks, today).select_related("designation__organisation")
    late, sort = sorted_by(
        request,
        late,
        {
            "task": "description",
            "branch": ("designation__region_code", "designation__organisation__name"),
            "deadline": "deadline",
        },
        "deadline",
    )
    page = Paginator(late, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "today": today,
        "total": sum(by_township.values()),
        "townships": [(code, names.get(code, code), n) for code, n in by_township.items()],
        "page": page,
        "sort": sort,
        "region": region,
    }
    return render(request, "organisation/grading/overdue.html", context)


def _task_rows(tasks, today):
    for task in tasks.iterator(chunk_size=2000):
        yield [
            task.designation.year,
            task.region_code,
            task.designation.organisation.name,
            task.description,
            task.owner_name,
            task.deadline.isoformat(),
            task.get_status_display(),
            _("yes") if task.is_overdue(today) else "",
            task.get_verification_display() if task.verification else "",
            task.closed_on.isoformat() if task.closed_on else "",
        ]


@require_perm(Perm.VIEW)
def task_export(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    tasks = scoped(RectificationTask.objects.all(), request.scope)
    region = _region(request)
    if region:
        tasks = tasks.filter(codes.within("region_code", region))
    if request.GET.get("overdue"):
        tasks = rectification.overdue(tasks, today)
    tasks = tasks.select_related("designation__organisation").order_by("region_code", "deadline")
    header = [
        _("Year"),
        _("Village code"),
        _("Branch"),
        _("Task"),
        _("Owner"),
        _("Deadline"),
        _("Status"),
        _("Overdue"),
        _("Verification"),
        _("Closed on"),
    ]
    return exporting.export_response(
        request,
        header=header,
        rows=_task_rows(tasks, today),
        filename=exporting.file_name(request.scope, gettext_lazy("Rectification tasks")),
        model="organisation.rectificationtask",
        filters={"region": region, "overdue": request.GET.get("overdue")},
        count=tasks.count,
        text_columns=(1,),
    )
