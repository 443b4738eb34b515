"""Every page within three clicks of the menu, seen from the bottom of the tree: by a first
secretary whose scope is one village, and by the county drilled down to that village. A
region with nothing below it is the case overview pages most easily forget."""

import re

import pytest

from baolei.accounts.permissions import Role
from tests.factories import UserFactory
from tests.organisation import grading_factories as make

pytestmark = pytest.mark.django_db

VILLAGE = "420222100001"  # 山川台社区居委会, 兴国镇
SKIPPED = ("/static/", "/i18n/", "/accounts/logout", "/admin/")


def _links(page: str) -> set[str]:
    found = {href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"#]*)"', page)}
    return {link for link in found if not link.startswith(SKIPPED)}


def _crawl(client, start: str, depth: int = 3) -> dict[str, int]:
    """Status of every page reached from `start` in `depth` clicks, one page per pattern
    (the same path with other numbers is the same view)."""
    statuses: dict[str, int] = {}
    patterns: set[str] = set()
    frontier = [start]
    for _ in range(depth + 1):
        following: set[str] = set()
        for path in frontier:
            pattern = re.sub(r"\d+", "N", path)
            if pattern in patterns:
                continue
            patterns.add(pattern)
            response = client.get(path)
            statuses[path] = response.status_code
            if response.status_code == 200 and "html" in response["Content-Type"]:
                following |= _links(response.content.decode())
        frontier = sorted(following)
    return statuses


def _with_region(path: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}region={VILLAGE}"


@pytest.fixture
def graded_village():
    # A graded branch, so that the grading overview has something to count per region.
    make.grade(make.branch(region_code=VILLAGE), make.checklist(year=2024), 20, 10, 5)


@pytest.mark.usefixtures("graded_village")
def test_a_first_secretary_opens_every_page_within_reach(client):
    client.force_login(UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE))
    statuses = _crawl(client, "/")
    assert len(statuses) > 30, statuses
    assert {path: code for path, code in statuses.items() if code != 200} == {}


@pytest.mark.usefixtures("graded_village")
def test_a_village_branch_opens_every_page_within_reach(client):
    client.force_login(UserFactory(role=Role.VILLAGE_BRANCH, scope=VILLAGE))
    statuses = _crawl(client, "/")
    assert len(statuses) > 30, statuses
    assert {path: code for path, code in statuses.items() if code != 200} == {}


@pytest.mark.usefixtures("graded_village")
def test_the_county_drills_every_overview_down_to_a_village(client_county_admin):
    reached = _crawl(client_county_admin, "/")
    assert len(reached) > 40, reached
    overviews = [path for path in reached if "?" not in path and not re.search(r"\d", path)]
    statuses = {path: client_county_admin.get(_with_region(path)).status_code for path in overviews}
    assert {path: code for path, code in statuses.items() if code >= 500} == {}
