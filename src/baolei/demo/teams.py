"""Demo work teams, first secretaries, attendance, leave and a candidate pool for a
county, reproducible from a seed.

Runs after the cadres demo (it draws on the county's cadres): 60 villages (the county's
first among them) get a work team with a first secretary and one or two members, the four
duties, attendance for every month in post up to the last complete month (most members
over the 220 days a year, a few short of them, now and then a month below the rule) and a
few leave requests; six of those villages had a team before whose term ended, two a team
that was recalled, and six members were rotated mid-term; every village gets a main
industry; the county gets its selection rules for the year and a pool of about 80
candidates for matching with the villages that still lack a first secretary.

One `random.Random(seed)`, rows in key order and the reference date `as_of`: the same
cadres, seed and date give the same records. Rows are written with `bulk_create` in one
transaction with one audit event. A county that already has work teams is left alone.
"""

from __future__ import annotations

import calendar
import datetime
import random
from decimal import Decimal

from django.db import transaction

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.cadres.models import (
    AttendanceMonth,
    Cadre,
    Candidate,
    Duty,
    DutyKind,
    DutyStatus,
    EndReason,
    Industry,
    LeaveRequest,
    LeaveStatus,
    MemberRole,
    SelectionRules,
    TeamMember,
    TeamStatus,
    VillageProfile,
    WorkTeam,
)
from baolei.cadres.services.teams import TeamsError, add_years
from baolei.demo import REFERENCE_DATE
from baolei.regions import codes
from baolei.regions.models import Level, Region

TEAMS = 60
ENDED_TEAMS = 6  # villages whose team before the current one served out its term
RECALLED_TEAMS = 2  # villages whose team before the current one was recalled
ROTATIONS = 6  # current members rotated mid-term, the first two of them first secretaries
WEAK_ATTENDERS = 0.08  # members who fall short of the yearly 220 days
CANDIDATES = 80
DUTY_TEXT = {
    DutyKind.STRENGTHEN_BRANCH: "规范“三会一课”，发展年轻党员",
    DutyKind.ASSISTANCE: "发展村集体经济项目，落实帮扶措施",
    DutyKind.SERVICE: "走访农户，代办民生事项",
    DutyKind.GOVERNANCE: "修订村规民约，调解矛盾纠纷",
}
RECALL_REASONS = (
    "第一书记长期不在岗，履职不力，经县委组织部研究决定整体召回",
    "工作队作风不实，群众反映强烈，经乡镇党委提议整体召回",
)
INDUSTRY_WEIGHTS = [
    (Industry.GRAIN, 20),
    (Industry.VEGETABLES, 12),
    (Industry.FRUIT, 10),
    (Industry.TEA, 8),
    (Industry.LIVESTOCK, 10),
    (Industry.AQUACULTURE, 8),
    (Industry.FORESTRY, 6),
    (Industry.HERBS, 6),
    (Industry.PROCESSING, 6),
    (Industry.TOURISM, 6),
    (Industry.ECOMMERCE, 5),
    (Industry.CRAFTS, 3),
]
KEYS = (
    "work_teams",
    "earlier_teams",
    "team_members",
    "rotations",
    "duties",
    "attendance_months",
    "leave_requests",
    "village_profiles",
    "candidates",
)


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _months(first: datetime.date, last: datetime.date) -> list[tuple[int, int]]:
    """The months from the one of `first` to the one of `last`, both included."""
    year, month, out = first.year, first.month, []
    while (year, month) <= (last.year, last.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def generate_demo(
    county_code: str = "420222", seed: int = 1, as_of: datetime.date | None = None
) -> dict[str, int]:
    county = Region.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None:
        raise TeamsError("unknown_region", f"There is no county {county_code}.")
    if WorkTeam.objects.filter(codes.within("village_id", county_code)).exists():
        return dict.fromkeys(KEYS, 0)
    as_of = as_of or REFERENCE_DATE
    rng = random.Random(seed)
    villages = list(
        Region.objects.filter(codes.within("code", county_code), level=Level.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)
    )
    cadres = list(Cadre.objects.filter(codes.within("region_code", county_code)).order_by("pk"))
    rng.shuffle(cadres)
    counts = dict.fromkeys(KEYS, 0)
    with transaction.atomic():
        counts["village_profiles"] = _profiles(rng, villages)
        # The county's first village always has a team: the demo's first-secretary login
        # (setup-demo) is scoped to it.
        wanted = min(TEAMS, len(villages))
        team_villages = sorted({villages[0], *rng.sample(villages[1:], wanted - 1)})
        available = iter(cadres)
        counts.update(_teams(rng, team_villages, available, as_of))
        SelectionRules.objects.get_or_create(
            region_code=county_code,
            year=as_of.year,
            defaults={"reference_date": as_of.replace(month=1, day=1), "monitored_threshold": 5},
        )
        pool = list(available)[:CANDIDATES]
        counts["candidates"] = _candidates(rng, pool, as_of.year)
        audit.record_bulk(
            Action.IMPORT,
            model="cadres.workteam",
            region_code=county_code,
            kind="teams_demo",
            seed=seed,
            as_of=as_of.isoformat(),
            counts=counts,
        )
    return counts


def _profiles(rng: random.Random, villages: list[str]) -> int:
    industries, weights = zip(*INDUSTRY_WEIGHTS, strict=True)
    profiles = [
        VillageProfile(village_id=code, main_industry=rng.choices(industries, weights)[0])
        for code in villages
    ]
    VillageProfile.objects.bulk_create(profiles)
    return len(profiles)


def _crew(rng, available, team: WorkTeam, ended_on=None, end_reason="") -> list[TeamMember]:
    """A first secretary and one or two more for the team, all from its start."""
    secretary = next(available, None)
    if secretary is None:
        return []
    team.dispatching_unit = secretary.unit
    others = [c for c in (next(available, None) for _ in range(rng.randint(1, 2))) if c]
    roles = [(secretary, MemberRole.FIRST_SECRETARY)]
    roles += [(c, MemberRole.LEADER if n == 0 else MemberRole.MEMBER) for n, c in enumerate(others)]
    return [
        TeamMember(
            team=team,
            cadre=cadre,
            role=role,
            starts_on=team.starts_on,
            ended_on=ended_on,
            end_reason=end_reason,
        )
        for cadre, role in roles
    ]


def _teams(rng, villages: list[str], available, as_of: datetime.date) -> dict:
    """The current team of every village, the earlier team of a few (its term ended, or
    recalled), rotations in a few current teams; duties, attendance and leave."""
    teams: list[WorkTeam] = []
    members: list[TeamMember] = []
    current: list[tuple[WorkTeam, list[TeamMember]]] = []
    for code in villages:
        starts_on = datetime.date(as_of.year - rng.choice((1, 1, 2)), rng.choice((1, 3, 6)), 1)
        # A two-year term, three for the teams it would have ended for by now.
        years = 2 if add_years(starts_on, 2) > as_of else 3
        team = WorkTeam(
            village_id=code,
            dispatching_unit="",
            starts_on=starts_on,
            ends_on=add_years(starts_on, years),
            funds=Decimal(rng.randrange(30_000, 100_001, 5_000)),
        )
        crew = _crew(rng, available, team)
        if not crew:
            break
        teams.append(team)
        members += crew
        current.append((team, crew))
    earlier = rng.sample(current, min(len(current), ENDED_TEAMS + RECALLED_TEAMS))
    for index, (successor, _crew_now) in enumerate(earlier):
        ended = index < ENDED_TEAMS
        if ended:  # served its two years up to the day before the current team came
            starts_on = add_years(successor.starts_on, -2)
            ends_on = ended_on = successor.starts_on - datetime.timedelta(days=1)
        else:  # recalled some months into its term, a new team sent a month or two later
            starts_on = _first_of_month(
                successor.starts_on - datetime.timedelta(days=rng.randint(240, 420))
            )
            ends_on = add_years(starts_on, 2)
            ended_on = successor.starts_on - datetime.timedelta(days=rng.randint(20, 60))
        team = WorkTeam(
            village_id=successor.village_id,
            dispatching_unit="",
            starts_on=starts_on,
            ends_on=ends_on,
            funds=Decimal(rng.randrange(30_000, 100_001, 5_000)),
            status=TeamStatus.ENDED if ended else TeamStatus.RECALLED,
            ended_on=ended_on,
            recall_reason="" if ended else rng.choice(RECALL_REASONS),
        )
        reason = EndReason.TERM_ENDED if ended else EndReason.RECALLED
        crew = _crew(rng, available, team, ended_on, reason)
        if not crew:
            break
        teams.append(team)
        members += crew
    WorkTeam.objects.bulk_create(teams)
    for member in members:
        member.team = member.team  # its key, now that the team is written
    rotations = _rotations(rng, current, available, as_of)
    members += rotations
    TeamMember.objects.bulk_create(members)
    duties = _duties(rng, teams, as_of)
    attendance, leaves = _attendance(rng, members, as_of)
    return {
        "work_teams": len(current),
        "earlier_teams": len(teams) - len(current),
        "team_members": len(members),
        "rotations": len(rotations),
        "duties": duties,
        "attendance_months": attendance,
        "leave_requests": leaves,
    }


def _rotations(rng, current, available, as_of: datetime.date) -> list[TeamMember]:
    """轮换, as `services_teams.do_rotate` records it: the member leaves the day before and
    the successor takes the same role from the first of a month, at least half a year
    into the term and half a year before the reference date."""
    successors = []
    chosen = rng.sample(current, min(len(current), ROTATIONS))
    for index, (team, crew) in enumerate(chosen):
        leaving = crew[0] if index < 2 else rng.choice(crew)
        first = _first_of_month(team.starts_on + datetime.timedelta(days=190))
        last = _first_of_month(as_of - datetime.timedelta(days=183))
        months = _months(first, last)
        cadre = next(available, None) if months else None
        if cadre is None:
            continue
        year, month = rng.choice(months)
        on = datetime.date(year, month, 1)
        leaving.ended_on = on - datetime.timedelta(days=1)
        leaving.end_reason = EndReason.ROTATED
        leaving.note = "工作需要，轮换回原单位"
        successors.append(TeamMember(team=team, cadre=cadre, role=leaving.role, starts_on=on))
    return successors


def _duties(rng, teams: list[WorkTeam], as_of: datetime.date) -> int:
    duties = []
    for team in teams:
        until = min(team.ended_on or as_of, as_of)
        for n, kind in enumerate(DutyKind):
            due = add_years(team.starts_on, 1) + datetime.timedelta(days=60 * n)
            done = due < until and (team.status == TeamStatus.ENDED or rng.random() < 0.8)
            duties.append(
                Duty(
                    team=team,
                    kind=kind,
                    description=DUTY_TEXT[kind],
                    due_on=due,
                    status=DutyStatus.DONE if done else DutyStatus.IN_PROGRESS,
                    done_on=due - datetime.timedelta(days=rng.randint(0, 30)) if done else None,
                )
            )
    Duty.objects.bulk_create(duties)
    return len(duties)


def _attendance(rng, members: list[TeamMember], as_of: datetime.date) -> tuple[int, int]:
    """Days in the village of every month in post up to the last complete month: most
    members well over the 20 days a month (and so the 220 a year), a few short of it,
    and now and then a month below; a few leave requests."""
    last_complete = _first_of_month(as_of) - datetime.timedelta(days=1)
    attendance, leaves = [], []
    for member in members:
        until = min(member.ended_on or last_complete, last_complete)
        months = _months(member.starts_on, until) if member.starts_on <= until else []
        weak = rng.random() < WEAK_ATTENDERS
        mean = rng.uniform(15.0, 18.5) if weak else rng.uniform(21.5, 24.0)
        for year, month in months:
            first = datetime.date(year, month, 1)
            length = calendar.monthrange(year, month)[1]
            last = first.replace(day=length)
            in_post = (min(last, until) - max(first, member.starts_on)).days + 1
            low = rng.random() < 0.06
            days = rng.gauss(mean - 6, 2) if low else rng.gauss(mean, 1.2)
            days = max(0, min(in_post, round(days * in_post / length)))
            attendance.append(AttendanceMonth(member=member, year=year, month=month, days=days))
        if months and rng.random() < 0.12:
            year, month = rng.choice(months)
            start = datetime.date(year, month, rng.randint(1, 18))
            length = rng.choice((1, 2, 3, 5, 10))
            status = rng.choice(
                (
                    LeaveStatus.APPROVED,
                    LeaveStatus.APPROVED,
                    LeaveStatus.PENDING,
                    LeaveStatus.REJECTED,
                )
            )
            if start < member.starts_on or start + datetime.timedelta(days=length) > until:
                continue
            leaves.append(
                LeaveRequest(
                    member=member,
                    starts_on=start,
                    ends_on=start + datetime.timedelta(days=length - 1),
                    reason=rng.choice(("家中有事", "病假", "参加培训", "探亲")),
                    status=status,
                )
            )
    AttendanceMonth.objects.bulk_create(attendance, batch_size=2000)
    LeaveRequest.objects.bulk_create(leaves)
    return len(attendance), len(leaves)


def _candidates(rng: random.Random, cadres: list[Cadre], year: int) -> int:
    industries = [value for value, _weight in INDUSTRY_WEIGHTS]
    candidates = [
        Candidate(
            cadre=cadre,
            region_code=cadre.region_code,
            year=year,
            put_forward_by=cadre.unit,
            industries=sorted(rng.sample(industries, rng.randint(1, 3))),
            weak_branch_experience=rng.random() < 0.3,
            assistance_experience=rng.random() < 0.55,
            agriculture_experience=rng.random() < 0.4,
            experience=rng.choice(("曾参与驻村帮扶", "从事农业技术推广", "机关党建工作", "")),
        )
        for cadre in cadres
    ]
    Candidate.objects.bulk_create(candidates)
    return len(candidates)
