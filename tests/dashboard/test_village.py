"""The village's own page — the home page of its first secretary and its branch, and the
village step of the drill-down — shows what the village has (loaded from the dashboard),
each figure a link to the list it counts, and nothing of another village (issue 18,
item 6)."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from baolei.accounts.permissions import Role
from baolei.organisation.models import BranchGrading, Grade, GradingChecklist
from baolei.registry import choices
from tests.cadres.factories_teams import AttendanceMonthFactory, TeamMemberFactory, WorkTeamFactory
from tests.factories import UserFactory
from tests.organisation import grading_factories as make
from tests.organisation.factories import PartyMemberFactory
from tests.registry.factories import (
    HouseholdFactory,
    MonitoringCaseFactory,
    VisitFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE = "420222100001"  # 山川台社区居委会, 兴国镇
OTHER = "420222100002"  # the next village of the same township


def _village(code: str, households: int, monitored: int, visited: int, members: int):
    from baolei.regions.models import Region

    today = timezone.localdate()
    region = Region.objects.get(code=code)
    made = [
        HouseholdFactory(number=f"{code}{n:06d}", village=region, registered_poor=n % 2 == 0)
        for n in range(households)
    ]
    for household in made[:monitored]:
        household.monitoring_type = choices.MonitoringType.UNSTABLE
        household.save()
        MonitoringCaseFactory(household=household)
    for household in made[:visited]:
        VisitFactory(household=household, visited_on=today - datetime.timedelta(days=10))
    branch = make.branch(region_code=code, name=f"{region.name}党支部")
    for _ in range(members):
        PartyMemberFactory(branch=branch)
    make.meeting(branch, today)
    make.meeting(branch, today - datetime.timedelta(days=400))  # another quarter
    BranchGrading.objects.create(
        organisation=branch,
        region_code=code,
        year=today.year - 1,
        checklist=GradingChecklist.objects.filter(year=today.year - 1).first()
        or make.checklist(today.year - 1),
        grade=Grade.GOOD,
    )
    return made, branch


def _figure(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="figure-{testid}">([^<]*)</a>', page)
    assert found, f"no figure {testid}"
    return found.group(1).strip()


def _village_page(client: Client, path: str) -> str:
    """The village page as a browser shows it: the page, then the figures it loads."""
    page = client.get(path).content.decode()
    loads = re.search(r'hx-get="(/dashboard/villages/\d{12}/)"', page)
    assert loads, "the village page loads no figures"
    return page + client.get(loads.group(1)).content.decode()


def _client(role: str, scope: str) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role, scope=scope))
    return client


@pytest.mark.parametrize("role", [Role.FIRST_SECRETARY, Role.VILLAGE_BRANCH])
def test_the_village_home_page_counts_what_the_village_has(role):
    households, branch = _village(VILLAGE, households=7, monitored=2, visited=3, members=4)
    _village(OTHER, households=5, monitored=5, visited=0, members=9)
    team = WorkTeamFactory(starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2030, 1, 1))
    secretary = TeamMemberFactory(team=team)
    today = timezone.localdate()
    AttendanceMonthFactory(member=secretary, year=today.year, month=today.month, days=3)

    page = _village_page(_client(role, VILLAGE), "/")

    assert "village-summary" in page
    assert _figure(page, "households") == str(len(households))
    assert _figure(page, "registered") == str(sum(h.registered_poor for h in households))
    assert _figure(page, "monitored") == "2"
    assert _figure(page, "cases-open") == "2"
    assert _figure(page, "visits-due") == str(len(households) - 3)
    assert _figure(page, "members") == "4"
    assert _figure(page, "meetings") == "1"  # this quarter's only
    assert _figure(page, "grade") == "Good"
    assert _figure(page, "secretary-days").startswith("3/")
    assert branch.name in page and secretary.cadre.person.name in page
    # Each figure is a link to the list it counts.
    assert f"/registry/households/?region={VILLAGE}&amp;monitored=yes" in page
    assert f"/registry/households/?region={VILLAGE}&amp;not_visited=90" in page
    assert f"/cadres/teams/{team.pk}/" in page


def test_the_village_officer_sees_only_their_village():
    _village(VILLAGE, households=2, monitored=0, visited=0, members=1)
    _village(OTHER, households=6, monitored=1, visited=0, members=3)
    client = _client(Role.VILLAGE_BRANCH, VILLAGE)
    assert _figure(_village_page(client, "/"), "households") == "2"
    assert client.get(f"/regions/{OTHER}/").status_code == 404
    assert client.get(f"/dashboard/villages/{OTHER}/").status_code == 404


def test_the_county_drilling_down_sees_the_same_figures_of_that_village(client_county_admin):
    _village(VILLAGE, households=2, monitored=0, visited=0, members=1)
    _village(OTHER, households=6, monitored=1, visited=2, members=3)
    page = _village_page(client_county_admin, f"/regions/{OTHER}/")
    assert _figure(page, "households") == "6"
    assert _figure(page, "monitored") == "1"
    assert _figure(page, "visits-due") == "4"
    assert _figure(page, "members") == "3"


def test_the_figures_followed_as_a_link_are_a_page_with_the_menu(client_insider):
    _village(VILLAGE, households=2, monitored=0, visited=0, members=1)
    path = f"/dashboard/villages/{VILLAGE}/"
    page = client_insider.get(path).content.decode()
    panel = client_insider.get(path, headers={"HX-Request": "true"}).content.decode()
    assert "<nav" in page and 'data-testid="village-summary"' in page
    assert "<nav" not in panel and 'data-testid="village-summary"' in panel
