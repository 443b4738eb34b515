"""The register's API: scoped like the pages (404 outside, filtered lists), permissions
(403), masked ID numbers, keyset cursors, the refusals of the services, and every
endpoint in the OpenAPI document."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from baolei import idnumbers
from baolei.accounts.permissions import Role
from baolei.api import api
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import Household, HouseholdYear, Member, Visit
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    HelperFactory,
    HouseholdFactory,
    HouseholdYearFactory,
    MemberFactory,
    PairingFactory,
    VisitFactory,
    id_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOWNSHIP = "420222100"
JSON = "application/json"


def _key(role: str = Role.TOWNSHIP_OFFICER, scope: str | None = TOWNSHIP, user=None) -> dict:
    user = user or UserFactory(role=role, scope=scope)
    return bearer(ApiTokenFactory(user=user).key)


@pytest.fixture
def insider_key(insider):
    return _key(user=insider)


@pytest.fixture
def home():
    household = HouseholdFactory(number="420222100001000777")
    head = MemberFactory(household=household, person__name="黄大伯", health="serious")
    household.head = head.person
    household.save()
    HouseholdYearFactory(household=household, year=2023)
    VisitFactory(household=household, findings="屋顶漏雨")
    return household


def _operations():
    return {
        (path, method.lower())
        for path, item in api.get_openapi_schema()["paths"].items()
        for method in item
        if path.startswith("/api/registry/households")
    }


def test_every_endpoint_is_in_the_openapi_document():
    assert {
        ("/api/registry/households", "get"),
        ("/api/registry/households", "post"),
        ("/api/registry/households/{pk}", "get"),
        ("/api/registry/households/{pk}", "patch"),
        ("/api/registry/households/{pk}/members", "get"),
        ("/api/registry/households/{pk}/members", "post"),
        ("/api/registry/households/{pk}/years", "get"),
        ("/api/registry/households/{pk}/years/{year}", "put"),
        ("/api/registry/households/{pk}/visits", "get"),
        ("/api/registry/households/{pk}/visits", "post"),
    } <= _operations()


# --- reading ------------------------------------------------------------------------------


def test_household_detail_masks_personal_data_for_a_township_officer(client, home, insider_key):
    body = client.get(f"/api/registry/households/{home.pk}", headers=insider_key).json()
    assert body["number"] == home.number and body["version"] == 1
    [member] = body["members"]
    assert member["id_number"] == idnumbers.mask(home.head.id_number)
    assert member["id_number_masked"] is True
    assert member["birth_date"] is None and member["health"] is None
    assert member["age"] > 0
    assert body["head_id_number"] == idnumbers.mask(home.head.id_number)
    assert body["years"][0]["per_capita_net_income"] == "5333.33"
    assert body["visits"][0]["findings"] == "屋顶漏雨"


def test_household_detail_unmasked_for_the_bureau(client, home):
    body = client.get(
        f"/api/registry/households/{home.pk}", headers=_key(Role.REVITALISATION_BUREAU)
    ).json()
    [member] = body["members"]
    assert member["id_number"] == home.head.id_number
    assert member["health"] == "serious"
    assert member["birth_date"] == home.head.birth_date.isoformat()


def test_list_filters_search_and_cursors(client, insider_key):
    for n in range(7):
        HouseholdFactory(number=f"A{n:02d}", status="not_lifted" if n % 2 else "lifted_no_policy")
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"after": cursor} if cursor else {})}
        body = client.get("/api/registry/households", params, headers=insider_key).json()
        seen += [row["number"] for row in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == [f"A{n:02d}" for n in range(7)]
    assert body["previous"] is not None
    back = client.get(
        "/api/registry/households", {"limit": 3, "before": body["previous"]}, headers=insider_key
    ).json()
    assert [row["number"] for row in back["items"]] == ["A03", "A04", "A05"]
    odd = client.get(
        "/api/registry/households", {"status": "not_lifted"}, headers=insider_key
    ).json()
    assert [row["number"] for row in odd["items"]] == ["A01", "A03", "A05"]
    found = client.get("/api/registry/households", {"q": "A0"}, headers=insider_key).json()
    assert len(found["items"]) == 7
    bad = client.get("/api/registry/households", {"status": "nonsense"}, headers=insider_key)
    assert bad.status_code == 422


def test_list_members_years_and_visits(client, home, insider_key):
    base = f"/api/registry/households/{home.pk}"
    members = client.get(f"{base}/members", headers=insider_key).json()
    assert [m["name"] for m in members] == ["黄大伯"]
    years = client.get(f"{base}/years", headers=insider_key).json()
    assert [y["year"] for y in years] == [2023]
    visits = client.get(f"{base}/visits", headers=insider_key).json()
    assert [v["findings"] for v in visits] == ["屋顶漏雨"]


# --- scope and permissions ----------------------------------------------------------------


def _read_paths(home):
    base = f"/api/registry/households/{home.pk}"
    return [base, f"{base}/members", f"{base}/years", f"{base}/visits"]


def _write_calls(home):
    base = f"/api/registry/households/{home.pk}"
    member = {
        "id_number": id_number(3, datetime.date(1999, 1, 1)),
        "name": "新人",
        "relation": "son",
        "labour_capacity": "ordinary",
    }
    return [
        ("patch", base, {"version": 1, "address": "被改"}),
        ("post", f"{base}/members", member),
        ("put", f"{base}/years/2022", {"wages": "1"}),
        ("post", f"{base}/visits", {"findings": "闯入"}),
    ]


@pytest.mark.parametrize("who", ["neighbour", "outsider"])
def test_others_get_404_or_403_and_filtered_lists(client, request, who, home):
    key = _key(user=request.getfixturevalue(who))
    for path in _read_paths(home):
        assert client.get(path, headers=key).status_code == 404, path
    for method, path, body in _write_calls(home):
        response = getattr(client, method)(path, body, content_type=JSON, headers=key)
        assert response.status_code in (403, 404), (method, path)
        if who == "neighbour":  # it may edit the registry: only the scope stops it
            assert response.status_code == 404, (method, path)
    for params in ({}, {"q": home.number}, {"q": "黄大"}, {"q": home.head.id_number}):
        body = client.get("/api/registry/households", params, headers=key).json()
        assert home.number not in [row["number"] for row in body["items"]], params
    assert (
        client.get("/api/registry/households", {"region": TOWNSHIP}, headers=key).status_code == 404
    )
    home.refresh_from_db()
    assert home.address != "被改" and home.version == 1
    assert home.members.count() == 1 and not home.years.filter(year=2022).exists()
    assert not Visit.objects.filter(findings="闯入").exists()


def test_creating_in_another_scope_is_refused(client, neighbour):
    response = client.post(
        "/api/registry/households",
        {"number": "N-1", "village_code": "420222100001"},
        content_type=JSON,
        headers=_key(user=neighbour),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "out_of_scope"
    assert not Household.objects.filter(number="N-1").exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.FIRST_SECRETARY])
def test_roles_without_edit_registry_cannot_write(client, role, home):
    key = _key(role)
    for method, path, body in _write_calls(home):
        response = getattr(client, method)(path, body, content_type=JSON, headers=key)
        allowed = role == Role.FIRST_SECRETARY and path.endswith("/visits")
        assert response.status_code == (201 if allowed else 403), (method, path)
    created = client.post(
        "/api/registry/households",
        {"number": "L-1", "village_code": "420222100001"},
        content_type=JSON,
        headers=key,
    )
    assert created.status_code == 403


# --- writing ------------------------------------------------------------------------------


def test_create_household_with_head(client, insider_key):
    number = id_number(5, datetime.date(1966, 6, 6))
    response = client.post(
        "/api/registry/households",
        {
            "number": "420222100001000888",
            "village_code": "420222100001",
            "status": "not_lifted",
            "main_cause": "disaster",
            "head": {"id_number": number.lower(), "name": "张飞"},
        },
        content_type=JSON,
        headers=insider_key,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["head_name"] == "张飞" and body["head_id_number"] == idnumbers.mask(number)
    household = Household.objects.get(number="420222100001000888")
    assert household.status == "not_lifted" and household.status_changes.count() == 1


def test_update_cannot_change_the_status(client, home, insider_key):
    response = client.patch(
        f"/api/registry/households/{home.pk}",
        {"version": 1, "status": "relapsed"},
        content_type=JSON,
        headers=insider_key,
    )
    assert response.status_code == 422
    home.refresh_from_db()
    assert home.status == choices.PovertyStatus.LIFTED_WITH_POLICY


@pytest.mark.parametrize(
    "change", [{"registered_poor": False}, {"monitoring_type": "marginal"}], ids=str
)
def test_update_cannot_change_what_only_procedures_change(client, home, insider_key, change):
    """Unticking 建档立卡户 of a household lifted out (with policy) would leave it outside
    the register with no status change recorded; a monitoring type without a case is a
    monitored household nobody identified."""
    response = client.patch(
        f"/api/registry/households/{home.pk}",
        {"version": 1, **change},
        content_type=JSON,
        headers=insider_key,
    )
    assert response.status_code == 422
    home.refresh_from_db()
    assert home.registered_poor and home.monitoring_type == "" and home.version == 1
    schema = api.get_openapi_schema()["components"]["schemas"]["HouseholdUpdateIn"]
    assert not {"registered_poor", "monitoring_type"} & set(schema["properties"])


@pytest.mark.parametrize(
    ("status", "registered"), [("lifted_with_policy", True), (None, False)], ids=str
)
def test_a_new_household_is_registered_poor_exactly_when_given_a_status(
    client, insider_key, status, registered
):
    body = {"number": "420222100001000889", "village_code": "420222100001"}
    if status:
        body["status"] = status
    response = client.post("/api/registry/households", body, content_type=JSON, headers=insider_key)
    assert response.status_code == 201, response.content
    household = Household.objects.get(number="420222100001000889")
    assert household.registered_poor is registered and household.monitoring_type == ""
    for field in ({"registered_poor": True}, {"monitoring_type": "marginal"}):
        refused = client.post(
            "/api/registry/households",
            {**body, "number": "420222100001000890", **field},
            content_type=JSON,
            headers=insider_key,
        )
        assert refused.status_code == 422, field
    assert not Household.objects.filter(number="420222100001000890").exists()


def test_update_changes_only_the_fields_sent(client, home, insider_key):
    response = client.patch(
        f"/api/registry/households/{home.pk}",
        {
            "version": 1,
            "second_cause": "lack_of_skills",
            "housing_area": "85.5",
            "identification_year": None,
        },
        content_type=JSON,
        headers=insider_key,
    )
    assert response.status_code == 200, response.content
    home.refresh_from_db()
    assert home.second_cause == "lack_of_skills" and home.housing_area == Decimal("85.50")
    assert home.identification_year is None  # null clears a field
    assert home.main_cause == "illness" and home.version == 2


def test_add_member_refuses_a_person_of_another_household(client, home, insider_key):
    elsewhere = MemberFactory(household=HouseholdFactory(number="420222100001000555"))
    response = client.post(
        f"/api/registry/households/{home.pk}/members",
        {
            "id_number": elsewhere.person.id_number,
            "name": elsewhere.person.name,
            "relation": "son",
            "labour_capacity": "ordinary",
        },
        content_type=JSON,
        headers=insider_key,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "in_another_household" and body["field"] == "id_number"
    assert "420222100001000555" in body["detail"]
    assert home.members.count() == 1


def test_add_member(client, home, insider_key):
    number = id_number(6, datetime.date(2012, 2, 2), male=False)
    response = client.post(
        f"/api/registry/households/{home.pk}/members",
        {
            "id_number": number,
            "name": "黄小妹",
            "relation": "daughter",
            "labour_capacity": "none",
            "school_status": "primary",
            "birth_date": "2012-02-02",
        },
        content_type=JSON,
        headers=insider_key,
    )
    assert response.status_code == 201, response.content
    member = Member.objects.get(person__id_number=number)
    assert member.school_status == "primary" and member.person.sex == "female"
    assert response.json()["id_number"] == idnumbers.mask(number)


def test_add_member_with_a_bad_id_number(client, home, insider_key):
    response = client.post(
        f"/api/registry/households/{home.pk}/members",
        {
            "id_number": "42022219800101001",
            "name": "错号",
            "relation": "son",
            "labour_capacity": "ordinary",
        },
        content_type=JSON,
        headers=insider_key,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "id_number" and response.json()["code"] == "length"


def test_put_year(client, home, insider_key):
    response = client.put(
        f"/api/registry/households/{home.pk}/years/2022",
        {"wages": "8000", "transfers": "1000", "food": True, "assurance_notes": {"food": "够吃"}},
        content_type=JSON,
        headers=insider_key,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["member_count"] == 1 and body["per_capita_net_income"] == "9000.00"
    record = HouseholdYear.objects.get(household=home, year=2022)
    assert record.food is True and record.clothing is None
    negative = client.put(
        f"/api/registry/households/{home.pk}/years/2022",
        {"wages": "-1"},
        content_type=JSON,
        headers=insider_key,
    )
    assert negative.status_code == 422 and negative.json()["field"] == "wages"


def test_record_visit(client, home):
    key = _key(Role.FIRST_SECRETARY)
    helper = HelperFactory(region_code=TOWNSHIP)
    PairingFactory(helper=helper, household=home, started_on=datetime.date(2021, 1, 1))
    far = HelperFactory(region_code="420281")
    unpaired = HelperFactory(region_code=TOWNSHIP)
    base = f"/api/registry/households/{home.pk}/visits"
    response = client.post(
        base, {"findings": "新盖了厨房", "helper_id": helper.pk}, content_type=JSON, headers=key
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visited_on"] == timezone.localdate().isoformat()
    assert body["helper_id"] == helper.pk
    refused = client.post(
        base, {"findings": "x", "helper_id": far.pk}, content_type=JSON, headers=key
    )
    assert refused.status_code == 422
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    late = client.post(
        base, {"findings": "x", "visited_on": future}, content_type=JSON, headers=key
    )
    assert late.status_code == 422 and late.json()["field"] == "visited_on"
    # A helper visits the households they are paired with, from the day the pairing began.
    stranger = client.post(
        base, {"findings": "x", "helper_id": unpaired.pk}, content_type=JSON, headers=key
    )
    assert stranger.status_code == 422 and stranger.json()["field"] == "helper"
    early = client.post(
        base,
        {"findings": "x", "helper_id": helper.pk, "visited_on": "2020-12-31"},
        content_type=JSON,
        headers=key,
    )
    assert early.status_code == 422 and early.json()["field"] == "visited_on"


def test_neighbours_own_households_are_listed_for_it(client, neighbour):
    own = HouseholdFactory(number="N-OWN", village=Region.objects.get(code=NEIGHBOUR_VILLAGE))
    body = client.get("/api/registry/households", headers=_key(user=neighbour)).json()
    assert [row["number"] for row in body["items"]] == [own.number]
