"""The teams part of the cadres API (mounted under /api/cadres/): work teams, first
secretaries, attendance, leave, candidates with their criteria, gaps and matching runs.
The writes on teams, members and duties, the work-fund ledger and the list of those below
the attendance rule are in `team_changes`, on this same router.

Scoped like the pages: outside the scope is 404, a missing permission 403, a refusal of
the services 422 with the field at fault. Matching needs VIEW_DISCIPLINE (it reads the
candidates' disciplinary records) and MANAGE_CADRES for its writes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.bounds import Month, Year
from baolei.cadres.models import (
    Candidate,
    Duty,
    LeaveRequest,
    MatchingPair,
    MatchingRun,
    MemberRole,
    TeamMember,
    TeamStatus,
    WorkTeam,
)
from baolei.cadres.services import criteria as selection_criteria
from baolei.cadres.services import funds as services_funds
from baolei.cadres.services import selection
from baolei.cadres.services import teams as services
from baolei.regions import codes
from baolei.regions.models import Region

router = Router(tags=["cadres"])


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class TeamMemberOut(Schema):
    id: int
    cadre_id: int
    name: str
    unit: str
    role: str
    starts_on: datetime.date
    ended_on: datetime.date | None
    end_reason: str


class DutyOut(Schema):
    id: int
    kind: str
    description: str
    due_on: datetime.date
    status: str
    done_on: datetime.date | None
    result: str


class TeamOut(Schema):
    id: int
    version: int
    village_code: str
    village_name: str
    dispatching_unit: str
    starts_on: datetime.date
    ends_on: datetime.date
    funds: Decimal = Field(description="Work funds planned for the term.")
    funds_allocated: Decimal = Field(description="Allocated, by the work-fund ledger.")
    funds_spent: Decimal = Field(description="Spent, by the work-fund ledger.")
    funds_balance: Decimal
    status: str
    ended_on: datetime.date | None
    recall_reason: str
    members: list[TeamMemberOut]
    duties: list[DutyOut]


class FirstSecretaryOut(Schema):
    member_id: int
    team_id: int
    village_code: str
    village_name: str
    name: str
    unit: str
    starts_on: datetime.date


class AttendanceOut(Schema):
    member_id: int
    year: int
    month: int
    days: int
    required: int
    approved_leave_days: int
    below: bool


class AttendanceIn(Schema):
    days: int = Field(ge=0, le=31)
    note: str = ""


class LeaveIn(Schema):
    starts_on: datetime.date
    ends_on: datetime.date
    reason: str


class LeaveOut(Schema):
    id: int
    member_id: int
    starts_on: datetime.date
    ends_on: datetime.date
    days: int
    reason: str
    status: str


class LeaveDecisionIn(Schema):
    approve: bool
    note: str = ""


class SelectionCriterionOut(Schema):
    code: str
    label: str
    passed: bool | None = Field(description="Null where the role may not see it.")
    value: str | None


class CandidateOut(Schema):
    id: int
    cadre_id: int
    name: str
    unit: str
    region_code: str
    year: int
    status: str
    industries: list[str]
    weak_branch_experience: bool
    assistance_experience: bool
    agriculture_experience: bool
    criteria: list[SelectionCriterionOut]
    eligible: bool | None = Field(description="Null where the role may not see every criterion.")


class GapOut(Schema):
    village_code: str
    village_name: str
    weak_branch: bool
    monitored: int
    registered: int
    main_industry: str


class ReasonOut(Schema):
    reason: str
    label: str
    points: int


class PairOut(Schema):
    id: int
    village_code: str
    village_name: str
    candidate_id: int | None
    candidate_name: str | None
    fit: int
    reasons: list[ReasonOut]
    needs: dict = Field(
        description="The village's needs as matched: weak_branch, monitored, registered, "
        "industry, high_poverty and its poverty_basis (incidence, or registered where no "
        "rural population is recorded), incidence and poverty_threshold."
    )
    adjusted: bool


class RunOut(Schema):
    id: int
    region_code: str
    year: int
    status: str
    starts_on: datetime.date
    optimal_fit: int
    total_fit: int
    pairs: list[PairOut]


class RunIn(Schema):
    region_code: str
    year: Year
    starts_on: datetime.date | None = None


class AdjustIn(Schema):
    candidate_id: int | None


# --- helpers -----------------------------------------------------------------------------


def _require(request: HttpRequest, *perms: Perm) -> Scope:
    for perm in perms:
        if not request.scope.can(perm):
            raise HttpError(403, "not allowed")
    return request.scope


def _error(error: services.TeamsError) -> Status:
    return Status(422, {"detail": str(error.message), "code": error.code, "field": error.field})


def _member_out(member: TeamMember) -> dict:
    return {
        "id": member.pk,
        "cadre_id": member.cadre_id,
        "name": member.cadre.person.name,
        "unit": member.cadre.unit,
        "role": member.role,
        "starts_on": member.starts_on,
        "ended_on": member.ended_on,
        "end_reason": member.end_reason,
    }


def _duty_out(duty: Duty) -> dict:
    return {
        "id": duty.pk,
        "kind": duty.kind,
        "description": duty.description,
        "due_on": duty.due_on,
        "status": duty.status,
        "done_on": duty.done_on,
        "result": duty.result,
    }


def _with_details(teams: QuerySet[WorkTeam]) -> QuerySet[WorkTeam]:
    """Teams with their village, members and duties fetched alongside."""
    members = TeamMember.objects.select_related("cadre__person").order_by("ended_on", "role", "id")
    return teams.select_related("village").prefetch_related(
        Prefetch("members", queryset=members), "duties"
    )


def _teams_out(teams: list[WorkTeam]) -> list[dict]:
    """`TeamOut` of teams from `_with_details`, the ledgers' totals in one query."""
    totals = services_funds.totals_by_team(teams)
    return [
        {
            "id": team.pk,
            "version": team.version,
            "village_code": team.village_id,
            "village_name": team.village.name,
            "dispatching_unit": team.dispatching_unit,
            "starts_on": team.starts_on,
            "ends_on": team.ends_on,
            "funds": team.funds,
            "funds_allocated": totals[team.pk].allocated,
            "funds_spent": totals[team.pk].spent,
            "funds_balance": totals[team.pk].balance,
            "status": team.status,
            "ended_on": team.ended_on,
            "recall_reason": team.recall_reason,
            "members": [_member_out(m) for m in team.members.all()],
            "duties": [_duty_out(d) for d in team.duties.all()],
        }
        for team in teams
    ]


def _team_out(team: WorkTeam) -> dict:
    return _teams_out([_with_details(WorkTeam.objects.filter(pk=team.pk)).get()])[0]


def _region(scope: Scope, code: str | None) -> str | None:
    if code:
        get_in_scope(Region.objects.all(), scope, code=code)
    return code


def _member(request: HttpRequest, pk: int) -> TeamMember:
    queryset = TeamMember.objects.select_related("cadre__person", "team__village")
    return get_in_scope(queryset, request.scope, pk=pk)


def _may_record(scope: Scope) -> None:
    if not (scope.can(Perm.RECORD_VISITS) or scope.can(Perm.MANAGE_CADRES)):
        raise HttpError(403, "not allowed")


# --- teams -------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut], summary="Work teams in scope")
def list_teams(
    request: HttpRequest, region: str | None = None, status: str = TeamStatus.ACTIVE.value
):
    scope = _require(request, Perm.VIEW)
    teams = scoped(WorkTeam.objects.all(), scope)
    if _region(scope, region):
        teams = teams.filter(codes.within("village_id", region))
    if status:
        teams = teams.filter(status=status)
    return _teams_out(list(_with_details(teams)[:1000]))


@router.get("/teams/{pk}", response=TeamOut, summary="One work team with its members")
def get_team(request: HttpRequest, pk: int):
    scope = _require(request, Perm.VIEW)
    return _teams_out([get_in_scope(_with_details(WorkTeam.objects.all()), scope, pk=pk)])[0]


@router.get(
    "/first-secretaries",
    response=list[FirstSecretaryOut],
    summary="First secretaries in post, by village",
)
def list_first_secretaries(request: HttpRequest, region: str | None = None):
    scope = _require(request, Perm.VIEW)
    members = scoped(
        TeamMember.objects.filter(
            role=MemberRole.FIRST_SECRETARY, ended_on__isnull=True, team__status=TeamStatus.ACTIVE
        ).select_related("cadre__person", "team__village"),
        scope,
    )
    if _region(scope, region):
        members = members.filter(codes.within("team__village_id", region))
    return [
        {
            "member_id": m.pk,
            "team_id": m.team_id,
            "village_code": m.team.village_id,
            "village_name": m.team.village.name,
            "name": m.cadre.person.name,
            "unit": m.cadre.unit,
            "starts_on": m.starts_on,
        }
        for m in members.order_by("team__village_id")
    ]


# --- attendance and leave ----------------------------------------------------------------


def _attendance_out(member: TeamMember, year: int, month: int) -> dict:
    lines = services.month_attendance(TeamMember.objects.filter(pk=member.pk), year, month)
    line = lines[0] if lines else None
    return {
        "member_id": member.pk,
        "year": year,
        "month": month,
        "days": line.days if line else 0,
        "required": line.required if line else 0,
        "approved_leave_days": line.leave_days if line else 0,
        "below": line.below if line else False,
    }


@router.get(
    "/members/{pk}/attendance/{year}/{month}",
    response=AttendanceOut,
    summary="A member's days in the village in a month, against the rule",
)
def get_attendance(request: HttpRequest, pk: int, year: Year, month: Month):
    _require(request, Perm.VIEW)
    member = _member(request, pk)
    return _attendance_out(member, year, month)


@router.put(
    "/members/{pk}/attendance/{year}/{month}",
    response={200: AttendanceOut, 422: ErrorOut},
    summary="Enter a member's days in the village for a month",
)
def put_attendance(request: HttpRequest, pk: int, year: Year, month: Month, payload: AttendanceIn):
    scope = _require(request, Perm.VIEW)
    member = _member(request, pk)
    _may_record(scope)
    try:
        services.do_save_attendance(request.user, member, year, month, payload.days, payload.note)
    except services.TeamsError as error:
        return _error(error)
    return _attendance_out(member, year, month)


def _leave_out(leave: LeaveRequest) -> dict:
    return {
        "id": leave.pk,
        "member_id": leave.member_id,
        "starts_on": leave.starts_on,
        "ends_on": leave.ends_on,
        "days": leave.days,
        "reason": leave.reason,
        "status": leave.status,
    }


@router.post(
    "/members/{pk}/leave",
    response={201: LeaveOut, 422: ErrorOut},
    summary="Request leave for a team member",
)
def create_leave(request: HttpRequest, pk: int, payload: LeaveIn):
    scope = _require(request, Perm.VIEW)
    member = _member(request, pk)
    _may_record(scope)
    try:
        leave = services.do_request_leave(
            request.user, member, payload.starts_on, payload.ends_on, payload.reason
        )
    except services.TeamsError as error:
        return _error(error)
    return Status(201, _leave_out(leave))


@router.get(
    "/leave/queue",
    response=list[LeaveOut],
    summary="Pending leave requests the caller may decide",
)
def leave_queue(request: HttpRequest):
    scope = _require(request, Perm.VIEW)
    return [
        _leave_out(leave)
        for leave in services.approval_queue(scoped(LeaveRequest.objects.all(), scope), scope)
    ]


@router.post(
    "/leave/{pk}/decision",
    response={200: LeaveOut, 422: ErrorOut},
    summary="Approve or reject a leave request (short: the township; longer: the county)",
)
def decide_leave(request: HttpRequest, pk: int, payload: LeaveDecisionIn):
    scope = _require(request, Perm.VIEW)
    leave = get_in_scope(LeaveRequest.objects.select_related("member__team"), scope, pk=pk)
    try:
        leave = services.do_decide_leave(request.user, leave, payload.approve, payload.note)
    except services.TeamsError as error:
        if error.code == "not_your_decision":
            raise HttpError(403, str(error.message)) from error
        return _error(error)
    return _leave_out(leave)


# --- selection ---------------------------------------------------------------------------


@router.get(
    "/candidates",
    response=list[CandidateOut],
    summary="First-secretary candidates of a year with each criterion's result",
)
def list_candidates(request: HttpRequest, year: Year | None = None):
    scope = _require(request, Perm.VIEW)
    year = year or timezone.localdate().year
    pool = list(
        scoped(Candidate.objects.filter(year=year).select_related("cadre__person"), scope)[:2000]
    )
    sees = scope.can(Perm.VIEW_DISCIPLINE)
    out = []
    for evaluation in selection_criteria.evaluate_all(pool, selection_criteria.cached_rules()):
        c = evaluation.candidate
        criteria = [
            {
                "code": k.code,
                "label": str(k.label),
                "passed": k.passed if sees or k.code != "discipline" else None,
                "value": k.value if sees or k.code != "discipline" else None,
            }
            for k in evaluation.criteria
        ]
        out.append(
            {
                "id": c.pk,
                "cadre_id": c.cadre_id,
                "name": c.cadre.person.name,
                "unit": c.cadre.unit,
                "region_code": c.region_code,
                "year": c.year,
                "status": c.status,
                "industries": c.industries,
                "weak_branch_experience": c.weak_branch_experience,
                "assistance_experience": c.assistance_experience,
                "agriculture_experience": c.agriculture_experience,
                "criteria": criteria,
                "eligible": evaluation.eligible if sees else None,
            }
        )
    return out


@router.get(
    "/gaps",
    response=list[GapOut],
    summary="Villages that need a first secretary (weak branch, many monitored) and lack one",
)
def list_gaps(request: HttpRequest, region: str | None = None, year: Year | None = None):
    scope = _require(request, Perm.VIEW)
    code = _region(scope, region) or scope.region_code
    if not code or len(code) < 6:
        raise HttpError(422, "name a county, township or village")
    return [
        {
            "village_code": n.village.code,
            "village_name": n.village.name,
            "weak_branch": n.weak_branch,
            "monitored": n.monitored,
            "registered": n.registered,
            "main_industry": n.industry,
        }
        for n in selection.gaps(code, year or timezone.localdate().year)
    ]


# --- matching ----------------------------------------------------------------------------


def _run_out(run: MatchingRun) -> dict:
    pairs = run.pairs.select_related("village", "candidate__cadre__person").order_by("village_id")
    out = []
    for pair in pairs:
        out.append(
            {
                "id": pair.pk,
                "village_code": pair.village_id,
                "village_name": pair.village.name,
                "candidate_id": pair.candidate_id,
                "candidate_name": pair.candidate.cadre.person.name if pair.candidate else None,
                "fit": pair.fit,
                "reasons": [
                    {
                        "reason": code,
                        "label": selection.reason_label(code, pair.needs),
                        "points": points,
                    }
                    for code, points in pair.reasons
                ],
                "needs": pair.needs,
                "adjusted": pair.adjusted,
            }
        )
    return {
        "id": run.pk,
        "region_code": run.region_code,
        "year": run.year,
        "status": run.status,
        "starts_on": run.starts_on,
        "optimal_fit": run.optimal_fit,
        "total_fit": sum(p["fit"] for p in out),
        "pairs": out,
    }


@router.post(
    "/matching",
    response={201: RunOut, 422: ErrorOut},
    summary="Propose first secretaries for the villages of a region that need one",
)
def create_run(request: HttpRequest, payload: RunIn):
    scope = _require(request, Perm.VIEW_DISCIPLINE, Perm.MANAGE_CADRES)
    _region(scope, payload.region_code)
    if len(payload.region_code) < 6:
        return Status(
            422, {"detail": "name a county, township or village", "code": "region", "field": None}
        )
    try:
        run = selection.do_start_matching(
            request.user,
            scope,
            payload.region_code,
            payload.year,
            payload.starts_on or timezone.localdate(),
        )
    except services.TeamsError as error:
        return _error(error)
    return Status(201, _run_out(run))


@router.get("/matching/{pk}", response=RunOut, summary="A matching proposal with each pair's fit")
def get_run(request: HttpRequest, pk: int):
    scope = _require(request, Perm.VIEW_DISCIPLINE)
    return _run_out(get_in_scope(MatchingRun.objects.all(), scope, pk=pk))


@router.put(
    "/matching/{pk}/pairs/{pair_id}",
    response={200: RunOut, 422: ErrorOut},
    summary="Put another candidate (or none) on one village of a proposal",
)
def adjust_pair(request: HttpRequest, pk: int, pair_id: int, payload: AdjustIn):
    scope = _require(request, Perm.VIEW_DISCIPLINE, Perm.MANAGE_CADRES)
    run = get_in_scope(MatchingRun.objects.all(), scope, pk=pk)
    pair = get_in_scope(MatchingPair.objects.filter(run=run), scope, pk=pair_id)
    candidate = None
    if payload.candidate_id is not None:
        candidate = get_in_scope(
            Candidate.objects.select_related("cadre__person"), scope, pk=payload.candidate_id
        )
    try:
        selection.do_adjust_pair(request.user, scope, pair, candidate)
    except services.TeamsError as error:
        return _error(error)
    return _run_out(run)


@router.post(
    "/matching/{pk}/confirm",
    response={200: RunOut, 422: ErrorOut},
    summary="Confirm a proposal: appoint its first secretaries in one transaction",
)
def confirm_run(request: HttpRequest, pk: int):
    scope = _require(request, Perm.VIEW_DISCIPLINE, Perm.MANAGE_CADRES)
    run = get_in_scope(MatchingRun.objects.all(), scope, pk=pk)
    try:
        selection.do_confirm_run(request.user, scope, run)
    except services.TeamsError as error:
        return _error(error)
    run.refresh_from_db()
    return _run_out(run)


@router.post(
    "/matching/{pk}/discard",
    response={200: RunOut, 422: ErrorOut},
    summary="Discard a proposal: it stays on record and appoints nobody",
)
def discard_run(request: HttpRequest, pk: int):
    scope = _require(request, Perm.VIEW_DISCIPLINE, Perm.MANAGE_CADRES)
    run = get_in_scope(MatchingRun.objects.all(), scope, pk=pk)
    try:
        run = selection.do_discard_run(request.user, scope, run)
    except services.TeamsError as error:
        return _error(error)
    return _run_out(run)
