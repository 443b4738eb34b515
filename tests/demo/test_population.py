"""The demo villages' synthetic populations: plausible, reproducible, and the incidence
they give the synthetic register mostly under 2% in 2020."""

import datetime

import pytest

from baolei.accounts.scope import Scope
from baolei.audit.models import Action, AuditEvent
from baolei.demo.registry import register as synthetic
from baolei.demo.registry.population import generate_village_populations
from baolei.messages import CodedError
from baolei.regions.models import Region
from baolei.registry.models import VillagePopulation
from baolei.registry.services import rules

pytestmark = pytest.mark.django_db

TOWNSHIP = "420222100"  # 兴国镇
AS_OF = datetime.date(2026, 11, 26)


def populations(region: str, year: int) -> dict[str, int]:
    return dict(
        VillagePopulation.objects.filter(village__code__startswith=region, year=year).values_list(
            "village_id", "population"
        )
    )


def test_every_village_gets_a_plausible_population_reproducibly():
    villages = Region.objects.villages().within(TOWNSHIP).count()
    assert generate_village_populations(TOWNSHIP, 2020, seed=7) == villages
    first = populations(TOWNSHIP, 2020)
    assert len(first) == villages
    assert all(800 <= people <= 4000 for people in first.values())
    assert generate_village_populations(TOWNSHIP, 2020, seed=7) == villages  # replaces
    assert populations(TOWNSHIP, 2020) == first
    generate_village_populations(TOWNSHIP, 2020, seed=8)
    assert populations(TOWNSHIP, 2020) != first
    assert VillagePopulation.objects.count() == villages
    event = AuditEvent.objects.filter(model="registry.villagepopulation").latest("id")
    assert event.action == Action.BULK_LOAD and event.region_code == TOWNSHIP


def test_with_the_synthetic_register_most_villages_are_under_two_percent_in_2020():
    """The demo's density: about 63 households a village, as 30,000 over 474 villages."""
    villages = Region.objects.villages().within(TOWNSHIP).count()
    synthetic.generate_register(TOWNSHIP, 63 * villages, seed=7, as_of=AS_OF)
    generate_village_populations(TOWNSHIP, 2020, seed=7)
    readiness = rules.county_readiness("420222", 2020, Scope("system_admin", None))
    mine = [verdict for village, verdict in readiness.results if village.code.startswith(TOWNSHIP)]
    assert len(mine) == villages and not any(verdict.unchecked for verdict in mine)
    assert sum(verdict.passed for verdict in mine) >= 0.9 * villages


def test_a_region_without_villages_is_refused():
    with pytest.raises(CodedError):
        generate_village_populations("4203", 2020, seed=1)  # not loaded in the test database
    with pytest.raises(CodedError):
        generate_village_populations("x", 2020, seed=1)
