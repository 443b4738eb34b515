"""Reading regions: children with their counts, and search by name or code."""

import pytest

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope, scoped
from baolei.regions import services
from baolei.regions.models import Level, Region

pytestmark = pytest.mark.django_db

COUNTY = "420222"


def _by_code(rows):
    return {row["region"].code: row for row in rows}


def test_children_of_the_county_are_its_21_townships_with_village_counts():
    county = Region.objects.get(code=COUNTY)
    rows = services.children_with_counts(county, Region.objects.all())

    assert len(rows) == 21
    assert all(row["region"].level == Level.TOWNSHIP for row in rows)
    assert [row["region"].code for row in rows] == sorted(row["region"].code for row in rows)
    assert sum(row["villages"] for row in rows) == 474
    children = _by_code(rows)
    assert children["420222100"]["region"].name == "兴国镇"
    assert children["420222100"]["villages"] == 28
    assert children["420222101"]["villages"] == 18
    # For townships the next level down is the villages themselves.
    assert children["420222100"]["children"] == 28


def test_children_of_the_city_count_townships_and_villages():
    city = Region.objects.get(code="4202")
    children = _by_code(services.children_with_counts(city, Region.objects.all()))

    assert set(children) == {"420222", "420281"}
    assert (children["420222"]["children"], children["420222"]["villages"]) == (21, 474)
    assert (children["420281"]["children"], children["420281"]["villages"]) == (18, 431)


def test_the_whole_country_starts_with_the_loaded_provinces():
    rows = services.children_with_counts(None, Region.objects.all())
    assert [(row["region"].name, row["children"], row["villages"]) for row in rows] == [
        ("湖北省", 1, 474 + 431)
    ]


def test_children_and_counts_only_cover_what_the_scope_sees():
    scope = Scope(role=Role.TOWNSHIP_OFFICER, region_code="420222100")
    county = Region.objects.get(code=COUNTY)
    rows = services.children_with_counts(county, scoped(Region.objects.all(), scope))
    assert [(row["region"].code, row["villages"]) for row in rows] == [("420222100", 28)]


def test_a_village_has_no_children():
    village = Region.objects.get(code="420222100001")
    assert services.children_with_counts(village, Region.objects.all()) == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("兴国", "420222100"),
        ("富池镇", "420222101"),
        ("阳新", "420222"),
        ("山川台", "420222100001"),
    ],
)
def test_search_by_name_finds_the_nearest_level_first(text, first):
    matches = services.search(Region.objects.all(), text)
    assert matches[0].code == first
    assert all(text in region.full_name for region in matches)


def test_search_by_code_prefix():
    matches = services.search(Region.objects.all(), "4202221", limit=100)
    codes = [region.code for region in matches]
    assert len(codes) == 100
    assert all(code.startswith("4202221") for code in codes)
    # Code order: each township, then its villages, as a tree read from the top.
    assert codes == sorted(codes)
    assert codes[0] == "420222100"
    assert codes[1].startswith("420222100") and len(codes[1]) == 12


def test_search_respects_the_limit_and_ignores_blank_or_overlong_input():
    assert len(services.search(Region.objects.all(), "阳新", limit=20)) == 20
    assert services.search(Region.objects.all(), "   ") == []
    assert services.search(Region.objects.all(), "4202221000011") == []
    assert services.search(Region.objects.all(), "不存在的地方") == []
