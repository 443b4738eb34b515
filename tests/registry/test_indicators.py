"""The register's figures on the command centre: what a user expects to read at village,
township and county, moving after an edit, equal to a recount, and following the date
where the measure does."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from baolei.accounts.permissions import Role
from baolei.dashboard.services import facts
from baolei.dashboard.services.figures import region_values
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import (
    MonitoringCase,
    Procedure,
    StatusChange,
    VillagePopulation,
)
from baolei.registry.services import pairing, procedures
from tests.factories import UserFactory
from tests.registry.factories import (
    HouseholdFactory,
    MemberFactory,
    MonitoringCaseFactory,
    PairingFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

Status = choices.PovertyStatus
Kind = Procedure.Kind
TODAY = timezone.localdate()
Y = TODAY.year  # this year: the present status
P = Y - 1  # last year: read from the status history
E = Y - 2  # the year before: before two of the changes below

COUNTY = "420222"
T1, T2 = "420222100", "420222101"  # 兴国镇, 富池镇
A1, A2 = "420222100001", "420222100002"  # two villages of 兴国镇
B1 = "420222101001"  # a village of 富池镇


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def household(village: str, members: int, history=(), **fields):
    """A household with `members` members and its status history as (from, to, date)."""
    made = HouseholdFactory(village=Region.objects.get(code=village), **fields)
    for _ in range(members):
        MemberFactory(household=made)
    for from_status, to_status, on in history:
        StatusChange.objects.create(
            household=made, from_status=from_status, to_status=to_status, changed_on=on
        )
    return made


def outside(village: str, **fields):
    """A household not registered as poor (monitored or applying)."""
    defaults = {"registered_poor": False, "status": "", "identification_year": None}
    defaults |= {"main_cause": "", "attribute": "", "status_since": None}
    return household(village, 1, **(defaults | fields))


ENTERED = datetime.date(2014, 6, 1)


@pytest.fixture
def register():
    """Three villages in two townships:

    A1: h1 poor (3 people), h2 poor then lifted out last year (2), h3 monitored as
        marginal (1), h9 with an identification opened 10 days ago (1);
    A2: h4 poor (4), h7 whose risk was eliminated last year (1);
    B1: h5 lifted out in 2019 and monitored as unstable (2), h6 lifted out in 2018 and
        relapsed last year (1), h8 with an identification opened 20 days ago (1).
    Populations: A1 100 (from 2020), A2 180 (2020) then 200 (last year), B1 300 (2020).
    """
    h = {}
    poor = {"status": Status.NOT_LIFTED}
    h[1] = household(A1, 3, [("", Status.NOT_LIFTED, ENTERED)], **poor)
    h[2] = household(
        A1,
        2,
        [
            ("", Status.NOT_LIFTED, ENTERED),
            (Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, datetime.date(P, 6, 1)),
        ],
        status=Status.LIFTED_WITH_POLICY,
        main_cause=choices.PovertyCause.DISABILITY,
    )
    h[3] = outside(A1, monitoring_type=choices.MonitoringType.MARGINAL)
    MonitoringCaseFactory(household=h[3], monitoring_type=choices.MonitoringType.MARGINAL)
    h[9] = outside(A1)
    case = MonitoringCaseFactory(
        household=h[9], status=choices.CaseStatus.IDENTIFYING, opened_on=days_ago(10)
    )
    Procedure.objects.create(
        household=h[9], kind=Kind.MONITORING, case=case, started_on=days_ago(10)
    )
    h[4] = household(A2, 4, [("", Status.NOT_LIFTED, ENTERED)], **poor)
    h[7] = outside(A2)
    MonitoringCaseFactory(
        household=h[7],
        monitoring_type=choices.MonitoringType.MARGINAL,
        status=choices.CaseStatus.RISK_ELIMINATED,
        eliminated_on=datetime.date(P, 5, 1),
    )
    h[5] = household(
        B1,
        2,
        [
            ("", Status.NOT_LIFTED, ENTERED),
            (Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, datetime.date(2019, 10, 1)),
        ],
        status=Status.LIFTED_WITH_POLICY,
        main_cause=choices.PovertyCause.DISABILITY,
        monitoring_type=choices.MonitoringType.UNSTABLE,
    )
    MonitoringCaseFactory(household=h[5])
    h[6] = household(
        B1,
        1,
        [
            ("", Status.NOT_LIFTED, ENTERED),
            (Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, datetime.date(2018, 3, 1)),
            (Status.LIFTED_WITH_POLICY, Status.RELAPSED, datetime.date(P, 9, 1)),
        ],
        status=Status.RELAPSED,
    )
    h[8] = outside(B1)
    case = MonitoringCaseFactory(
        household=h[8], status=choices.CaseStatus.IDENTIFYING, opened_on=days_ago(20)
    )
    Procedure.objects.create(
        household=h[8], kind=Kind.MONITORING, case=case, started_on=days_ago(20)
    )
    for village, year, people in ((A1, 2020, 100), (A2, 2020, 180), (A2, P, 200), (B1, 2020, 300)):
        VillagePopulation.objects.create(
            village=Region.objects.get(code=village), year=year, population=people
        )
    VisitFactory(household=h[1], visited_on=days_ago(30))
    VisitFactory(household=h[4], visited_on=days_ago(100))
    VisitFactory(household=h[5], visited_on=days_ago(89))
    PairingFactory(household=h[1])
    PairingFactory(household=h[4])
    PairingFactory(household=h[5], ended_on=datetime.date(2023, 1, 1))
    return h


def figures(code: str, year: int = Y) -> dict:
    return {value.indicator.key: value for value in region_values(code, year=year)}


def test_the_register_s_figures_at_village_township_and_county(register):
    facts.rebuild()
    a1, a2, b1 = figures(A1), figures(A2), figures(B1)
    t1, county = figures(T1), figures(COUNTY)

    assert [a1["households"].value, a2["households"].value, b1["households"].value] == [4, 2, 3]
    assert t1["households"].value == 6 and county["households"].value == 9
    assert county["registered_households"].value == 5
    assert a1["registered_people"].value == 5
    assert t1["registered_people"].value == 9 and county["registered_people"].value == 12

    # This year: the present status. 3/100, 4/200, 1/300.
    assert a1["poverty_incidence"].value == pytest.approx(3.0)
    assert a2["poverty_incidence"].value == pytest.approx(2.0)
    assert b1["poverty_incidence"].value == pytest.approx(100 / 300)
    # A ratio of sums (7/300), not the mean of 3% and 2%.
    assert t1["poverty_incidence"].value == pytest.approx(700 / 300)
    assert county["poverty_incidence"].value == pytest.approx(800 / 600)
    assert (county["poverty_incidence"].numerator, county["poverty_incidence"].denominator) == (
        8,
        600,
    )

    # Two years ago, from the history: h2 (lifted out last year) was still poor, h6
    # (relapsed last year) was not; A2's population was the 180 of 2020 carried forward.
    before = figures(T1, E)
    assert (before["poverty_incidence"].numerator, before["poverty_incidence"].denominator) == (
        9,
        280,
    )
    assert figures(B1, E)["poverty_incidence"].value == 0
    assert figures(COUNTY, E)["poverty_incidence"].value == pytest.approx(900 / 580)
    last = figures(COUNTY, P)
    assert (last["poverty_incidence"].numerator, last["poverty_incidence"].denominator) == (8, 600)

    assert figures(A1, P)["lifted_households"].value == 1
    assert last["lifted_households"].value == 1 and county["lifted_households"].value == 0
    assert figures(COUNTY, 2019)["lifted_households"].value == 1  # h5
    assert figures(T2, 2018)["lifted_households"].value == 1  # h6
    assert figures(B1, P)["relapsed_households"].value == 1
    assert figures(T1, P)["relapsed_households"].value == 0
    assert figures(A2, P)["risks_eliminated"].value == 1
    assert last["risks_eliminated"].value == 1 and county["risks_eliminated"].value == 0

    assert county["monitored_households"].value == 2 and t1["monitored_households"].value == 1
    assert a1["monitoring_marginal"].value == 1 and b1["monitoring_unstable"].value == 1
    assert county["monitoring_sudden_hardship"].value == 0
    # h8 has been open 20 days; h9 only 10.
    assert county["identifications_overdue"].value == 1
    assert figures(T2)["identifications_overdue"].value == 1
    assert t1["identifications_overdue"].value == 0
    # Visited within 90 days: h1 (30 days ago) and h5 (89), not h4 (100).
    assert t1["visit_coverage"].value == pytest.approx(100 / 6)
    assert county["visit_coverage"].value == pytest.approx(200 / 9)
    assert t1["paired_households"].value == 2 and county["paired_households"].value == 2
    assert county["cause_illness"].value == 3 and county["cause_disability"].value == 2
    assert t1["cause_illness"].value == 2
    assert county["attribute_ordinary"].value == 5
    assert facts.check() == []


def test_edits_move_the_figures_and_keep_them_equal_to_a_recount(
    register, client_insider, insider, neighbour
):
    facts.rebuild()
    bureau = UserFactory(username="bureau", role=Role.REVITALISATION_BUREAU, scope=COUNTY)

    # h5, lifted out, is identified as poor again: it has relapsed this year.
    procedure = procedures.do_start_procedure(
        register[5], Kind.IDENTIFICATION, on=TODAY, actor=neighbour
    )
    for step, _label in procedures.IDENTIFICATION_STEPS[:-1]:
        procedures.do_record_step(procedure, step, on=TODAY, actor=neighbour)
    procedures.do_record_step(procedure, "approval", on=TODAY, actor=bureau)
    # h4 is visited today; h1 loses a member (through the page) and its helper.
    pairing.do_record_visit(insider, register[4], visited_on=TODAY, findings="生活正常")
    member = register[1].members.first()
    response = client_insider.post(reverse("registry:member_remove", args=[member.pk]))
    assert response.status_code == 302
    pairing.do_end_pairing(insider, register[1].pairings.get(), ended_on=TODAY)

    facts.refresh()
    b1, t1, county = figures(B1), figures(T1), figures(COUNTY)
    assert b1["relapsed_households"].value == 1
    assert b1["poverty_incidence"].value == pytest.approx(300 / 300)  # h6 1 + h5 2
    assert figures(A1)["registered_people"].value == 4
    assert figures(A1)["poverty_incidence"].numerator == 2
    assert (county["poverty_incidence"].numerator, county["poverty_incidence"].denominator) == (
        9,
        600,
    )
    # Membership has no history: h1's removed member leaves last year's count too (7).
    assert county["poverty_incidence"].change == pytest.approx(900 / 600 - 700 / 600)
    assert t1["visit_coverage"].value == pytest.approx(200 / 6)
    assert t1["paired_households"].value == 1
    # Last year did not move with this year's relapse.
    assert figures(B1, P)["poverty_incidence"].numerator == 1
    assert facts.check() == []


def test_figures_that_depend_on_the_date_move_with_it(register):
    facts.rebuild(TODAY)
    assert figures(T1)["identifications_overdue"].value == 0
    assert figures(B1)["visit_coverage"].numerator == 1
    later = TODAY + datetime.timedelta(days=10)
    facts.rebuild(later)
    # h9's identification is 20 days old now; h5's visit 99 days.
    assert figures(T1)["identifications_overdue"].value == 1
    assert figures(COUNTY)["identifications_overdue"].value == 2
    assert figures(B1)["visit_coverage"].numerator == 0
    assert facts.check(later) == []
    assert facts.check(TODAY) != []


def test_a_step_recorded_moves_an_identification_s_clock(register, insider):
    """Until a step is recorded an identification counts from its risk alert; the first
    step makes it count from the day the procedure started, as the overdue list does."""
    h8 = register[8]
    procedure = Procedure.objects.get(household=h8)
    Procedure.objects.filter(pk=procedure.pk).update(started_on=days_ago(5))
    MonitoringCase.objects.filter(household=h8).update(opened_on=days_ago(20))
    facts.rebuild()
    assert figures(B1)["identifications_overdue"].value == 1
    procedures.do_record_step(procedure, "risk_alert", on=days_ago(5), actor=None)
    facts.refresh()
    assert figures(B1)["identifications_overdue"].value == 0
    assert facts.check() == []


def test_a_figure_links_to_the_records_behind_it(register, client_county_admin):
    facts.rebuild()
    t1 = figures(T1)
    page = client_county_admin.get(t1["monitored_households"].url).content.decode()
    assert register[3].number in page and register[1].number not in page
    # Coverage links to the households left to visit: all of 兴国镇's but h1.
    page = client_county_admin.get(t1["visit_coverage"].url).content.decode()
    assert register[1].number not in page
    assert all(register[n].number in page for n in (2, 3, 4, 7, 9))
    page = client_county_admin.get(figures(COUNTY)["identifications_overdue"].url)
    assert register[8].number in page.content.decode()
    village = figures(A1, P)["poverty_incidence"].url
    assert village == f"{reverse('registry:village_exit', args=[A1])}?year={P}"
    assert client_county_admin.get(village).status_code == 200
    assert "3.00%" in client_county_admin.get(village).content.decode()
    cause = figures(T1)["cause_illness"].url
    page = client_county_admin.get(cause).content.decode()
    assert register[1].number in page and register[2].number not in page
