"""Changing and removing a household's members through the API: the same service and
rules as the member's edit page and its "remove" button, scoped like every endpoint
(404 outside the scope, and nothing changed), 403 without the right to edit, and in the
OpenAPI document."""

import datetime

import pytest

from baolei import idnumbers
from baolei.accounts.permissions import Role
from baolei.api import api
from baolei.audit.models import AuditEvent
from baolei.registry import choices
from baolei.registry.models import Household, Member, Person
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.registry.factories import HouseholdFactory, MemberFactory, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOWNSHIP = "420222100"  # 兴国镇
NEIGHBOUR_TOWNSHIP = "420222101"  # 富池镇
JSON = "application/json"
OPERATION = "/api/registry/households/{pk}/members/{member_id}"


def _key(role: str = Role.TOWNSHIP_OFFICER, scope: str = TOWNSHIP) -> dict:
    return bearer(ApiTokenFactory(user=UserFactory(role=role, scope=scope)).key)


@pytest.fixture
def home():
    household = HouseholdFactory(number="420222100001000777")
    head = MemberFactory(household=household, person__name="黄大伯")
    household.head = head.person
    household.save()
    MemberFactory(
        household=household,
        person__name="黄小妹",
        person__sex=choices.Sex.FEMALE,
        relation=choices.Relation.DAUGHTER,
        health=choices.Health.CHRONIC,
    )
    return household


def _member(household: Household, name: str) -> Member:
    return household.members.select_related("person").get(person__name=name)


def _url(household: Household, member: Member) -> str:
    return f"/api/registry/households/{household.pk}/members/{member.pk}"


def _snapshot(household: Household) -> list[tuple]:
    """Everything the two endpoints could change: the members, their people, the head."""
    household.refresh_from_db()
    members = Member.objects.filter(household=household).order_by("pk")
    return [
        household.head_id,
        household.version,
        *members.values_list("pk", "relation", "education", "health", "person__phone"),
        *Person.objects.order_by("pk").values_list("pk", "id_number", "name"),
    ]


def test_both_operations_are_in_the_openapi_document():
    methods = set(api.get_openapi_schema()["paths"][OPERATION])
    assert {"patch", "delete"} <= methods


# --- PATCH --------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(client, home):
    daughter = _member(home, "黄小妹")
    response = client.patch(
        _url(home, daughter),
        {"education": "senior", "phone": "13800000000", "school_status": "senior"},
        content_type=JSON,
        headers=_key(),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["education"] == "senior" and body["school_status"] == "senior"
    # A township officer may not see personal data: the answer masks it, as a GET does.
    assert body["id_number"] == idnumbers.mask(daughter.person.id_number)
    assert body["health"] is None
    daughter.refresh_from_db()
    daughter.person.refresh_from_db()
    assert daughter.education == "senior" and daughter.person.phone == "13800000000"
    assert daughter.relation == choices.Relation.DAUGHTER
    assert daughter.health == choices.Health.CHRONIC  # not sent, not changed
    # Written by the service: the audit trail has the change.
    assert AuditEvent.objects.filter(model="registry.member", object_pk=str(daughter.pk)).exists()


def test_patch_corrects_an_id_number_and_checks_it(client, home):
    daughter = _member(home, "黄小妹")
    corrected = id_number(321, datetime.date(2001, 3, 3), male=False)
    response = client.patch(
        _url(home, daughter), {"id_number": corrected}, content_type=JSON, headers=_key()
    )
    assert response.status_code == 200, response.content
    daughter.person.refresh_from_db()
    assert daughter.person.id_number == corrected
    assert daughter.person.birth_date == datetime.date(2001, 3, 3)
    taken = _member(home, "黄大伯").person.id_number
    refused = client.patch(
        _url(home, daughter), {"id_number": taken}, content_type=JSON, headers=_key()
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "id_number_taken" and refused.json()["field"] == "id_number"
    daughter.person.refresh_from_db()
    assert daughter.person.id_number == corrected


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"relation": "head"}, "second_head", "relation"),
        ({"disability_grade": 7}, "disability_grade", "disability_grade"),
        ({"labour_capacity": None}, "required", "labour_capacity"),
        ({"sex": "male"}, "sex_mismatch", "sex"),
        ({"name": "  "}, "required", "name"),
    ],
    ids=str,
)
def test_patch_refusals_come_from_the_same_rules_and_change_nothing(
    client, home, change, code, field
):
    daughter = _member(home, "黄小妹")
    before = _snapshot(home)
    response = client.patch(
        _url(home, daughter), change, content_type=JSON, headers=_key(Role.REVITALISATION_BUREAU)
    )
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert _snapshot(home) == before


def test_health_is_changed_only_by_a_role_that_may_see_it(client, home):
    daughter = _member(home, "黄小妹")
    change = {"health": "serious"}
    before = _snapshot(home)
    refused = client.patch(_url(home, daughter), change, content_type=JSON, headers=_key())
    assert refused.status_code == 403
    assert _snapshot(home) == before
    bureau = _key(Role.REVITALISATION_BUREAU, scope="420222")
    response = client.patch(_url(home, daughter), change, content_type=JSON, headers=bureau)
    assert response.status_code == 200, response.content
    assert response.json()["health"] == "serious"
    assert response.json()["id_number"] == daughter.person.id_number  # unmasked


def test_the_head_can_hand_over(client, home):
    head, daughter = _member(home, "黄大伯"), _member(home, "黄小妹")
    key = _key()
    assert (
        client.patch(
            _url(home, head), {"relation": "father"}, content_type=JSON, headers=key
        ).status_code
        == 200
    )
    assert (
        client.patch(
            _url(home, daughter), {"relation": "head"}, content_type=JSON, headers=key
        ).status_code
        == 200
    )
    home.refresh_from_db()
    assert home.head_id == daughter.person_id


# --- DELETE -------------------------------------------------------------------------------


def test_delete_takes_the_member_out_and_keeps_the_person(client, home):
    daughter = _member(home, "黄小妹")
    response = client.delete(_url(home, daughter), headers=_key())
    assert response.status_code == 204
    assert not Member.objects.filter(pk=daughter.pk).exists()
    assert Person.objects.filter(pk=daughter.person_id).exists()
    assert home.members.count() == 1
    assert AuditEvent.objects.filter(
        model="registry.member", object_pk=str(daughter.pk), action="delete"
    ).exists()
    # The person may join another household now: one person, one household.
    other = HouseholdFactory(number="420222100001000888")
    joined = client.post(
        f"/api/registry/households/{other.pk}/members",
        {
            "id_number": daughter.person.id_number,
            "name": "黄小妹",
            "relation": "spouse",
            "labour_capacity": "ordinary",
        },
        content_type=JSON,
        headers=_key(),
    )
    assert joined.status_code == 201, joined.content


def test_deleting_the_head_leaves_the_household_without_one(client, home):
    head = _member(home, "黄大伯")
    assert client.delete(_url(home, head), headers=_key()).status_code == 204
    home.refresh_from_db()
    assert home.head_id is None


def test_delete_twice_is_not_found(client, home):
    daughter = _member(home, "黄小妹")
    key = _key()
    assert client.delete(_url(home, daughter), headers=key).status_code == 204
    assert client.delete(_url(home, daughter), headers=key).status_code == 404


# --- scope and permissions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.TOWNSHIP_OFFICER, NEIGHBOUR_TOWNSHIP),  # the next township
        (Role.REVITALISATION_BUREAU, "420281"),  # the bureau of the next county
    ],
    ids=["neighbour", "outsider"],
)
def test_out_of_scope_is_not_found_and_nothing_changes(client, home, role, scope):
    daughter = _member(home, "黄小妹")
    key = _key(role, scope)
    before = _snapshot(home)
    patched = client.patch(
        _url(home, daughter), {"education": "senior"}, content_type=JSON, headers=key
    )
    deleted = client.delete(_url(home, daughter), headers=key)
    assert (patched.status_code, deleted.status_code) == (404, 404)
    assert _snapshot(home) == before


def test_a_member_of_another_household_is_not_found_through_this_one(client, home):
    """The member must belong to the household of the path, even within the scope."""
    elsewhere = MemberFactory(household=HouseholdFactory(number="420222100001000999"))
    key = _key()
    path = f"/api/registry/households/{home.pk}/members/{elsewhere.pk}"
    before = _snapshot(home)
    assert (
        client.patch(path, {"education": "senior"}, content_type=JSON, headers=key).status_code
        == 404
    )
    assert client.delete(path, headers=key).status_code == 404
    assert Member.objects.filter(pk=elsewhere.pk, education="").exists()
    assert _snapshot(home) == before


@pytest.mark.parametrize("role", [Role.FIRST_SECRETARY, Role.LEADER, Role.ORGANISATION_DEPARTMENT])
def test_roles_that_may_not_edit_the_registry_are_refused(client, home, role):
    daughter = _member(home, "黄小妹")
    key = _key(role)
    before = _snapshot(home)
    patched = client.patch(
        _url(home, daughter), {"education": "senior"}, content_type=JSON, headers=key
    )
    deleted = client.delete(_url(home, daughter), headers=key)
    assert (patched.status_code, deleted.status_code) == (403, 403)
    assert _snapshot(home) == before
