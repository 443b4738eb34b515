"""Personal API tokens: shown once, usable at once, dead once revoked."""

import re

import pytest

from baolei.accounts.models import ApiToken
from baolei.accounts.permissions import Role
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"


def _create(client, name="county data exchange"):
    response = client.post(PAGE, {"name": name})
    assert response.status_code == 200
    match = re.search(
        r'data-testid="new-token">.*?<p class="[^"]*">(bl_[^<]+)</p>',
        response.content.decode(),
        re.S,
    )
    assert match, "the new key is not on the page"
    return match.group(1), response


def test_creating_a_token_shows_the_key_once(client_insider, insider):
    key, response = _create(client_insider)
    assert response.context["new_key"] == key
    token = ApiToken.objects.get(user=insider)
    assert token.name == "county data exchange"
    assert key.startswith("bl_") and key[3:11] == token.prefix
    # Only a hash is kept, so the key cannot be shown again.
    assert token.key_hash != key and key not in token.key_hash
    again = client_insider.get(PAGE).content.decode()
    assert key not in again
    assert f"{token.prefix}…" in again


def test_the_key_works_with_the_api(client_insider, client):
    key, _response = _create(client_insider)
    response = client.get("/api/me/", headers=bearer(key))
    assert response.status_code == 200
    assert response.json()["username"] == "insider"
    assert client.get("/api/regions/420222100", headers=bearer(key)).status_code == 200


def test_using_a_token_is_remembered(client_insider, client, insider):
    key, _response = _create(client_insider)
    client.get("/api/me/", headers=bearer(key))
    assert ApiToken.objects.get(user=insider).last_used_at is not None


def test_a_revoked_token_is_refused(client_insider, client, insider):
    key, _response = _create(client_insider)
    token = ApiToken.objects.get(user=insider)
    response = client_insider.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/me/", headers=bearer(key)).status_code == 401
    assert "Revoke</button>" not in client_insider.get(PAGE).content.decode()


def test_nobody_can_revoke_another_users_token(
    client_neighbour, client_county_admin, insider, client
):
    token = ApiTokenFactory(user=insider)
    for other in (client_neighbour, client_county_admin):
        assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get("/api/me/", headers=bearer(token.key)).status_code == 200


def test_revoking_needs_a_post(client_insider, insider):
    token = ApiTokenFactory(user=insider)
    assert client_insider.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.is_active


def test_the_token_list_shows_only_ones_own_tokens(client_insider, insider, neighbour):
    ApiTokenFactory(user=insider, name="mine")
    ApiTokenFactory(user=neighbour, name="theirs")
    page = client_insider.get(PAGE).content.decode()
    assert "<td>mine</td>" in page
    assert "theirs" not in page


def test_roles_without_the_api_cannot_have_tokens(client):
    branch = UserFactory(role=Role.VILLAGE_BRANCH, scope="420222100001")
    client.force_login(branch)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "x"}).status_code == 403
    assert not ApiToken.objects.filter(user=branch).exists()


def test_a_token_stops_working_when_its_role_loses_the_api(client, insider):
    token = ApiTokenFactory(user=insider)
    insider.role = Role.VILLAGE_BRANCH
    insider.save()
    assert client.get("/api/me/", headers=bearer(token.key)).status_code == 401


def test_a_token_stops_working_when_its_user_is_deactivated(client, insider):
    token = ApiTokenFactory(user=insider)
    insider.is_active = False
    insider.save()
    assert client.get("/api/me/", headers=bearer(token.key)).status_code == 401
