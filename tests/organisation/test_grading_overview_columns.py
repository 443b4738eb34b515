"""The grading overview as a county official reads it: columns for the grades the year's
checklist gives (star columns only where it rates by stars), how many branches and what
share of them each grade has, and the branches of a grade best first."""

import re
from decimal import Decimal

import pytest

from baolei.organisation.models import Grade
from baolei.organisation.services import grading
from tests.organisation import grading_factories as make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

YEAR = 2024


def _headers(page: str, testid: str) -> list[str]:
    table = page.split(f'data-testid="{testid}"', 1)[1].split("</thead>", 1)[0]
    return [
        re.sub(r"<[^>]+>|[▲▼]", "", h).strip()
        for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)
    ]


def _first_cells(page: str, testid: str) -> list[str]:
    body = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0].split("<tbody>")[1]
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<tr[^>]*><td[^>]*>(.*?)</td>", body, re.S)
    ]


@pytest.fixture
def graded(db):
    """Four branches of one township graded on the four classes: 95, 92, 80 and 50 %."""
    made = make.checklist(YEAR)
    # Recorded in an order other than the score's.
    scores = {"C": (30, 18, 14), "A": (40, 20, 15), "D": (20, 10, 10), "B": (38, 20, 14)}
    for name, (a, b, c) in scores.items():
        make.grade(make.branch(name=f"Branch {name}"), made, a, b, c)
    return made


def test_no_star_columns_when_the_checklist_has_no_stars(client_county_admin, graded):
    page = client_county_admin.get(f"/organisation/grading/?year={YEAR}").content.decode()
    headers = _headers(page, "by-region")
    assert "Five stars" not in headers and "One star" not in headers
    assert {"Advanced", "Good", "Average", "Lagging"} <= set(headers)


def test_star_columns_where_the_checklist_rates_by_stars(client_county_admin, graded):
    stars = make.checklist(YEAR + 1)
    for band in stars.bands.all():
        band.delete()
    for grade, minimum in [(Grade.FIVE_STARS, 90), (Grade.FOUR_STARS, 75), (Grade.ONE_STAR, 0)]:
        grading.do_set_band(None, stars, grade, Decimal(minimum), False)
    make.grade(make.branch(name="Starred"), stars, 40, 20, 15)
    page = client_county_admin.get(f"/organisation/grading/?year={YEAR + 1}").content.decode()
    headers = _headers(page, "by-region")
    assert {"Five stars", "Four stars", "One star"} <= set(headers)
    assert "Advanced" not in headers


def test_counts_show_the_share_of_all_branches_graded(client_county_admin, graded):
    page = client_county_admin.get(f"/organisation/grading/?year={YEAR}").content.decode()
    counts = page.split('data-testid="grade-counts"', 1)[1].split("</div>", 1)[0]
    text = re.sub(r"<[^>]+>|&nbsp;", " ", counts)
    # two of the four are advanced (95 %, 92 %): half of them
    assert re.search(r"Advanced\s+2\s+\(50(\.0)?%\)", text), text
    assert "Total" in _headers(page, "by-region")


def test_the_advanced_list_is_sorted_by_score_descending(client_county_admin, graded):
    page = client_county_admin.get(
        f"/organisation/grading/?year={YEAR}&grade=advanced"
    ).content.decode()
    assert _first_cells(page, "gradings") == ["Branch A", "Branch B"]
    everyone = client_county_admin.get(f"/organisation/grading/?year={YEAR}").content.decode()
    assert _first_cells(everyone, "gradings") == ["Branch A", "Branch B", "Branch C", "Branch D"]


def test_the_percent_column_is_not_a_copy_of_the_score(client_county_admin, graded):
    page = client_county_admin.get(f"/organisation/grading/?year={YEAR}").content.decode()
    headers = _headers(page, "gradings")
    # The maximum is 100 points, so the percentage would repeat the score: one column.
    assert "%" not in headers
    assert any("100" in h for h in headers), headers
