"""Work teams, first secretaries, duties, attendance and leave: the domain logic.

Every write is a `do_*` function in one transaction, called alike by the pages, the API,
the demo generator and the matching confirmation; `actor` is the user (None for commands)
and a village outside the actor's scope is refused.

Attendance is entered by the month (days in the village), not as daily check-ins: that is
what the rule is written in, what a first secretary can fill in on a phone in a minute, and
what the county checks. Approved leave is **excluded from the requirement**: a month's
requirement is the rule's days, prorated to the days in post that month (rounded up), less
the approved leave days in post that month; the year's requirement likewise, counted up to
the day of the check. So a week of approved sick leave never puts anyone below the rule,
and days present are never invented.
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import versioning
from baolei.accounts.permissions import Perm, Role
from baolei.accounts.scope import Scope
from baolei.cadres.models import (
    AttendanceMonth,
    AttendanceRule,
    Cadre,
    Duty,
    DutyStatus,
    EndReason,
    LeaveRequest,
    LeaveStatus,
    MemberRole,
    TeamMember,
    TeamStatus,
    WorkTeam,
)
from baolei.cadres.services.criteria import hard_criteria_failures
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region

DEFAULT_TERM_YEARS = 2
# A first secretary's term is at least two years (the policy's "一般不少于2年"); the
# rules pages have no setting for it, so it is fixed here beside the default term.
MIN_FIRST_SECRETARY_YEARS = 2


class TeamsError(CodedError):
    """A refusal: `code` for programs, `message` for people, `field` for the input at fault."""

    def __init__(self, code: str, message, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


# --- helpers -----------------------------------------------------------------------------


def _scope_of(actor) -> Scope | None:
    if actor is None:
        return None
    return actor if isinstance(actor, Scope) else Scope.for_user(actor)


def _check_in_scope(actor, code: str, field: str | None = None) -> None:
    scope = _scope_of(actor)
    if scope is not None and not scope.contains(code):
        raise TeamsError(
            "out_of_scope",
            lazy_format(_("The region %(code)s is outside your scope."), code=code),
            field=field,
        )


def village_for(code: str, actor, field: str = "village") -> Region:
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None or region.level != Level.VILLAGE:
        raise TeamsError(
            "unknown_village",
            lazy_format(_("There is no village with the code %(code)s."), code=code),
            field=field,
        )
    _check_in_scope(actor, region.code, field)
    return region


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _overlap(a: datetime.date, b: datetime.date, c: datetime.date, d: datetime.date) -> int:
    """Days (inclusive) shared by [a, b] and [c, d]."""
    return max(0, (min(b, d) - max(a, c)).days + 1)


def current_first_secretary(team: WorkTeam) -> TeamMember | None:
    """The team's first secretary in post now (with the person), or None."""
    return (
        team.members.filter(role=MemberRole.FIRST_SECRETARY, ended_on__isnull=True)
        .select_related("cadre__person")
        .first()
    )


def current_first_secretary_villages(queryset: QuerySet[TeamMember]) -> set[str]:
    return set(
        queryset.filter(
            role=MemberRole.FIRST_SECRETARY, ended_on__isnull=True, team__status=TeamStatus.ACTIVE
        ).values_list("team__village_id", flat=True)
    )


# --- teams and members -------------------------------------------------------------------


@transaction.atomic
def do_create_team(
    actor,
    village: Region | str,
    dispatching_unit: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    funds: Decimal | int | str = 0,
) -> WorkTeam:
    region = village if isinstance(village, Region) else village_for(village, actor)
    _check_in_scope(actor, region.code, "village")
    ends_on = ends_on or add_years(starts_on, DEFAULT_TERM_YEARS)
    if ends_on <= starts_on:
        raise TeamsError("term", _("The term must end after it starts."), field="ends_on")
    if not str(dispatching_unit or "").strip():
        raise TeamsError("unit", _("Name the dispatching unit."), field="dispatching_unit")
    if Decimal(str(funds)) < 0:
        raise TeamsError("funds", _("Work funds cannot be negative."), field="funds")
    if WorkTeam.objects.filter(village=region, status=TeamStatus.ACTIVE).exists():
        raise TeamsError(
            "team_exists",
            lazy_format(_("%(village)s already has an active work team."), village=region.name),
            field="village",
        )
    return WorkTeam.objects.create(
        village=region,
        dispatching_unit=dispatching_unit.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        funds=Decimal(str(funds)),
    )


def _check_active(team: WorkTeam) -> None:
    if team.status != TeamStatus.ACTIVE:
        raise TeamsError("team_not_active", _("This work team is no longer active."))


TEAM_FIELDS = ("dispatching_unit", "ends_on", "funds")


@transaction.atomic
def do_update_team(
    actor, team: WorkTeam, *, expected_version: int | None = None, **fields
) -> WorkTeam:
    """Change what an active team is, not what happened to it: its dispatching unit, the
    end of its term (renewed or corrected) and its planned work funds. The start of the
    term, the status and the recall are history and change only through their own steps.

    `expected_version`: the version the edit started from; an edit started from a version
    someone has since saved over is refused, nothing overwritten (None: no check)."""
    unknown = sorted(set(fields) - set(TEAM_FIELDS))
    if unknown:
        raise TeamsError("unknown_field", f"unknown fields: {', '.join(unknown)}", unknown[0])
    team = WorkTeam.objects.select_for_update().select_related("village").get(pk=team.pk)
    _check_in_scope(actor, team.village_id)
    _check_active(team)
    versioning.claim(team, expected_version, lambda message: TeamsError("stale", message))
    if "dispatching_unit" in fields:
        unit = str(fields["dispatching_unit"] or "").strip()
        if not unit:
            raise TeamsError("unit", _("Name the dispatching unit."), field="dispatching_unit")
        team.dispatching_unit = unit
    if "ends_on" in fields:
        team.ends_on = _checked_term_end(team, fields["ends_on"])
    if "funds" in fields:
        funds = fields["funds"]
        if funds is None or Decimal(str(funds)) < 0:
            raise TeamsError("funds", _("Work funds cannot be negative."), field="funds")
        team.funds = Decimal(str(funds)).quantize(Decimal("0.01"))
    team.save(update_fields=[name for name in TEAM_FIELDS if name in fields])
    return team


def _checked_term_end(team: WorkTeam, ends_on: datetime.date | None) -> datetime.date:
    if ends_on is None or ends_on <= team.starts_on:
        raise TeamsError("term", _("The term must end after it starts."), field="ends_on")
    late = (
        team.members.filter(ended_on__isnull=True, starts_on__gte=ends_on)
        .select_related("cadre__person")
        .first()
    )
    if late is not None:
        raise TeamsError(
            "member_after_term",
            lazy_format(
                _("The term must end after %(date)s, when %(name)s took up the post."),
                name=late.cadre.person.name,
                date=late.starts_on.isoformat(),
            ),
            field="ends_on",
        )
    return ends_on


def short_of_full_term(team: WorkTeam, starts_on: datetime.date) -> bool:
    """Whether a first secretary starting on `starts_on` would serve less than the minimum
    term before the team's term ends."""
    return team.ends_on < add_years(starts_on, MIN_FIRST_SECRETARY_YEARS)


def _check_first_secretary(
    actor, team: WorkTeam, cadre: Cadre, starts_on: datetime.date, full_term: bool
) -> None:
    """A first secretary must meet the hard selection criteria, whether chosen by matching,
    appointed directly or rotated in; a new appointment must also have a full term ahead
    (a successor by rotation takes over the rest of the team's term: see `do_rotate`)."""
    failed = hard_criteria_failures(cadre, team.village_id, starts_on)
    if failed:
        raise TeamsError("criteria", _criteria_message(actor, cadre, failed), field="cadre")
    if full_term and short_of_full_term(team, starts_on):
        raise TeamsError(
            "term_too_short",
            lazy_format(
                _(
                    "A first secretary serves at least %(years)s years, but the term of the "
                    "work team of %(village)s ends on %(date)s."
                ),
                years=MIN_FIRST_SECRETARY_YEARS,
                village=team.village.name,
                date=team.ends_on.isoformat(),
            ),
            field="starts_on",
        )


def _criteria_message(actor, cadre: Cadre, failed: list) -> object:
    scope = _scope_of(actor)
    if scope is not None and not scope.can(Perm.VIEW_DISCIPLINE):
        # Naming the failed criterion would tell a role that may not know it that the
        # cadre is under a sanction: such a role learns only that the criteria are not met.
        return lazy_format(
            _("%(name)s does not meet the selection criteria for first secretary."),
            name=cadre.person.name,
        )
    return lazy_format(
        _("%(name)s does not meet these criteria for first secretary: %(criteria)s."),
        name=cadre.person.name,
        criteria="; ".join(f"{c.label} ({c.value})" for c in failed),
    )


@transaction.atomic
def do_add_member(
    actor,
    team: WorkTeam,
    cadre: Cadre,
    role: str,
    starts_on: datetime.date,
    *,
    full_term: bool = True,
) -> TeamMember:
    team = WorkTeam.objects.select_for_update().get(pk=team.pk)
    _check_in_scope(actor, team.village_id)
    _check_active(team)
    if role not in MemberRole.values:
        raise TeamsError("role", _("Choose a role."), field="role")
    if starts_on < team.starts_on:
        raise TeamsError(
            "before_team",
            lazy_format(_("The team's term starts on %(date)s."), date=team.starts_on.isoformat()),
            field="starts_on",
        )
    elsewhere = (
        TeamMember.objects.filter(cadre=cadre, ended_on__isnull=True)
        .select_related("team__village")
        .first()
    )
    if elsewhere is not None:
        raise TeamsError(
            "already_in_team",
            lazy_format(
                _("%(name)s already serves in the work team of %(village)s."),
                name=cadre.person.name,
                village=elsewhere.team.village.name,
            ),
            field="cadre",
        )
    if (
        role == MemberRole.FIRST_SECRETARY
        and team.members.filter(role=role, ended_on__isnull=True).exists()
    ):
        raise TeamsError(
            "first_secretary_exists",
            _("This village already has a first secretary; rotate them instead."),
            field="role",
        )
    if role == MemberRole.FIRST_SECRETARY:
        _check_first_secretary(actor, team, cadre, starts_on, full_term)
    return TeamMember.objects.create(team=team, cadre=cadre, role=role, starts_on=starts_on)


@transaction.atomic
def do_end_member(
    actor, member: TeamMember, ended_on: datetime.date, reason: str, note: str = ""
) -> TeamMember:
    member = TeamMember.objects.select_for_update().select_related("team").get(pk=member.pk)
    _check_in_scope(actor, member.team.village_id)
    if member.ended_on is not None:
        raise TeamsError("already_ended", _("This member has already left the team."))
    if ended_on < member.starts_on:
        raise TeamsError(
            "before_start",
            lazy_format(
                _("%(date)s is before the member took up the post."), date=ended_on.isoformat()
            ),
            field="ended_on",
        )
    member.ended_on, member.end_reason = ended_on, reason
    if note:
        member.note = f"{member.note}\n{note}".strip()
    member.save(update_fields=["ended_on", "end_reason", "note"])
    return member


@transaction.atomic
def do_rotate(
    actor, member: TeamMember, successor: Cadre, on: datetime.date, note: str = ""
) -> TeamMember:
    """轮换: the member leaves the day before `on` and the successor takes the same role
    from `on`, in one step, so the village is never without its first secretary.

    A successor first secretary must meet the same hard criteria as any other, but takes
    over the rest of the team's term, which may be shorter than a full one: the page warns
    of that (`short_of_full_term`) instead of refusing, or no first secretary could ever be
    replaced in the last two years of a team."""
    if on <= member.starts_on:
        raise TeamsError(
            "rotation_date",
            _("The rotation must come after the member took up the post."),
            field="on",
        )
    if successor.pk == member.cadre_id:
        raise TeamsError("same_cadre", _("Choose someone else as successor."), field="cadre")
    do_end_member(actor, member, on - datetime.timedelta(days=1), EndReason.ROTATED, note)
    try:
        return do_add_member(actor, member.team, successor, member.role, on, full_term=False)
    except TeamsError as error:
        if error.field != "starts_on":
            raise
        # the successor's first day is this function's `on`: name that field
        raise TeamsError(error.code, error.message, field="on") from error


@transaction.atomic
def do_recall(actor, team: WorkTeam, on: datetime.date, reason: str) -> WorkTeam:
    """召回: the whole team leaves the village, with the reason on record."""
    team = WorkTeam.objects.select_for_update().get(pk=team.pk)
    _check_in_scope(actor, team.village_id)
    _check_active(team)
    if not reason.strip():
        raise TeamsError("reason", _("Give the reason for the recall."), field="reason")
    if on < team.starts_on:
        raise TeamsError("before_start", _("The team had not started then."), field="on")
    for member in team.members.filter(ended_on__isnull=True):
        member.ended_on = max(on, member.starts_on)
        member.end_reason = EndReason.RECALLED
        member.save(update_fields=["ended_on", "end_reason"])
    team.status, team.ended_on, team.recall_reason = TeamStatus.RECALLED, on, reason.strip()
    team.save(update_fields=["status", "ended_on", "recall_reason"])
    return team


@transaction.atomic
def do_add_duty(actor, team: WorkTeam, kind: str, description: str, due_on: datetime.date) -> Duty:
    _check_in_scope(actor, team.village_id)
    _check_active(team)
    if not description.strip():
        raise TeamsError("description", _("Describe the duty."), field="description")
    return Duty.objects.create(team=team, kind=kind, description=description.strip(), due_on=due_on)


@transaction.atomic
def do_update_duty(
    actor, duty: Duty, status: str, done_on: datetime.date | None = None, result: str = ""
) -> Duty:
    """Set a duty's status; a duty done records the day it was done: `done_on` as given
    (not in the future, not before the team's term started), else the day already on
    record for a duty that was done before, else today."""
    duty = Duty.objects.select_for_update().select_related("team").get(pk=duty.pk)
    _check_in_scope(actor, duty.team.village_id)
    if status not in DutyStatus.values:
        raise TeamsError("status", _("Choose a status."), field="status")
    if status == DutyStatus.DONE:
        if done_on is None:
            kept = duty.done_on if duty.status == DutyStatus.DONE else None
            done_on = kept or timezone.localdate()
        if done_on > timezone.localdate():
            raise TeamsError("future", _("The date cannot be in the future."), field="done_on")
        if done_on < duty.team.starts_on:
            raise TeamsError(
                "before_team",
                lazy_format(
                    _("The team's term starts on %(date)s."), date=duty.team.starts_on.isoformat()
                ),
                field="done_on",
            )
    duty.status = status
    duty.done_on = done_on if status == DutyStatus.DONE else None
    duty.result = result or duty.result
    duty.save(update_fields=["status", "done_on", "result"])
    return duty


# --- attendance rules --------------------------------------------------------------------


def attendance_rule(code: str, year: int) -> AttendanceRule:
    """The rule of the most specific region containing `code`, or the defaults."""
    prefixes = [*codes.ancestors_of(code), code]
    rules = {
        r.region_code: r for r in AttendanceRule.objects.filter(region_code__in=prefixes, year=year)
    }
    for prefix in reversed(prefixes):
        if prefix in rules:
            return rules[prefix]
    return AttendanceRule(region_code="", year=year)


@transaction.atomic
def do_set_attendance_rule(actor, region_code: str, year: int, **values: int) -> AttendanceRule:
    _check_in_scope(actor, region_code, "region_code")
    rule, _created = AttendanceRule.objects.get_or_create(region_code=region_code, year=year)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.full_clean(validate_unique=False, validate_constraints=False)
    rule.save()
    return rule


# --- attendance --------------------------------------------------------------------------


def _month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(
        year, month, calendar.monthrange(year, month)[1]
    )


@transaction.atomic
def do_save_attendance(
    actor, member: TeamMember, year: int, month: int, days: int, note: str = ""
) -> AttendanceMonth:
    _check_in_scope(actor, member.team.village_id)
    if not 1 <= month <= 12:
        raise TeamsError("month", _("Choose a month from 1 to 12."), field="month")
    first, last = _month_bounds(year, month)
    if first > timezone.localdate():
        raise TeamsError("future", _("That month has not begun."), field="month")
    in_post = _overlap(first, last, member.starts_on, member.ended_on or last)
    if in_post == 0:
        raise TeamsError("not_in_post", _("The member was not in post that month."), field="month")
    if not 0 <= days <= in_post:
        raise TeamsError(
            "days",
            lazy_format(
                _("Enter between 0 and %(days)s days: the days in post that month."),
                days=in_post,
            ),
            field="days",
        )
    user = actor if actor is not None and not isinstance(actor, Scope) else None
    record, _created = AttendanceMonth.objects.update_or_create(
        member=member,
        year=year,
        month=month,
        defaults={"days": days, "note": note, "entered_by": user, "entered_at": timezone.now()},
    )
    return record


@dataclass
class AttendanceLine:
    member: TeamMember
    days: int
    required: int
    leave_days: int
    in_post_days: int

    @property
    def below(self) -> bool:
        return self.days < self.required


def _approved_leave(members: list[TeamMember], first: datetime.date, last: datetime.date):
    by_member: dict[int, list[LeaveRequest]] = defaultdict(list)
    for leave in LeaveRequest.objects.filter(
        member__in=members, status=LeaveStatus.APPROVED, starts_on__lte=last, ends_on__gte=first
    ):
        by_member[leave.member_id].append(leave)
    return by_member


def _leave_in(leaves: list[LeaveRequest], first: datetime.date, last: datetime.date) -> int:
    return sum(_overlap(first, last, leave.starts_on, leave.ends_on) for leave in leaves)


def _members_in_post(queryset: QuerySet[TeamMember], first: datetime.date, last: datetime.date):
    return list(
        queryset.filter(starts_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .select_related("cadre__person", "team__village")
        .order_by("team__village_id", "id")
    )


def month_attendance(
    queryset: QuerySet[TeamMember], year: int, month: int, as_of: datetime.date | None = None
) -> list[AttendanceLine]:
    """Every member in post during the month with days entered (0 if none) and the
    requirement; `below` marks those under the rule. A month not over on `as_of` (today
    by default) is counted up to that day, like the year so far: its requirement is
    prorated to the days in post until then, not the whole month's."""
    first, month_end = _month_bounds(year, month)
    last = min(month_end, as_of or timezone.localdate())
    if last < first:  # not begun: nobody can be below it yet
        return []
    members = _members_in_post(queryset, first, last)
    entered = dict(
        AttendanceMonth.objects.filter(member__in=members, year=year, month=month).values_list(
            "member_id", "days"
        )
    )
    leaves = _approved_leave(members, first, last)
    rules: dict[str, AttendanceRule] = {}
    lines = []
    for member in members:
        start, end = max(first, member.starts_on), min(last, member.ended_on or last)
        in_post = (end - start).days + 1
        village = member.team.village_id
        rule = rules.setdefault(village, attendance_rule(village, year))
        leave = _leave_in(leaves[member.pk], start, end)
        prorated = math.ceil(rule.min_days_month * in_post / month_end.day)
        lines.append(
            AttendanceLine(
                member, entered.get(member.pk, 0), max(0, prorated - leave), leave, in_post
            )
        )
    return lines


def year_attendance(
    queryset: QuerySet[TeamMember], year: int, as_of: datetime.date | None = None
) -> list[AttendanceLine]:
    """The year so far (up to `as_of`, today by default): days entered against the yearly
    rule prorated to the days in post, less approved leave."""
    first = datetime.date(year, 1, 1)
    last = min(datetime.date(year, 12, 31), as_of or timezone.localdate())
    if last < first:
        return []
    days_in_year = 366 if calendar.isleap(year) else 365
    members = _members_in_post(queryset, first, last)
    entered: dict[int, int] = defaultdict(int)
    for member_id, days in AttendanceMonth.objects.filter(
        member__in=members, year=year, month__lte=last.month
    ).values_list("member_id", "days"):
        entered[member_id] += days
    leaves = _approved_leave(members, first, last)
    rules: dict[str, AttendanceRule] = {}
    lines = []
    for member in members:
        start, end = max(first, member.starts_on), min(last, member.ended_on or last)
        in_post = (end - start).days + 1
        village = member.team.village_id
        rule = rules.setdefault(village, attendance_rule(village, year))
        leave = _leave_in(leaves[member.pk], start, end)
        prorated = math.ceil(rule.min_days_year * in_post / days_in_year)
        lines.append(
            AttendanceLine(member, entered[member.pk], max(0, prorated - leave), leave, in_post)
        )
    return lines


def last_complete_month(today: datetime.date | None = None) -> tuple[int, int]:
    previous = (today or timezone.localdate()).replace(day=1) - datetime.timedelta(days=1)
    return previous.year, previous.month


def attendance_period(year: int | None, month: int | None) -> tuple[int, int | None]:
    """The period a list of attendance is for: the year and month asked for (month None:
    the year so far; a month without a year: this year's). Nothing asked: the last
    complete month, since the current one is not over and would put everyone below the
    rule."""
    if not year and not month:
        return last_complete_month()
    return year or timezone.localdate().year, month or None


def running_until(year: int, month: int | None) -> datetime.date | None:
    """Today, when the period is not over (this month, or this year so far): its
    requirement is counted up to today, pro rata, and the lists say so."""
    today = timezone.localdate()
    if year == today.year and month in (None, today.month):
        return today
    return None


def below_rule(
    queryset: QuerySet[TeamMember], year: int, month: int | None
) -> list[AttendanceLine]:
    """Those below the attendance rule in a month (`month_attendance`) or the year so far
    (`year_attendance`): the list behind the page, its export and the API."""
    lines = month_attendance(queryset, year, month) if month else year_attendance(queryset, year)
    return [line for line in lines if line.below]


# --- leave -------------------------------------------------------------------------------


@transaction.atomic
def do_request_leave(
    actor, member: TeamMember, starts_on: datetime.date, ends_on: datetime.date, reason: str
) -> LeaveRequest:
    _check_in_scope(actor, member.team.village_id)
    if member.ended_on is not None:
        raise TeamsError("not_in_post", _("The member has left the team."))
    if ends_on < starts_on:
        raise TeamsError("dates", _("The leave must end on or after its first day."), "ends_on")
    if not reason.strip():
        raise TeamsError("reason", _("Give the reason for the leave."), field="reason")
    clash = member.leaves.filter(
        status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED],
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    ).first()
    if clash is not None:
        raise TeamsError(
            "overlap",
            lazy_format(
                _("This overlaps the leave from %(start)s to %(end)s."),
                start=clash.starts_on.isoformat(),
                end=clash.ends_on.isoformat(),
            ),
            field="starts_on",
        )
    return LeaveRequest.objects.create(
        member=member, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()
    )


def approver_role(leave: LeaveRequest) -> Role:
    """Short leave (up to the rule's days) is the township's to approve, longer leave the
    county organisation department's."""
    rule = attendance_rule(leave.member.team.village_id, leave.starts_on.year)
    if leave.days <= rule.short_leave_days:
        return Role.TOWNSHIP_OFFICER
    return Role.ORGANISATION_DEPARTMENT


APPROVER_ROLES = (Role.TOWNSHIP_OFFICER, Role.ORGANISATION_DEPARTMENT)


def decides_leave(scope: Scope) -> bool:
    """Whether the role approves any leave at all (the leave page asks only them)."""
    return not scope.empty and scope.role in APPROVER_ROLES


def leave_state(leave: LeaveRequest, today: datetime.date) -> str:
    """The state shown for a request: its status, except that a request still pending
    when its period is over says so plainly (it is not approved by waiting)."""
    if leave.status == LeaveStatus.PENDING and leave.ends_on < today:
        return str(_("Expired, not decided"))
    return str(leave.get_status_display())


def may_decide(scope: Scope, leave: LeaveRequest) -> bool:
    return (
        leave.status == LeaveStatus.PENDING
        and scope.role == approver_role(leave)
        and scope.contains(leave.member.team.village_id)
    )


def approval_queue(queryset: QuerySet[LeaveRequest], scope: Scope) -> list[LeaveRequest]:
    pending = queryset.filter(status=LeaveStatus.PENDING).select_related(
        "member__cadre__person", "member__team__village"
    )
    return [leave for leave in pending.order_by("starts_on", "id") if may_decide(scope, leave)]


@transaction.atomic
def do_decide_leave(actor, leave: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    leave = LeaveRequest.objects.select_for_update().select_related("member__team").get(pk=leave.pk)
    scope = _scope_of(actor)
    if leave.status != LeaveStatus.PENDING:
        raise TeamsError("decided", _("This request has already been decided."))
    if scope is None or not may_decide(scope, leave):
        if approver_role(leave) == Role.TOWNSHIP_OFFICER:
            message = _("Short leave is approved by the township.")
        else:
            message = _("Leave of this length is approved by the county organisation department.")
        raise TeamsError("not_your_decision", message)
    leave.status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
    leave.decided_by = actor if not isinstance(actor, Scope) else None
    leave.decided_at = timezone.now()
    leave.decision_note = note
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return leave
