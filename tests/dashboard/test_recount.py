"""The stored figures against an independent recount: plain SQL over the register's tables
(no ORM, none of the indicators' own functions), on a generated demo register of one
township, at the county, the township and every village of it — after a full rebuild, and
again after ordinary writes answered by the incremental refresh."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from baolei.dashboard.models import RollUp
from baolei.dashboard.services import facts, figures
from baolei.registry.models import Household, Member, VillagePopulation
from tests.registry.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

COUNTY = "420222"
TOWNSHIP = "420222100"  # 兴国镇
CURRENT = 0

# Per village, straight from the tables. `%(year)s` is this year.
MEMBERS = (
    "SELECT h.village_code, COUNT(*) FROM registry_member m "
    "JOIN registry_household h ON h.id = m.household_id"
)
RECOUNTS: dict[str, tuple[str, bool]] = {  # measure: (SQL, yearly)
    "households": (
        "SELECT village_code, COUNT(*) FROM registry_household GROUP BY village_code",
        False,
    ),
    "registered_households": (
        "SELECT village_code, COUNT(*) FROM registry_household WHERE registered_poor = %(yes)s "
        "GROUP BY village_code",
        False,
    ),
    "monitored_households": (
        "SELECT village_code, COUNT(*) FROM registry_household WHERE monitoring_type <> '' "
        "GROUP BY village_code",
        False,
    ),
    "people": (f"{MEMBERS} GROUP BY h.village_code", False),
    "registered_people": (
        f"{MEMBERS} WHERE h.registered_poor = %(yes)s GROUP BY h.village_code",
        False,
    ),
    # The numerator of the poverty incidence this year: members of registered households
    # not lifted out (or relapsed), identified by this year.
    "poor_people": (
        f"{MEMBERS} WHERE h.registered_poor = %(yes)s AND h.status IN ('not_lifted', 'relapsed') "
        "AND (h.identification_year IS NULL OR h.identification_year <= %(year)s) "
        "GROUP BY h.village_code",
        True,
    ),
    # Its denominator: the latest rural population recorded up to this year.
    "population": (
        "SELECT p.village_code, p.population FROM registry_villagepopulation p "
        "WHERE p.year = (SELECT MAX(q.year) FROM registry_villagepopulation q "
        "WHERE q.village_code = p.village_code AND q.year <= %(year)s)",
        True,
    ),
    "villages": ("SELECT code, 1 FROM regions_region WHERE level = 5", False),
}


def recount(measure: str) -> dict[str, int]:
    sql, _yearly = RECOUNTS[measure]
    with connection.cursor() as cursor:
        cursor.execute(sql, {"yes": True, "year": timezone.localdate().year})
        return {code: value for code, value in cursor.fetchall()}


def total(per_village: dict[str, int], code: str) -> int:
    return sum(value for village, value in per_village.items() if village.startswith(code))


def stored(code: str, measure: str) -> int:
    yearly = RECOUNTS[measure][1]
    year = timezone.localdate().year if yearly else CURRENT
    row = RollUp.objects.filter(region_code=code, measure=measure, year=year)
    return row.values_list("value", flat=True).first() or 0


def township_villages() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code FROM regions_region WHERE level = 5 AND code LIKE %s ORDER BY code",
            [TOWNSHIP + "%"],
        )
        return [code for (code,) in cursor.fetchall()]


def assert_stored_equals_recount() -> None:
    codes = ["", COUNTY, TOWNSHIP, *township_villages()]
    wrong = []
    for measure in RECOUNTS:
        per_village = recount(measure)
        for code in codes:
            if stored(code, measure) != total(per_village, code):
                wrong.append((code, measure, stored(code, measure), total(per_village, code)))
    assert wrong == []


@pytest.fixture
def demo():
    call_command("generate_register", region=TOWNSHIP, households=300, seed=1, verbosity=0)
    facts.rebuild()


@pytest.mark.usefixtures("demo")
def test_the_stored_figures_equal_a_raw_sql_recount_of_the_demo():
    # The demo is not empty, so the comparison is not 0 = 0.
    assert total(recount("households"), TOWNSHIP) == 300
    assert total(recount("registered_people"), TOWNSHIP) > 0
    assert total(recount("monitored_households"), TOWNSHIP) > 0
    assert total(recount("population"), TOWNSHIP) > 0
    assert_stored_equals_recount()
    # The incidence the dashboard shows is the ratio of the recounted sums.
    year = timezone.localdate().year
    [incidence] = figures.region_values(TOWNSHIP, ["poverty_incidence"], year)
    poor = total(recount("poor_people"), TOWNSHIP)
    population = total(recount("population"), TOWNSHIP)
    assert poor > 0
    assert incidence.value == pytest.approx(poor * 100 / population)


@pytest.mark.usefixtures("demo")
def test_after_writes_the_refreshed_figures_still_equal_the_recount():
    villages = township_villages()
    first, second = villages[0], villages[1]
    # A new household with two members.
    household = HouseholdFactory(village_id=first, registered_poor=True, status="not_lifted")
    MemberFactory(household=household)
    MemberFactory(household=household, relation="spouse")
    # One moved to another village, one deleted with its members, some taken off the
    # register and some put under monitoring in bulk, a population corrected.
    moved = Household.objects.filter(village_id=first).exclude(pk=household.pk).first()
    Household.objects.filter(pk=moved.pk).update(village_id=second)
    gone = Household.objects.filter(village_id=second).exclude(pk=moved.pk).first()
    Member.objects.filter(household=gone).delete()
    gone.delete()
    Household.objects.filter(village_id=villages[2], registered_poor=True).update(
        registered_poor=False
    )
    Household.objects.filter(village_id=villages[3], monitoring_type="").update(
        monitoring_type="marginal"
    )
    VillagePopulation.objects.filter(village_id=first).update(population=12345)

    facts.refresh()

    assert total(recount("households"), TOWNSHIP) == 300
    assert stored(first, "population") == 12345
    assert_stored_equals_recount()
