"""The teams demo: made from the county's cadres, left alone the second time."""

import datetime

import pytest

from baolei.cadres import synthetic_teams
from baolei.cadres.models_teams import AttendanceMonth, MemberRole, TeamMember, WorkTeam
from tests.cadres.factories import CadreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_demo_uses_the_countys_cadres_and_runs_once():
    CadreFactory.create_batch(30)
    as_of = datetime.date(2025, 6, 15)
    counts = synthetic_teams.generate_demo("420222", seed=3, as_of=as_of)
    teams = WorkTeam.objects.count()
    assert counts["work_teams"] == teams and 0 < teams <= 30
    assert counts["village_profiles"] == 474
    # every team has exactly one first secretary; 30 cadres shared between members and pool
    assert TeamMember.objects.filter(role=MemberRole.FIRST_SECRETARY).count() == teams
    assert counts["team_members"] + counts["candidates"] <= 30
    months = AttendanceMonth.objects.values_list("year", "month").distinct()
    assert max(months) == (2025, 5) and min(months) >= (2024, 6)
    assert synthetic_teams.generate_demo("420222", seed=3, as_of=as_of)["work_teams"] == 0
