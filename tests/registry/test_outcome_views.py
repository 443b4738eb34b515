"""The outcome pages: what a user sees and does, and who may not reach them."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from baolei.accounts.permissions import Role
from baolei.registry import choices
from baolei.registry.models import (
    AssistanceMeasure,
    HouseholdYear,
    MonitoringCase,
    Procedure,
    RiskEvent,
    StatusChange,
    VillagePopulation,
)
from tests.factories import UserFactory
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    VILLAGE,
    HouseholdFactory,
    HouseholdYearFactory,
    MemberFactory,
    MonitoringCaseFactory,
    PersonFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


TODAY = timezone.localdate()
TOWNSHIP = "420222100"


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def things():
    """Records of 兴国镇 (village 420222100001) that nobody outside may reach."""
    head = PersonFactory(name="王秀英")
    poor = HouseholdFactory(
        number="HH-POOR-0001", status=choices.PovertyStatus.NOT_LIFTED, head=head
    )
    MemberFactory(household=poor, person=head)
    HouseholdYearFactory(household=poor, year=2020)
    monitored = HouseholdFactory(number="HH-WATCH-0002")
    MemberFactory(household=monitored)
    HouseholdYearFactory(household=monitored, year=2021, wages=Decimal("30000"))
    case = MonitoringCaseFactory(household=monitored, identified_on=datetime.date(2022, 3, 20))
    AssistanceMeasure.objects.create(case=case, kind="industry", started_on=case.identified_on)
    flagged = HouseholdFactory(number="HH-FLAG-0003")
    HouseholdYear.objects.create(
        household=flagged, year=2021, per_capita_net_income=Decimal("3100"), wages=Decimal("3100")
    )
    late = HouseholdFactory(number="HH-LATE-0004")
    late_case = MonitoringCaseFactory(
        household=late, status="identifying", identified_on=None, opened_on=days_ago(20)
    )
    overdue = Procedure.objects.create(
        household=late, kind=Procedure.Kind.MONITORING, case=late_case, started_on=days_ago(20)
    )
    risk = RiskEvent.objects.create(household=monitored, kind="accident", occurred_on=days_ago(3))
    return {
        "poor": poor,
        "monitored": monitored,
        "case": case,
        "flagged": flagged,
        "overdue": overdue,
        "risk": risk,
    }


def pages(things):
    """(url name, method, path, data) for every page of this module."""
    poor, case = things["poor"], things["case"]
    procedure, risk = things["overdue"], things["risk"]
    today = TODAY.isoformat()
    return [
        ("exit_check", "get", f"/registry/households/{poor.pk}/exit-check/?year=2020", None),
        ("procedure_start", "get", f"/registry/households/{poor.pk}/procedures/start/", None),
        (
            "procedure_start",
            "post",
            f"/registry/households/{poor.pk}/procedures/start/",
            {"kind": "exit", "date": today},
        ),
        ("procedure_detail", "get", f"/registry/procedures/{procedure.pk}/", None),
        (
            "procedure_detail",
            "post",
            f"/registry/procedures/{procedure.pk}/",
            {"step": "risk_alert", "date": today, "decision": "approve"},
        ),
        ("risk_event_create", "get", f"/registry/households/{poor.pk}/risk-events/new/", None),
        (
            "risk_event_create",
            "post",
            f"/registry/households/{poor.pk}/risk-events/new/",
            {"kind": "disaster", "occurred_on": today, "route": "own_application"},
        ),
        (
            "risk_event_resolve",
            "post",
            f"/registry/risk-events/{risk.pk}/resolve/",
            {"resolved_on": today},
        ),
        ("case_detail", "get", f"/registry/cases/{case.pk}/", None),
        ("measure_create", "get", f"/registry/cases/{case.pk}/measures/new/", None),
        (
            "measure_create",
            "post",
            f"/registry/cases/{case.pk}/measures/new/",
            {"kind": "employment", "started_on": today},
        ),
        ("village_exit", "get", f"/registry/villages/{VILLAGE}/exit-check/?year=2020", None),
    ]


LISTS = [
    # (url name, path, text of the insider's records that must be absent)
    ("monitoring_overdue", "/registry/monitoring/overdue/", "HH-LATE-0004"),
    ("monitoring_candidates", "/registry/monitoring/candidates/?year=2021", "HH-FLAG-0003"),
]


def nothing_changed(things):
    assert not Procedure.objects.filter(kind=Procedure.Kind.EXIT).exists()
    assert things["overdue"].steps.count() == 0
    assert RiskEvent.objects.count() == 1
    assert RiskEvent.objects.get().resolved_on is None
    assert AssistanceMeasure.objects.count() == 1


# --- who may not reach what ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["neighbour", "outsider", "outside_bureau"])
def test_nobody_outside_the_scope_reaches_a_record(request, things, who):
    if who == "outside_bureau":  # may edit the registry, but in 大冶市
        user = UserFactory(role=Role.REVITALISATION_BUREAU, scope="420281")
    else:
        user = request.getfixturevalue(who)
    client = client_for(user)
    for name, method, path, data in pages(things):
        response = getattr(client, method)(path, data)
        assert response.status_code == 404, (name, method, response.status_code)
    for name, path, absent in LISTS:
        response = client.get(path)
        assert response.status_code == 200, name
        assert absent not in response.content.decode(), name
    nothing_changed(things)


def test_county_readiness_is_scoped(things, client_neighbour, client_outsider):
    assert client_outsider.get("/registry/counties/420222/readiness/").status_code == 404
    page = client_neighbour.get("/registry/counties/420222/readiness/?year=2020")
    assert page.status_code == 200
    body = page.content.decode()
    assert NEIGHBOUR_VILLAGE in body and VILLAGE not in body
    assert client_neighbour.get("/registry/counties/420281/readiness/").status_code == 404
    assert client_neighbour.get("/registry/counties/42022/readiness/").status_code == 404


@pytest.mark.parametrize("role", [Role.LEADER, Role.FIRST_SECRETARY, Role.ORGANISATION_DEPARTMENT])
def test_recording_procedures_needs_edit_registry(things, role):
    client = client_for(UserFactory(role=role, scope=TOWNSHIP))
    poor, procedure = things["poor"], things["overdue"]
    start = f"/registry/households/{poor.pk}/procedures/start/"
    assert client.get(start).status_code == 403
    assert client.post(start, {"kind": "exit", "date": TODAY.isoformat()}).status_code == 403
    detail = f"/registry/procedures/{procedure.pk}/"
    page = client.get(detail)
    assert page.status_code == 200 and 'data-testid="step-form"' not in page.content.decode()
    data = {"step": "risk_alert", "date": TODAY.isoformat(), "decision": "approve"}
    assert client.post(detail, data).status_code == 403
    nothing_changed(things)


@pytest.mark.parametrize("role", [Role.LEADER, Role.ORGANISATION_DEPARTMENT])
def test_risks_and_measures_need_record_visits(things, role):
    client = client_for(UserFactory(role=role, scope=TOWNSHIP))
    poor, case, risk = things["poor"], things["case"], things["risk"]
    assert client.get(f"/registry/households/{poor.pk}/risk-events/new/").status_code == 403
    data = {"kind": "disaster", "occurred_on": TODAY.isoformat(), "route": "own_application"}
    assert client.post(f"/registry/households/{poor.pk}/risk-events/new/", data).status_code == 403
    assert client.get(f"/registry/cases/{case.pk}/measures/new/").status_code == 403
    data = {"kind": "employment", "started_on": TODAY.isoformat()}
    assert client.post(f"/registry/cases/{case.pk}/measures/new/", data).status_code == 403
    data = {"resolved_on": TODAY.isoformat()}
    assert client.post(f"/registry/risk-events/{risk.pk}/resolve/", data).status_code == 403
    nothing_changed(things)


def test_a_first_secretary_records_risks_and_measures(things):
    client = client_for(UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE))
    household = HouseholdFactory(registered_poor=False, status="")
    response = client.post(
        f"/registry/households/{household.pk}/risk-events/new/",
        {"kind": "accident", "occurred_on": TODAY.isoformat(), "route": "own_application"},
    )
    case = MonitoringCase.objects.get(household=household)
    assert response.status_code == 302 and response.url == f"/registry/cases/{case.pk}/"
    assert case.monitoring_type == choices.MonitoringType.SUDDEN_HARDSHIP
    response = client.post(
        f"/registry/cases/{case.pk}/measures/new/",
        {"kind": "employment", "started_on": TODAY.isoformat(), "description": "扶贫车间"},
    )
    assert response.status_code == 302
    assert case.measures.get().description == "扶贫车间"
    page = client.get(f"/registry/cases/{case.pk}/").content.decode()
    assert "Employment" in page and "扶贫车间" in page


# --- what insiders see and do ---------------------------------------------------------------


def test_every_page_answers_the_insider(client_insider, things):
    for name, method, path, data in pages(things):
        response = getattr(client_insider, method)(path, data)
        assert response.status_code in (200, 302), (name, method, response.status_code)
    for name, path, present in LISTS:
        response = client_insider.get(path)
        assert present in response.content.decode(), name


def test_exit_check_fragment_lists_each_criterion(client_insider, things):
    poor = things["poor"]
    HouseholdYear.objects.filter(household=poor).update(drinking_water=False)
    response = client_insider.get(
        f"/registry/households/{poor.pk}/exit-check/?year=2020", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # a fragment for hx-get
    assert body.count('data-passed="yes"') == 6 and body.count('data-passed="no"') == 1
    assert "✗" in body and "✓" in body
    assert "5,333.33 yuan is above the 2020 line of 4,000.00 yuan" in body
    assert 'data-criterion="drinking_water" data-passed="no"' in body
    assert "Start the exit procedure" not in body  # it does not pass


def test_exit_check_fragment_defaults_to_the_latest_year_and_offers_the_exit(
    client_insider, things
):
    poor = things["poor"]
    HouseholdYearFactory(household=poor, year=2019, drinking_water=False)
    body = client_insider.get(f"/registry/households/{poor.pk}/exit-check/").content.decode()
    assert "Exit check 2020" in body
    assert "?year=2019" in body  # the other years, one click away
    assert "Start the exit procedure" in body


def test_exit_from_start_to_approval_through_the_pages(client_insider, things):
    poor = things["poor"]
    response = client_insider.post(
        f"/registry/households/{poor.pk}/procedures/start/",
        {"kind": "exit", "date": days_ago(5).isoformat()},
    )
    procedure = Procedure.objects.get(household=poor, kind=Procedure.Kind.EXIT)
    assert response.status_code == 302 and response.url == f"/registry/procedures/{procedure.pk}/"
    steps = ["two_committees_review", "household_agreement", "public_notice", "approval"]
    bureau = UserFactory(username="bureau", role=Role.REVITALISATION_BUREAU, scope="420222")
    county = client_for(bureau)
    for offset, step in enumerate(steps):
        # The township records the village's steps; the approval is the county's.
        client = county if step == "approval" else client_insider
        page = client.get(f"/registry/procedures/{procedure.pk}/").content.decode()
        assert f'name="step" value="{step}"' in page
        response = client.post(
            f"/registry/procedures/{procedure.pk}/",
            {"step": step, "date": days_ago(4 - offset).isoformat(), "decision": "approve"},
        )
        assert response.status_code == 302
        poor.refresh_from_db()
        expected = "lifted_with_policy" if step == "approval" else "not_lifted"
        assert poor.status == expected
    page = client_insider.get(f"/registry/procedures/{procedure.pk}/").content.decode()
    assert 'data-testid="status-change"' in page and "bureau" in page
    assert 'data-testid="step-form"' not in page
    assert StatusChange.objects.get(household=poor).decided_by == "bureau"


def test_the_county_s_approval_is_not_offered_to_the_township(client_insider, things):
    """The township officer sees whose step the approval is, instead of a form, and a
    post of it anyway is refused, naming the step."""
    poor = things["poor"]
    procedure = Procedure.objects.create(
        household=poor, kind=Procedure.Kind.EXIT, started_on=days_ago(5)
    )
    for step in ("two_committees_review", "household_agreement", "public_notice"):
        procedure.steps.create(step=step, done_on=days_ago(4), actor_name="insider")
    page = client_insider.get(f"/registry/procedures/{procedure.pk}/").content.decode()
    assert 'data-testid="step-form"' not in page
    assert "Only a user of the county (or above) may record “Approval”." in page
    response = client_insider.post(
        f"/registry/procedures/{procedure.pk}/",
        {"step": "approval", "date": days_ago(1).isoformat(), "decision": "approve"},
        follow=True,
    )
    assert "Only a user of the county (or above) may record “Approval”." in (
        response.content.decode()
    )
    poor.refresh_from_db()
    assert poor.status == "not_lifted" and procedure.steps.count() == 3


def test_a_refused_step_is_explained_on_the_page(client_insider, things):
    procedure = things["overdue"]
    response = client_insider.post(
        f"/registry/procedures/{procedure.pk}/",
        {"step": "home_check", "date": TODAY.isoformat(), "decision": "approve"},
    )
    assert response.status_code == 200
    assert "the next step is “Risk alert”" in response.content.decode()
    response = client_insider.post(
        f"/registry/procedures/{procedure.pk}/",
        {"step": "risk_alert", "date": days_ago(1).isoformat(), "decision": "reject"},
    )
    assert "Give the reason for the rejection." in response.content.decode()
    assert procedure.steps.count() == 0


def test_a_refused_exit_shows_the_failed_criteria(client_insider, things):
    poor = things["poor"]
    HouseholdYear.objects.filter(household=poor).update(food=None)
    response = client_insider.post(
        f"/registry/households/{poor.pk}/procedures/start/",
        {"kind": "exit", "date": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "Enough to eat: not assessed for 2020" in response.content.decode()
    assert not Procedure.objects.filter(kind=Procedure.Kind.EXIT).exists()


def test_case_page_shows_measures_risks_and_the_elimination_check(client_insider, things):
    case = things["case"]
    body = client_insider.get(f"/registry/cases/{case.pk}/").content.decode()
    assert "Industry" in body and "Accident" in body
    assert 'data-criterion="risks" data-passed="no"' in body
    assert "Start the risk elimination procedure" not in body
    response = client_insider.post(
        f"/registry/risk-events/{things['risk'].pk}/resolve/", {"resolved_on": TODAY.isoformat()}
    )
    assert response.status_code == 302 and response.url == f"/registry/cases/{case.pk}/"
    body = client_insider.get(f"/registry/cases/{case.pk}/").content.decode()
    assert 'data-criterion="risks" data-passed="yes"' in body
    assert "Start the risk elimination procedure" in body


def test_overdue_list_shows_days_open(client_insider, things):
    fresh = HouseholdFactory(number="HH-FRESH-0005")
    Procedure.objects.create(
        household=fresh, kind=Procedure.Kind.MONITORING, started_on=days_ago(15)
    )
    body = client_insider.get("/registry/monitoring/overdue/").content.decode()
    assert "HH-LATE-0004" in body and "HH-FRESH-0005" not in body
    assert '<td class="num" data-testid="days-open">20</td>' in body


def test_overdue_list_counts_from_the_case_s_opening_while_no_step_is_recorded(client_insider):
    """A case opened 30 days ago whose procedure was started (without a step) 5 days ago
    has been waiting 30 days; once a step is recorded, the procedure's start counts."""
    household = HouseholdFactory(number="HH-WAIT-0006")
    case = MonitoringCaseFactory(
        household=household, status="identifying", identified_on=None, opened_on=days_ago(30)
    )
    procedure = Procedure.objects.create(
        household=household, kind=Procedure.Kind.MONITORING, case=case, started_on=days_ago(5)
    )
    body = client_insider.get("/registry/monitoring/overdue/").content.decode()
    assert "HH-WAIT-0006" in body
    assert '<td class="num" data-testid="days-open">30</td>' in body
    assert f"<td>{days_ago(30):%Y-%m-%d}</td>" in body
    procedure.steps.create(step="risk_alert", done_on=days_ago(5), actor_name="insider")
    body = client_insider.get("/registry/monitoring/overdue/").content.decode()
    assert "HH-WAIT-0006" not in body


def test_candidates_list_says_why(client_insider, things):
    body = client_insider.get("/registry/monitoring/candidates/?year=2021").content.decode()
    assert "HH-FLAG-0003" in body and "income below the line" in body
    assert "HH-WATCH-0002" not in body  # already monitored
    assert "the 2021 line of 6,000.00 yuan" in body
    body = client_insider.get("/registry/monitoring/candidates/?year=2024").content.decode()
    assert "(2021 line carried forward to 2024)" in body and "HH-FLAG-0003" not in body
    body = client_insider.get("/registry/monitoring/candidates/?year=2020").content.decode()
    assert "No monitoring line is set for 2020 or any earlier year" in body


def test_village_and_county_pages(client_insider, client_county_admin, things):
    page = f"/registry/villages/{VILLAGE}/exit-check/?year=2020"
    assert "cannot check: population not recorded" in client_insider.get(page).content.decode()
    VillagePopulation.objects.create(village_id=VILLAGE, year=2020, population=50)
    body = client_insider.get(page).content.decode()
    # 王秀英's household (1 person, not lifted) of a rural population of 50.
    assert "1 of a rural population of 50" in body and "incidence 2.00%" in body
    body = client_county_admin.get(
        "/registry/counties/420222/readiness/?year=2020"
    ).content.decode()
    assert body.index(VILLAGE) < body.index("420222100002")
    assert '<p class="title is-4" data-testid="failing">1</p>' in body
    assert '<p class="title is-4" data-testid="unchecked">473</p>' in body
    assert '<td class="num" data-testid="incidence">2.00% (1/50)</td>' in body
