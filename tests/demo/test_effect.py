"""The planted effect of the demo (demo.effect): where a first secretary came in an effect
township, poor households are lifted out and the effectiveness view finds it; in the
other townships it finds no clear difference. Planted once, the same from the same seed."""

import datetime

import pytest

from baolei.dashboard.services import effectiveness_data as data
from baolei.dashboard.services import facts
from baolei.demo import effect
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import Household, StatusChange, VillagePopulation
from tests.cadres.factories_teams import TeamMemberFactory, WorkTeamFactory
from tests.registry.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
YEAR = TODAY.year - 1  # the first secretaries came last year
EFFECT, NONE = "420222100", "420222101"  # 兴国镇 first in code order, 富池镇 second


@pytest.fixture
def county():
    """16 villages in each of the two townships, each with 400 people and two poor
    households of two; half of them got a first secretary on 1 March last year."""
    came = {}
    for township in (EFFECT, NONE):
        villages = list(Region.objects.children_of(township).order_by("code")[:16])
        for index, village in enumerate(villages):
            VillagePopulation.objects.create(village=village, year=YEAR - 2, population=400)
            for _ in range(2):
                household = HouseholdFactory(
                    village=village, status=choices.PovertyStatus.NOT_LIFTED, status_since=None
                )
                MemberFactory.create_batch(2, household=household)
                # Identified in 2014, as every household of the synthetic register is.
                StatusChange.objects.create(
                    household=household,
                    from_status="",
                    to_status=choices.PovertyStatus.NOT_LIFTED,
                    changed_on=datetime.date(2014, 6, 1),
                    decided_by="阳新县扶贫开发领导小组",
                )
            if index % 2 == 0:
                team = WorkTeamFactory(
                    village=village,
                    starts_on=datetime.date(YEAR, 3, 1),
                    ends_on=datetime.date(YEAR + 2, 2, 28),
                )
                TeamMemberFactory(team=team)
                came[village.code] = team.starts_on
    return came


def _lifted_share(codes):
    households = Household.objects.filter(village_id__in=codes)
    lifted = households.filter(status=choices.PovertyStatus.LIFTED_WITH_POLICY)
    return lifted.count() / households.count()


def test_the_effect_is_planted_where_a_first_secretary_came_in_an_effect_township(county):
    assert effect.effect_townships("420222")[0] == EFFECT
    assert NONE not in effect.effect_townships("420222")
    counts = effect.generate_demo("420222", seed=1, as_of=TODAY)
    assert counts["villages_with_new_secretary"] == len(county)
    assert (
        counts["households_lifted"]
        == StatusChange.objects.filter(decided_by=effect.DECIDED_BY).count()
    )
    treated_here = [code for code in county if code.startswith(EFFECT)]
    treated_there = [code for code in county if code.startswith(NONE)]
    assert _lifted_share(treated_here) >= 0.75
    assert _lifted_share(treated_there) <= 0.4
    # Each lift dated after the secretary came, and recorded as the exit procedure would.
    planted = StatusChange.objects.filter(decided_by=effect.DECIDED_BY)
    for change in planted.filter(household__village_id__in=treated_here):
        assert change.changed_on >= county[change.household.village_id]
        assert change.to_status == choices.PovertyStatus.LIFTED_WITH_POLICY
        assert change.household.status_since == change.changed_on
    # Planted once: a second run leaves the county alone.
    assert not any(effect.generate_demo("420222", seed=1, as_of=TODAY).values())


def test_the_view_finds_the_planted_effect_and_no_difference_elsewhere(county):
    effect.generate_demo("420222", seed=1, as_of=TODAY)
    facts.rebuild()
    here = data.before_after(Region.objects.get(code=EFFECT), "first_secretary", YEAR, TODAY.year)
    assert here.result.treated_count == 8 and here.result.control_count == 8
    assert here.result.result.verdict == "better"  # incidence fell more where they came
    there = data.before_after(Region.objects.get(code=NONE), "first_secretary", YEAR, TODAY.year)
    assert there.result.treated_count == 8
    assert there.result.result.verdict == "no_clear_difference"
