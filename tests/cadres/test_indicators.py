"""The work teams' figures on the command centre: first secretaries in post, attendance
below the rule last month, villages needing a first secretary — counted at the village,
summed up the regions, moved by the edits that move them, equal to a recount."""

import datetime

import pytest
from django.utils import timezone

from baolei.cadres.models import (
    AttendanceRule,
    EndReason,
    LeaveStatus,
    MemberRole,
    SelectionRules,
    TeamMember,
)
from baolei.cadres.services import teams
from baolei.dashboard.services import facts, figures
from baolei.regions.models import Level, Region
from tests.cadres.factories_teams import (
    AttendanceMonthFactory,
    LeaveRequestFactory,
    TeamMemberFactory,
    WorkTeamFactory,
)
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    VILLAGE,
    HouseholdFactory,
    MonitoringCaseFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = datetime.date(2025, 4, 15)  # the last complete month is March 2025
V1 = VILLAGE  # 山川台社区居委会, 兴国镇
V2 = "420222100002"  # another village of 兴国镇
V3 = NEIGHBOUR_VILLAGE  # 富池镇
TOWNSHIP, NEIGHBOUR_TOWNSHIP, COUNTY = "420222100", "420222101", "420222"
KEYS = ("first_secretary_coverage", "attendance_below_rule", "villages_needing_first_secretary")


def _values(code: str) -> dict[str, figures.Value]:
    return {v.indicator.key: v for v in figures.region_values(code, KEYS, TODAY.year)}


def _villages(code: str) -> int:
    return Region.objects.filter(code__startswith=code, level=Level.VILLAGE).count()


def _team(code: str):
    return WorkTeamFactory(village=Region.objects.get(code=code))


@pytest.fixture
def county():
    """兴国镇: 山川台 with a first secretary (22 days in March) and a member (10 days);
    V2 with a first secretary who entered nothing for March. 富池镇: a first secretary
    who left in February, and two households under monitoring, which the county's rules
    make a need."""
    SelectionRules.objects.create(
        region_code=COUNTY, year=2025, reference_date=TODAY, monitored_threshold=2
    )
    first = TeamMemberFactory(team=_team(V1))
    member = TeamMemberFactory(team=first.team, role=MemberRole.MEMBER)
    AttendanceMonthFactory(member=first, year=2025, month=3, days=22)
    AttendanceMonthFactory(member=member, year=2025, month=3, days=10)
    second = TeamMemberFactory(team=_team(V2))
    TeamMemberFactory(team=_team(V3), ended_on=datetime.date(2025, 2, 28))
    for _ in range(2):
        MonitoringCaseFactory(household=HouseholdFactory(village=Region.objects.get(code=V3)))
    facts.rebuild(TODAY)
    return {"first": first, "member": member, "second": second}


def test_the_figures_at_the_village_the_township_and_the_county(county):
    village, township, whole = _values(V1), _values(TOWNSHIP), _values(COUNTY)
    assert (village["first_secretary_coverage"].value) == 100
    coverage = township["first_secretary_coverage"]
    assert (coverage.numerator, coverage.denominator) == (2, _villages(TOWNSHIP))
    assert whole["first_secretary_coverage"].numerator == 2  # 富池镇's has left
    assert whole["first_secretary_coverage"].denominator == _villages(COUNTY)
    assert village["attendance_below_rule"].value == 1  # the member's 10 days
    assert _values(V2)["attendance_below_rule"].value == 1  # nothing entered
    assert township["attendance_below_rule"].value == 2
    assert whole["attendance_below_rule"].value == 2
    assert township["villages_needing_first_secretary"].value == 0  # 山川台's are few
    assert _values(V3)["villages_needing_first_secretary"].value == 1
    assert _values(NEIGHBOUR_TOWNSHIP)["villages_needing_first_secretary"].value == 1
    assert whole["villages_needing_first_secretary"].value == 1
    assert facts.check(TODAY) == []


def test_edits_move_the_figures(county):
    # The first secretary of V2 leaves (rotated out) before today.
    teams.do_end_member(None, county["second"], datetime.date(2025, 4, 10), EndReason.ROTATED)
    # March's days of the 山川台 member are entered: no longer below the rule.
    teams.do_save_attendance(None, county["member"], 2025, 3, 20)
    # 富池镇's village gets a new first secretary: no longer a gap.
    v3_team = TeamMember.objects.get(team__village_id=V3).team
    TeamMemberFactory(team=v3_team, starts_on=datetime.date(2025, 4, 1))
    facts.refresh(TODAY)
    whole = _values(COUNTY)
    assert _values(TOWNSHIP)["first_secretary_coverage"].numerator == 1
    assert _values(V2)["first_secretary_coverage"].value == 0
    assert whole["first_secretary_coverage"].numerator == 2  # one left, one came
    assert _values(V1)["attendance_below_rule"].value == 0
    assert whole["attendance_below_rule"].value == 1  # V2's, still in post in March
    assert whole["villages_needing_first_secretary"].value == 0
    assert facts.check(TODAY) == []
    # A stricter rule set for 山川台 itself puts the member's 20 days below it,
    # then a stricter one the first secretary's 22 days too.
    AttendanceRule.objects.create(region_code=V1, year=2025, min_days_month=21)
    facts.refresh(TODAY)
    assert _values(V1)["attendance_below_rule"].value == 1
    AttendanceRule.objects.filter(region_code=V1).update(min_days_month=25)
    facts.refresh(TODAY)
    assert _values(V1)["attendance_below_rule"].value == 2
    assert facts.check(TODAY) == []


def test_in_post_means_on_the_day():
    TeamMemberFactory(team=_team(V1), starts_on=datetime.date(2025, 5, 1))
    TeamMemberFactory(team=_team(V2), ended_on=TODAY)  # today is their last day
    facts.rebuild(TODAY)
    assert _values(V1)["first_secretary_coverage"].value == 0
    assert _values(V2)["first_secretary_coverage"].value == 100
    facts.rebuild(TODAY + datetime.timedelta(days=30))  # May: one came, one is gone
    assert _values(V1)["first_secretary_coverage"].value == 100
    assert _values(V2)["first_secretary_coverage"].value == 0


def test_below_the_rule_agrees_with_the_attendance_list():
    """The bulk count and `teams.below_rule` (the list behind the figure) on a mix: leave,
    a month partly in post, a county rule, a village rule, a recalled team's member."""
    AttendanceRule.objects.create(region_code=COUNTY, year=2025, min_days_month=18)
    AttendanceRule.objects.create(region_code=V2, year=2025, min_days_month=24)
    a = TeamMemberFactory(team=_team(V1))
    AttendanceMonthFactory(member=a, year=2025, month=3, days=15)
    LeaveRequestFactory(
        member=a,
        starts_on=datetime.date(2025, 3, 10),
        ends_on=datetime.date(2025, 3, 12),
        status=LeaveStatus.APPROVED,
    )
    b = TeamMemberFactory(team=a.team, role=MemberRole.LEADER, starts_on=datetime.date(2025, 3, 20))
    AttendanceMonthFactory(member=b, year=2025, month=3, days=6)
    c = TeamMemberFactory(team=_team(V2))
    AttendanceMonthFactory(member=c, year=2025, month=3, days=20)
    d = TeamMemberFactory(team=_team(V3), role=MemberRole.MEMBER)
    AttendanceMonthFactory(member=d, year=2025, month=3, days=17)
    e = TeamMemberFactory(team=d.team, ended_on=datetime.date(2025, 3, 5))
    AttendanceMonthFactory(member=e, year=2025, month=3, days=3)
    listed = {}
    for line in teams.below_rule(TeamMember.objects.all(), 2025, 3):
        code = line.member.team.village_id
        listed[code] = listed.get(code, 0) + 1
    from baolei.cadres.indicators import below_rule_per_village

    counted = below_rule_per_village(TeamMember.objects.all(), 2025, 3, TODAY)
    assert dict(counted) == listed
    assert listed  # some are below, some not: the comparison means something
    assert sum(listed.values()) < TeamMember.objects.count()


def test_each_figure_links_to_its_list(client_county_admin):
    """The lists behind the figures, counted for the real today (the attendance list shows
    the last complete month, the gap list this year's, unless told otherwise)."""
    today = timezone.localdate()
    year, month = teams.last_complete_month(today)
    SelectionRules.objects.create(
        region_code=COUNTY, year=today.year, reference_date=today, monitored_threshold=1
    )
    first = TeamMemberFactory(team=_team(V1), starts_on=datetime.date(year, month, 1))
    MonitoringCaseFactory(household=HouseholdFactory(village=Region.objects.get(code=V3)))
    facts.rebuild(today)
    values = {v.indicator.key: v for v in figures.region_values(V1, KEYS, today.year)}
    assert values["attendance_below_rule"].value == 1  # nothing entered last month
    below = client_county_admin.get(values["attendance_below_rule"].url)
    assert below.status_code == 200 and first.cadre.person.name in below.text
    teams_page = client_county_admin.get(values["first_secretary_coverage"].url)
    assert teams_page.status_code == 200 and first.cadre.person.name in teams_page.text
    [gaps] = figures.region_values(COUNTY, ["villages_needing_first_secretary"], today.year)
    assert gaps.value == 1
    page = client_county_admin.get(gaps.url)
    assert page.status_code == 200 and Region.objects.get(code=V3).name in page.text


def test_a_rule_set_for_the_county_is_recounted_in_every_village_below_it(county):
    facts.rebuild(TODAY)
    before = _values(COUNTY)["attendance_below_rule"].value
    # A county rule of 23 days puts 山川台's first secretary (22 days) below it too.
    AttendanceRule.objects.create(region_code=COUNTY, year=2025, min_days_month=23)
    facts.refresh(TODAY)
    assert _values(V1)["attendance_below_rule"].value == 2
    assert _values(COUNTY)["attendance_below_rule"].value > before
    assert facts.check(TODAY) == []
