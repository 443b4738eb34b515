"""The annual lines by province and year, the villages' rural populations, and who may see
and set them: pages, API and the year rule on the monitoring list and the readiness."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.audit.models import AuditEvent
from baolei.regions.models import Level, Region
from baolei.registry import choices
from baolei.registry.models import AnnualStandard, HouseholdYear, StatusChange, VillagePopulation
from baolei.registry.services import monitoring
from baolei.registry.services import standards as services_standards
from baolei.registry.services.people import RegistryError
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    VILLAGE,
    HouseholdFactory,
    MemberFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

JSON = "application/json"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bureau(scope: str | None):
    return UserFactory(role=Role.REVITALISATION_BUREAU, scope=scope)


@pytest.fixture
def sichuan_line():
    Region.objects.create(code="51", name="四川省", level=Level.PROVINCE, full_name="四川省")
    return AnnualStandard.objects.create(
        region_code="51", year=2023, monitoring_line=Decimal("7000"), source="川-2023"
    )


@pytest.fixture
def hubei_line():
    return AnnualStandard.objects.create(
        region_code="42", year=2023, monitoring_line=Decimal("7200"), source="鄂-2023"
    )


def income(household, year: int, per_capita: str) -> HouseholdYear:
    return HouseholdYear.objects.create(
        household=household,
        year=year,
        wages=Decimal(per_capita),
        member_count=1,
        per_capita_net_income=Decimal(per_capita),
    )


# --- who sees and sets the lines ------------------------------------------------------------


def test_a_county_user_sees_the_lines_that_apply_but_cannot_change_them(sichuan_line, hubei_line):
    client = client_for(bureau("420222"))
    page = client.get("/registry/standards/").content.decode()
    assert "鄂-2023" in page and "川-2023" not in page
    assert "cannot change them" in page and "阳新县" in page
    assert 'data-testid="add-line"' not in page
    assert f"/registry/standards/{hubei_line.pk}/" not in page
    # The lines in force in Hubei: the national 2020 line carried forward, Hubei's 2023.
    assert "湖北省" in page and "2020 line carried forward" in page
    assert client.get(f"/registry/standards/{hubei_line.pk}/").status_code == 403
    national = AnnualStandard.objects.get(year=2020)
    assert client.post(f"/registry/standards/{national.pk}/", {}).status_code == 403
    assert client.get(f"/registry/standards/{sichuan_line.pk}/").status_code == 404
    assert client.get("/registry/standards/new/").status_code == 403
    data = {"region_code": "42", "year": "2024", "monitoring_line": "1", "source": "x"}
    assert client.post("/registry/standards/new/", data).status_code == 403
    assert not AnnualStandard.objects.filter(year=2024).exists()


@pytest.mark.parametrize("who", ["insider", "neighbour", "outsider"])
def test_the_suite_s_people_see_national_and_hubei_lines_only(
    request, who, sichuan_line, hubei_line
):
    client = client_for(request.getfixturevalue(who))
    page = client.get("/registry/standards/").content.decode()
    assert "鄂-2023" in page and "川-2023" not in page
    assert client.get(f"/registry/standards/{sichuan_line.pk}/").status_code == 404
    assert client.get(f"/registry/standards/{hubei_line.pk}/").status_code == 403


def test_a_provincial_bureau_sets_its_province_s_lines_only(sichuan_line, hubei_line):
    client = client_for(bureau("42"))
    page = client.get("/registry/standards/").content.decode()
    assert 'data-testid="add-line"' in page and "you may set its lines" in page
    assert f"/registry/standards/{hubei_line.pk}/" in page
    form = client.get("/registry/standards/new/").content.decode()
    assert 'value="42"' in form and 'value=""' not in form  # no national choice
    response = client.post(
        "/registry/standards/new/",
        {
            "region_code": "42",
            "year": "2024",
            "monitoring_line": "7500",
            "village_incidence_limit": "2",
            "western_incidence_limit": "3",
            "source": "鄂-2024",
        },
    )
    assert response.status_code == 302
    line = AnnualStandard.objects.get(region_code="42", year=2024)
    assert line.monitoring_line == Decimal("7500") and line.poverty_line is None
    response = client.post(
        f"/registry/standards/{hubei_line.pk}/",
        {"monitoring_line": "7300", "village_incidence_limit": "2", "western_incidence_limit": "3"},
    )
    assert response.status_code == 302
    hubei_line.refresh_from_db()
    assert hubei_line.monitoring_line == Decimal("7300") and hubei_line.region_code == "42"
    assert AuditEvent.objects.filter(model="registry.annualstandard", region_code="42").exists()
    national = AnnualStandard.objects.get(year=2020)
    assert client.get(f"/registry/standards/{national.pk}/").status_code == 403
    assert client.get(f"/registry/standards/{sichuan_line.pk}/").status_code == 404
    response = client.post(
        "/registry/standards/new/",
        {
            "region_code": "",
            "year": "2024",
            "poverty_line": "1",
            "village_incidence_limit": "2",
            "western_incidence_limit": "3",
        },
    )
    assert response.status_code == 200  # not one of the choices
    assert not AnnualStandard.objects.filter(region_code="", year=2024).exists()


def test_the_system_administrator_sets_national_and_provincial_lines(client_sysadmin):
    page = client_sysadmin.get("/registry/standards/").content.decode()
    assert 'data-testid="add-line"' in page
    data = {
        "year": "2024",
        "monitoring_line": "7000",
        "village_incidence_limit": "2",
        "western_incidence_limit": "3",
        "source": "国家-2024",
    }
    assert (
        client_sysadmin.post("/registry/standards/new/", {"region_code": "", **data}).status_code
        == 302
    )
    assert (
        client_sysadmin.post("/registry/standards/new/", {"region_code": "42", **data}).status_code
        == 302
    )
    assert set(AnnualStandard.objects.filter(year=2024).values_list("region_code", flat=True)) == {
        "",
        "42",
    }
    again = client_sysadmin.post("/registry/standards/new/", {"region_code": "42", **data})
    assert again.status_code == 200
    assert "Lines are already set for 2024 here" in again.content.decode()


def test_a_negative_line_is_refused():
    scope = Scope("system_admin", None)
    with pytest.raises(RegistryError) as refused:
        services_standards.do_save_standard(scope, year=2024, poverty_line="-1")
    assert refused.value.field == "poverty_line"
    with pytest.raises(RegistryError) as refused:
        services_standards.do_save_standard(
            Scope("revitalisation_bureau", "420222"), region_code="42", year=2024
        )
    assert refused.value.code == "not_allowed"


# --- the year rule on the monitoring list ----------------------------------------------------


def test_the_candidates_of_2024_use_the_2021_line_carried_forward(client_insider):
    low = HouseholdFactory(number="HH-LOW-2024")
    income(low, 2024, "5800")
    fine = HouseholdFactory(number="HH-FINE-2024")
    income(fine, 2024, "6100")
    body = client_insider.get("/registry/monitoring/candidates/").content.decode()  # 2024: latest
    assert "HH-LOW-2024" in body and "HH-FINE-2024" not in body
    assert "the 2021 line of 6,000.00 yuan (2021 line carried forward to 2024)" in body


def test_a_province_s_monitoring_line_decides_the_candidates(insider, hubei_line):
    """Hubei's 2023 line of 7,200 applies to 2024 in Hubei; a Sichuan household is measured
    against the national 6,000 (Sichuan has set nothing here)."""
    mid = HouseholdFactory(number="HH-MID")
    income(mid, 2024, "6500")
    west = Region.objects.create(
        code="513230100201", name="测试村", level=Level.VILLAGE, full_name="四川省测试村"
    )
    sichuan = HouseholdFactory(number="HH-SICHUAN", village=west)
    income(sichuan, 2024, "6500")
    assert monitoring.flag_households(2024, Scope.for_user(insider)) == [mid]
    national = Scope("system_admin", None)
    flagged = monitoring.flag_households(2024, national)
    assert flagged == [mid] and flagged[0].line == Decimal("7200")
    lines = monitoring.candidate_lines(2024, national)
    assert [(line.region_code, line.year) for line in lines] == [("", 2021), ("42", 2023)]
    [line] = monitoring.candidate_lines(2024, Scope.for_user(insider))
    assert str(line.phrase) == (
        "the 湖北省 2023 line of 7,200.00 yuan (2023 line carried forward to 2024)"
    )


def test_the_exit_check_page_names_the_line_carried_forward(client_insider):
    household = HouseholdFactory(status=choices.PovertyStatus.NOT_LIFTED)
    HouseholdYear.objects.create(
        household=household,
        year=2024,
        wages=Decimal("4512"),
        per_capita_net_income=Decimal("4512"),
        **{name: True for name, _label in choices.ASSURANCES},
    )
    body = client_insider.get(f"/registry/households/{household.pk}/exit-check/").content.decode()
    assert "Exit check 2024" in body
    assert "above the 2020 line of 4,000.00 yuan (2020 line carried forward to 2024)" in body
    assert "Start the exit procedure" in body


# --- populations and readiness ---------------------------------------------------------------


def test_an_editor_records_the_populations_of_their_villages(client_insider):
    page = client_insider.get("/registry/counties/420222/populations/?year=2020")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'name="population-{VILLAGE}"' in body
    assert f'name="population-{NEIGHBOUR_VILLAGE}"' not in body  # another township
    response = client_insider.post(
        "/registry/counties/420222/populations/?year=2020",
        {f"population-{VILLAGE}": "1500", "population-420222100002": "", "source": "统计年报"},
    )
    assert response.status_code == 302
    record = VillagePopulation.objects.get()
    assert (record.village_id, record.year, record.population) == (VILLAGE, 2020, 1500)
    assert AuditEvent.objects.filter(
        model="registry.villagepopulation", region_code=VILLAGE
    ).exists()
    # A later year shows the 2020 value as applied, marked with its year.
    body = client_insider.get("/registry/counties/420222/populations/?year=2022").content.decode()
    assert "1500 <span" in body and "(2020)" in body


def test_a_bad_population_changes_nothing(client_insider):
    response = client_insider.post(
        "/registry/counties/420222/populations/?year=2020",
        {f"population-{VILLAGE}": "1500", "population-420222100002": "0"},
    )
    assert response.status_code == 200
    assert not VillagePopulation.objects.exists()


def test_populations_are_scoped(client_neighbour, client_outsider, insider):
    assert client_outsider.get("/registry/counties/420222/populations/").status_code == 404
    body = client_neighbour.get("/registry/counties/420222/populations/").content.decode()
    assert NEIGHBOUR_VILLAGE in body and VILLAGE not in body
    response = client_neighbour.post(
        "/registry/counties/420222/populations/?year=2020", {f"population-{VILLAGE}": "10"}
    )
    assert response.status_code == 302  # the field is not theirs: nothing to save
    assert not VillagePopulation.objects.exists()
    with pytest.raises(RegistryError) as refused:
        services_standards.do_set_village_populations(
            Scope.for_user(insider), 2020, {NEIGHBOUR_VILLAGE: 10}
        )
    assert refused.value.code == "out_of_scope" and not VillagePopulation.objects.exists()
    leader = client_for(UserFactory(role=Role.LEADER, scope="420222"))
    assert leader.get("/registry/counties/420222/populations/").status_code == 200
    response = leader.post(
        "/registry/counties/420222/populations/?year=2020", {f"population-{VILLAGE}": "10"}
    )
    assert response.status_code == 403 and not VillagePopulation.objects.exists()


def test_the_readiness_page_respects_the_year(client_county_admin):
    """A household of five lifted out in October 2020: the village (rural population 100)
    fails in 2019 and is ready in 2020; without a population it cannot be checked."""
    household = HouseholdFactory(status=choices.PovertyStatus.LIFTED_WITH_POLICY)
    for _ in range(5):
        MemberFactory(household=household)
    for old, new, on in [
        ("", choices.PovertyStatus.NOT_LIFTED, datetime.date(2015, 5, 1)),
        (
            choices.PovertyStatus.NOT_LIFTED,
            choices.PovertyStatus.LIFTED_WITH_POLICY,
            datetime.date(2020, 10, 1),
        ),
    ]:
        StatusChange.objects.create(
            household=household, from_status=old, to_status=new, changed_on=on, decided_by="县"
        )
    page = "/registry/counties/420222/readiness/?year={}"
    body = client_county_admin.get(page.format(2019)).content.decode()
    assert '<p class="title is-4" data-testid="unchecked">474</p>' in body
    VillagePopulation.objects.create(village_id=VILLAGE, year=2019, population=100)
    body_2019 = client_county_admin.get(page.format(2019)).content.decode()
    body_2020 = client_county_admin.get(page.format(2020)).content.decode()
    assert '<td class="num" data-testid="incidence">5.00% (5/100)</td>' in body_2019
    assert '<p class="title is-4" data-testid="failing">1</p>' in body_2019
    assert '<td class="num" data-testid="incidence">0.00% (0/100)</td>' in body_2020
    assert '<p class="title is-4" data-testid="passing">1</p>' in body_2020
    assert '<p class="title is-4" data-testid="unchecked">473</p>' in body_2020
    # Without ?year: the latest year with a population recorded.
    assert "5.00% (5/100)" in client_county_admin.get(page.split("?")[0]).content.decode()


# --- the API ---------------------------------------------------------------------------------


def key_of(user) -> dict:
    return bearer(ApiTokenFactory(user=user).key)


def test_api_lines_apply_the_year_rule(client, insider, hubei_line, sichuan_line):
    key = key_of(insider)
    body = client.get("/api/registry/standards/lines?year=2024", headers=key).json()
    assert body["region_code"] == "420222100"
    assert body["poverty_line"] == {
        "amount": "4000.00",
        "year": 2020,
        "region_code": "",
        "carried_forward": True,
    }
    assert body["monitoring_line"]["region_code"] == "42"
    assert body["monitoring_line"]["year"] == 2023 and body["monitoring_line"]["carried_forward"]
    assert body["incidence_limit"] == "2.00" and body["standard_year"] == 2023
    listed = client.get("/api/registry/standards", headers=key).json()
    assert {row["region_code"] for row in listed} == {"", "42"}
    response = client.get(
        f"/api/registry/standards/lines?year=2024&region={NEIGHBOUR_VILLAGE}", headers=key
    )
    assert response.status_code == 404


def test_api_populations_read_and_write(client, insider, neighbour):
    key = key_of(insider)
    put = f"/api/registry/villages/{VILLAGE}/populations/2020"
    response = client.put(
        put, {"population": 1800, "source": "年报"}, content_type=JSON, headers=key
    )
    assert response.status_code == 200 and response.json()["population"] == 1800
    listed = client.get(
        "/api/registry/populations?region=420222&year=2022", headers=key_of(insider)
    )
    assert listed.status_code == 404  # the county is not in the township's scope
    listed = client.get("/api/registry/populations?region=420222100&year=2022", headers=key).json()
    assert listed == [
        {
            "village_code": VILLAGE,
            "village_name": Region.objects.get(code=VILLAGE).name,
            "year": 2022,
            "recorded_year": 2020,
            "population": 1800,
            "carried_forward": True,
            "source": "年报",
        }
    ]
    bad = client.put(put, {"population": 0}, content_type=JSON, headers=key)
    assert bad.status_code == 422
    other = client.put(put, {"population": 5}, content_type=JSON, headers=key_of(neighbour))
    assert other.status_code == 404
    leader = UserFactory(role=Role.LEADER, scope="420222")
    assert (
        client.put(put, {"population": 5}, content_type=JSON, headers=key_of(leader)).status_code
        == 403
    )
    outside = bureau("420281")
    assert (
        client.put(put, {"population": 5}, content_type=JSON, headers=key_of(outside)).status_code
        == 404
    )
    assert VillagePopulation.objects.get().population == 1800


# --- housing area ------------------------------------------------------------------------------


def test_a_negative_housing_area_is_refused_by_the_form(client_insider):
    household = HouseholdFactory(housing_area=Decimal("80"))
    data = {
        "version": household.version,
        "number": household.number,
        "village": household.village_id,
        "address": household.address,
        "attribute": household.attribute,
        "identification_year": household.identification_year,
        "identification_standard": household.identification_standard,
        "main_cause": household.main_cause,
        "second_cause": "",
        "third_cause": "",
        "housing_area": "-5",
        "housing_structure": "",
        "housing_safety": household.housing_safety,
    }
    response = client_insider.post(f"/registry/households/{household.pk}/edit/", data)
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    household.refresh_from_db()
    assert household.housing_area == Decimal("80") and household.version == 1


def test_a_negative_housing_area_is_refused_by_the_api(client, insider):
    household = HouseholdFactory(housing_area=Decimal("80"))
    response = client.patch(
        f"/api/registry/households/{household.pk}",
        {"version": 1, "housing_area": "-3"},
        content_type=JSON,
        headers=key_of(insider),
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "housing_area"
    assert "greater than or equal to 0" in error["msg"]
    household.refresh_from_db()
    assert household.housing_area == Decimal("80") and household.version == 1
    ok = client.patch(
        f"/api/registry/households/{household.pk}",
        {"version": 1, "housing_area": "0"},
        content_type=JSON,
        headers=key_of(insider),
    )
    assert ok.status_code == 200 and ok.json()["housing_area"] == "0.00"


def test_a_negative_housing_area_is_refused_by_the_service(insider):
    from baolei.registry.services import households as services_households

    household = HouseholdFactory()
    with pytest.raises(RegistryError) as refused:
        services_households.do_update_household(insider, household, 1, housing_area=Decimal("-1"))
    assert refused.value.field == "housing_area"


# --- the procedures no longer refused for want of a line ---------------------------------------


def test_an_exit_procedure_starts_on_2024_income_against_the_line_carried_forward(insider):
    from baolei.registry.models import Procedure
    from baolei.registry.services import procedures

    household = HouseholdFactory(status=choices.PovertyStatus.NOT_LIFTED)
    HouseholdYear.objects.create(
        household=household,
        year=2024,
        wages=Decimal("4512"),
        per_capita_net_income=Decimal("4512"),
        **{name: True for name, _label in choices.ASSURANCES},
    )
    procedure = procedures.do_start_procedure(
        household, Procedure.Kind.EXIT, on=datetime.date(2025, 3, 1), actor=insider
    )
    assert procedure.kind == Procedure.Kind.EXIT
