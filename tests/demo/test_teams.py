"""The teams demo: made from the county's cadres, left alone the second time; attendance
over the whole term, a team in the demo first secretary's village, and teams and members
in every state."""

import datetime

import pytest

from baolei.cadres.models import (
    AttendanceMonth,
    EndReason,
    MemberRole,
    TeamMember,
    TeamStatus,
    WorkTeam,
)
from baolei.cadres.services.teams import year_attendance
from baolei.demo import teams as synthetic_teams
from tests.cadres.factories import CadreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FIRST_VILLAGE = "420222100001"  # the scope of setup-demo's first-secretary login


def _months(first: datetime.date, last: datetime.date) -> list[tuple[int, int]]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _assert_attendance_covers_every_month_in_post(last_complete: datetime.date) -> None:
    entered: dict[int, list[tuple[int, int]]] = {}
    for member_id, year, month in AttendanceMonth.objects.order_by(
        "member_id", "year", "month"
    ).values_list("member_id", "year", "month"):
        entered.setdefault(member_id, []).append((year, month))
    for member in TeamMember.objects.all():
        until = min(member.ended_on or last_complete, last_complete)
        assert entered.get(member.pk, []) == _months(member.starts_on, until), member


def _assert_one_first_secretary_in_every_active_team() -> None:
    for team in WorkTeam.objects.filter(status=TeamStatus.ACTIVE):
        current = team.members.filter(role=MemberRole.FIRST_SECRETARY, ended_on__isnull=True)
        assert current.count() == 1


def test_the_demo_uses_the_countys_cadres_and_runs_once():
    CadreFactory.create_batch(30)
    as_of = datetime.date(2025, 6, 15)
    counts = synthetic_teams.generate_demo("420222", seed=3, as_of=as_of)
    teams = WorkTeam.objects.filter(status=TeamStatus.ACTIVE).count()
    assert counts["work_teams"] == teams and 0 < teams <= 30
    assert counts["earlier_teams"] == WorkTeam.objects.exclude(status=TeamStatus.ACTIVE).count()
    assert counts["village_profiles"] == 474
    _assert_one_first_secretary_in_every_active_team()
    # 30 cadres shared between members and pool
    assert counts["team_members"] + counts["candidates"] <= 30
    assert WorkTeam.objects.filter(village_id=FIRST_VILLAGE, status=TeamStatus.ACTIVE).exists()
    # Every month in post up to the last complete one, from the start of the term.
    months = AttendanceMonth.objects.values_list("year", "month").distinct()
    assert max(months) == (2025, 5) and min(months) <= (2024, 1)
    _assert_attendance_covers_every_month_in_post(datetime.date(2025, 5, 31))
    assert synthetic_teams.generate_demo("420222", seed=3, as_of=as_of)["work_teams"] == 0


def test_the_demo_has_teams_and_members_in_every_state_and_plausible_years():
    CadreFactory.create_batch(300)
    as_of = datetime.date(2026, 11, 26)
    counts = synthetic_teams.generate_demo("420222", seed=1, as_of=as_of)
    assert counts["work_teams"] == 60 and counts["earlier_teams"] == 8
    assert counts["candidates"] == 80
    by_status = {
        status: WorkTeam.objects.filter(status=status).count() for status in TeamStatus.values
    }
    assert by_status == {TeamStatus.ACTIVE: 60, TeamStatus.ENDED: 6, TeamStatus.RECALLED: 2}
    # No active team past its term; earlier teams ended before the current one started.
    assert not WorkTeam.objects.filter(status=TeamStatus.ACTIVE, ends_on__lte=as_of).exists()
    for team in WorkTeam.objects.exclude(status=TeamStatus.ACTIVE):
        after = WorkTeam.objects.get(village_id=team.village_id, status=TeamStatus.ACTIVE)
        assert team.ended_on < after.starts_on
        assert not team.members.filter(ended_on__isnull=True).exists()
        assert (team.status == TeamStatus.RECALLED) == bool(team.recall_reason)
    reasons = set(TeamMember.objects.values_list("end_reason", flat=True))
    assert reasons == {"", EndReason.TERM_ENDED, EndReason.ROTATED, EndReason.RECALLED}
    rotated = TeamMember.objects.filter(end_reason=EndReason.ROTATED)
    assert rotated.filter(role=MemberRole.FIRST_SECRETARY).exists()
    for member in rotated:  # the successor takes the same role the next day
        assert member.team.members.filter(
            role=member.role, starts_on=member.ended_on + datetime.timedelta(days=1)
        ).exists()
    _assert_one_first_secretary_in_every_active_team()
    # The demo first secretary's village has its team and first secretary.
    assert TeamMember.objects.filter(
        team__village_id=FIRST_VILLAGE,
        team__status=TeamStatus.ACTIVE,
        role=MemberRole.FIRST_SECRETARY,
        ended_on__isnull=True,
    ).exists()
    # Attendance over the whole term, and the 220 days a year met by most, not by all.
    _assert_attendance_covers_every_month_in_post(datetime.date(2026, 10, 31))
    assert AttendanceMonth.objects.filter(year=2024).exists()
    for year in (2025, 2026):
        lines = year_attendance(TeamMember.objects.all(), year, as_of)
        below = sum(line.below for line in lines)
        assert len(lines) > 100 and 0 < below < 0.2 * len(lines), (year, below, len(lines))
