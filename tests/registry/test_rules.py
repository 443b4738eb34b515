"""The exit rules on worked examples: one test per criterion, passing and failing."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Q

from baolei.accounts.scope import Scope
from baolei.regions.models import Level, Region
from baolei.registry import choices
from baolei.registry.models import (
    AnnualStandard,
    HouseholdYear,
    StatusChange,
    VillagePopulation,
)
from baolei.registry.services import rules
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


def test_a_year_without_its_own_line_carries_the_latest_earlier_one_forward(household):
    """Worked example: 2024 income of 4,512 yuan; no line is set after 2020, so the 2020
    line of 4,000 applies and the verdict names it and its year."""
    record(household, year=2024, per_capita="4512")
    verdict = rules.household_exit_check(household, 2024)
    assert verdict.passed
    assert str(by_code(verdict)["income"].detail) == (
        "per-capita net income 4,512.00 yuan is above the 2020 line of 4,000.00 yuan "
        "(2020 line carried forward to 2024)"
    )
    record(household, year=2021, per_capita="3999")  # 2021 has a monitoring line only
    verdict = rules.household_exit_check(household, 2021)
    assert [c.code for c in verdict.failed] == ["income"]
    assert "(2020 line carried forward to 2021)" in str(by_code(verdict)["income"].detail)


def test_a_year_before_any_poverty_line_fails_and_says_so(household):
    record(household, year=2013, per_capita="9000")
    verdict = rules.household_exit_check(household, 2013)
    assert [c.code for c in verdict.failed] == ["income"]
    assert str(by_code(verdict)["income"].detail) == (
        "no poverty line is set for 2013 or any earlier year"
    )


def test_a_province_s_line_overrides_the_national_one(household):
    """Hubei (42) sets 4,600 yuan for 2020: a Hubei household with 4,512 yuan does not exit,
    though it is above the national 4,000; a later national line wins over an older
    provincial one, and a Sichuan line does not apply in Hubei."""
    record(household, year=2020, per_capita="4512")
    AnnualStandard.objects.create(region_code="42", year=2020, poverty_line=Decimal("4600"))
    AnnualStandard.objects.create(region_code="51", year=2020, poverty_line=Decimal("4100"))
    verdict = rules.household_exit_check(household, 2020)
    assert not verdict.passed
    assert str(by_code(verdict)["income"].detail) == (
        "per-capita net income 4,512.00 yuan is not above the 湖北省 2020 line of 4,600.00 yuan"
    )
    record(household, year=2022, per_capita="4512")
    assert "the 湖北省 2020 line of 4,600.00 yuan (2020 line carried forward to 2022)" in str(
        by_code(rules.household_exit_check(household, 2022))["income"].detail
    )
    AnnualStandard.objects.create(year=2022, poverty_line=Decimal("4400"))  # national
    verdict = rules.household_exit_check(household, 2022)
    assert verdict.passed
    assert "above the 2022 line of 4,400.00 yuan" in str(by_code(verdict)["income"].detail)


def test_the_line_used_by_a_county_is_its_province_s():
    line = rules.line_for(rules.POVERTY_LINE, 2024, "420222")
    assert (line.amount, line.year, line.region_code) == (Decimal("4000"), 2020, "")
    assert line.carried_forward
    AnnualStandard.objects.create(region_code="42", year=2024, poverty_line=Decimal("5000"))
    line = rules.line_for(rules.POVERTY_LINE, 2024, "420222100001")
    assert (line.amount, line.year, line.region_code) == (Decimal("5000"), 2024, "42")
    assert not line.carried_forward
    assert rules.line_for(rules.POVERTY_LINE, 2024).amount == Decimal("4000")  # national


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


def village_with(
    code: str,
    poor: int,
    others: int,
    status=choices.PovertyStatus.NOT_LIFTED,
    population: int | None = None,
    year: int = 2020,
):
    """`poor` people in one household of `status`, `others` in a lifted-out household,
    and the village's rural population of `year` if given."""
    village = Region.objects.get(code=code)
    poor_household = HouseholdFactory(village=village, status=status)
    for _ in range(poor):
        MemberFactory(household=poor_household)
    lifted = HouseholdFactory(village=village, status=choices.PovertyStatus.LIFTED_WITH_POLICY)
    for _ in range(others):
        MemberFactory(household=lifted)
    if population is not None:
        VillagePopulation.objects.create(village=village, year=year, population=population)
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
    """Worked example: 25 poor people (of 200 in the register) in a village of 1,300:
    1.92%, below 2%. Counted against the register alone it would be 12.5%."""
    village_with(VILLAGE, poor=25, others=175, population=1300)
    verdict = rules.village_exit_check(VILLAGE, 2020)
    assert verdict.passed
    detail = str(verdict.criteria[0].detail)
    assert detail == (
        "25 of a rural population of 1,300 are in registered households not lifted out or "
        "relapsed at the end of 2020: incidence 1.92%, below the 2020 limit of 2.00%"
    )
    assert verdict.criteria[0].measured == "1.92% (25/1300)"


def test_village_exactly_at_the_limit_does_not_exit():
    village_with(VILLAGE, poor=2, others=8, population=100)  # 2 of 100 = 2.00%
    verdict = rules.village_exit_check(VILLAGE, 2020)
    assert not verdict.passed and verdict.failed
    detail = str(verdict.criteria[0].detail)
    assert "incidence 2.00%, not below the 2020 limit of 2.00%" in detail


def test_without_a_population_the_village_cannot_be_checked():
    village_with(VILLAGE, poor=1, others=50)
    verdict = rules.village_exit_check(VILLAGE, 2020)
    assert not verdict.passed
    assert verdict.failed == [] and [c.code for c in verdict.unchecked] == ["incidence"]
    assert str(verdict.criteria[0].detail).startswith("cannot check: population not recorded")
    assert verdict.criteria[0].measured == "— (1/?)"


def test_a_later_year_uses_the_latest_population_and_says_so():
    village_with(VILLAGE, poor=1, others=50, population=1000, year=2019)
    verdict = rules.village_exit_check(VILLAGE, 2022)
    assert verdict.passed
    detail = str(verdict.criteria[0].detail)
    assert "1 of a rural population of 1,000" in detail
    assert "The population recorded for 2019 is used: none is recorded for 2022." in detail
    assert "the 2021 limit of 2.00% (2021 standard carried forward to 2022)" in detail
    # Not an earlier year's: a population recorded only later does not apply.
    assert rules.village_exit_check(VILLAGE, 2018).unchecked


def test_relapsed_people_count_as_poor_and_monitored_non_registered_do_not():
    village_with(VILLAGE, poor=2, others=38, status=choices.PovertyStatus.RELAPSED, population=40)
    assert "2 of a rural population of 40" in str(
        rules.village_exit_check(VILLAGE, 2020).criteria[0].detail
    )
    monitored = HouseholdFactory(registered_poor=False, status=choices.PovertyStatus.NOT_LIFTED)
    MemberFactory(household=monitored)
    assert "2 of a rural population of 40" in str(
        rules.village_exit_check(VILLAGE, 2020).criteria[0].detail
    )


def test_the_status_at_the_end_of_the_year_counts():
    """A household lifted out in November 2020 is poor at the end of 2019, not of 2020; one
    identified in 2021 is not poor in 2020; one that relapsed in 2022 is poor in 2022."""
    village = Region.objects.get(code=VILLAGE)
    VillagePopulation.objects.create(village=village, year=2019, population=1000)
    lifted = HouseholdFactory(status=choices.PovertyStatus.LIFTED_WITH_POLICY)
    for _ in range(3):
        MemberFactory(household=lifted)
    history = [
        ("", choices.PovertyStatus.NOT_LIFTED, datetime.date(2014, 6, 1)),
        (
            choices.PovertyStatus.NOT_LIFTED,
            choices.PovertyStatus.LIFTED_WITH_POLICY,
            datetime.date(2020, 11, 5),
        ),
    ]
    for old, new, on in history:
        StatusChange.objects.create(
            household=lifted, from_status=old, to_status=new, changed_on=on, decided_by="县"
        )
    late = HouseholdFactory(status=choices.PovertyStatus.NOT_LIFTED, identification_year=2021)
    MemberFactory(household=late)
    counts = {
        year: rules.poor_people(Q(household__village_id=VILLAGE), year)
        for year in (2013, 2019, 2020, 2021)
    }
    assert counts == {2013: {}, 2019: {VILLAGE: 3}, 2020: {}, 2021: {VILLAGE: 1}}
    StatusChange.objects.create(
        household=lifted,
        from_status=choices.PovertyStatus.LIFTED_WITH_POLICY,
        to_status=choices.PovertyStatus.RELAPSED,
        changed_on=datetime.date(2022, 4, 1),
        decided_by="县",
    )
    assert rules.poor_people(Q(household__village_id=VILLAGE), 2022) == {VILLAGE: 4}


def test_western_province_uses_the_western_limit():
    village_with(VILLAGE, poor=1, others=39, population=40)  # 2.5% in Hubei
    assert not rules.village_exit_check(VILLAGE, 2020).passed
    west = western_village()
    village_with(west.code, poor=1, others=39, population=40)  # 2.5% in Sichuan
    verdict = rules.village_exit_check(west.code, 2020)
    assert verdict.passed
    assert "western province limit of 3.00%" in str(verdict.criteria[0].detail)


def test_village_limit_is_configurable_and_a_missing_year_fails():
    village_with(VILLAGE, poor=1, others=39, population=40, year=2013)
    AnnualStandard.objects.filter(year=2020).update(village_incidence_limit=Decimal("3"))
    assert rules.village_exit_check(VILLAGE, 2020).passed
    verdict = rules.village_exit_check(VILLAGE, 2013)
    assert not verdict.passed
    assert str(verdict.criteria[0].detail) == (
        "no annual standard is set for 2013 or any earlier year"
    )


def test_a_province_s_limit_overrides_the_national_one():
    village_with(VILLAGE, poor=1, others=39, population=40)  # 2.5%
    AnnualStandard.objects.create(region_code="42", year=2020, village_incidence_limit=3)
    verdict = rules.village_exit_check(VILLAGE, 2020)
    assert verdict.passed
    assert "below the 2020 limit of 3.00% of 湖北省" in str(verdict.criteria[0].detail)


def test_county_readiness_lists_failing_villages_first_within_scope(
    insider, django_assert_max_num_queries
):
    village_with(VILLAGE, poor=3, others=7, population=10)  # 30%: fails
    village_with("420222100002", poor=1, others=9, population=10)  # 10%: fails, less badly
    village_with("420222100003", poor=1, others=9, population=1000)  # 0.1%: ready
    village_with(NEIGHBOUR_VILLAGE, poor=5, others=5, population=10)  # another township
    with django_assert_max_num_queries(6):  # not one query per village
        readiness = rules.county_readiness("420222", 2020, Scope.for_user(insider))
    results = readiness.results
    codes = [village.code for village, _verdict in results]
    assert codes[:2] == [VILLAGE, "420222100002"]
    assert NEIGHBOUR_VILLAGE not in codes
    assert all(code.startswith("420222100") for code in codes)
    assert len(codes) == Region.objects.villages().within("420222100").count()
    # The villages without a population come next, counted apart; the ready one last.
    assert codes[-1] == "420222100003" and results[-1][1].passed
    assert all(verdict.unchecked for _village, verdict in results[2:-1])
    assert (readiness.failing, readiness.passing) == (2, 1)
    assert readiness.unchecked == len(codes) - 3


def test_county_readiness_for_the_whole_county(county_admin):
    village_with(NEIGHBOUR_VILLAGE, poor=5, others=5, population=10)
    readiness = rules.county_readiness("420222", 2020, Scope.for_user(county_admin))
    results = readiness.results
    assert results[0][0].code == NEIGHBOUR_VILLAGE and not results[0][1].passed
    assert len(results) == 474
    assert (readiness.failing, readiness.unchecked, readiness.passing) == (1, 473, 0)


def test_county_readiness_respects_the_year(county_admin):
    """A village whose poor household was lifted out in 2020 fails in 2019, passes in 2020."""
    village = village_with(VILLAGE, poor=0, others=0, population=100, year=2019)
    household = HouseholdFactory(village=village, status=choices.PovertyStatus.LIFTED_WITH_POLICY)
    for _ in range(5):
        MemberFactory(household=household)
    StatusChange.objects.create(
        household=household,
        from_status="",
        to_status=choices.PovertyStatus.NOT_LIFTED,
        changed_on=datetime.date(2015, 5, 1),
        decided_by="县",
    )
    StatusChange.objects.create(
        household=household,
        from_status=choices.PovertyStatus.NOT_LIFTED,
        to_status=choices.PovertyStatus.LIFTED_WITH_POLICY,
        changed_on=datetime.date(2020, 10, 1),
        decided_by="县",
    )
    scope = Scope.for_user(county_admin)
    before = dict(rules.county_readiness("420222", 2019, scope).results)
    after = dict(rules.county_readiness("420222", 2020, scope).results)
    assert before[village].criteria[0].measured == "5.00% (5/100)" and before[village].failed
    assert after[village].criteria[0].measured == "0.00% (0/100)" and after[village].passed
