"""Rural talent's figures on the command centre: talent per village, villages served by a
studio, training completions by the year the course ended — counted at the village,
summed up the regions, moved by the edits that move them, equal to a recount."""

import datetime

import pytest

from baolei.dashboard.services import facts, figures
from baolei.regions.models import Level, Region
from baolei.talent.services import studios, training
from tests.registry.factories import NEIGHBOUR_VILLAGE, VILLAGE
from tests.talent.factories import (
    CourseFactory,
    EnrolmentFactory,
    ServedVillageFactory,
    StudioFactory,
    TalentFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = datetime.date(2025, 4, 15)
V1 = VILLAGE  # 山川台社区居委会, 兴国镇
V2 = "420222100002"  # another village of 兴国镇
V3 = NEIGHBOUR_VILLAGE  # 富池镇
TOWNSHIP, NEIGHBOUR_TOWNSHIP, COUNTY = "420222100", "420222101", "420222"
KEYS = ("talent", "studio_coverage", "training_completions")


def _values(code: str, year: int = TODAY.year) -> dict[str, figures.Value]:
    return {v.indicator.key: v for v in figures.region_values(code, KEYS, year)}


def _villages(code: str) -> int:
    return Region.objects.filter(code__startswith=code, level=Level.VILLAGE).count()


@pytest.fixture
def county():
    """Two talent in 山川台, one in 富池镇; two studios both serving 山川台, one also V2;
    a course of April 2024 passed by two of 山川台 and one of 富池镇 (and failed by one
    more of 山川台), and a course from December 2024 to January 2025 passed by one of
    山川台."""
    named = TalentFactory.create_batch(2)
    TalentFactory(region_code=V3)
    first, second = StudioFactory(), StudioFactory()
    ServedVillageFactory(studio=first)
    ServedVillageFactory(studio=second)
    ServedVillageFactory(studio=second, village_id=V2)
    april = CourseFactory()
    EnrolmentFactory.create_batch(2, course=april, passed=True)
    EnrolmentFactory(course=april, region_code=V3, passed=True)
    failed = EnrolmentFactory(course=april, passed=False)
    winter = CourseFactory(
        starts_on=datetime.date(2024, 12, 20), ends_on=datetime.date(2025, 1, 10)
    )
    EnrolmentFactory(course=winter, passed=True, enrolled_on=datetime.date(2024, 12, 1))
    facts.rebuild(TODAY)
    return {"first": first, "second": second, "failed": failed, "talent": named[0]}


def test_the_figures_at_the_village_the_township_and_the_county(county):
    village, township, whole = _values(V1), _values(TOWNSHIP), _values(COUNTY)
    assert village["talent"].value == 2
    assert township["talent"].value == 2
    assert whole["talent"].value == 3
    assert village["studio_coverage"].value == 100  # served twice, counted once
    coverage = township["studio_coverage"]
    assert (coverage.numerator, coverage.denominator) == (2, _villages(TOWNSHIP))
    assert whole["studio_coverage"].denominator == _villages(COUNTY)
    assert _values(NEIGHBOUR_TOWNSHIP)["studio_coverage"].value == 0
    # The winter course ended in 2025: its completion is 2025's, not 2024's.
    assert village["training_completions"].value == 1
    assert village["training_completions"].previous == 2
    assert _values(V1, 2024)["training_completions"].value == 2
    assert _values(COUNTY, 2024)["training_completions"].value == 3
    assert _values(V3, 2024)["training_completions"].value == 1
    assert facts.check(TODAY) == []


def test_edits_move_the_figures(county):
    TalentFactory(region_code=V2)
    # A county studio starts serving 富池镇's village.
    studios.do_set_villages(None, StudioFactory(region_code=COUNTY), [V3])
    # The trainee who had failed passes after all.
    training.do_record_completion(None, county["failed"], hours_attended=40, passed=True)
    facts.refresh(TODAY)
    whole = _values(COUNTY)
    assert _values(V2)["talent"].value == 1
    assert whole["talent"].value == 4
    assert whole["studio_coverage"].numerator == 3
    assert _values(V3)["studio_coverage"].value == 100
    assert _values(V1, 2024)["training_completions"].value == 3
    assert _values(COUNTY, 2024)["training_completions"].value == 4
    assert facts.check(TODAY) == []
    # The second studio stops serving V2: V2 is no longer served by any.
    studios.do_set_villages(None, county["second"], [V1])
    facts.refresh(TODAY)
    assert _values(V2)["studio_coverage"].value == 0
    assert _values(COUNTY)["studio_coverage"].numerator == 2
    assert facts.check(TODAY) == []


def test_each_figure_links_to_its_list(county, client_county_admin):
    values = _values(V1, 2024)
    talent = client_county_admin.get(values["talent"].url)
    assert talent.status_code == 200 and county["talent"].person.name in talent.text
    counts = client_county_admin.get(values["training_completions"].url)
    assert counts.status_code == 200 and "year=2024" in values["training_completions"].url
    listed = client_county_admin.get(values["studio_coverage"].url)
    assert listed.status_code == 200 and county["first"].name in listed.text
