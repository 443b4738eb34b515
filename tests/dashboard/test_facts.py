"""The stored figures: marked by triggers in the writing transaction, refreshed along the
ancestors, equal to a recount from scratch."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from baolei.dashboard.models import DirtyRegion, Fact, RollUp
from baolei.dashboard.services import facts, triggers
from baolei.regions.models import Region
from baolei.registry.models import Household
from tests.registry.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

VILLAGE = "420222100001"


def _rolled(code, measure="households", year=0):
    return (
        RollUp.objects.filter(region_code=code, measure=measure, year=year)
        .values_list("value", flat=True)
        .first()
        or 0
    )


def test_every_source_table_carries_a_marking_trigger():
    sources = {source.table for source in facts.registered().sources.values()}
    assert sources
    assert triggers.installed(connection) >= sources


def test_a_write_marks_its_village_and_the_refresh_rolls_it_up_to_the_nation():
    village = Region.objects.get(code=VILLAGE)
    facts.rebuild()
    before = _rolled("")
    household = HouseholdFactory(village=village)
    assert DirtyRegion.objects.filter(region_code=village.code).exists()
    facts.refresh()
    assert not DirtyRegion.objects.exists()
    for code in (
        "",
        village.code[:2],
        village.code[:4],
        village.code[:6],
        village.code[:9],
        village.code,
    ):
        assert _rolled(code) >= 1
    assert _rolled("") == before + 1
    assert facts.check() == []
    Household.objects.filter(pk=household.pk).delete()
    facts.refresh()
    assert _rolled("") == before
    assert facts.check() == []


def test_a_bulk_update_is_marked_too():
    village = Region.objects.get(code=VILLAGE)
    HouseholdFactory.create_batch(3, village=village, registered_poor=False)
    facts.rebuild()
    Household.objects.filter(village=village).update(registered_poor=True)
    assert DirtyRegion.objects.exists()
    facts.refresh()
    assert _rolled(village.code, "registered_households") == 3
    assert facts.check() == []


def test_the_check_finds_a_change_nobody_marked():
    village = Region.objects.get(code=VILLAGE)
    HouseholdFactory(village=village)
    facts.rebuild()
    Fact.objects.filter(measure="households").update(value=99)
    assert any(d.table == "fact" for d in facts.check())
    with pytest.raises(CommandError):
        call_command("check_indicators", "--as-stored")


def test_on_a_new_day_the_date_dependent_figures_are_recounted_without_a_rebuild():
    import datetime

    from baolei.dashboard.models import RefreshState
    from tests.registry.factories import VisitFactory

    day = datetime.date(2026, 6, 1)
    household = HouseholdFactory()
    VisitFactory(household=household, visited_on=day - datetime.timedelta(days=85))
    facts.rebuild(day)
    rebuilt_at = RefreshState.objects.get().rebuilt_at
    assert _rolled(VILLAGE, "visited_households_90d") == 1
    later = day + datetime.timedelta(days=10)  # the visit is now 95 days old
    facts.refresh(later)
    assert _rolled(VILLAGE, "visited_households_90d") == 0
    assert _rolled("", "visited_households_90d") == 0
    assert RefreshState.objects.get().rebuilt_at == rebuilt_at  # only the daily ones
    assert facts.check(later) == []
