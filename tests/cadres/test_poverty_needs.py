"""High poverty for matching: the village's poverty incidence (the registry's own figure)
where its rural population is recorded, the count of registered poor households where it
is not; the flag and its basis in the needs, the fit explanation, the page and the API."""

import datetime
from decimal import Decimal

import pytest

from baolei.accounts.scope import Scope
from baolei.cadres.models import MatchingPair, SelectionRules
from baolei.cadres.services import selection
from baolei.registry import choices
from baolei.registry.models import VillagePopulation
from tests.cadres.factories_teams import CandidateFactory
from tests.factories import ApiTokenFactory
from tests.helpers import bearer
from tests.registry.factories import HouseholdFactory, MemberFactory, MonitoringCaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

V1, V2, V3 = "420222100001", "420222100002", "420222100003"


def _households(village: str, count: int, people: int = 1, status=None) -> None:
    """`count` registered poor households of `people` members each."""
    for _ in range(count):
        household = HouseholdFactory(
            village_id=village, status=status or choices.PovertyStatus.LIFTED_WITH_POLICY
        )
        for _ in range(people):
            MemberFactory(household=household)


@pytest.fixture
def villages():
    """Rules of 阳新县 for 2025: incidence ≥ 3% (the default), else ≥ 3 households.

    V1: rural population 200 (recorded for 2020, carried forward), 7 people in households
        not lifted out: incidence 3.50% — high.
    V2: population 1,000, 4 registered poor households (3 lifted out, one of 5 people not
        lifted out): incidence 0.50% — not high, though the count (4 ≥ 3) would say so.
    V3: no population recorded, 3 registered poor households (lifted out): high by the
        count, 3 ≥ 3.
    Each has one open monitoring case (of a household outside the register of the poor),
    so that each needs a first secretary (threshold 1)."""
    SelectionRules.objects.create(
        region_code="420222",
        year=2025,
        reference_date=datetime.date(2025, 3, 1),
        monitored_threshold=1,
        poverty_threshold=3,
    )
    VillagePopulation.objects.create(village_id=V1, year=2020, population=200)
    VillagePopulation.objects.create(village_id=V2, year=2025, population=1000)
    _households(V1, 2, people=3, status=choices.PovertyStatus.NOT_LIFTED)
    _households(V1, 1, people=1, status=choices.PovertyStatus.RELAPSED)
    _households(V2, 3)
    _households(V2, 1, people=5, status=choices.PovertyStatus.NOT_LIFTED)
    _households(V3, 3)
    for village in (V1, V2, V3):
        MonitoringCaseFactory(household=HouseholdFactory(village_id=village, registered_poor=False))


def _needs(region: str = "420222100") -> dict:
    return {n.village.code: n for n in selection.village_needs(region, 2025)}


def test_the_incidence_decides_where_a_population_is_recorded(villages):
    needs = _needs()
    v1, v2, v3 = needs[V1], needs[V2], needs[V3]
    assert (v1.poverty_basis, v1.incidence, v1.poverty_threshold, v1.high_poverty) == (
        "incidence",
        "3.50% (7/200)",
        "3.00%",
        True,
    )
    assert (v2.poverty_basis, v2.incidence, v2.registered, v2.high_poverty) == (
        "incidence",
        "0.50% (5/1000)",
        4,
        False,
    )
    assert (v3.poverty_basis, v3.incidence, v3.poverty_threshold, v3.high_poverty) == (
        "registered",
        "",
        "3",
        True,
    )
    # a village without any registered household or population: the count, 0 < 3
    assert needs["420222100004"].poverty_basis == "registered"
    assert not needs["420222100004"].high_poverty


def test_the_threshold_is_the_rules(villages):
    SelectionRules.objects.filter(region_code="420222").update(
        poverty_incidence_threshold=Decimal("0.5"), poverty_threshold=4
    )
    needs = _needs()
    assert needs[V2].high_poverty and needs[V2].poverty_threshold == "0.50%"  # 0.50 ≥ 0.50
    assert needs[V1].high_poverty
    assert not needs[V3].high_poverty  # 3 < 4 by the count


def test_the_basis_is_in_the_pairs_and_the_fit_explanation(villages, county_admin):
    for name in ("甲", "乙", "丙"):
        CandidateFactory(cadre__person__name=name, industries=[], weak_branch_experience=False)
    run = selection.do_start_matching(
        county_admin,
        Scope.for_user(county_admin),
        "420222100",
        2025,
        datetime.date(2025, 3, 1),
    )
    pairs = {p.village_id: p for p in MatchingPair.objects.filter(run=run)}
    # each candidate has targeted-assistance experience: 30 where poverty is high
    assert ["high_poverty", 30] in pairs[V1].reasons and ["high_poverty", 30] in pairs[V3].reasons
    assert ["high_poverty", 30] not in pairs[V2].reasons
    assert pairs[V1].needs["poverty_basis"] == "incidence"
    assert selection.reason_label("high_poverty", pairs[V1].needs) == (
        "high poverty: incidence 3.50% (7/200) ≥ 3.00% × targeted-assistance experience"
    )
    assert selection.reason_label("high_poverty", pairs[V3].needs) == (
        "high poverty: 3 registered poor households ≥ 3 (no rural population recorded) "
        "× targeted-assistance experience"
    )
    assert selection.poverty_text(pairs[V2].needs) == "incidence 0.50% (5/1000) < 3.00%"


def test_the_matching_page_and_api_show_the_flag_and_its_basis(
    villages, county_admin, client_county_admin, client
):
    # a second monitored household makes V1 the best village for the only candidate:
    # 30 + 2 + 5 = 37 against 36 at V3
    MonitoringCaseFactory(household=HouseholdFactory(village_id=V1, registered_poor=False))
    CandidateFactory(cadre__person__name="甲", industries=[], weak_branch_experience=False)
    run = selection.do_start_matching(
        county_admin,
        Scope.for_user(county_admin),
        "420222100",
        2025,
        datetime.date(2025, 3, 1),
    )
    page = client_county_admin.get(f"/cadres/teams/matching/{run.pk}/").content.decode()
    assert 'data-high-poverty="1" data-basis="incidence">high poverty: incidence 3.50% (7/200)' in (
        page
    )
    assert 'data-high-poverty="0" data-basis="incidence">incidence 0.50% (5/1000) &lt; 3.00%' in (
        page
    )
    assert "high poverty: 3 registered poor households ≥ 3 (no rural population recorded)" in page
    pair = MatchingPair.objects.get(run=run, candidate__isnull=False)
    assert (pair.village_id, pair.fit) == (V1, 37)
    why = "high poverty: incidence 3.50% (7/200) ≥ 3.00% × targeted-assistance experience +30"
    assert why in page
    adjust = client_county_admin.get(f"/cadres/teams/matching/pairs/{pair.pk}/").content.decode()
    assert "targeted-assistance experience +30" in adjust
    key = bearer(ApiTokenFactory(user=county_admin).key)
    data = client.get(f"/api/cadres/matching/{run.pk}", headers=key).json()
    by_village = {p["village_code"]: p for p in data["pairs"]}
    assert by_village[V2]["needs"]["incidence"] == "0.50% (5/1000)"
    assert by_village[V3]["needs"]["poverty_basis"] == "registered"
    [poverty] = [r for r in by_village[V1]["reasons"] if r["reason"] == "high_poverty"]
    assert poverty == {"reason": "high_poverty", "label": why[:-4], "points": 30}


def test_a_run_made_before_the_basis_keeps_its_old_label(county_admin):
    needs = {"weak_branch": False, "registered": 40, "monitored": 2, "high_poverty": True}
    assert selection.poverty_text(needs) == ""
    assert selection.reason_label("high_poverty", needs) == (
        "Many registered poor households × targeted-assistance experience"
    )
