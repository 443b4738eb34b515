"""Demo work teams, first secretaries, attendance, leave and a candidate pool for a
county, reproducible from a seed.

Runs after the cadres demo (it draws on the county's cadres): 60 villages get a work team
with a first secretary and one or two members, the four duties, the last twelve months
of attendance (about one month in twelve below the rule) and a few leave requests; every
village gets a main industry; the county gets its selection rules for the year and a pool
of about 80 candidates for matching with the villages that still lack a first secretary.

One `random.Random(seed)`, rows in key order and the reference date `as_of`: the same
cadres, seed and date give the same records. Rows are written with `bulk_create` in one
transaction with one audit event. A county that already has work teams is left alone.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.cadres.models import Cadre
from baolei.cadres.models_teams import (
    AttendanceMonth,
    Candidate,
    Duty,
    DutyKind,
    DutyStatus,
    Industry,
    LeaveRequest,
    LeaveStatus,
    MemberRole,
    SelectionRules,
    TeamMember,
    VillageProfile,
    WorkTeam,
)
from baolei.cadres.services_teams import TeamsError, add_years
from baolei.regions import codes
from baolei.regions.models import Level, Region

TEAMS = 60
CANDIDATES = 80
DUTY_TEXT = {
    DutyKind.STRENGTHEN_BRANCH: "规范“三会一课”，发展年轻党员",
    DutyKind.ASSISTANCE: "发展村集体经济项目，落实帮扶措施",
    DutyKind.SERVICE: "走访农户，代办民生事项",
    DutyKind.GOVERNANCE: "修订村规民约，调解矛盾纠纷",
}
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
    "team_members",
    "duties",
    "attendance_months",
    "leave_requests",
    "village_profiles",
    "candidates",
)


def _months_before(as_of: datetime.date, count: int) -> list[tuple[int, int]]:
    year, month, out = as_of.year, as_of.month, []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append((year, month))
    return list(reversed(out))


def generate_demo(
    county_code: str = "420222", seed: int = 1, as_of: datetime.date | None = None
) -> dict[str, int]:
    county = Region.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None:
        raise TeamsError("unknown_region", f"There is no county {county_code}.")
    if WorkTeam.objects.filter(codes.within("village_id", county_code)).exists():
        return dict.fromkeys(KEYS, 0)
    as_of = as_of or timezone.localdate()
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
        team_villages = sorted(rng.sample(villages, min(TEAMS, len(villages))))
        serving = cadres[: len(team_villages) * 3]
        counts.update(_teams(rng, team_villages, serving, as_of))
        SelectionRules.objects.get_or_create(
            region_code=county_code,
            year=as_of.year,
            defaults={"reference_date": as_of.replace(month=1, day=1), "monitored_threshold": 5},
        )
        pool = cadres[len(serving) : len(serving) + CANDIDATES]
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


def _teams(rng, villages: list[str], cadres: list[Cadre], as_of: datetime.date) -> dict:
    months = _months_before(as_of, 12)
    teams, plans = [], []
    available = iter(cadres)
    for code in villages:
        secretary = next(available, None)
        if secretary is None:
            break
        others = [c for c in (next(available, None) for _ in range(rng.randint(1, 2))) if c]
        starts_on = datetime.date(as_of.year - rng.choice((1, 1, 2)), rng.choice((1, 3, 6)), 1)
        teams.append(
            WorkTeam(
                village_id=code,
                dispatching_unit=secretary.unit,
                starts_on=starts_on,
                ends_on=add_years(starts_on, 2 if starts_on.year < as_of.year - 1 else 3),
                funds=Decimal(rng.randrange(30_000, 100_001, 5_000)),
            )
        )
        plans.append((secretary, others))
    WorkTeam.objects.bulk_create(teams)
    members, duties = [], []
    for team, (secretary, others) in zip(teams, plans, strict=True):
        roles = [(secretary, MemberRole.FIRST_SECRETARY)]
        roles += [
            (c, MemberRole.LEADER if n == 0 else MemberRole.MEMBER) for n, c in enumerate(others)
        ]
        members += [
            TeamMember(team=team, cadre=cadre, role=role, starts_on=team.starts_on)
            for cadre, role in roles
        ]
        for n, kind in enumerate(DutyKind):
            due = add_years(team.starts_on, 1) + datetime.timedelta(days=60 * n)
            done = due < as_of and rng.random() < 0.8
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
    TeamMember.objects.bulk_create(members)
    Duty.objects.bulk_create(duties)
    attendance, leaves = [], []
    for member in members:
        for year, month in months:
            if datetime.date(year, month, 28) < member.starts_on:
                continue
            low = rng.random() < 0.08
            attendance.append(
                AttendanceMonth(
                    member=member,
                    year=year,
                    month=month,
                    days=rng.randint(12, 19) if low else rng.randint(20, 25),
                )
            )
        if rng.random() < 0.12:
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
            if start < member.starts_on:
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
    return {
        "work_teams": len(teams),
        "team_members": len(members),
        "duties": len(duties),
        "attendance_months": len(attendance),
        "leave_requests": len(leaves),
    }


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
