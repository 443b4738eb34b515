"""The API of 党员联户 (a member's links with registry households) and of the two
committees' elections: the same services as the pages, scoped like them — the insider
works in 兴国镇, the neighbour (富池镇) and the outsider (大冶市) get 404 and change
nothing."""

import datetime

import pytest
from django.utils import timezone

from baolei.organisation.models import CommitteePost, Election, HouseholdLink
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.organisation.factories import (
    HouseholdLinkFactory,
    PartyMemberFactory,
    PartyOrganisationFactory,
)
from tests.registry.factories import NEIGHBOUR_VILLAGE, VILLAGE, HouseholdFactory, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BASE = "/api/organisation"
JSON = "application/json"
D = datetime.date


@pytest.fixture
def key(insider):
    return bearer(ApiTokenFactory(user=insider).key)


@pytest.fixture
def neighbour_key(neighbour):
    return bearer(ApiTokenFactory(user=neighbour).key)


@pytest.fixture
def outsider_key(outsider):
    return bearer(ApiTokenFactory(user=outsider).key)


def _post(client, path, body, headers):
    return client.post(path, body, content_type=JSON, headers=headers)


# --- 党员联户 ----------------------------------------------------------------------------


def test_link_a_member_with_a_household_list_and_end_it(client, key):
    member = PartyMemberFactory()  # joined 2005-07-01, in 山川台 of 兴国镇
    household = HouseholdFactory(number="420222100001009001")

    created = _post(
        client,
        f"{BASE}/members/{member.pk}/links",
        {"household_id": household.pk, "started_on": "2024-03-01"},
        key,
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body == {
        "id": body["id"],
        "member_id": member.pk,
        "household_id": household.pk,
        "household_number": "420222100001009001",
        "village_code": VILLAGE,
        "started_on": "2024-03-01",
        "ended_on": None,
    }
    listed = client.get(f"{BASE}/members/{member.pk}/links", headers=key).json()
    assert [row["id"] for row in listed] == [body["id"]]

    ended = _post(client, f"{BASE}/links/{body['id']}/end", {"ended_on": "2024-09-30"}, key)

    assert ended.status_code == 200, ended.content
    assert ended.json()["ended_on"] == "2024-09-30"
    assert HouseholdLink.objects.get().ended_on == D(2024, 9, 30)
    # Ended, the link stays in the member's history; a new one may start.
    again = _post(client, f"{BASE}/members/{member.pk}/links", {"household_id": household.pk}, key)
    assert again.status_code == 201
    assert again.json()["started_on"] == timezone.localdate().isoformat()
    assert HouseholdLink.objects.count() == 2


def test_ending_without_a_date_ends_today_and_twice_is_refused(client, key):
    link = HouseholdLinkFactory()
    first = _post(client, f"{BASE}/links/{link.pk}/end", {}, key)
    assert first.json()["ended_on"] == timezone.localdate().isoformat()
    second = _post(client, f"{BASE}/links/{link.pk}/end", {}, key)
    assert second.status_code == 422
    assert second.json()["code"] == "already_ended"


def test_the_services_refusals_name_the_request_fields(client, key):
    member = PartyMemberFactory()
    household = HouseholdFactory()
    path = f"{BASE}/members/{member.pk}/links"
    early = _post(client, path, {"household_id": household.pk, "started_on": "2001-01-01"}, key)
    assert early.status_code == 422
    assert (early.json()["code"], early.json()["field"]) == ("before_joining", "started_on")
    assert _post(client, path, {"household_id": household.pk}, key).status_code == 201
    twice = _post(client, path, {"household_id": household.pk}, key)
    assert (twice.status_code, twice.json()["code"]) == (422, "already_linked")
    assert twice.json()["field"] == "household_id"
    assert HouseholdLink.objects.count() == 1


def test_a_household_outside_the_scope_is_not_found_and_nothing_is_linked(client, key):
    member = PartyMemberFactory()
    elsewhere = HouseholdFactory(number="420222101001000009", village_id=NEIGHBOUR_VILLAGE)
    response = _post(
        client, f"{BASE}/members/{member.pk}/links", {"household_id": elsewhere.pk}, key
    )
    assert response.status_code == 404
    assert not HouseholdLink.objects.exists()


def test_a_member_outside_the_scope_is_not_found_and_nothing_is_linked(client, key):
    """The member's branch is in 富池镇: a household of 兴国镇 is not enough."""
    branch = PartyOrganisationFactory(region_code=NEIGHBOUR_VILLAGE)
    member = PartyMemberFactory(branch=branch)
    household = HouseholdFactory()
    path = f"{BASE}/members/{member.pk}/links"
    assert _post(client, path, {"household_id": household.pk}, key).status_code == 404
    assert client.get(path, headers=key).status_code == 404
    assert not HouseholdLink.objects.exists()


def test_a_link_whose_member_is_outside_the_scope_cannot_be_ended(client, key, client_insider):
    """Seen from its household, the link of a 富池镇 member is still not the insider's to
    end: neither through the API nor through the page."""
    member = PartyMemberFactory(branch=PartyOrganisationFactory(region_code=NEIGHBOUR_VILLAGE))
    link = HouseholdLinkFactory(member=member)
    assert _post(client, f"{BASE}/links/{link.pk}/end", {}, key).status_code == 404
    assert client_insider.post(f"/organisation/links/{link.pk}/end/").status_code == 404
    assert HouseholdLink.objects.get().ended_on is None


@pytest.mark.parametrize("who", ["neighbour_key", "outsider_key"])
def test_others_reach_no_link_of_the_insider(client, who, request):
    headers = request.getfixturevalue(who)
    link = HouseholdLinkFactory()
    member, household = link.member, HouseholdFactory()
    responses = [
        client.get(f"{BASE}/members/{member.pk}/links", headers=headers),
        _post(client, f"{BASE}/members/{member.pk}/links", {"household_id": household.pk}, headers),
        _post(client, f"{BASE}/links/{link.pk}/end", {"ended_on": "2024-01-02"}, headers),
    ]
    assert [response.status_code for response in responses] == [404, 404, 404]
    assert list(HouseholdLink.objects.values_list("pk", "ended_on")) == [(link.pk, None)]


def test_a_leader_reads_the_links_but_may_not_change_them(client):
    leader = UserFactory(role="leader", scope="420222")
    headers = bearer(ApiTokenFactory(user=leader).key)
    link = HouseholdLinkFactory()
    assert client.get(f"{BASE}/members/{link.member_id}/links", headers=headers).status_code == 200
    assert _post(client, f"{BASE}/links/{link.pk}/end", {}, headers).status_code == 403
    assert HouseholdLink.objects.get().ended_on is None


# --- elections of the two committees -----------------------------------------------------


def test_record_an_election_and_list_it_by_village_and_year(client, key):
    Election.objects.create(region_code="420222100002", held_on=D(2021, 3, 20))
    created = _post(
        client,
        f"{BASE}/committees/{VILLAGE}/elections",
        {"held_on": "2024-05-10", "kind": "by_election", "note": "补选村委会主任"},
        key,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body == {
        "id": body["id"],
        "region_code": VILLAGE,
        "held_on": "2024-05-10",
        "kind": "by_election",
        "note": "补选村委会主任",
    }

    def listed(query):
        rows = client.get(f"{BASE}/elections{query}", headers=key).json()
        return [(row["region_code"], row["held_on"]) for row in rows]

    assert listed("") == [(VILLAGE, "2024-05-10"), ("420222100002", "2021-03-20")]
    assert listed(f"?region={VILLAGE}") == [(VILLAGE, "2024-05-10")]
    assert listed("?year=2021") == [("420222100002", "2021-03-20")]
    assert listed(f"?region={VILLAGE}&year=2021") == []


def test_a_future_election_is_refused_with_its_field(client, key):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(
        client, f"{BASE}/committees/{VILLAGE}/elections", {"held_on": tomorrow.isoformat()}, key
    )
    assert response.status_code == 422
    assert response.json()["field"] == "held_on"
    assert not Election.objects.exists()


def test_a_post_names_the_election_that_filled_it(client, key):
    election = Election.objects.create(region_code=VILLAGE, held_on=D(2021, 3, 20))
    other = Election.objects.create(region_code="420222100002", held_on=D(2021, 3, 20))
    path = f"{BASE}/committees/{VILLAGE}/posts"
    post = {
        "kind": "chair",
        "id_number": id_number(7, D(1975, 1, 1)),
        "name": "柯建华",
        "started_on": "2021-03-21",
    }
    wrong = _post(client, path, {**post, "election_id": other.pk}, key)
    assert wrong.status_code == 422
    assert (wrong.json()["code"], wrong.json()["field"]) == ("election_village", "election_id")
    assert not CommitteePost.objects.exists()
    right = _post(client, path, {**post, "election_id": election.pk}, key)
    assert right.status_code == 201, right.content
    assert right.json()["election_id"] == election.pk
    assert CommitteePost.objects.get().election == election


@pytest.mark.parametrize("who", ["neighbour_key", "outsider_key"])
def test_others_reach_no_election_of_the_insider(client, who, request):
    headers = request.getfixturevalue(who)
    Election.objects.create(region_code=VILLAGE, held_on=D(2021, 3, 20), note="兴国镇的选举")
    assert client.get(f"{BASE}/elections", headers=headers).json() == []
    assert client.get(f"{BASE}/elections?region={VILLAGE}", headers=headers).status_code == 404
    response = _post(
        client, f"{BASE}/committees/{VILLAGE}/elections", {"held_on": "2024-05-10"}, headers
    )
    assert response.status_code == 404
    assert Election.objects.count() == 1
