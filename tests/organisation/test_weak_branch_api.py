"""Designating weak branches and setting their criteria, through the API, the pages and the
services, by the same rules: criteria are set by a county (or higher) for its own region;
a branch is designated by the township or the county, never by the village itself; out of
scope is 404 and changes nothing."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.organisation.models import WeakBranchDesignation, WeakCriterion
from baolei.organisation.services import rectification
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.organisation import grading_factories as make
from tests.organisation.factories import HostEntityFactory, PartyOrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/organisation"
JSON = "application/json"
D = datetime.date
VILLAGE = "420222100001"  # 山川台, 兴国镇: the branch of the factories


def _key(user) -> dict:
    return bearer(ApiTokenFactory(user=user).key)


@pytest.fixture
def key(insider):
    return _key(insider)


@pytest.fixture
def county_key(county_admin):
    return _key(county_admin)


def _post(client, path, body, headers):
    return client.post(path, body, content_type=JSON, headers=headers)


def _patch(client, path, body, headers):
    return client.patch(path, body, content_type=JSON, headers=headers)


@pytest.fixture
def weak_setup():
    """A village branch of 兴国镇 and the county's criteria: two of 2024, one of 2023."""
    branch = make.branch(name="山川台社区党支部")
    vacant = make.criterion(2024, name="Secretary post vacant")
    lagging = make.criterion(2024, rule="lagging_grade", name="Lagging last year")
    old = make.criterion(2023, name="An old criterion")
    return branch, vacant, lagging, old


def _designation(branch, criteria, **extra) -> dict:
    return {
        "organisation_id": branch.pk,
        "year": 2024,
        "criteria_ids": [criterion.pk for criterion in criteria],
        "reason": "书记空缺半年，班子不团结",
        **extra,
    }


# --- designating ---------------------------------------------------------------------------


def test_the_township_designates_a_branch_through_the_api(client, key, insider, weak_setup):
    branch, vacant, lagging, _old = weak_setup
    response = _post(
        client,
        f"{API}/weak-branches",
        _designation(branch, [vacant, lagging], designated_on="2024-03-01"),
        key,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in ("organisation_id", "region_code", "year", "status")} == {
        "organisation_id": branch.pk,
        "region_code": VILLAGE,
        "year": 2024,
        "status": "rectifying",
    }
    assert (body["designated_on"], body["designated_by"]) == ("2024-03-01", insider.full_name)
    assert sorted(body["criteria"]) == ["Lagging last year", "Secretary post vacant"]
    assert body["tasks"] == []
    designation = WeakBranchDesignation.objects.get()
    assert designation.reason == "书记空缺半年，班子不团结"
    assert set(designation.criteria.all()) == {vacant, lagging}
    listed = client.get(f"{API}/weak-branches?year=2024", headers=key).json()
    assert [row["id"] for row in listed] == [body["id"]]


def test_the_date_defaults_to_today(client, county_key, weak_setup):
    branch, vacant, _lagging, _old = weak_setup
    response = _post(client, f"{API}/weak-branches", _designation(branch, [vacant]), county_key)
    assert response.status_code == 201
    assert response.json()["designated_on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"criteria_ids": []}, "no_criteria", "criteria_ids"),
        ("old", "criteria_year", "criteria_ids"),  # a criterion of 2023 for 2024
        ({"criteria_ids": [999_999]}, "criteria_year", "criteria_ids"),  # no such criterion
        ("twice", "exists", "organisation_id"),
    ],
)
def test_a_refusal_names_the_field_and_designates_nothing_more(
    client, key, weak_setup, change, code, field
):
    branch, vacant, _lagging, old = weak_setup
    body = _designation(branch, [vacant])
    if change == "old":
        body["criteria_ids"] = [old.pk]
    elif change == "twice":
        assert _post(client, f"{API}/weak-branches", body, key).status_code == 201
    else:
        body.update(change)
    response = _post(client, f"{API}/weak-branches", body, key)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert WeakBranchDesignation.objects.count() == (1 if change == "twice" else 0)


def test_a_criterion_of_another_county_is_refused_without_being_named(client, key, weak_setup):
    branch, vacant, _lagging, _old = weak_setup
    elsewhere = rectification.do_add_criterion(None, "420281", 2024, "大冶市的标准")
    body = _designation(branch, [vacant])
    body["criteria_ids"].append(elsewhere.pk)
    response = _post(client, f"{API}/weak-branches", body, key)
    assert (response.status_code, response.json()["field"]) == (422, "criteria_ids")
    assert "大冶市" not in json.dumps(response.json(), ensure_ascii=False)
    assert not WeakBranchDesignation.objects.exists()


def test_only_a_village_branch_is_designated(client, key, weak_setup):
    _branch, vacant, _lagging, _old = weak_setup
    cooperative = PartyOrganisationFactory(host_entity=HostEntityFactory())
    response = _post(client, f"{API}/weak-branches", _designation(cooperative, [vacant]), key)
    assert response.status_code == 404
    assert not WeakBranchDesignation.objects.exists()


@pytest.mark.parametrize("who", ["neighbour", "outsider"])
def test_others_cannot_designate_the_insiders_branch(client, who, request, weak_setup):
    branch, vacant, _lagging, _old = weak_setup
    headers = _key(request.getfixturevalue(who))
    response = _post(client, f"{API}/weak-branches", _designation(branch, [vacant]), headers)
    assert response.status_code == 404
    assert not WeakBranchDesignation.objects.exists()


# --- the village does not designate itself -----------------------------------------------


def test_the_api_refuses_a_village_scope(client, weak_setup):
    """A system administrator confined to the village (every permission) still may not."""
    branch, vacant, _lagging, _old = weak_setup
    admin = UserFactory(role=Role.SYSTEM_ADMIN, scope=VILLAGE)
    response = _post(client, f"{API}/weak-branches", _designation(branch, [vacant]), _key(admin))
    assert response.status_code == 403
    assert not WeakBranchDesignation.objects.exists()


def test_the_page_refuses_a_village_branch_and_hides_the_buttons(weak_setup):
    branch, vacant, _lagging, _old = weak_setup
    make.grade(branch, make.checklist(year=2023), 20, 10, 5)  # lagging: suggested in 2024
    village = Client()
    village.force_login(UserFactory(role=Role.VILLAGE_BRANCH, scope=VILLAGE))
    page = f"/organisation/weak/designate/{branch.pk}/"
    form = {
        "year": "2024",
        "criteria": [vacant.pk],
        "reason": "自己认定自己",
        "designated_on": "2024-03-01",
    }
    assert village.get(page).status_code == 403
    assert village.post(page, form).status_code == 403
    assert not WeakBranchDesignation.objects.exists()
    record = village.get(f"/organisation/grading/branches/{branch.pk}/").content.decode()
    weak_list = village.get("/organisation/weak/?year=2024").content.decode()
    assert branch.name in weak_list  # suggested, but not to be designated from here
    for shown in (record, weak_list):
        assert 'data-testid="designate"' not in shown and page not in shown


def test_the_township_sees_the_buttons_and_designates_on_the_page(
    client_insider, insider, weak_setup
):
    branch, vacant, _lagging, _old = weak_setup
    make.grade(branch, make.checklist(year=2023), 20, 10, 5)
    page = f"/organisation/weak/designate/{branch.pk}/"
    record = client_insider.get(f"/organisation/grading/branches/{branch.pk}/").content.decode()
    weak_list = client_insider.get("/organisation/weak/?year=2024").content.decode()
    for shown in (record, weak_list):
        assert 'data-testid="designate"' in shown and page in shown
    response = client_insider.post(
        page,
        {"year": "2024", "criteria": [vacant.pk], "reason": "", "designated_on": "2024-03-01"},
    )
    assert response.status_code == 302
    assert WeakBranchDesignation.objects.get().designated_by == insider.full_name


def test_the_service_refuses_a_village_scope_and_a_branch_outside_the_scope(weak_setup):
    branch, vacant, _lagging, _old = weak_setup
    village = Scope(role=Role.VILLAGE_BRANCH, region_code=VILLAGE)
    with pytest.raises(rectification.RectificationError) as refused:
        rectification.do_designate(None, branch, 2024, [vacant], "", D(2024, 3, 1), scope=village)
    assert refused.value.code == "designator"
    neighbour = Scope(role=Role.TOWNSHIP_OFFICER, region_code="420222101")
    with pytest.raises(rectification.RectificationError) as refused:
        rectification.do_designate(None, branch, 2024, [vacant], "", D(2024, 3, 1), scope=neighbour)
    assert (refused.value.code, refused.value.field) == ("out_of_scope", "organisation")
    assert not WeakBranchDesignation.objects.exists()
    township = Scope(role=Role.TOWNSHIP_OFFICER, region_code="420222100")
    made = rectification.do_designate(
        None, branch, 2024, [vacant], "", D(2024, 3, 1), scope=township
    )
    assert made.status == WeakBranchDesignation.Status.RECTIFYING


# --- criteria ----------------------------------------------------------------------------


def test_the_county_adds_and_changes_a_criterion(client, county_key, key):
    created = _post(
        client,
        f"{API}/weak-criteria",
        {"year": 2024, "name": "书记长期缺职", "rule": "manual", "description": "半年以上"},
        county_key,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body == {
        "id": body["id"],
        "region_code": "420222",
        "year": 2024,
        "position": 1,
        "name": "书记长期缺职",
        "description": "半年以上",
        "rule": "manual",
    }
    patched = _patch(
        client,
        f"{API}/weak-criteria/{body['id']}",
        {"name": "书记缺职六个月以上", "rule": "no_life_quarter"},
        county_key,
    )
    assert patched.status_code == 200, patched.content
    changed = patched.json()
    assert (changed["name"], changed["rule"]) == ("书记缺职六个月以上", "no_life_quarter")
    assert patched.json()["description"] == "半年以上"  # not sent, not changed
    # The township reads the county's criteria, as on the page.
    listed = client.get(f"{API}/weak-criteria?year=2024", headers=key).json()
    assert [row["name"] for row in listed] == ["书记缺职六个月以上"]
    assert client.get(f"{API}/weak-criteria?year=2023", headers=key).json() == []


def test_a_criterion_in_use_keeps_its_name_and_check(client, county_key):
    designation = make.designation(year=2024)
    criterion = designation.criteria.get()
    path = f"{API}/weak-criteria/{criterion.pk}"
    for change, field in (({"name": "另一个名字"}, "name"), ({"rule": "lagging_grade"}, "rule")):
        refused = _patch(client, path, change, county_key)
        assert refused.status_code == 422
        assert (refused.json()["code"], refused.json()["field"]) == ("in_use", field)
    clearer = _patch(client, path, {"description": "以县委组织部认定为准"}, county_key)
    assert clearer.status_code == 200
    criterion.refresh_from_db()
    assert (criterion.name, criterion.rule) == ("Secretary post vacant for six months", "manual")
    assert criterion.description == "以县委组织部认定为准"


def test_a_township_reads_but_does_not_set_criteria(client, key, client_insider):
    criterion = make.criterion(2024)
    refused = [
        _post(client, f"{API}/weak-criteria", {"year": 2024, "name": "乡镇的标准"}, key),
        _post(
            client,
            f"{API}/weak-criteria",
            {"year": 2024, "name": "乡镇的标准", "region_code": "420222100"},
            key,
        ),
        _patch(client, f"{API}/weak-criteria/{criterion.pk}", {"name": "改名"}, key),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403]
    assert (
        client_insider.post(
            "/organisation/weak/criteria/", {"year": 2024, "name": "乡镇的标准", "rule": "manual"}
        ).status_code
        == 403
    )
    assert list(WeakCriterion.objects.values_list("name", flat=True)) == [criterion.name]


def test_a_county_sets_criteria_for_itself_not_for_a_township(client, county_key):
    response = _post(
        client,
        f"{API}/weak-criteria",
        {"year": 2024, "name": "x", "region_code": "420222100"},
        county_key,
    )
    assert response.status_code == 403
    assert not WeakCriterion.objects.exists()


def test_the_whole_country_names_the_region(client, sysadmin):
    headers = _key(sysadmin)
    missing = _post(client, f"{API}/weak-criteria", {"year": 2024, "name": "x"}, headers)
    assert (missing.status_code, missing.json()["field"]) == (422, "region_code")
    body = {"year": 2024, "name": "x", "region_code": "420222"}
    made = _post(client, f"{API}/weak-criteria", body, headers)
    assert made.status_code == 201
    assert WeakCriterion.objects.get().region_code == "420222"


@pytest.mark.parametrize("who", ["neighbour", "outsider"])
def test_others_reach_no_criterion_of_the_county(client, who, request):
    """The neighbour township reads its county's criteria but may not change them (403),
    nor name its county, which is outside its scope (404); the next county neither sees
    them nor sets any for 阳新县 (404)."""
    criterion = make.criterion(2024)
    headers = _key(request.getfixturevalue(who))
    listed = client.get(f"{API}/weak-criteria?year=2024", headers=headers).json()
    patched = _patch(client, f"{API}/weak-criteria/{criterion.pk}", {"name": "改名"}, headers)
    created = _post(
        client,
        f"{API}/weak-criteria",
        {"year": 2024, "name": "越界标准", "region_code": "420222"},
        headers,
    )
    if who == "neighbour":
        assert [row["id"] for row in listed] == [criterion.pk]
        assert (patched.status_code, created.status_code) == (403, 404)
    else:
        assert listed == []
        assert (patched.status_code, created.status_code) == (404, 404)
    assert list(WeakCriterion.objects.values_list("name", flat=True)) == [criterion.name]


def test_the_services_check_the_scope_when_given():
    township = Scope(role=Role.TOWNSHIP_OFFICER, region_code="420222100")
    other_county = Scope(role=Role.ORGANISATION_DEPARTMENT, region_code="420281")
    with pytest.raises(rectification.RectificationError) as refused:
        rectification.do_add_criterion(None, "420222", 2024, "x", scope=township)
    assert refused.value.code == "not_county"
    criterion = make.criterion(2024)
    with pytest.raises(rectification.RectificationError):
        rectification.do_update_criterion(None, criterion, name="y", scope=other_county)
    with pytest.raises(rectification.RectificationError) as refused:
        rectification.do_add_criterion(None, "420222", 2024, "x", rule="no_such_rule")
    assert refused.value.field == "rule"
    county = Scope(role=Role.ORGANISATION_DEPARTMENT, region_code="420222")
    changed = rectification.do_update_criterion(None, criterion, name="y", scope=county)
    assert changed.name == "y" and WeakCriterion.objects.count() == 1
