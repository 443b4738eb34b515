"""Counts on worked examples: talent per region and source (with the stages), and
training per village and year. Every expected figure is counted by hand below."""

import datetime

import pytest

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.talent.choices import Stage
from baolei.talent.models import Enrolment, Talent
from baolei.talent.services import talent as services
from baolei.talent.services import training as services_training
from tests.factories import UserFactory
from tests.registry.factories import NEIGHBOUR_VILLAGE, VILLAGE
from tests.talent.factories import CourseFactory, EnrolmentFactory, TalentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

XINGGUO, FUCHI = "420222100", "420222101"
OTHER_XINGGUO_VILLAGE = "420222100002"


@pytest.fixture
def pool():
    TalentFactory(source="rural_entrepreneur")
    TalentFactory(source="rural_entrepreneur", stage=Stage.USED)
    TalentFactory(source="veteran", region_code=OTHER_XINGGUO_VILLAGE)
    TalentFactory(source="veteran", region_code=NEIGHBOUR_VILLAGE, stage=Stage.CULTIVATED)
    TalentFactory(source="veteran", region_code="420281001001")  # 大冶市: never counted here


def by_code(rows):
    return {row.region.code: row for row in rows}


def test_talent_per_township_and_source(pool, county_admin):
    scope = Scope.for_user(county_admin)
    rows, total = services.talent_counts(Talent.objects.all(), scope, "420222")
    assert len(rows) == 21  # every township of 阳新县, with or without talent
    xingguo, fuchi = by_code(rows)[XINGGUO], by_code(rows)[FUCHI]
    assert (xingguo.counts["rural_entrepreneur"], xingguo.counts["veteran"], xingguo.total) == (
        2,
        1,
        3,
    )
    assert (xingguo.counts["identified"], xingguo.counts["used"]) == (2, 1)
    assert (fuchi.counts["veteran"], fuchi.counts["cultivated"], fuchi.total) == (1, 1, 1)
    assert total.total == 4 and total.counts["veteran"] == 2 and total.counts["used"] == 1
    others = [row for row in rows if row.region.code not in (XINGGUO, FUCHI)]
    assert all(row.total == 0 for row in others)


def test_drilling_into_a_township_counts_per_village(pool, county_admin):
    scope = Scope.for_user(county_admin)
    rows, total = services.talent_counts(Talent.objects.all(), scope, XINGGUO)
    villages = by_code(rows)
    assert villages[VILLAGE].total == 2 and villages[VILLAGE].counts["rural_entrepreneur"] == 2
    assert villages[OTHER_XINGGUO_VILLAGE].total == 1
    assert total.total == 3


def test_a_township_officer_gets_rows_of_their_own_villages_only(pool, insider):
    rows, total = services.talent_counts(Talent.objects.all(), Scope.for_user(insider), XINGGUO)
    assert all(row.region.code.startswith(XINGGUO) for row in rows)
    assert total.total == 3


def test_the_counts_page_shows_the_table(pool, client_county_admin):
    page = client_county_admin.get("/talent/counts/?region=420222")
    assert page.status_code == 200
    rows = {row.region.code: row for row in page.context["rows"]}
    assert rows[XINGGUO].source_cells[:2] == [2, 0]  # rural entrepreneurs, migrant workers
    assert page.context["total"].total == 4
    assert "兴国镇" in page.content.decode()


@pytest.fixture
def training():
    spring = CourseFactory(starts_on=datetime.date(2023, 5, 1), ends_on=datetime.date(2023, 5, 9))
    later = CourseFactory(starts_on=datetime.date(2024, 4, 1), ends_on=datetime.date(2024, 4, 9))
    EnrolmentFactory(course=spring, passed=True, certificate_number="C-1")
    EnrolmentFactory(course=spring, passed=True)
    EnrolmentFactory(course=spring, passed=False)
    EnrolmentFactory(
        course=spring, region_code=NEIGHBOUR_VILLAGE, passed=True, certificate_number="C-2"
    )
    EnrolmentFactory(course=later)
    EnrolmentFactory(course=later, region_code=OTHER_XINGGUO_VILLAGE)


def test_training_per_township_for_one_year(training, county_admin):
    scope = Scope.for_user(county_admin)
    rows, total = services_training.training_counts(Enrolment.objects.all(), scope, "420222", 2023)
    assert by_code(rows)[XINGGUO].counts == {"enrolled": 3, "completed": 2, "certified": 1}
    assert by_code(rows)[FUCHI].counts == {"enrolled": 1, "completed": 1, "certified": 1}
    assert total.counts == {"enrolled": 4, "completed": 3, "certified": 2}
    rows, total = services_training.training_counts(Enrolment.objects.all(), scope, "420222", 2024)
    assert by_code(rows)[XINGGUO].counts == {"enrolled": 2, "completed": 0, "certified": 0}


def test_training_per_village_for_all_years(training, county_admin):
    scope = Scope.for_user(county_admin)
    rows, total = services_training.training_counts(Enrolment.objects.all(), scope, XINGGUO, None)
    assert by_code(rows)[VILLAGE].counts == {"enrolled": 4, "completed": 2, "certified": 1}
    assert by_code(rows)[OTHER_XINGGUO_VILLAGE].counts["enrolled"] == 1
    assert total.counts["enrolled"] == 5


def test_training_per_year(training):
    years = services_training.yearly_counts(Enrolment.objects.all(), "420222")
    assert [(r["year"], r["enrolled"], r["completed"], r["certified"]) for r in years] == [
        (2024, 2, 0, 0),
        (2023, 4, 3, 2),
    ]


def test_the_training_counts_page(training, client_insider):
    page = client_insider.get("/talent/training/counts/?year=2023")
    assert page.status_code == 200
    assert page.context["total"].counts == {"enrolled": 3, "completed": 2, "certified": 1}


def test_a_village_sees_its_own_row_and_the_country_its_provinces(pool, sysadmin):
    secretary = UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE)
    rows, total = services.talent_counts(Talent.objects.all(), Scope.for_user(secretary), VILLAGE)
    assert [row.region.code for row in rows] == [VILLAGE] and total.total == 2
    rows, total = services.talent_counts(Talent.objects.all(), Scope.for_user(sysadmin), None)
    hubei = by_code(rows)["42"]
    assert hubei.total == 5 and total.total == 5  # 阳新县's four and 大冶市's one
