"""Relapse monitoring: flagging, risk events opening cases, measures, risk elimination."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from baolei.accounts.scope import Scope
from baolei.registry import choices
from baolei.registry.models import (
    AnnualStandard,
    AssistanceMeasure,
    HouseholdYear,
    MonitoringCase,
    Procedure,
    RiskEvent,
)
from baolei.registry.services import elimination, monitoring, procedures
from baolei.registry.services.procedures import ProcedureError
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    HouseholdFactory,
    HouseholdYearFactory,
    MemberFactory,
    MonitoringCaseFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


TODAY = timezone.localdate()
Labour = choices.LabourCapacity
Measure = choices.MeasureKind
ROUTE = choices.IdentificationRoute.CADRE_SCREENING


def income_2021(household, per_capita: str, **assurances) -> HouseholdYear:
    """The 2021 year (monitoring line 6,000 yuan) with exactly `per_capita` per person."""
    values = {name: True for name, _label in choices.ASSURANCES} | assurances
    return HouseholdYear.objects.create(
        household=household,
        year=2021,
        wages=Decimal(per_capita),
        member_count=1,
        per_capita_net_income=Decimal(per_capita),
        **values,
    )


def scope_of(user) -> Scope:
    return Scope.for_user(user)


# --- flagging ---------------------------------------------------------------------------


def test_households_below_the_monitoring_line_are_flagged(insider):
    below = HouseholdFactory()
    income_2021(below, "5999.99")
    at_line = HouseholdFactory()
    income_2021(at_line, "6000.00")
    above = HouseholdFactory()
    income_2021(above, "7200")
    flagged = monitoring.flag_households(2021, scope_of(insider))
    assert flagged == [below]
    assert flagged[0].low_income and flagged[0].income == Decimal("5999.99")


def test_households_with_an_unresolved_risk_are_flagged(insider):
    risky = HouseholdFactory()
    RiskEvent.objects.create(household=risky, kind="major_illness", occurred_on=TODAY)
    resolved = HouseholdFactory()
    RiskEvent.objects.create(
        household=resolved, kind="accident", occurred_on=TODAY, resolved_on=TODAY
    )
    flagged = monitoring.flag_households(2021, scope_of(insider))
    assert flagged == [risky]
    assert flagged[0].unresolved_risk and not flagged[0].low_income


def test_a_year_without_a_monitoring_line_flags_by_risk_only(insider):
    low = HouseholdFactory()
    HouseholdYearFactory(household=low, year=2020, wages=Decimal("0"))
    assert monitoring.flag_households(2020, scope_of(insider)) == []


def test_households_already_in_a_case_or_still_poor_are_not_flagged(insider):
    monitored = HouseholdFactory()
    income_2021(monitored, "3000")
    MonitoringCaseFactory(household=monitored)
    identifying = HouseholdFactory()
    income_2021(identifying, "3000")
    MonitoringCaseFactory(household=identifying, status=choices.CaseStatus.IDENTIFYING)
    eliminated = HouseholdFactory()
    income_2021(eliminated, "3000")
    MonitoringCaseFactory(household=eliminated, status=choices.CaseStatus.RISK_ELIMINATED)
    still_poor = HouseholdFactory(status=choices.PovertyStatus.NOT_LIFTED)
    income_2021(still_poor, "3000")
    assert monitoring.flag_households(2021, scope_of(insider)) == [eliminated]


def test_flagging_stays_in_scope(insider, neighbour):
    mine = HouseholdFactory()
    income_2021(mine, "3000")
    theirs = HouseholdFactory(village_id=NEIGHBOUR_VILLAGE)
    income_2021(theirs, "3000")
    assert monitoring.flag_households(2021, scope_of(insider)) == [mine]
    assert monitoring.flag_households(2021, scope_of(neighbour)) == [theirs]


# --- risk events ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "kind", "expected"),
    [
        (True, "major_illness", choices.MonitoringType.UNSTABLE),
        (True, "disaster", choices.MonitoringType.UNSTABLE),
        (False, "loss_of_work", choices.MonitoringType.MARGINAL),
        (False, "disaster", choices.MonitoringType.SUDDEN_HARDSHIP),
        (False, "accident", choices.MonitoringType.SUDDEN_HARDSHIP),
    ],
)
def test_a_risk_event_opens_a_case_with_the_risk_alert_done(insider, registered, kind, expected):
    household = HouseholdFactory(registered_poor=registered, status="lifted_with_policy")
    on = TODAY - datetime.timedelta(days=2)
    event = monitoring.do_record_risk_event(
        household, kind, on=on, note="住院", actor=insider, route=ROUTE
    )
    case = event.opened_case
    assert case is not None and case.household == household
    assert case.monitoring_type == expected
    assert case.status == choices.CaseStatus.IDENTIFYING
    assert case.route == ROUTE and case.opened_on == on
    procedure = Procedure.objects.get(case=case)
    assert procedure.kind == Procedure.Kind.MONITORING and procedure.started_on == on
    step = procedure.steps.get()
    assert (step.step, step.done_on, step.actor_name) == ("risk_alert", on, "insider")
    assert procedures.next_step(procedure)[0] == "home_check"
    household.refresh_from_db()
    assert household.monitoring_type == ""  # only once the identification completes


def test_a_second_risk_event_joins_the_open_case(insider):
    household = HouseholdFactory()
    first = monitoring.do_record_risk_event(
        household, "major_illness", on=TODAY, note="", actor=insider, route=ROUTE
    )
    second = monitoring.do_record_risk_event(
        household, "high_costs", on=TODAY, note="", actor=insider, route=ROUTE
    )
    assert first.opened_case is not None and second.opened_case is None
    assert MonitoringCase.objects.filter(household=household).count() == 1
    assert RiskEvent.objects.filter(household=household).count() == 2


def test_a_poor_household_not_lifted_gets_no_case(insider):
    household = HouseholdFactory(status=choices.PovertyStatus.NOT_LIFTED)
    event = monitoring.do_record_risk_event(
        household, "disaster", on=TODAY, note="", actor=insider, route=ROUTE
    )
    assert event.pk and event.opened_case is None
    assert not MonitoringCase.objects.exists()


def test_a_risk_event_in_the_future_is_refused(insider):
    household = HouseholdFactory()
    with pytest.raises(ProcedureError):
        monitoring.do_record_risk_event(
            household,
            "disaster",
            on=TODAY + datetime.timedelta(days=1),
            note="",
            actor=insider,
            route=ROUTE,
        )
    assert not RiskEvent.objects.exists()


def test_resolving_a_risk(insider):
    household = HouseholdFactory()
    event = RiskEvent.objects.create(
        household=household, kind="accident", occurred_on=TODAY - datetime.timedelta(days=9)
    )
    with pytest.raises(ProcedureError, match="before it occurred"):
        monitoring.do_resolve_risk_event(event, on=TODAY - datetime.timedelta(days=10))
    monitoring.do_resolve_risk_event(event, on=TODAY)
    event.refresh_from_db()
    assert event.resolved_on == TODAY
    with pytest.raises(ProcedureError):
        monitoring.do_resolve_risk_event(event, on=TODAY)


def test_measures_only_for_open_cases():
    case = MonitoringCaseFactory()
    measure = monitoring.do_add_measure(case, Measure.EMPLOYMENT, "公益岗位", TODAY)
    assert measure.case == case and measure.kind == Measure.EMPLOYMENT
    closed = MonitoringCaseFactory(status=choices.CaseStatus.RISK_ELIMINATED)
    with pytest.raises(ProcedureError) as refused:
        monitoring.do_add_measure(closed, Measure.INDUSTRY, "", TODAY)
    assert refused.value.code == "case_closed"


# --- risk elimination -------------------------------------------------------------------

IDENTIFIED = datetime.date(2022, 3, 20)
ON = datetime.date(2023, 1, 10)


@pytest.fixture
def case():
    """A monitored case that meets every criterion on ON."""
    household = HouseholdFactory(monitoring_type=choices.MonitoringType.UNSTABLE)
    MemberFactory(household=household, labour_capacity=Labour.ORDINARY)
    MemberFactory(household=household, labour_capacity=Labour.LOST)
    income_2021(household, "7200")
    case = MonitoringCaseFactory(household=household, identified_on=IDENTIFIED)
    AssistanceMeasure.objects.create(case=case, kind=Measure.INDUSTRY, started_on=IDENTIFIED)
    return case


def failed_codes(case, on=ON):
    return [c.code for c in elimination.risk_elimination_check(case, on).failed]


def detail(case, code, on=ON):
    verdict = elimination.risk_elimination_check(case, on)
    return str(next(c.detail for c in verdict.criteria if c.code == code))


def test_a_case_meeting_every_criterion_may_be_eliminated(case):
    verdict = elimination.risk_elimination_check(case, ON)
    assert verdict.passed
    assert [c.code for c in verdict.criteria] == [
        "monitoring_period",
        "income",
        "assurances",
        "risks",
        "support",
    ]
    assert detail(case, "income") == (
        "per-capita net income 7,200.00 yuan in 2021 is above the 2021 line of 6,000.00 yuan"
    )
    assert detail(case, "support") == "1 of 2 members can work"


def test_six_months_of_monitoring_exactly_is_enough(case):
    assert failed_codes(case, datetime.date(2022, 9, 20)) == []
    assert failed_codes(case, datetime.date(2022, 9, 19)) == ["monitoring_period"]
    assert "six months are reached only on 2022-09-20" in detail(
        case, "monitoring_period", datetime.date(2022, 9, 19)
    )


def test_a_case_not_yet_included_fails_the_period(case):
    case.identified_on = None
    assert failed_codes(case) == ["monitoring_period"]


def test_income_at_the_monitoring_line_fails(case):
    HouseholdYear.objects.filter(household=case.household).update(
        per_capita_net_income=Decimal("6000")
    )
    assert failed_codes(case) == ["income"]
    assert "is not above the 2021 line of 6,000.00 yuan" in detail(case, "income")


def test_income_of_a_year_before_any_monitoring_line_fails(case):
    HouseholdYear.objects.filter(household=case.household).update(year=2020)
    assert failed_codes(case) == ["income"]
    assert detail(case, "income") == "no monitoring line is set for 2020 or any earlier year"


def test_a_later_year_carries_the_2021_monitoring_line_forward(case):
    """Worked example: 2024 income, no 2022-2024 line: the 2021 line of 6,000 applies."""
    HouseholdYear.objects.filter(household=case.household).update(
        year=2024, per_capita_net_income=Decimal("5800")
    )
    on = datetime.date(2025, 1, 10)
    assert failed_codes(case, on) == ["income"]
    assert detail(case, "income", on) == (
        "per-capita net income 5,800.00 yuan in 2024 is not above the 2021 line of 6,000.00 "
        "yuan (2021 line carried forward to 2024)"
    )
    HouseholdYear.objects.filter(household=case.household).update(
        per_capita_net_income=Decimal("6500")
    )
    assert failed_codes(case, on) == []


def test_a_province_s_monitoring_line_overrides_the_national_one(case):
    """Hubei (42) sets 7,000 yuan for 2023: a Hubei household's 2024 income of 6,500 is
    measured against it, carried forward, not against the national 6,000."""
    AnnualStandard.objects.create(region_code="42", year=2023, monitoring_line=Decimal("7000"))
    HouseholdYear.objects.filter(household=case.household).update(
        year=2024, per_capita_net_income=Decimal("6500")
    )
    on = datetime.date(2025, 1, 10)
    assert failed_codes(case, on) == ["income"]
    assert detail(case, "income", on) == (
        "per-capita net income 6,500.00 yuan in 2024 is not above the 湖北省 2023 line of "
        "7,000.00 yuan (2023 line carried forward to 2024)"
    )


def test_an_assurance_not_secure_fails(case):
    HouseholdYear.objects.filter(household=case.household).update(
        drinking_water=False, basic_medical=None
    )
    assert failed_codes(case) == ["assurances"]
    assert detail(case, "assurances") == (
        "not secure or not assessed in 2021: Basic medical care, Safe drinking water"
    )


def test_an_unresolved_risk_fails(case):
    RiskEvent.objects.create(
        household=case.household, kind="major_illness", occurred_on=datetime.date(2022, 11, 2)
    )
    assert failed_codes(case) == ["risks"]
    assert detail(case, "risks") == "unresolved: Major illness (2022-11-02)"


def test_no_labour_and_only_social_security_stays_monitored(case):
    case.household.members.update(labour_capacity=Labour.NONE)
    case.measures.update(kind=Measure.SOCIAL_SECURITY)
    AssistanceMeasure.objects.create(case=case, kind=Measure.MINIMUM_LIVING, started_on=IDENTIFIED)
    assert failed_codes(case) == ["support"]
    assert "the household stays monitored" in detail(case, "support")


def test_no_labour_but_other_support_may_be_eliminated(case):
    case.household.members.update(labour_capacity=Labour.LOST)
    AssistanceMeasure.objects.create(case=case, kind=Measure.MINIMUM_LIVING, started_on=IDENTIFIED)
    assert failed_codes(case) == []  # the industry measure is support beyond the safety net


def test_an_ended_measure_is_not_current_support(case):
    case.household.members.update(labour_capacity=Labour.NONE)
    case.measures.update(ended_on=datetime.date(2022, 6, 30))
    AssistanceMeasure.objects.create(case=case, kind=Measure.SOCIAL_SECURITY, started_on=IDENTIFIED)
    assert failed_codes(case) == ["support"]


FAILURES = {
    "monitoring_period": lambda case: MonitoringCase.objects.filter(pk=case.pk).update(
        identified_on=timezone.localdate() - datetime.timedelta(days=30)
    ),
    "income": lambda case: HouseholdYear.objects.filter(household=case.household).update(
        per_capita_net_income=Decimal("5000")
    ),
    "assurances": lambda case: HouseholdYear.objects.filter(household=case.household).update(
        housing_safety=False
    ),
    "risks": lambda case: RiskEvent.objects.create(
        household=case.household, kind="disaster", occurred_on=IDENTIFIED
    ),
    "support": lambda case: (
        case.household.members.update(labour_capacity=Labour.NONE),
        case.measures.update(kind=Measure.SOCIAL_SECURITY),
    ),
}


@pytest.mark.parametrize("criterion", list(FAILURES))
def test_risk_elimination_procedure_refused_for_each_failing_criterion(case, insider, criterion):
    FAILURES[criterion](case)
    case.refresh_from_db()
    with pytest.raises(ProcedureError) as refused:
        procedures.do_start_procedure(
            case.household, Procedure.Kind.RISK_ELIMINATION, on=TODAY, actor=insider
        )
    assert refused.value.code == "risk_check_failed"
    assert [c.code for c in refused.value.verdict.failed] == [criterion]
    assert not Procedure.objects.filter(kind=Procedure.Kind.RISK_ELIMINATION).exists()


def test_risk_elimination_procedure_starts_when_every_criterion_holds(case, insider):
    procedure = procedures.do_start_procedure(
        case.household, Procedure.Kind.RISK_ELIMINATION, on=TODAY, actor=insider
    )
    assert procedure.case == case


def test_the_no_labour_safety_net_household_is_refused_with_the_reason(case, insider):
    FAILURES["support"](case)
    with pytest.raises(ProcedureError) as refused:
        procedures.do_start_procedure(
            case.household, Procedure.Kind.RISK_ELIMINATION, on=TODAY, actor=insider
        )
    assert "the household stays monitored" in str(refused.value)
    case.refresh_from_db()
    assert case.status == choices.CaseStatus.MONITORED


def test_add_months_clamps_to_the_month_end():
    assert elimination.add_months(datetime.date(2022, 8, 31), 6) == datetime.date(2023, 2, 28)
    assert elimination.add_months(datetime.date(2023, 8, 31), 6) == datetime.date(2024, 2, 29)
    assert elimination.add_months(datetime.date(2022, 3, 20), 6) == datetime.date(2022, 9, 20)
