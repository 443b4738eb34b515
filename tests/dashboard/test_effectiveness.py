"""The effectiveness view (效能分析): the method finds an effect planted in made-up
inputs and says "no clear difference" where there is none; the page and the API show the
county's administrator the scatter, the weak spots with their actions and the comparison;
nobody sees a region outside their scope."""

import datetime
import json
import random

import pytest

from baolei.dashboard.services import effectiveness as maths
from baolei.dashboard.services import effectiveness_data as data
from baolei.dashboard.services import facts
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import VillagePopulation
from tests.cadres.factories_teams import TeamMemberFactory, WorkTeamFactory
from tests.registry.factories import HouseholdFactory, MemberFactory

TOWNSHIP = "420222100"
TODAY = datetime.date.today()
LATER = datetime.date(TODAY.year + 2, 12, 31)


# --- the method, on made-up inputs ----------------------------------------------------------


def _villages(rng: random.Random, n: int, change: float, prefix: str) -> list[maths.Unit]:
    units = []
    for i in range(n):
        before = rng.uniform(0.5, 3.0)
        units.append(maths.Unit(f"{prefix}{i:03d}", before, before + change + rng.gauss(0, 0.3)))
    return units


def test_before_after_finds_a_planted_effect():
    rng = random.Random(7)
    treated = _villages(rng, 25, -0.8, "t")  # incidence fell 0.8 points more where treated
    controls = _villages(rng, 80, 0.0, "c")
    found = maths.before_after(treated, controls, "lower")
    assert found.treated_count == 25 and len(found.pairs) == 25
    assert found.result.verdict == "better"
    assert found.result.high < 0
    assert found.result.difference == pytest.approx(-0.8, abs=0.25)
    # Deterministic: the same inputs give the same interval.
    again = maths.before_after(treated, controls, "lower")
    assert (again.result.low, again.result.high) == (found.result.low, found.result.high)


def test_before_after_reports_no_clear_difference_without_an_effect():
    rng = random.Random(7)
    treated = _villages(rng, 25, 0.0, "t")
    controls = _villages(rng, 80, 0.0, "c")
    found = maths.before_after(treated, controls, "lower")
    assert found.result.verdict == "no_clear_difference"
    assert found.result.low <= 0 <= found.result.high


def test_matching_takes_the_nearest_starting_value_and_every_tie():
    treated = [maths.Unit("t1", 1.0, 0.5), maths.Unit("t2", 3.0, 3.0)]
    controls = [
        maths.Unit("c1", 0.9, 0.9),
        maths.Unit("c2", 2.8, 2.0),
        maths.Unit("c3", 5, 5),
        maths.Unit("c4", 1.1, 1.3),  # as near to t1 as c1
    ]
    pairs = maths.match(treated, controls)
    assert [(p.treated.code, [c.code for c in p.controls]) for p in pairs] == [
        ("t1", ["c1", "c4"]),
        ("t2", ["c2"]),
    ]
    assert [round(p.difference, 6) for p in pairs] == [-0.6, 0.8]


def _points(rng: random.Random, slope: float) -> list[maths.Point]:
    points = []
    for i in range(40):
        strength = rng.uniform(20, 90)
        points.append(
            maths.Point(f"p{i:02d}", strength, 2.0 - slope * strength + rng.gauss(0, 0.2))
        )
    return points


def test_strong_against_weak_finds_the_difference_and_says_when_there_is_none():
    with_effect = maths.compare_groups(_points(random.Random(3), 0.02), "lower")
    assert with_effect.strong_count == with_effect.weak_count == 20
    assert with_effect.strong_mean < with_effect.weak_mean
    assert with_effect.result.verdict == "better"  # lower incidence where strong
    assert with_effect.result.high < 0
    without = maths.compare_groups(_points(random.Random(3), 0.0), "lower")
    assert without.result.verdict == "no_clear_difference"
    assert without.result.low <= 0 <= without.result.high


def test_too_few_are_not_compared():
    found = maths.before_after([maths.Unit("t", 1, 0)], [maths.Unit("c", 1, 1)], "lower")
    assert found.result.verdict == "too_few" and found.result.difference is None


def test_a_missing_input_is_shown_and_its_weight_shared_by_the_others():
    weights = dict(maths.DEFAULT_WEIGHTS)
    only = maths.strength({"first_secretary_coverage": 100.0, "studio_coverage": 50.0}, weights)
    parts = {part.input.key: part for part in only.parts}
    assert not parts["grade"].available and parts["grade"].contribution is None
    fs, studio = parts["first_secretary_coverage"], parts["studio_coverage"]
    assert fs.effective_weight == pytest.approx(15 / 25)
    assert fs.contribution == pytest.approx(60)
    assert studio.contribution == pytest.approx(20)  # half marks on 10/25 of the weight
    assert only.score == pytest.approx(80)
    assert maths.strength({}, weights).score is None


def test_weights_come_from_the_settings(settings):
    settings.BAOLEI_EFFECTIVENESS_WEIGHTS = {**maths.DEFAULT_WEIGHTS, "grade": 0, "talent": 30}
    assert maths.weights()["grade"] == 0 and maths.weights()["talent"] == 30


def test_weak_spots_are_below_both_medians():
    points = [
        maths.Point("a", 90, 0.2),
        maths.Point("b", 80, 1.5),  # worse outcome but strong: not a weak spot
        maths.Point("c", 20, 2.0),
        maths.Point("d", 10, 0.1),  # weak but a good outcome: not a weak spot
    ]
    assert [p.code for p in maths.weak_spots(points, "lower")] == ["c"]


# --- the page and the API -------------------------------------------------------------------


@pytest.fixture
def township(db):
    """Six villages of 兴国镇 with a population of 500: three with a first secretary in
    post and one poor person each, three without one and 3, 6 and 9 poor people; one of
    those has a monitored household nobody is paired with."""
    villages = list(Region.objects.children_of(TOWNSHIP).order_by("code")[:6])
    strong, weak = villages[:3], villages[3:]
    for village in villages:
        VillagePopulation.objects.create(village=village, year=TODAY.year - 2, population=500)
    for village in strong:
        team = WorkTeamFactory(
            village=village, starts_on=datetime.date(TODAY.year - 1, 1, 1), ends_on=LATER
        )
        TeamMemberFactory(team=team)
        _poor(village, 1)
    for village, people in zip(weak, (3, 6, 9), strict=True):
        _poor(village, people)
    HouseholdFactory(
        village=weak[2], registered_poor=False, monitoring_type=choices.MonitoringType.UNSTABLE
    )
    facts.rebuild()
    return {"strong": [v.code for v in strong], "weak": [v.code for v in weak]}


def _poor(village, people):
    household = HouseholdFactory(
        village=village, status=choices.PovertyStatus.NOT_LIFTED, status_since=None
    )
    for _ in range(people):
        MemberFactory(household=household)


@pytest.mark.usefixtures("english")
def test_the_county_administrator_sees_strength_against_outcome(client_county_admin, township):
    response = client_county_admin.get(f"/dashboard/effectiveness/{TOWNSHIP}/")
    assert response.status_code == 200
    html = response.content.decode()
    scatter = json.loads(
        html.split('id="effectiveness-data" type="application/json">')[1].split("</script>")[0]
    )
    points = {p["code"]: p for p in scatter["points"]}
    assert set(points) == set(township["strong"]) | set(township["weak"])
    assert all(
        points[s]["strength"] > points[w]["strength"]
        for s in township["strong"]
        for w in township["weak"]
    )
    assert points[township["weak"][2]]["outcome"] == pytest.approx(1.8)  # 9 of 500
    assert scatter["strength_median"] is not None and scatter["outcome_median"] is not None
    # The weak spots: the three without a first secretary (incidence above the median
    # of 0.4%), each with a link to propose one; the one with a monitored household
    # nobody is paired with, a link to pair cadres too.
    for code in township["weak"]:
        assert f'data-testid="weak-{code}"' in html
    for code in township["strong"]:
        assert f'data-testid="weak-{code}"' not in html
    row = html.split(f'data-testid="weak-{township["weak"][2]}"')[1].split("</tr>")[0]
    assert "/cadres/teams/matching/" in row
    assert f"/registry/households/?region={township['weak'][2]}&amp;monitored=yes" in row
    # Each input shown with its value, weight and contribution; a missing one says so.
    part = html.split(f'data-testid="part-{township["strong"][0]}-first_secretary_coverage"')[1]
    assert "100.00" in part.split("</tr>")[0]
    # Strong against weak: three and three, the strong with the lower incidence.
    assert 'data-testid="strong-count">3<' in html and 'data-testid="weak-count">3<' in html
    assert 'data-testid="difference"' in html
    assert "This shows association, not cause" in html


def test_the_api_gives_the_same(client_county_admin, township):
    response = client_county_admin.get(f"/api/dashboard/effectiveness/{TOWNSHIP}")
    assert response.status_code == 200
    body = response.json()
    children = {c["code"]: c for c in body["children"]}
    weak = children[township["weak"][2]]
    assert weak["weak_spot"] is True
    assert {"first_secretary", "pair"} <= {a["key"] for a in weak["actions"]}
    assert children[township["strong"][0]]["weak_spot"] is False
    assert body["comparison"]["strong_count"] == 3
    assert body["comparison"]["strong_mean"] < body["comparison"]["weak_mean"]
    assert body["before_after"]["caveat"]
    parts = {p["key"]: p for p in weak["parts"]}
    assert parts["first_secretary_coverage"]["value"] == 0
    assert parts["first_secretary_coverage"]["weight"] == 15


def test_the_county_page_compares_its_townships(client_county_admin, township):
    response = client_county_admin.get("/dashboard/effectiveness/420222/")
    assert response.status_code == 200
    assert f'data-testid="child-{TOWNSHIP}"' in response.content.decode()


@pytest.mark.parametrize("code", ["420222", "420222101"])
def test_the_insider_sees_neither_the_county_nor_the_neighbour(client_insider, code):
    assert client_insider.get(f"/dashboard/effectiveness/{code}/").status_code == 404
    assert client_insider.get(f"/api/dashboard/effectiveness/{code}").status_code == 404


def test_the_insider_sees_the_own_township_but_no_village(client_insider):
    assert client_insider.get(f"/dashboard/effectiveness/{TOWNSHIP}/").status_code == 200
    assert client_insider.get(f"/dashboard/effectiveness/{TOWNSHIP}001/").status_code == 404


# --- who got a first secretary --------------------------------------------------------


def test_a_village_got_a_first_secretary_only_if_it_had_none_before(db):
    v1, v2, v3 = (r.code for r in Region.objects.children_of(TOWNSHIP).order_by("code")[:3])
    year = TODAY.year - 1
    new = WorkTeamFactory(village_id=v1, starts_on=datetime.date(year, 3, 1), ends_on=LATER)
    TeamMemberFactory(team=new)
    # v2's first secretary was rotated in the year: the village was never without one.
    old = WorkTeamFactory(village_id=v2, starts_on=datetime.date(year - 2, 3, 1), ends_on=LATER)
    TeamMemberFactory(team=old, ended_on=datetime.date(year, 5, 31))
    TeamMemberFactory(team=old, starts_on=datetime.date(year, 6, 1))
    treated, touched = data.first_secretary_groups(TOWNSHIP, year, TODAY.year)
    assert treated == {v1}
    assert touched == {v1, v2} and v3 not in touched


def test_the_page_speaks_chinese_by_default(client_county_admin, township):
    html = client_county_admin.get(f"/dashboard/effectiveness/{TOWNSHIP}/").content.decode()
    assert "这里显示的是相关关系，不是因果关系" in html
    assert "通过人岗匹配提出第一书记人选" in html
