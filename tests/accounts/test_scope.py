"""Scope: a user sees their region and below; everything else does not exist for them."""

import re

import pytest

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.regions.models import Region
from tests.factories import ApiTokenFactory
from tests.helpers import bearer

pytestmark = pytest.mark.django_db

TOWNSHIP_PAGE = "/regions/420222100/"
VILLAGE_PAGE = "/regions/420222100001/"


# --- pages ----------------------------------------------------------------------------


def test_insider_opens_their_township_and_a_village_below(client_insider):
    township = client_insider.get(TOWNSHIP_PAGE)
    assert township.status_code == 200
    assert "兴国镇" in township.content.decode()
    village = client_insider.get(VILLAGE_PAGE)
    assert village.status_code == 200
    assert "山川台社区居委会" in village.content.decode()


@pytest.mark.parametrize("person", ["client_neighbour", "client_outsider"])
@pytest.mark.parametrize("path", [TOWNSHIP_PAGE, VILLAGE_PAGE])
def test_others_get_not_found_for_the_township(request, person, path):
    client = request.getfixturevalue(person)
    assert client.get(path).status_code == 404


def _page_apart_from_its_request(response, path: str) -> str:
    """The page less what any page echoes of its own request: its path (the language
    switch returns to it) and the per-request CSRF token."""
    text = response.content.decode().replace(path, "PATH")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", text)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "CSRF", text)


def test_out_of_scope_is_indistinguishable_from_nonexistent(client_neighbour):
    missing_path = "/regions/420222199/"
    missing = client_neighbour.get(missing_path)
    hidden = client_neighbour.get(TOWNSHIP_PAGE)
    assert missing.status_code == hidden.status_code == 404
    assert _page_apart_from_its_request(missing, missing_path) == _page_apart_from_its_request(
        hidden, TOWNSHIP_PAGE
    )


def test_insider_cannot_open_the_county_above_them(client_insider):
    assert client_insider.get("/regions/420222/").status_code == 404


def test_county_admin_opens_every_township_but_not_the_next_county(client_county_admin):
    assert client_county_admin.get(TOWNSHIP_PAGE).status_code == 200
    assert client_county_admin.get("/regions/420222101/").status_code == 200
    assert client_county_admin.get("/regions/420281/").status_code == 404


def test_system_administrator_sees_everything(client_sysadmin):
    assert client_sysadmin.get(VILLAGE_PAGE).status_code == 200
    assert client_sysadmin.get("/regions/420281/").status_code == 200


def test_a_deactivated_user_is_logged_out(client_insider, insider):
    insider.is_active = False
    insider.save()
    response = client_insider.get(TOWNSHIP_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- the API with a bearer token ------------------------------------------------------


@pytest.fixture
def insider_key(insider):
    return ApiTokenFactory(user=insider).key


@pytest.fixture
def neighbour_key(neighbour):
    return ApiTokenFactory(user=neighbour).key


@pytest.fixture
def outsider_key(outsider):
    return ApiTokenFactory(user=outsider).key


def test_api_returns_a_region_in_scope(client, insider_key):
    response = client.get("/api/regions/420222100", headers=bearer(insider_key))
    assert response.status_code == 200
    assert response.json() == {
        "code": "420222100",
        "name": "兴国镇",
        "level": 4,
        "parent_code": "420222",
        "full_name": "湖北省黄石市阳新县兴国镇",
    }


def test_api_children_with_counts(client, insider_key):
    response = client.get("/api/regions/420222100/children", headers=bearer(insider_key))
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 28
    assert rows[0]["region"]["code"] == "420222100001"


@pytest.mark.parametrize("key_fixture", ["neighbour_key", "outsider_key"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/regions/420222100",
        "/api/regions/420222100/children",
        "/api/regions/420222100001",
        "/api/regions/420222100001/children",
    ],
)
def test_api_out_of_scope_is_not_found(request, client, key_fixture, path):
    key = request.getfixturevalue(key_fixture)
    response = client.get(path, headers=bearer(key))
    assert response.status_code == 404


def test_api_out_of_scope_answers_like_a_missing_code(client, neighbour_key):
    hidden = client.get("/api/regions/420222100", headers=bearer(neighbour_key))
    missing = client.get("/api/regions/420222199", headers=bearer(neighbour_key))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize(
    "q", ["4", "42", "4202", "420222", "4202221", "镇", "村", "阳新", "兴国", "大冶"]
)
def test_api_search_never_returns_out_of_scope_codes(client, insider_key, q):
    response = client.get(
        "/api/regions/search", {"q": q, "limit": 100}, headers=bearer(insider_key)
    )
    assert response.status_code == 200
    found = [row["code"] for row in response.json()]
    assert all(code.startswith("420222100") for code in found), found


def test_api_search_finds_what_is_in_scope(client, insider_key, outsider_key):
    mine = client.get("/api/regions/search", {"q": "兴国"}, headers=bearer(insider_key)).json()
    assert mine[0]["code"] == "420222100"
    theirs = client.get("/api/regions/search", {"q": "兴国"}, headers=bearer(outsider_key)).json()
    assert theirs == []


def test_api_without_credentials_is_unauthorised(client):
    assert client.get("/api/regions/420222100").status_code == 401
    assert (
        client.get("/api/regions/420222100", headers=bearer("bl_not-a-real-key")).status_code == 401
    )


def test_api_accepts_the_browser_session(client_insider):
    assert client_insider.get("/api/regions/420222100").status_code == 200
    assert client_insider.get("/api/regions/420222101").status_code == 404


def test_api_me_reports_role_and_scope(client, insider, insider_key):
    response = client.get("/api/me/", headers=bearer(insider_key))
    assert response.json() == {
        "username": "insider",
        "full_name": insider.full_name,
        "role": "township_officer",
        "scope_region": "420222100",
    }


# --- the mechanism --------------------------------------------------------------------


def test_scoped_refuses_a_model_without_a_scope_field():
    from django.contrib.auth.models import Group
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        scoped(Group.objects.all(), Scope(role=Role.SYSTEM_ADMIN, region_code=None))


def test_an_empty_scope_gets_nothing():
    empty = Scope(role="", region_code=None, empty=True)
    assert not scoped(Region.objects.all(), empty).exists()
    assert not empty.contains("420222")


def test_get_in_scope_answers_not_found_for_hidden_and_malformed_lookups(insider):
    from django.http import Http404

    from baolei.accounts.models import User

    with pytest.raises(Http404):
        get_in_scope(Region.objects.all(), insider, code="420222101")
    with pytest.raises(Http404):
        get_in_scope(User.objects.all(), insider, pk="not-a-number")
    assert get_in_scope(Region.objects.all(), insider, code="420222100").name == "兴国镇"
