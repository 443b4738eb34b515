"""Factories of work teams, members, attendance, leave, candidates and matching runs.
Teams live in 山川台社区居委会 (420222100001), 兴国镇, unless told otherwise."""

import datetime

import factory
from factory.django import DjangoModelFactory

from baolei.cadres.models import (
    AttendanceMonth,
    Candidate,
    Duty,
    DutyKind,
    FundKind,
    LeaveRequest,
    MatchingRun,
    MemberRole,
    TeamMember,
    WorkFundEntry,
    WorkTeam,
)
from baolei.regions.models import Region
from tests.cadres.factories import CadreFactory
from tests.registry.factories import VILLAGE


class WorkTeamFactory(DjangoModelFactory):
    class Meta:
        model = WorkTeam

    village = factory.LazyFunction(lambda: Region.objects.get(code=VILLAGE))
    dispatching_unit = "阳新县农业农村局"
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2026, 1, 1)
    funds = 50000


class WorkFundEntryFactory(DjangoModelFactory):
    class Meta:
        model = WorkFundEntry

    team = factory.SubFactory(WorkTeamFactory)
    kind = FundKind.ALLOCATION
    date = factory.SelfAttribute("team.starts_on")
    amount = 20000
    purpose = "县财政拨付驻村工作经费"


class TeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(WorkTeamFactory)
    cadre = factory.SubFactory(CadreFactory)
    role = MemberRole.FIRST_SECRETARY
    starts_on = factory.SelfAttribute("team.starts_on")


class DutyFactory(DjangoModelFactory):
    class Meta:
        model = Duty

    team = factory.SubFactory(WorkTeamFactory)
    kind = DutyKind.STRENGTHEN_BRANCH
    description = "整顿村党支部组织生活"
    due_on = datetime.date(2024, 6, 30)


class AttendanceMonthFactory(DjangoModelFactory):
    class Meta:
        model = AttendanceMonth

    member = factory.SubFactory(TeamMemberFactory)
    year = 2024
    month = 3
    days = 22


class LeaveRequestFactory(DjangoModelFactory):
    class Meta:
        model = LeaveRequest

    member = factory.SubFactory(TeamMemberFactory)
    starts_on = datetime.date(2024, 3, 4)
    ends_on = datetime.date(2024, 3, 5)
    reason = "家中有事"


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = Candidate

    cadre = factory.SubFactory(CadreFactory, work_started_on=datetime.date(2012, 7, 1))
    region_code = factory.SelfAttribute("cadre.region_code")
    year = 2025
    industries = factory.LazyFunction(lambda: ["tea"])
    weak_branch_experience = True
    assistance_experience = True
    agriculture_experience = False
    experience = "曾任村党支部书记，抓党建促脱贫"


class MatchingRunFactory(DjangoModelFactory):
    class Meta:
        model = MatchingRun

    region_code = "420222100"
    year = 2025
    starts_on = datetime.date(2025, 3, 1)
