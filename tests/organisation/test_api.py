"""The organisation API: scoped like the pages, permissions (403), masked ID numbers,
the services' refusals as 422 with the field, and the figures of the pages."""

import datetime
import json

import pytest
from django.utils import timezone

from baolei import idnumbers
from baolei.accounts.permissions import Role
from baolei.organisation.models import MemberTransfer, PartyOrganisation
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.organisation.factories import (
    CommitteePostFactory,
    HostEntityFactory,
    PartyMemberFactory,
    PartyOrganisationFactory,
)
from tests.registry.factories import id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BASE = "/api/organisation"
JSON = "application/json"
VILLAGE = "420222100001"
D = datetime.date


@pytest.fixture
def key(insider):
    return bearer(ApiTokenFactory(user=insider).key)


@pytest.fixture
def county_key(county_admin):
    return bearer(ApiTokenFactory(user=county_admin).key)


def test_organisations_are_listed_within_the_scope_and_filtered(client, key):
    PartyOrganisationFactory(name="兴国支部")
    PartyOrganisationFactory(name="撤销支部", status="dissolved")
    PartyOrganisationFactory(name="富池支部", region_code="420222101001")

    everything = client.get(f"{BASE}/organisations", headers=key).json()
    active = client.get(f"{BASE}/organisations?status=active", headers=key).json()

    assert sorted(o["name"] for o in everything) == ["兴国支部", "撤销支部"]
    assert [o["name"] for o in active] == ["兴国支部"]


def test_creating_and_patching_an_organisation(client, key):
    created = client.post(
        f"{BASE}/organisations",
        {
            "kind": "branch",
            "name": "中共山川台社区支部委员会",
            "region_code": VILLAGE,
            "secretary_id_number": id_number(1, D(1975, 1, 1)),
            "secretary_name": "柯建华",
        },
        content_type=JSON,
        headers=key,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secretary_id_number"] == idnumbers.mask(id_number(1, D(1975, 1, 1)))

    patched = client.patch(
        f"{BASE}/organisations/{body['id']}",
        {"founded_on": "1990-07-01"},
        content_type=JSON,
        headers=key,
    )
    assert patched.json()["founded_on"] == "1990-07-01"
    assert patched.json()["secretary_name"] == "柯建华"  # not sent, not changed


def test_a_refusal_is_a_422_naming_the_field(client, key):
    response = client.post(
        f"{BASE}/organisations",
        {"kind": "branch", "name": "富池支部", "region_code": "420222101001"},
        content_type=JSON,
        headers=key,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "region_code"
    assert response.json()["code"] == "out_of_scope"


def test_a_leader_may_read_but_not_write(client):
    leader = bearer(ApiTokenFactory(user=UserFactory(role=Role.LEADER, scope="420222100")).key)
    assert client.get(f"{BASE}/organisations", headers=leader).status_code == 200
    response = client.post(
        f"{BASE}/organisations",
        {"kind": "branch", "name": "x", "region_code": VILLAGE},
        content_type=JSON,
        headers=leader,
    )
    assert response.status_code == 403
    assert not PartyOrganisation.objects.filter(name="x").exists()


def test_status_change_merges_and_moves_members(client, key):
    old, new = PartyOrganisationFactory(name="老"), PartyOrganisationFactory(name="新")
    member = PartyMemberFactory(branch=old)

    response = client.post(
        f"{BASE}/organisations/{old.pk}/status",
        {
            "to_status": "merged",
            "changed_on": timezone.localdate().isoformat(),
            "reason": "合并",
            "merged_into_id": new.pk,
        },
        content_type=JSON,
        headers=key,
    )

    assert response.json()["status"] == "merged"
    member.refresh_from_db()
    assert member.branch == new


def test_hosts_with_their_coverage(client, key):
    covered = HostEntityFactory(name="有支部")
    PartyOrganisationFactory(host_entity=covered)
    HostEntityFactory(name="有指导员", instructor="柯志强")

    hosts = {h["name"]: h for h in client.get(f"{BASE}/hosts", headers=key).json()}

    assert (hosts["有支部"]["organisation_covered"], hosts["有支部"]["work_covered"]) == (
        True,
        True,
    )
    assert (hosts["有指导员"]["organisation_covered"], hosts["有指导员"]["work_covered"]) == (
        False,
        True,
    )


def test_a_chain_project_by_api(client, key):
    response = client.post(
        f"{BASE}/hosts",
        {
            "kind": "chain_project",
            "name": "虾稻共作产业链",
            "village_codes": ["420222100001", "420222100003"],
        },
        content_type=JSON,
        headers=key,
    )
    assert response.status_code == 201, response.content
    assert response.json()["region_code"] == "420222100"
    patched = client.patch(
        f"{BASE}/hosts/{response.json()['id']}", {"size": 120}, content_type=JSON, headers=key
    )
    assert patched.json()["size"] == 120
    assert patched.json()["village_codes"] == ["420222100001", "420222100003"]


def test_coverage_of_the_scope(client, key):
    PartyOrganisationFactory(host_entity=HostEntityFactory())
    HostEntityFactory()

    body = client.get(f"{BASE}/coverage", headers=key).json()

    assert body["region"] == "420222100"
    assert (body["total"]["entities"], body["total"]["organisation_covered"]) == (2, 1)
    assert body["total"]["organisation_rate"] == 50.0
    assert {row["code"][:9] for row in body["regions"]} == {"420222100"}


def test_members_are_masked_for_a_township_officer_and_not_for_the_department(
    client, key, county_key
):
    member = PartyMemberFactory()
    number = member.person.id_number

    masked = client.get(f"{BASE}/members/{member.pk}", headers=key).json()
    full = client.get(f"{BASE}/members/{member.pk}", headers=county_key).json()

    assert masked["id_number"] == idnumbers.mask(number)
    assert full["id_number"] == number


def test_creating_and_transferring_a_member(client, key):
    first, second = PartyOrganisationFactory(name="一"), PartyOrganisationFactory(name="二")

    created = client.post(
        f"{BASE}/members",
        {
            "id_number": id_number(2, D(1980, 1, 1)),
            "name": "王明",
            "branch_id": first.pk,
            "joined_on": "2001-07-01",
        },
        content_type=JSON,
        headers=key,
    )
    assert created.status_code == 201, created.content
    transfer = client.post(
        f"{BASE}/members/{created.json()['id']}/transfer",
        {"to_branch_id": second.pk, "transferred_on": "2020-05-01", "reason": "调动"},
        content_type=JSON,
        headers=key,
    )
    assert transfer.status_code == 201
    assert MemberTransfer.objects.get().to_branch == second
    again = client.post(
        f"{BASE}/members/{created.json()['id']}/transfer",
        {"to_branch_id": second.pk, "transferred_on": "2021-05-01", "reason": "调动"},
        content_type=JSON,
        headers=key,
    )
    assert (again.status_code, again.json()["code"]) == (422, "same_branch")


def test_committee_posts_and_composition(client, key):
    CommitteePostFactory(kind="secretary_and_chair")

    created = client.post(
        f"{BASE}/committees/{VILLAGE}/posts",
        {
            "kind": "deputy_secretary",
            "id_number": id_number(3, D(1990, 1, 1), male=False),
            "name": "柯秀英",
            "started_on": "2021-04-01",
            "education": "college",
        },
        content_type=JSON,
        headers=key,
    )
    posts = client.get(f"{BASE}/committees/{VILLAGE}/posts", headers=key).json()
    composition = client.get(f"{BASE}/committees/composition", headers=key).json()

    assert created.status_code == 201, created.content
    assert {p["kind"] for p in posts} == {"secretary_and_chair", "deputy_secretary"}
    total = composition[0]
    assert (total["code"], total["holders"], total["women"], total["college"]) == (
        "420222100",
        2,
        1,
        1,
    )
    assert total["one_shoulder_villages"] == 1


def test_a_parent_outside_the_scope_is_not_named_back(client, key):
    elsewhere = PartyOrganisationFactory(
        kind="committee", name="中共大冶市委员会", region_code="420281"
    )
    response = client.post(
        f"{BASE}/organisations",
        {"kind": "branch", "name": "支部", "region_code": VILLAGE, "parent_id": elsewhere.pk},
        content_type=JSON,
        headers=key,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "parent_id"
    assert "大冶" not in json.dumps(response.json(), ensure_ascii=False)
