"""Procedures: steps in order, dated, rejection, and the status changing only at the end."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from baolei.accounts.permissions import Role
from baolei.registry import choices
from baolei.registry.models import (
    Household,
    HouseholdYear,
    MonitoringCase,
    Procedure,
    ProcedureStep,
    StatusChange,
)
from baolei.registry.services import procedures
from baolei.registry.services.procedures import ProcedureError
from tests.factories import UserFactory
from tests.registry.factories import (
    VILLAGE,
    HouseholdFactory,
    HouseholdYearFactory,
    MemberFactory,
    MonitoringCaseFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


Kind = Procedure.Kind
Status = choices.PovertyStatus
TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def run_steps(procedure, actor, steps, start: int = 30):
    """Record `steps` in order on consecutive days from `start` days ago."""
    for offset, step in enumerate(steps):
        procedures.do_record_step(procedure, step, on=days_ago(start - offset), actor=actor)


def codes(sequence):
    return [code for code, _label in sequence]


@pytest.fixture
def bureau(db):
    """The county's rural revitalisation bureau: the county's approvals are theirs."""
    return UserFactory(username="bureau", role=Role.REVITALISATION_BUREAU, scope="420222")


@pytest.fixture
def applicant():
    """A household not in the register yet."""
    return HouseholdFactory(registered_poor=False, status="", identification_year=None)


@pytest.fixture
def poor():
    """A registered poor household whose 2020 data meet every exit criterion."""
    household = HouseholdFactory(status=Status.NOT_LIFTED)
    HouseholdYearFactory(household=household, year=2020)  # 5,333.33 yuan per person
    return household


def test_the_step_sequences_are_the_issue_s():
    assert codes(procedures.STEPS[Kind.IDENTIFICATION]) == [
        "application", "village_review", "cross_check", "public_notice", "approval"
    ]  # fmt: skip
    assert codes(procedures.STEPS[Kind.EXIT]) == [
        "two_committees_review", "household_agreement", "public_notice", "approval"
    ]  # fmt: skip
    assert codes(procedures.STEPS[Kind.MONITORING]) == [
        "risk_alert", "home_check", "consent", "cross_check", "village_review",
        "village_notice", "township_review", "county_approval",
    ]  # fmt: skip
    assert codes(procedures.STEPS[Kind.RISK_ELIMINATION]) == [
        "household_check", "village_review", "village_notice", "township_review",
        "county_approval",
    ]  # fmt: skip


def test_identification_changes_status_only_when_the_last_step_is_recorded(
    applicant, insider, bureau
):
    procedure = procedures.do_start_procedure(
        applicant, Kind.IDENTIFICATION, on=days_ago(30), actor=insider
    )
    sequence = codes(procedures.IDENTIFICATION_STEPS)
    run_steps(procedure, insider, sequence[:-1])
    applicant.refresh_from_db()
    assert applicant.status == "" and not applicant.registered_poor
    assert applicant.version == 1
    assert not StatusChange.objects.filter(household=applicant).exists()

    procedures.do_record_step(procedure, "approval", on=days_ago(2), actor=bureau, note="县审定")
    applicant.refresh_from_db()
    procedure.refresh_from_db()
    assert procedure.outcome == Procedure.Outcome.APPROVED
    assert procedure.completed_on == days_ago(2)
    assert applicant.status == Status.NOT_LIFTED and applicant.registered_poor
    assert applicant.status_since == days_ago(2)
    assert applicant.identification_year == days_ago(2).year
    assert applicant.version == 2
    change = StatusChange.objects.get(household=applicant)
    assert (change.from_status, change.to_status) == ("", Status.NOT_LIFTED)
    assert change.decided_by == "bureau" and change.procedure == procedure
    assert change.changed_on == days_ago(2)
    steps = list(procedure.steps.order_by("id"))
    assert [s.step for s in steps] == sequence
    assert [s.actor_name for s in steps] == ["insider"] * 4 + ["bureau"]
    assert steps[0].actor_id == insider.pk and steps[-1].actor_id == bureau.pk


def test_a_lifted_household_identified_again_has_relapsed(insider, bureau):
    household = HouseholdFactory(status=Status.LIFTED_WITH_POLICY)
    procedure = procedures.do_start_procedure(
        household, Kind.IDENTIFICATION, on=days_ago(30), actor=insider
    )
    run_steps(procedure, insider, codes(procedures.IDENTIFICATION_STEPS)[:-1])
    procedures.do_record_step(procedure, "approval", on=days_ago(2), actor=bureau)
    change = StatusChange.objects.get(household=household)
    assert (change.from_status, change.to_status) == (Status.LIFTED_WITH_POLICY, Status.RELAPSED)


def test_steps_out_of_order_are_refused_naming_the_next_step(applicant, insider):
    procedure = procedures.do_start_procedure(
        applicant, Kind.IDENTIFICATION, on=days_ago(10), actor=insider
    )
    with pytest.raises(ProcedureError) as refused:
        procedures.do_record_step(procedure, "village_review", on=days_ago(9), actor=insider)
    assert refused.value.code == "out_of_order"
    assert "the next step is “Application by the household”" in str(refused.value)
    procedures.do_record_step(procedure, "application", on=days_ago(9), actor=insider)
    with pytest.raises(ProcedureError, match="“Review by the village”"):
        procedures.do_record_step(procedure, "application", on=days_ago(8), actor=insider)
    assert procedure.steps.count() == 1


def test_a_step_in_the_future_is_refused(applicant, insider):
    tomorrow = TODAY + datetime.timedelta(days=1)
    with pytest.raises(ProcedureError) as refused:
        procedures.do_start_procedure(applicant, Kind.IDENTIFICATION, on=tomorrow, actor=insider)
    assert refused.value.code == "future_date"
    procedure = procedures.do_start_procedure(
        applicant, Kind.IDENTIFICATION, on=TODAY, actor=insider
    )
    with pytest.raises(ProcedureError, match="cannot be in the future"):
        procedures.do_record_step(procedure, "application", on=tomorrow, actor=insider)
    assert not procedure.steps.exists()


def test_a_step_before_the_previous_one_is_refused(applicant, insider):
    procedure = procedures.do_start_procedure(
        applicant, Kind.IDENTIFICATION, on=days_ago(10), actor=insider
    )
    with pytest.raises(ProcedureError, match="when the procedure started"):
        procedures.do_record_step(procedure, "application", on=days_ago(11), actor=insider)
    procedures.do_record_step(procedure, "application", on=days_ago(5), actor=insider)
    with pytest.raises(ProcedureError) as refused:
        procedures.do_record_step(procedure, "village_review", on=days_ago(6), actor=insider)
    assert refused.value.code == "before_previous"
    assert days_ago(5).isoformat() in str(refused.value)
    # The same day as the previous step is fine.
    procedures.do_record_step(procedure, "village_review", on=days_ago(5), actor=insider)


def test_a_rejected_step_ends_the_procedure_and_changes_nothing(applicant, insider):
    procedure = procedures.do_start_procedure(
        applicant, Kind.IDENTIFICATION, on=days_ago(10), actor=insider
    )
    procedures.do_record_step(procedure, "application", on=days_ago(9), actor=insider)
    procedures.do_record_step(
        procedure, "village_review", on=days_ago(8), actor=insider, note="收入达标", approved=False
    )
    procedure.refresh_from_db()
    applicant.refresh_from_db()
    assert procedure.outcome == Procedure.Outcome.REJECTED
    assert procedure.completed_on == days_ago(8)
    assert applicant.status == "" and not applicant.registered_poor and applicant.version == 1
    assert not StatusChange.objects.exists()
    with pytest.raises(ProcedureError) as refused:
        procedures.do_record_step(procedure, "cross_check", on=days_ago(7), actor=insider)
    assert refused.value.code == "closed"
    # Closed, so a new application may start.
    procedures.do_start_procedure(applicant, Kind.IDENTIFICATION, on=days_ago(1), actor=insider)


def test_a_second_open_procedure_of_the_same_kind_is_refused(applicant, insider):
    procedures.do_start_procedure(applicant, Kind.IDENTIFICATION, on=days_ago(3), actor=insider)
    with pytest.raises(ProcedureError) as refused:
        procedures.do_start_procedure(applicant, Kind.IDENTIFICATION, on=days_ago(1), actor=insider)
    assert refused.value.code == "already_open"
    assert Procedure.objects.filter(household=applicant).count() == 1


def test_identifying_a_household_already_poor_is_refused(poor, insider):
    with pytest.raises(ProcedureError) as refused:
        procedures.do_start_procedure(poor, Kind.IDENTIFICATION, on=TODAY, actor=insider)
    assert refused.value.code == "already_poor"


def test_exit_completes_to_lifted_with_policy(poor, insider, bureau):
    procedure = procedures.do_start_procedure(poor, Kind.EXIT, on=days_ago(20), actor=insider)
    run_steps(procedure, insider, codes(procedures.EXIT_STEPS)[:-1], start=19)
    poor.refresh_from_db()
    assert poor.status == Status.NOT_LIFTED
    procedures.do_record_step(procedure, "approval", on=days_ago(1), actor=bureau)
    poor.refresh_from_db()
    assert poor.status == Status.LIFTED_WITH_POLICY and poor.version == 2
    change = StatusChange.objects.get(household=poor)
    assert (change.from_status, change.to_status) == (Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY)
    assert change.procedure == procedure and change.decided_by == "bureau"


def test_exit_is_refused_when_the_exit_check_fails_with_the_criteria(poor, insider):
    HouseholdYear.objects.filter(household=poor).update(
        per_capita_net_income=Decimal("3999"), drinking_water=False
    )
    with pytest.raises(ProcedureError) as refused:
        procedures.do_start_procedure(poor, Kind.EXIT, on=TODAY, actor=insider)
    assert refused.value.code == "exit_check_failed"
    message = str(refused.value)
    assert "exit criteria of 2020" in message
    assert "Safe drinking water: not met in 2020" in message
    assert "3,999.00 yuan is not above the 2020 line" in message
    assert {c.code for c in refused.value.verdict.failed} == {"income", "drinking_water"}
    assert not Procedure.objects.filter(household=poor).exists()


def test_exit_uses_the_latest_year_recorded(poor, insider):
    HouseholdYearFactory(household=poor, year=2019, drinking_water=False)
    procedures.do_start_procedure(poor, Kind.EXIT, on=TODAY, actor=insider)  # 2020 passes


def test_exit_is_rechecked_at_approval(poor, insider, bureau):
    procedure = procedures.do_start_procedure(poor, Kind.EXIT, on=days_ago(20), actor=insider)
    run_steps(procedure, insider, codes(procedures.EXIT_STEPS)[:-1], start=19)
    HouseholdYear.objects.filter(household=poor).update(housing_safety=False)
    with pytest.raises(ProcedureError, match="Safe housing"):
        procedures.do_record_step(procedure, "approval", on=days_ago(1), actor=bureau)
    poor.refresh_from_db()
    assert poor.status == Status.NOT_LIFTED
    assert procedure.steps.count() == 3


def test_exit_of_a_household_not_poor_is_refused(insider):
    lifted = HouseholdFactory(status=Status.LIFTED_WITH_POLICY)
    with pytest.raises(ProcedureError) as refused:
        procedures.do_start_procedure(lifted, Kind.EXIT, on=TODAY, actor=insider)
    assert refused.value.code == "not_poor"


def test_monitoring_completion_includes_the_case_and_sets_the_type(insider, bureau):
    household = HouseholdFactory(registered_poor=False, status="")
    case = MonitoringCaseFactory(
        household=household,
        status=choices.CaseStatus.IDENTIFYING,
        monitoring_type=choices.MonitoringType.MARGINAL,
        opened_on=days_ago(30),
        identified_on=None,
    )
    procedure = procedures.do_start_procedure(
        household, Kind.MONITORING, on=days_ago(30), actor=insider
    )
    assert procedure.case == case  # found without being named
    run_steps(procedure, insider, codes(procedures.MONITORING_STEPS)[:-1])
    case.refresh_from_db()
    household.refresh_from_db()
    assert case.status == choices.CaseStatus.IDENTIFYING and household.monitoring_type == ""
    procedures.do_record_step(procedure, "county_approval", on=days_ago(3), actor=bureau)
    case.refresh_from_db()
    household.refresh_from_db()
    assert case.status == choices.CaseStatus.MONITORED and case.identified_on == days_ago(3)
    assert household.monitoring_type == choices.MonitoringType.MARGINAL
    assert household.version == 2
    assert household.status == ""  # monitoring is not a poverty status


def test_a_rejected_monitoring_identification_leaves_the_case_not_included(insider):
    household = HouseholdFactory(registered_poor=False, status="")
    case = MonitoringCaseFactory(
        household=household, status=choices.CaseStatus.IDENTIFYING, identified_on=None
    )
    procedure = procedures.do_start_procedure(
        household, Kind.MONITORING, on=days_ago(5), actor=insider, case=case
    )
    procedures.do_record_step(
        procedure, "risk_alert", on=days_ago(5), actor=insider, approved=False, note="误报"
    )
    case.refresh_from_db()
    assert case.status == choices.CaseStatus.DISMISSED


def test_monitoring_without_a_case_is_refused(applicant, insider):
    with pytest.raises(ProcedureError) as refused:
        procedures.do_start_procedure(applicant, Kind.MONITORING, on=TODAY, actor=insider)
    assert refused.value.code == "no_case"


def test_risk_elimination_completion_eliminates_and_clears_the_type(insider, bureau):
    household = HouseholdFactory(monitoring_type=choices.MonitoringType.UNSTABLE)
    MemberFactory(household=household)
    HouseholdYearFactory(household=household, year=2021, wages=Decimal("30000"))
    case = MonitoringCaseFactory(household=household, identified_on=datetime.date(2022, 3, 20))
    procedure = procedures.do_start_procedure(
        household, Kind.RISK_ELIMINATION, on=days_ago(30), actor=insider
    )
    assert procedure.case == case
    run_steps(procedure, insider, codes(procedures.RISK_ELIMINATION_STEPS)[:-1])
    procedures.do_record_step(procedure, "county_approval", on=days_ago(26), actor=bureau)
    case.refresh_from_db()
    household.refresh_from_db()
    assert case.status == choices.CaseStatus.RISK_ELIMINATED
    assert case.eliminated_on == days_ago(26)
    assert household.monitoring_type == "" and household.version == 2


# --- who records which step --------------------------------------------------------------


def test_the_approvals_and_reviews_are_the_county_s_and_the_township_s():
    assert procedures.STEP_LEVELS == {
        (Kind.IDENTIFICATION, "approval"): procedures.Level.COUNTY,
        (Kind.EXIT, "approval"): procedures.Level.COUNTY,
        (Kind.MONITORING, "township_review"): procedures.Level.TOWNSHIP,
        (Kind.MONITORING, "county_approval"): procedures.Level.COUNTY,
        (Kind.RISK_ELIMINATION, "township_review"): procedures.Level.TOWNSHIP,
        (Kind.RISK_ELIMINATION, "county_approval"): procedures.Level.COUNTY,
    }
    for kind, step in procedures.STEP_LEVELS:  # every one a real step of its procedure
        assert step in codes(procedures.STEPS[kind])


def test_each_step_of_monitoring_at_its_level(insider, bureau):
    """The audit's finding: a township officer recorded all eight steps, county approval
    included, on one day. The village records the village's steps, the township its
    review, the county its approval; a refusal names the step and changes nothing."""
    household = HouseholdFactory(registered_poor=False, status="")
    case = MonitoringCaseFactory(
        household=household, status=choices.CaseStatus.IDENTIFYING, identified_on=None
    )
    procedure = procedures.do_start_procedure(
        household, Kind.MONITORING, on=days_ago(30), actor=insider, case=case
    )
    village = UserFactory(username="secretary", role=Role.FIRST_SECRETARY, scope=VILLAGE)
    run_steps(procedure, village, codes(procedures.MONITORING_STEPS)[:6])

    with pytest.raises(ProcedureError) as refused:
        procedures.do_record_step(procedure, "township_review", on=days_ago(20), actor=village)
    assert refused.value.code == "step_level"
    assert str(refused.value.message) == (
        "Only a user of the township or the county (or above) may record “Township review”."
    )
    procedures.do_record_step(procedure, "township_review", on=days_ago(20), actor=insider)

    with pytest.raises(ProcedureError) as refused:
        procedures.do_record_step(procedure, "county_approval", on=days_ago(10), actor=insider)
    assert refused.value.code == "step_level"
    assert str(refused.value.message) == (
        "Only a user of the county (or above) may record “County approval”."
    )
    case.refresh_from_db()
    assert procedure.steps.count() == 7 and case.status == choices.CaseStatus.IDENTIFYING
    procedures.do_record_step(procedure, "county_approval", on=days_ago(10), actor=bureau)
    case.refresh_from_db()
    assert case.status == choices.CaseStatus.MONITORED


@pytest.mark.parametrize("kind", [Kind.IDENTIFICATION, Kind.EXIT])
def test_identification_and_exit_are_approved_by_the_county(kind, applicant, poor, insider):
    household = applicant if kind == Kind.IDENTIFICATION else poor
    procedure = procedures.do_start_procedure(household, kind, on=days_ago(10), actor=insider)
    run_steps(procedure, insider, codes(procedures.STEPS[kind])[:-1], start=9)
    with pytest.raises(ProcedureError, match="county \\(or above\\) may record “Approval"):
        procedures.do_record_step(procedure, "approval", on=days_ago(1), actor=insider)
    household.refresh_from_db()
    assert household.version == 1 and not StatusChange.objects.exists()
    national = UserFactory(username="national", role=Role.SYSTEM_ADMIN, scope=None)
    procedures.do_record_step(procedure, "approval", on=days_ago(1), actor=national)
    assert StatusChange.objects.get(household=household).decided_by == "national"


def test_a_user_outside_the_household_s_region_records_no_step(applicant, neighbour, outsider):
    procedure = procedures.do_start_procedure(
        applicant, Kind.IDENTIFICATION, on=days_ago(10), actor=None
    )
    for stranger in (neighbour, outsider):
        with pytest.raises(ProcedureError) as refused:
            procedures.do_record_step(procedure, "application", on=days_ago(9), actor=stranger)
        assert refused.value.code == "out_of_scope"
        assert "“Application by the household”" in str(refused.value.message)
    assert not procedure.steps.exists()
    # The system itself (a command, a generator) answers to no scope.
    procedures.do_record_step(procedure, "application", on=days_ago(9), actor=None)


def test_open_longer_than_fifteen_days():
    household = HouseholdFactory()
    old = Procedure.objects.create(
        household=household, kind=Kind.MONITORING, started_on=days_ago(16)
    )
    Procedure.objects.create(household=household, kind=Kind.MONITORING, started_on=days_ago(15))
    Procedure.objects.create(
        household=household,
        kind=Kind.MONITORING,
        started_on=days_ago(40),
        outcome=Procedure.Outcome.APPROVED,
        completed_on=days_ago(20),
    )
    listed = procedures.open_longer_than(Procedure.objects.all(), days=15, today=TODAY)
    assert list(listed) == [old]
    assert procedures.days_open(old, TODAY) == 16


def test_nothing_but_the_last_step_changes_the_household(applicant, insider):
    """Recording the first steps writes steps only: no household save, no version bump."""
    procedure = procedures.do_start_procedure(
        applicant, Kind.IDENTIFICATION, on=days_ago(10), actor=insider
    )
    before = Household.objects.get(pk=applicant.pk).updated_at
    procedures.do_record_step(procedure, "application", on=days_ago(9), actor=insider)
    assert Household.objects.get(pk=applicant.pk).updated_at == before
    assert ProcedureStep.objects.filter(procedure=procedure).count() == 1
    assert MonitoringCase.objects.count() == 0
