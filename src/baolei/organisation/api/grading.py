"""The API of branch grading, weak branches (criteria, designations, rectification tasks)
and organisation life, under /api/organisation/.

Scoped like the pages: a record outside the caller's scope answers 404, lists hold only
the scope's records, a missing permission answers 403 and a refusal of the services 422
with the field at fault. Dates given for "today" default to the server's date.

The rules of the pages hold here too: criteria are set by a county (or a higher region)
for its own region; grading a branch, designating it weak, verifying and closing its
tasks need a township or higher scope — a village-level account records the work only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.bounds import Count, Points, PositiveCount, Quarter, Year
from baolei.organisation.api.common import (
    ErrorOut,
    StrictSchema,
    refusal,
    region_filter,
    require,
    value_of,
    within,
)
from baolei.organisation.models import (
    BranchGrading,
    CriterionRule,
    LifeKind,
    LifeRecord,
    RectificationTask,
    TaskStatus,
    WeakBranchDesignation,
)
from baolei.organisation.services import grading, life, rectification
from baolei.regions.models import Region

router = Router(tags=["organisation"])


# --- schemas -----------------------------------------------------------------------------


class ScoreOut(Schema):
    indicator_id: int
    indicator: str
    score: Decimal
    max_score: Decimal
    weight: Decimal
    points: Decimal
    explanation: str
    evidence: str
    attachment: str


class GradingOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    region_code: str
    year: int
    total: Decimal
    percent: Decimal
    grade: str
    lagging: bool
    graded_by: str
    updated_at: datetime.datetime


class GradingDetailOut(GradingOut):
    checklist_id: int
    max_total: Decimal
    explanation: str
    scores: list[ScoreOut]
    note: str


class ScoreIn(StrictSchema):
    indicator_id: int
    score: Points
    evidence: str = ""
    attachment: str = ""


class GradingIn(StrictSchema):
    scores: list[ScoreIn]
    note: str = ""


class NoteOut(Schema):
    id: int
    noted_on: datetime.date
    text: str
    author: str


class TaskOut(Schema):
    id: int
    designation_id: int
    region_code: str
    description: str
    owner_name: str
    deadline: datetime.date
    status: str
    overdue: bool
    verification: str
    verified_by: str
    verified_on: datetime.date | None
    closed_on: datetime.date | None


class TaskDetailOut(TaskOut):
    notes: list[NoteOut]


class DesignationOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    region_code: str
    year: int
    status: str
    designated_on: datetime.date
    designated_by: str
    closed_on: datetime.date | None
    criteria: list[str]
    tasks: list[TaskOut]


class DesignationIn(StrictSchema):
    organisation_id: int = Field(description="A village branch of the caller's scope.")
    year: Year
    criteria_ids: list[int] = Field(description="Criteria of that year that apply to it.")
    reason: str = Field("", description="The findings.")
    designated_on: datetime.date | None = Field(None, description="Default: today.")


class GradingCriterionOut(Schema):
    id: int
    region_code: str = Field(description="The county (or higher region) that set it.")
    year: int
    position: int
    name: str
    description: str
    rule: str


class CriterionIn(StrictSchema):
    year: Year
    name: str = Field(max_length=200)
    description: str = ""
    rule: CriterionRule = CriterionRule.MANUAL
    region_code: str | None = Field(
        None,
        description="The county or higher region of the scope it is set for. "
        "Default: the caller's own region.",
    )


class CriterionPatch(StrictSchema):
    name: str | None = Field(None, max_length=200)
    description: str | None = None
    rule: CriterionRule | None = None


class CriteriaQuery(Schema):
    year: Year | None = Field(None, description="Default: this year.")


class NoteIn(StrictSchema):
    text: str
    noted_on: datetime.date | None = Field(None, description="Default: today.")


class VerifyIn(StrictSchema):
    passed: bool
    verified_on: datetime.date | None = Field(None, description="Default: today.")
    note: str = ""


class CloseIn(StrictSchema):
    closed_on: datetime.date | None = Field(None, description="Default: today.")


class LifeOut(Schema):
    id: int
    organisation_id: int
    region_code: str
    kind: str
    held_on: datetime.date
    topic: str
    attended: int
    expected: int
    note: str


class LifeIn(StrictSchema):
    organisation_id: int
    kind: LifeKind
    held_on: datetime.date
    topic: str
    attended: Count
    expected: PositiveCount
    note: str = ""


class OverdueOut(Schema):
    township_code: str
    township_name: str
    overdue: int


class RegionYearIn(Schema):
    year: Year | None = Field(None, description="Default: this year.")
    region: str | None = Field(None, description="A region code within the scope.")


class GradingYearIn(RegionYearIn):
    year: Year | None = Field(None, description="Default: the latest year graded in scope.")


class TaskFilterIn(Schema):
    region: str | None = None
    status: TaskStatus | None = None
    overdue: bool = False


class LifeFilterIn(Schema):
    region: str | None = None
    year: Year | None = None
    quarter: Quarter | None = None


# --- helpers -----------------------------------------------------------------------------


def _in_region(queryset, scope: Scope, region: str | None):
    return within(queryset, "region_code", region_filter(scope, region))


def _grading_out(row: BranchGrading) -> dict:
    return {
        "id": row.pk,
        "organisation_id": row.organisation_id,
        "organisation_name": row.organisation.name,
        "region_code": row.region_code,
        "year": row.year,
        "total": row.total,
        "percent": row.percent,
        "grade": row.grade,
        "lagging": row.lagging,
        "graded_by": row.graded_by,
        "updated_at": row.updated_at,
    }


def _grading_detail(row: BranchGrading) -> dict:
    result = grading.explain(row)
    scores = {score.indicator_id: score for score in row.scores.all()}
    return {
        **_grading_out(row),
        "checklist_id": row.checklist_id,
        "max_total": result.max_total,
        "explanation": result.explanation,
        "note": row.note,
        "scores": [
            {
                "indicator_id": line.indicator.pk,
                "indicator": line.indicator.name,
                "score": line.score,
                "max_score": line.indicator.max_score,
                "weight": line.indicator.weight,
                "points": line.points,
                "explanation": line.explanation,
                "evidence": scores[line.indicator.pk].evidence
                if line.indicator.pk in scores
                else "",
                "attachment": (
                    scores[line.indicator.pk].attachment if line.indicator.pk in scores else ""
                ),
            }
            for line in result.lines
        ],
    }


def _task_out(task: RectificationTask, today: datetime.date) -> dict:
    return {
        "id": task.pk,
        "designation_id": task.designation_id,
        "region_code": task.region_code,
        "description": task.description,
        "owner_name": task.owner_name,
        "deadline": task.deadline,
        "status": task.status,
        "overdue": task.is_overdue(today),
        "verification": task.verification,
        "verified_by": task.verified_by,
        "verified_on": task.verified_on,
        "closed_on": task.closed_on,
    }


def _task_detail(task: RectificationTask, today: datetime.date) -> dict:
    return {**_task_out(task, today), "notes": list(task.notes.all())}


def _designation_out(row: WeakBranchDesignation, today: datetime.date) -> dict:
    return {
        "id": row.pk,
        "organisation_id": row.organisation_id,
        "organisation_name": row.organisation.name,
        "region_code": row.region_code,
        "year": row.year,
        "status": row.status,
        "designated_on": row.designated_on,
        "designated_by": row.designated_by,
        "closed_on": row.closed_on,
        "criteria": [criterion.name for criterion in row.criteria.all()],
        "tasks": [_task_out(task, today) for task in row.tasks.all()],
    }


def _task(request: HttpRequest, pk: int) -> RectificationTask:
    return get_in_scope(
        RectificationTask.objects.select_related("designation"), request.scope, pk=pk
    )


def _require_judge(scope: Scope) -> None:
    """Grading, designating and closing (销号) are done by the township or county, not
    the village."""
    if not grading.may_judge(scope):
        raise HttpError(403, "not allowed: the township or the county does this")


def _require_configurer(scope: Scope, region_code: str) -> None:
    if not grading.may_configure(scope, region_code):
        raise HttpError(403, "not allowed: a county or a higher region sets the criteria")


# --- gradings ----------------------------------------------------------------------------


@router.get("/gradings", response=list[GradingOut], summary="Branch gradings of a year in scope")
def list_gradings(request: HttpRequest, filters: Query[GradingYearIn]):
    scope = require(request, Perm.VIEW)
    # Like the page: the latest grading, rather than a year not graded yet.
    graded = grading.years_graded(scope)
    year = filters.year or (graded[0] if graded else timezone.localdate().year)
    rows = scoped(BranchGrading.objects.filter(year=year), scope)
    rows = _in_region(rows, scope, filters.region).select_related("organisation")
    return [_grading_out(row) for row in rows.order_by("region_code")[:5000]]


@router.get(
    "/gradings/{pk}", response=GradingDetailOut, summary="A grading with its explained scores"
)
def get_grading(request: HttpRequest, pk: int):
    require(request, Perm.VIEW)
    row = get_in_scope(
        BranchGrading.objects.select_related("organisation", "checklist"), request.scope, pk=pk
    )
    return _grading_detail(row)


@router.put(
    "/branches/{pk}/gradings/{year}",
    response={200: GradingDetailOut, 422: ErrorOut},
    summary="Record a branch's scores of a year; the total and grade are computed",
)
def put_grading(request: HttpRequest, pk: int, year: Year, payload: GradingIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    branch = get_in_scope(grading.village_branches(scope), scope, pk=pk)
    _require_judge(scope)
    entries = {
        score.indicator_id: grading.ScoreEntry(score.score, score.evidence, score.attachment)
        for score in payload.scores
    }
    try:
        row = grading.do_save_grading(
            request.user, branch, year, entries, payload.note, scope=scope
        )
    except grading.GradingError as error:
        return refusal(error)
    return Status(200, _grading_detail(row))


# --- weak branches and tasks -------------------------------------------------------------


@router.get(
    "/weak-branches",
    response=list[DesignationOut],
    summary="Weak and lax branches of a year in scope, with their tasks",
)
def list_weak_branches(request: HttpRequest, filters: Query[RegionYearIn]):
    scope = require(request, Perm.VIEW)
    year = filters.year or timezone.localdate().year
    rows = scoped(WeakBranchDesignation.objects.filter(year=year), scope)
    rows = _in_region(rows, scope, filters.region).select_related("organisation")
    today = timezone.localdate()
    rows = rows.prefetch_related("criteria", "tasks").order_by("region_code")
    return [_designation_out(row, today) for row in rows]


@router.post(
    "/weak-branches",
    response={201: DesignationOut, 422: ErrorOut},
    summary="Designate a village branch weak and lax (by the township or the county)",
)
def designate(request: HttpRequest, payload: DesignationIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    branch = get_in_scope(grading.village_branches(scope), scope, pk=payload.organisation_id)
    _require_judge(scope)  # after the 404: out of scope looks like not found
    wanted = set(payload.criteria_ids)
    criteria = list(rectification.criteria_visible(scope).filter(pk__in=wanted))
    try:
        if len(criteria) != len(wanted):
            raise rectification.RectificationError(
                "criteria_year", _("Choose among the criteria of that year."), "criteria"
            )
        row = rectification.do_designate(
            request.user,
            branch,
            payload.year,
            criteria,
            payload.reason,
            payload.designated_on or timezone.localdate(),
            scope=scope,
        )
    except rectification.RectificationError as error:
        names = {"criteria": "criteria_ids", "organisation": "organisation_id"}
        error.field = names.get(error.field, error.field)
        return refusal(error)
    row = WeakBranchDesignation.objects.select_related("organisation").get(pk=row.pk)
    return Status(201, _designation_out(row, timezone.localdate()))


@router.get(
    "/weak-criteria",
    response=list[GradingCriterionOut],
    summary="The weak-branch criteria of a year set in or above the scope",
)
def list_criteria(request: HttpRequest, query: Query[CriteriaQuery]):
    scope = require(request, Perm.VIEW)
    year = query.year or timezone.localdate().year
    criteria = rectification.criteria_visible(scope).filter(year=year)
    return list(criteria.order_by("region_code", "position", "id"))


@router.post(
    "/weak-criteria",
    response={201: GradingCriterionOut, 422: ErrorOut},
    summary="Add a weak-branch criterion (a county or a higher region, for its own region)",
)
def create_criterion(request: HttpRequest, payload: CriterionIn):
    scope = require(request, Perm.EDIT_ORGANISATION)
    region = region_filter(scope, payload.region_code) or scope.region_code
    if region is None:  # the whole country's scope names the region it sets them for
        return refusal(
            rectification.RectificationError(
                "not_county", _("Criteria are set by a county or a higher region."), "region_code"
            )
        )
    _require_configurer(scope, region)
    try:
        criterion = rectification.do_add_criterion(
            request.user,
            region,
            payload.year,
            payload.name,
            payload.description,
            value_of(payload.rule),
            scope=scope,
        )
    except rectification.RectificationError as error:
        return refusal(error)
    return Status(201, criterion)


@router.patch(
    "/weak-criteria/{pk}",
    response={200: GradingCriterionOut, 422: ErrorOut},
    summary="Change a criterion's name, description or check (by the region that set it)",
)
def patch_criterion(request: HttpRequest, pk: int, payload: CriterionPatch):
    scope = require(request, Perm.EDIT_ORGANISATION)
    # Not get_in_scope(): a township reads the criteria its county set above it, and is
    # refused (403) rather than told they do not exist.
    criterion = rectification.criteria_visible(scope).filter(pk=pk).first()
    if criterion is None:
        raise Http404
    _require_configurer(scope, criterion.region_code)
    fields = {
        name: value_of(getattr(payload, name))
        for name in payload.model_fields_set
        if getattr(payload, name) is not None
    }
    try:
        criterion = rectification.do_update_criterion(
            request.user, criterion, scope=scope, **fields
        )
    except rectification.RectificationError as error:
        return refusal(error)
    return Status(200, criterion)


@router.get("/tasks", response=list[TaskOut], summary="Rectification tasks in scope")
def list_tasks(request: HttpRequest, filters: Query[TaskFilterIn]):
    scope = require(request, Perm.VIEW)
    today = timezone.localdate()
    tasks = _in_region(scoped(RectificationTask.objects.all(), scope), scope, filters.region)
    if filters.status:
        tasks = tasks.filter(status=filters.status.value)
    if filters.overdue:
        tasks = rectification.overdue(tasks, today)
    return [_task_out(task, today) for task in tasks.order_by("deadline", "id")[:5000]]


@router.get("/tasks/{pk}", response=TaskDetailOut, summary="A task with its progress notes")
def get_task(request: HttpRequest, pk: int):
    require(request, Perm.VIEW)
    return _task_detail(_task(request, pk), timezone.localdate())


def _task_action(
    request: HttpRequest, pk: int, status: int, act, perm: Perm = Perm.EDIT_ORGANISATION
) -> Status:
    """`act(task, today)` on a task of the scope, allowed by `perm`: the task as it is
    afterwards, with `status`, or the refusal (422)."""
    require(request, perm)
    task = _task(request, pk)
    today = timezone.localdate()
    try:
        act(task, today)
    except rectification.RectificationError as error:
        return refusal(error)
    return Status(status, _task_detail(_task(request, pk), today))


@router.post(
    "/tasks/{pk}/notes",
    response={201: TaskDetailOut, 422: ErrorOut},
    summary="Record a step of progress (an open task starts)",
)
def add_note(request: HttpRequest, pk: int, payload: NoteIn):
    def act(task: RectificationTask, today: datetime.date) -> None:
        rectification.do_add_note(request.user, task, payload.noted_on or today, payload.text)

    return _task_action(request, pk, 201, act, Perm.RECORD_BRANCH_WORK)


@router.post(
    "/tasks/{pk}/submit",
    response={200: TaskDetailOut, 422: ErrorOut},
    summary="The owner says the task is done: it awaits verification",
)
def submit_task(request: HttpRequest, pk: int):
    def act(task: RectificationTask, today: datetime.date) -> None:
        rectification.do_request_verification(request.user, task)

    return _task_action(request, pk, 200, act, Perm.RECORD_BRANCH_WORK)


@router.post(
    "/tasks/{pk}/verify",
    response={200: TaskDetailOut, 422: ErrorOut},
    summary="Record the verification (by the township or the county)",
)
def verify_task(request: HttpRequest, pk: int, payload: VerifyIn):
    def act(task: RectificationTask, today: datetime.date) -> None:
        verified_on = payload.verified_on or today
        rectification.do_verify(
            request.user, task, payload.passed, verified_on, payload.note, scope=request.scope
        )

    return _task_action(request, pk, 200, act)


@router.post(
    "/tasks/{pk}/close",
    response={200: TaskDetailOut, 422: ErrorOut},
    summary="Close the task (销号), only after a verification that passed",
)
def close_task(request: HttpRequest, pk: int, payload: CloseIn):
    def act(task: RectificationTask, today: datetime.date) -> None:
        _require_judge(request.scope)
        closed_on = payload.closed_on or today
        rectification.do_close_task(request.user, task, closed_on, scope=request.scope)

    return _task_action(request, pk, 200, act)


@router.get(
    "/overdue-counts",
    response=list[OverdueOut],
    summary="Overdue rectification tasks per township in scope",
)
def overdue_counts(request: HttpRequest, region: str | None = None):
    scope = require(request, Perm.VIEW)
    tasks = _in_region(scoped(RectificationTask.objects.all(), scope), scope, region)
    counts = rectification.overdue_by_township(tasks, timezone.localdate())
    names = dict(Region.objects.filter(code__in=counts).values_list("code", "name"))
    return [
        {"township_code": code, "township_name": names.get(code, ""), "overdue": n}
        for code, n in counts.items()
    ]


# --- organisation life -------------------------------------------------------------------


@router.get("/life", response=list[LifeOut], summary="Meetings and party lectures in scope")
def list_life(request: HttpRequest, filters: Query[LifeFilterIn]):
    scope = require(request, Perm.VIEW)
    records = _in_region(scoped(LifeRecord.objects.all(), scope), scope, filters.region)
    if filters.year and filters.quarter:
        first, last = life.quarter_bounds(filters.year, filters.quarter)
        records = records.filter(held_on__gte=first, held_on__lte=last)
    elif filters.year:
        records = records.filter(held_on__year=filters.year)
    return list(records.order_by("-held_on", "id")[:5000])


@router.post(
    "/life",
    response={201: LifeOut, 422: ErrorOut},
    summary="Record a meeting or party lecture a branch held",
)
def create_life(request: HttpRequest, payload: LifeIn):
    scope = require(request, Perm.RECORD_BRANCH_WORK)
    branch = get_in_scope(life.life_branches(scope), scope, pk=payload.organisation_id)
    try:
        record = life.do_record_life(
            request.user,
            branch,
            payload.kind.value,
            payload.held_on,
            payload.topic,
            payload.attended,
            payload.expected,
            payload.note,
            today=timezone.localdate(),
        )
    except life.LifeError as error:
        return refusal(error)
    return Status(201, record)
