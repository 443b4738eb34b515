"""The writes on work teams in the cadres API, through the services the pages use: create
and edit a team, add a member, rotate, end a member's post (recalled or at the end of the
term), recall the team, add duties and mark them done; the team's work-fund ledger; and
the list of those below the attendance rule.

Registered on the router of `teams` (a path's methods must share one router) and
scoped like the pages: outside the scope 404, a missing permission 403, a refusal of the
services 422 with the field at fault.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Schema, Status

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.bounds import Money, Month, PositiveMoney, Year
from baolei.cadres.api.common import StrictSchema, payload_values
from baolei.cadres.api.teams import (
    DutyOut,
    ErrorOut,
    TeamMemberOut,
    TeamOut,
    _duty_out,
    _error,
    _may_record,
    _member,
    _member_out,
    _region,
    _require,
    _team_out,
    router,
)
from baolei.cadres.models import (
    Duty,
    DutyKind,
    DutyStatus,
    EndReason,
    FundKind,
    MemberRole,
    TeamMember,
    WorkTeam,
)
from baolei.cadres.services import funds as services_funds
from baolei.cadres.services import selection
from baolei.cadres.services import teams as services
from baolei.regions import codes


class TeamIn(StrictSchema):
    village_code: str = Field(description="The village (12-digit code).")
    dispatching_unit: str = Field(max_length=120)
    starts_on: datetime.date
    ends_on: datetime.date | None = Field(None, description="Omitted: two years on.")
    funds: Money = Field(Decimal(0), description="Work funds planned.")


class TeamPatchIn(StrictSchema):
    """The fields to change; the start, status and recall are history."""

    version: int | None = Field(
        None,
        ge=1,
        description="The version the change starts from (as last read); a change made "
        "since refuses this one (422, code stale). Omitted: no check.",
    )

    dispatching_unit: str | None = Field(None, max_length=120)
    ends_on: datetime.date | None = None
    funds: Money | None = None


class TeamMemberIn(StrictSchema):
    cadre_id: int
    role: MemberRole
    starts_on: datetime.date


class RotateIn(StrictSchema):
    cadre_id: int = Field(description="The successor.")
    on: datetime.date = Field(
        description="The successor's first day; the member's last is the day before."
    )
    note: str = Field("", max_length=200)


class RotationOut(TeamMemberOut):
    short_of_full_term: bool = Field(
        description="A successor first secretary serving less than a full term (allowed)."
    )


class TeamMemberEndIn(StrictSchema):
    ended_on: datetime.date
    reason: Literal["recalled", "term_ended"]
    note: str = Field("", max_length=200)


class RecallIn(StrictSchema):
    on: datetime.date
    reason: str = Field(max_length=500)


class DutyIn(StrictSchema):
    kind: DutyKind
    description: str = Field(max_length=200)
    due_on: datetime.date


class DutyStatusIn(StrictSchema):
    status: DutyStatus
    done_on: datetime.date | None = Field(
        None,
        description="For a duty done: not in the future nor before the team's term; "
        "omitted: the day already on record, else today.",
    )
    result: str = Field("", max_length=500)


class FundEntryIn(StrictSchema):
    kind: FundKind
    date: datetime.date
    amount: PositiveMoney
    purpose: str = Field(max_length=200)


class FundEntryOut(Schema):
    id: int
    kind: str
    date: datetime.date
    amount: Decimal
    purpose: str


class FundLedgerOut(Schema):
    team_id: int
    planned: Decimal
    allocated: Decimal
    spent: Decimal
    balance: Decimal
    entries: list[FundEntryOut]


class BelowLineOut(Schema):
    member_id: int
    team_id: int
    village_code: str
    village_name: str
    name: str
    role: str
    days: int
    required: int
    approved_leave_days: int
    in_post_days: int


class BelowOut(Schema):
    year: int
    month: int | None = Field(description="Null: the year so far.")
    running_until: datetime.date | None = Field(
        description="The period is not over: its requirement is counted up to this day."
    )
    lines: list[BelowLineOut]


# --- helpers -----------------------------------------------------------------------------


def _team(request: HttpRequest, pk: int) -> WorkTeam:
    return get_in_scope(WorkTeam.objects.select_related("village"), request.scope, pk=pk)


def _cadre(request: HttpRequest, pk: int):
    return get_in_scope(selection.cadres_for(request.scope), request.scope, pk=pk)


# --- teams -------------------------------------------------------------------------------


@router.post("/teams", response={201: TeamOut, 422: ErrorOut}, summary="Create a work team")
def create_team(request: HttpRequest, payload: TeamIn):
    scope = _require(request, Perm.MANAGE_CADRES)
    _region(scope, payload.village_code)
    data = payload_values(payload)
    try:
        team = services.do_create_team(
            request.user,
            data["village_code"],
            data["dispatching_unit"],
            data["starts_on"],
            data["ends_on"],
            data["funds"],
        )
    except services.TeamsError as error:
        return _error(error)
    return Status(201, _team_out(team))


@router.patch(
    "/teams/{pk}",
    response={200: TeamOut, 422: ErrorOut},
    summary="Change a work team's dispatching unit, end of term or planned work funds",
)
def update_team(request: HttpRequest, pk: int, payload: TeamPatchIn):
    _require(request, Perm.MANAGE_CADRES)
    team = _team(request, pk)
    fields = payload_values(payload, exclude_unset=True)
    expected_version = fields.pop("version", None)
    try:
        team = services.do_update_team(
            request.user, team, expected_version=expected_version, **fields
        )
    except services.TeamsError as error:
        return _error(error)
    return _team_out(team)


@router.post(
    "/teams/{pk}/members",
    response={201: TeamMemberOut, 422: ErrorOut},
    summary="Add a cadre to a work team (a first secretary must meet the criteria)",
)
def add_member(request: HttpRequest, pk: int, payload: TeamMemberIn):
    _require(request, Perm.MANAGE_CADRES)
    team = _team(request, pk)
    cadre = _cadre(request, payload.cadre_id)
    try:
        member = services.do_add_member(
            request.user, team, cadre, payload_values(payload)["role"], payload.starts_on
        )
    except services.TeamsError as error:
        return _error(error)
    return Status(201, _member_out(member))


@router.post(
    "/teams/{pk}/recall",
    response={200: TeamOut, 422: ErrorOut},
    summary="Recall a work team: every member leaves, with the reason on record",
)
def recall_team(request: HttpRequest, pk: int, payload: RecallIn):
    _require(request, Perm.MANAGE_CADRES)
    team = _team(request, pk)
    try:
        team = services.do_recall(request.user, team, payload.on, payload.reason)
    except services.TeamsError as error:
        return _error(error)
    return _team_out(team)


@router.post(
    "/members/{pk}/rotate",
    response={201: RotationOut, 422: ErrorOut},
    summary="Rotate a member: they leave the day before the successor takes the same role",
)
def rotate_member(request: HttpRequest, pk: int, payload: RotateIn):
    _require(request, Perm.MANAGE_CADRES)
    member = _member(request, pk)
    successor = _cadre(request, payload.cadre_id)
    try:
        new = services.do_rotate(request.user, member, successor, payload.on, payload.note)
    except services.TeamsError as error:
        return _error(error)
    short = new.role == MemberRole.FIRST_SECRETARY and services.short_of_full_term(
        new.team, new.starts_on
    )
    return Status(201, {**_member_out(new), "short_of_full_term": short})


@router.post(
    "/members/{pk}/end",
    response={200: TeamMemberOut, 422: ErrorOut},
    summary="A member leaves the team: recalled or at the end of their term",
)
def end_member(request: HttpRequest, pk: int, payload: TeamMemberEndIn):
    _require(request, Perm.MANAGE_CADRES)
    member = _member(request, pk)
    reason = EndReason(payload.reason)
    try:
        member = services.do_end_member(
            request.user, member, payload.ended_on, reason, payload.note
        )
    except services.TeamsError as error:
        return _error(error)
    return _member_out(member)


# --- duties ------------------------------------------------------------------------------


@router.post(
    "/teams/{pk}/duties", response={201: DutyOut, 422: ErrorOut}, summary="Add a duty to a team"
)
def add_duty(request: HttpRequest, pk: int, payload: DutyIn):
    _require(request, Perm.MANAGE_CADRES)
    team = _team(request, pk)
    data = payload_values(payload)
    try:
        duty = services.do_add_duty(
            request.user, team, data["kind"], data["description"], data["due_on"]
        )
    except services.TeamsError as error:
        return _error(error)
    return Status(201, _duty_out(duty))


@router.put(
    "/duties/{pk}/status",
    response={200: DutyOut, 422: ErrorOut},
    summary="Set a duty's status; a duty done records the day it was done",
)
def set_duty_status(request: HttpRequest, pk: int, payload: DutyStatusIn):
    scope = _require(request, Perm.VIEW)
    duty = get_in_scope(Duty.objects.select_related("team"), scope, pk=pk)
    _may_record(scope)
    data = payload_values(payload)
    try:
        duty = services.do_update_duty(
            request.user, duty, data["status"], done_on=data["done_on"], result=data["result"]
        )
    except services.TeamsError as error:
        return _error(error)
    return _duty_out(duty)


# --- the work-fund ledger ----------------------------------------------------------------


def _ledger_out(team: WorkTeam) -> dict:
    totals = services_funds.totals(team)
    return {
        "team_id": team.pk,
        "planned": totals.planned,
        "allocated": totals.allocated,
        "spent": totals.spent,
        "balance": totals.balance,
        "entries": list(team.fund_entries.all()),
    }


@router.get(
    "/teams/{pk}/funds",
    response=FundLedgerOut,
    summary="A team's work-fund ledger: allocations, expenditures and the totals",
)
def get_funds(request: HttpRequest, pk: int):
    _require(request, Perm.VIEW)
    return _ledger_out(_team(request, pk))


@router.post(
    "/teams/{pk}/funds",
    response={201: FundEntryOut, 422: ErrorOut},
    summary="Add an allocation or an expenditure to a team's work-fund ledger",
)
def add_fund_entry(request: HttpRequest, pk: int, payload: FundEntryIn):
    _require(request, Perm.MANAGE_CADRES)
    team = _team(request, pk)
    data = payload_values(payload)
    try:
        entry = services_funds.do_add_fund_entry(
            request.user, team, data["kind"], data["date"], data["amount"], data["purpose"]
        )
    except services.TeamsError as error:
        return _error(error)
    return Status(201, entry)


# --- attendance --------------------------------------------------------------------------


@router.get(
    "/attendance/below",
    response=BelowOut,
    summary="Team members below the attendance rule (default: the last complete month)",
)
def list_below_rule(
    request: HttpRequest,
    year: Year | None = None,
    month: Month | None = None,
    region: str | None = None,
):
    """As the page: a month, or with a year alone the year so far; nothing asked, the last
    complete month. A period not over is counted up to today (`running_until`)."""
    scope = _require(request, Perm.VIEW)
    members = scoped(TeamMember.objects.select_related("cadre__person", "team__village"), scope)
    if _region(scope, region):
        members = members.filter(codes.within("team__village_id", region))
    year, month = services.attendance_period(year, month)
    lines = services.below_rule(members, year, month)
    return {
        "year": year,
        "month": month,
        "running_until": services.running_until(year, month),
        "lines": [
            {
                "member_id": line.member.pk,
                "team_id": line.member.team_id,
                "village_code": line.member.team.village_id,
                "village_name": line.member.team.village.name,
                "name": line.member.cadre.person.name,
                "role": line.member.role,
                "days": line.days,
                "required": line.required,
                "approved_leave_days": line.leave_days,
                "in_post_days": line.in_post_days,
            }
            for line in lines
        ],
    }
