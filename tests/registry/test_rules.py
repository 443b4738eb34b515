"""The exit rules on worked examples: one test per criterion, passing and failing."""

from decimal import Decimal

import pytest

from baolei.accounts.scope import Scope
from baolei.regions.models import Level, Region
from baolei.registry import choices, rules
from baolei.registry.models import AnnualStandard, HouseholdYear
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    VILLAGE,
    HouseholdFactory,
    MemberFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


ASSURANCE_FIELDS = [name for name, _label in choices.ASSURANCES]


def record(household, year=2020, per_capita="4512", **assurances) -> HouseholdYear:
    """A year whose per-capita net income is exactly `per_capita` (one member counted)."""
    values = dict.fromkeys(ASSURANCE_FIELDS, True) | assurances
    return HouseholdYear.objects.create(
        household=household,
        year=year,
        wages=Decimal(per_capita),
        member_count=1,
        per_capita_net_income=Decimal(per_capita),
        **values,
    )


def by_code(verdict):
    return {criterion.code: criterion for criterion in verdict.criteria}


@pytest.fixture
def household():
    return HouseholdFactory(status=choices.PovertyStatus.NOT_LIFTED)


# --- household exit ---------------------------------------------------------------------


def test_worked_example_exits_and_explains_every_criterion(household):
    record(household, per_capita="4512")
    verdict = rules.household_exit_check(household, 2020)
    assert verdict.passed
    assert [c.code for c in verdict.criteria] == ["income", *ASSURANCE_FIELDS]
    income = by_code(verdict)["income"]
    assert str(income.detail) == (
        "per-capita net income 4,512.00 yuan is above the 2020 line of 4,000.00 yuan"
    )
    assert str(by_code(verdict)["drinking_water"].label) == "Safe drinking water"
    assert str(by_code(verdict)["food"].detail) == "met in 2020"


def test_income_exactly_at_the_line_does_not_exit(household):
    record(household, per_capita="4000.00")
    verdict = rules.household_exit_check(household, 2020)
    assert not verdict.passed
    assert [c.code for c in verdict.failed] == ["income"]
    assert "is not above the 2020 line of 4,000.00 yuan" in str(by_code(verdict)["income"].detail)


def test_income_one_fen_above_the_line_exits(household):
    record(household, per_capita="4000.01")
    assert rules.household_exit_check(household, 2020).passed


def test_the_line_of_the_year_is_used_and_can_be_edited(household):
    record(household, year=2019, per_capita="3300")
    assert rules.household_exit_check(household, 2019).passed  # 2019 line: 3,218
    AnnualStandard.objects.filter(year=2019).update(poverty_line=Decimal("3500"))
    verdict = rules.household_exit_check(household, 2019)
    assert not verdict.passed
    assert "3,500.00" in str(by_code(verdict)["income"].detail)


def test_a_year_without_income_data_fails_and_says_what_is_missing(household):
    record(household, year=2019, per_capita="9000")
    verdict = rules.household_exit_check(household, 2020)
    assert not verdict.passed
    assert str(by_code(verdict)["income"].detail) == "no income is recorded for 2020"
    assert str(by_code(verdict)["food"].detail) == "nothing is recorded for 2020"
    assert len(verdict.failed) == 7


def test_a_year_without_a_poverty_line_fails_and_says_so(household):
    record(household, year=2021, per_capita="9000")  # 2021 has a monitoring line only
    verdict = rules.household_exit_check(household, 2021)
    assert [c.code for c in verdict.failed] == ["income"]
    assert str(by_code(verdict)["income"].detail) == "no poverty line is set for 2021"
    record(household, year=2031, per_capita="9000")  # no standard at all
    assert "no poverty line is set for 2031" in str(
        by_code(rules.household_exit_check(household, 2031))["income"].detail
    )


@pytest.mark.parametrize("field", ASSURANCE_FIELDS)
def test_each_assurance_not_met_fails_alone(household, field):
    record(household, **{field: False})
    verdict = rules.household_exit_check(household, 2020)
    assert not verdict.passed
    assert [c.code for c in verdict.failed] == [field]
    assert str(by_code(verdict)[field].detail) == "not met in 2020"


@pytest.mark.parametrize("field", ASSURANCE_FIELDS)
def test_each_assurance_not_assessed_fails_alone(household, field):
    record(household, **{field: None})
    verdict = rules.household_exit_check(household, 2020)
    assert [c.code for c in verdict.failed] == [field]
    assert str(by_code(verdict)[field].detail) == "not assessed for 2020"


def test_the_note_on_an_assurance_is_part_of_the_explanation(household):
    row = record(household, housing_safety=False)
    row.assurance_notes = {"housing_safety": "C级危房, 改造中"}
    row.save()
    detail = str(by_code(rules.household_exit_check(household, 2020))["housing_safety"].detail)
    assert detail == "not met in 2020 (note: C级危房, 改造中)"


# --- village exit ---------------------------------------------------------------------


def village_with(code: str, poor: int, others: int, status=choices.PovertyStatus.NOT_LIFTED):
    """`poor` people in one household of `status`, `others` in a lifted-out household."""
    village = Region.objects.get(code=code)
    poor_household = HouseholdFactory(village=village, status=status)
    for _ in range(poor):
        MemberFactory(household=poor_household)
    lifted = HouseholdFactory(village=village, status=choices.PovertyStatus.LIFTED_WITH_POLICY)
    for _ in range(others):
        MemberFactory(household=lifted)
    return village


def western_village() -> Region:
    """A village of 四川 (51): the test database holds only Hubei's regions."""
    return Region.objects.create(
        code="513230100201", name="测试村", level=Level.VILLAGE, full_name="四川省测试村"
    )


def test_western_provinces_are_the_twelve():
    # 内蒙古 广西 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆
    western = {"15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    assert western == rules.WESTERN_PROVINCES
    assert rules.is_western("513230100201") and not rules.is_western(VILLAGE)


def test_village_below_the_limit_exits():
    village_with(VILLAGE, poor=1, others=50)  # 1 of 51 = 1.96%
    verdict = rules.village_exit_check(VILLAGE, 2020)
    assert verdict.passed
    detail = str(verdict.criteria[0].detail)
    assert "1 of 51 people" in detail and "incidence 1.96%" in detail
    assert "below the 2020 limit of 2.00%" in detail


def test_village_exactly_at_the_limit_does_not_exit_and_says_the_denominator():
    village_with(VILLAGE, poor=1, others=49)  # 1 of 50 = 2.00%
    verdict = rules.village_exit_check(VILLAGE, 2020)
    assert not verdict.passed
    detail = str(verdict.criteria[0].detail)
    assert "incidence 2.00%, not below the 2020 limit of 2.00%" in detail
    assert "not the village's rural population" in detail


def test_relapsed_people_count_as_poor_and_monitored_non_registered_do_not():
    village_with(VILLAGE, poor=2, others=38, status=choices.PovertyStatus.RELAPSED)
    assert "2 of 40 people" in str(rules.village_exit_check(VILLAGE, 2020).criteria[0].detail)
    monitored = HouseholdFactory(registered_poor=False, status=choices.PovertyStatus.NOT_LIFTED)
    MemberFactory(household=monitored)
    assert "2 of 41 people" in str(rules.village_exit_check(VILLAGE, 2020).criteria[0].detail)


def test_western_province_uses_the_western_limit():
    village_with(VILLAGE, poor=1, others=39)  # 2.5% in Hubei
    assert not rules.village_exit_check(VILLAGE, 2020).passed
    west = western_village()
    village_with(west.code, poor=1, others=39)  # 2.5% in Sichuan
    verdict = rules.village_exit_check(west.code, 2020)
    assert verdict.passed
    assert "western province limit of 3.00%" in str(verdict.criteria[0].detail)


def test_village_limit_is_configurable_and_a_missing_year_fails():
    village_with(VILLAGE, poor=1, others=39)
    AnnualStandard.objects.filter(year=2020).update(village_incidence_limit=Decimal("3"))
    assert rules.village_exit_check(VILLAGE, 2020).passed
    verdict = rules.village_exit_check(VILLAGE, 2035)
    assert not verdict.passed
    assert str(verdict.criteria[0].detail) == "no annual standard is set for 2035"


def test_county_readiness_lists_failing_villages_first_within_scope(
    insider, django_assert_max_num_queries
):
    village_with(VILLAGE, poor=3, others=7)  # 30%: fails
    village_with("420222100002", poor=1, others=9)  # 10%: fails, less badly
    village_with(NEIGHBOUR_VILLAGE, poor=5, others=5)  # another township
    with django_assert_max_num_queries(4):  # not one query per village
        results = rules.county_readiness("420222", 2020, Scope.for_user(insider))
    codes = [village.code for village, _verdict in results]
    assert codes[:2] == [VILLAGE, "420222100002"]
    assert all(verdict.passed for _village, verdict in results[2:])
    assert NEIGHBOUR_VILLAGE not in codes
    assert all(code.startswith("420222100") for code in codes)
    assert len(codes) == Region.objects.villages().within("420222100").count()


def test_county_readiness_for_the_whole_county(county_admin):
    village_with(NEIGHBOUR_VILLAGE, poor=5, others=5)
    results = rules.county_readiness("420222", 2020, Scope.for_user(county_admin))
    assert results[0][0].code == NEIGHBOUR_VILLAGE and not results[0][1].passed
    assert len(results) == 474
