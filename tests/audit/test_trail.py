"""Who changed what, when, through which channel, with the values before and after."""

import contextvars
import json

import pytest
from django.test import RequestFactory

from baolei.accounts.models import ApiToken, User
from baolei.accounts.permissions import Role
from baolei.api import TokenAuth
from baolei.audit import services as audit
from baolei.audit.models import Action, AuditEvent
from tests.factories import PASSWORD, ApiTokenFactory, UserFactory
from tests.helpers import bearer

pytestmark = pytest.mark.django_db

SECRET = "Lantern-hill-2024-x"


def _events_for(user_or_token, action=None):
    events = AuditEvent.objects.filter(
        model=user_or_token._meta.label_lower, object_pk=str(user_or_token.pk)
    )
    return events.filter(action=action) if action else events


def _serialised(event) -> str:
    return json.dumps([event.changes, event.extra, event.object_repr], ensure_ascii=False)


def _create_via_web(client):
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "fuchi_officer",
            "full_name": "富池镇干部",
            "role": Role.TOWNSHIP_OFFICER.value,
            "scope_region": "420222101",
            "password1": SECRET,
            "password2": SECRET,
        },
    )
    assert response.status_code == 302
    return User.objects.get(username="fuchi_officer")


def test_creating_a_user_on_the_web_is_recorded(client_county_admin, county_admin):
    user = _create_via_web(client_county_admin)

    event = _events_for(user).get()
    assert event.action == Action.CREATE
    assert (event.actor_id, event.actor_name, event.channel) == (
        county_admin.pk,
        "county_admin",
        "web",
    )
    assert event.region_code == "420222101"
    assert event.object_repr == "富池镇干部 (fuchi_officer)"
    assert event.changes["username"] == [None, "fuchi_officer"]
    assert event.changes["role"] == [None, "township_officer"]
    assert event.changes["scope_region_id"] == [None, "420222101"]


def test_passwords_are_masked_in_the_trail(client_county_admin):
    user = _create_via_web(client_county_admin)
    event = _events_for(user, Action.CREATE).get()
    assert event.changes["password"] == [None, audit.MASKED]
    text = _serialised(event)
    assert SECRET not in text
    assert user.password not in text  # not even the hash


def test_updating_a_user_on_the_web_records_before_and_after(
    client_county_admin, county_admin, insider
):
    old_name = insider.full_name
    response = client_county_admin.post(
        f"/accounts/users/{insider.pk}/",
        {
            "full_name": "兴国镇新干部",
            "role": Role.LEADER.value,
            "scope_region": "420222100",
            "is_active": "on",
        },
    )
    assert response.status_code == 302

    event = _events_for(insider, Action.UPDATE).get()
    assert (event.actor_id, event.channel) == (county_admin.pk, "web")
    assert event.region_code == "420222100"
    # Only what changed, each as [before, after].
    assert event.changes == {
        "full_name": [old_name, "兴国镇新干部"],
        "role": ["township_officer", "leader"],
    }


def test_saving_a_user_unchanged_records_nothing(client_county_admin, insider):
    before = AuditEvent.objects.count()
    client_county_admin.post(
        f"/accounts/users/{insider.pk}/",
        {
            "full_name": insider.full_name,
            "role": insider.role,
            "scope_region": insider.scope_region_id,
            "is_active": "on",
        },
    )
    assert AuditEvent.objects.count() == before


def test_saving_a_new_user_again_unchanged_records_nothing():
    user = UserFactory(scope="420222100", phone="", email="")
    user.save()
    assert list(_events_for(user).values_list("action", flat=True)) == [Action.CREATE]


def test_a_password_reset_is_recorded_without_the_password(
    client_county_admin, county_admin, insider
):
    response = client_county_admin.post(f"/accounts/users/{insider.pk}/reset-password/")
    new_password = response.context["password"]

    event = _events_for(insider, Action.UPDATE).filter(changes__has_key="password").get()
    assert (event.actor_id, event.channel) == (county_admin.pk, "web")
    assert event.changes["password"] == [audit.MASKED, audit.MASKED]
    assert new_password not in _serialised(event)


def test_changing_ones_own_password_is_recorded(client_insider, insider):
    client_insider.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": SECRET,
            "new_password2": SECRET,
        },
    )
    event = _events_for(insider, Action.UPDATE).filter(changes__has_key="password").get()
    assert (event.actor_id, event.channel) == (insider.pk, "web")
    assert event.changes["password"] == [audit.MASKED, audit.MASKED]
    assert SECRET not in _serialised(event)


def test_deleting_a_user_on_the_web_is_recorded(client_sysadmin, sysadmin, neighbour):
    pk = neighbour.pk
    response = client_sysadmin.post(f"/admin/accounts/user/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=pk).exists()

    event = AuditEvent.objects.get(model="accounts.user", object_pk=str(pk), action=Action.DELETE)
    assert (event.actor_id, event.actor_name, event.channel) == (sysadmin.pk, "sysadmin", "web")
    assert event.region_code == "420222101"
    assert event.changes["username"] == ["neighbour", None]
    assert event.changes["scope_region_id"] == ["420222101", None]
    assert event.changes["password"] == [audit.MASKED, None]


def test_tokens_are_recorded_without_their_key(client_insider, insider):
    response = client_insider.post("/accounts/tokens/", {"name": "exchange"})
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=insider)

    created = _events_for(token, Action.CREATE).get()
    assert (created.actor_id, created.channel, created.region_code) == (
        insider.pk,
        "web",
        "420222100",
    )
    assert created.changes["name"] == [None, "exchange"]
    assert created.changes["key_hash"] == [None, audit.MASKED]
    assert key not in _serialised(created)
    assert token.key_hash not in _serialised(created)

    client_insider.post(f"/accounts/tokens/{token.pk}/revoke/")
    revoked = _events_for(token, Action.UPDATE).get()
    assert revoked.changes["revoked_at"][0] is None
    assert revoked.changes["revoked_at"][1]


def test_an_api_call_that_changes_nothing_records_nothing(client, insider):
    token = ApiTokenFactory(user=insider)
    before = AuditEvent.objects.count()
    for path in ["/api/me/", "/api/regions/420222100", "/api/regions/420222100/children"]:
        assert client.get(path, headers=bearer(token.key)).status_code == 200
    assert (
        client.get("/api/regions/search", {"q": "兴国"}, headers=bearer(token.key)).status_code
        == 200
    )
    assert AuditEvent.objects.count() == before
    token.refresh_from_db()
    assert token.last_used_at is not None  # noted, but not as an audit event


def test_changes_made_through_the_api_are_attributed_to_the_token_user(insider):
    token = ApiTokenFactory(user=insider)

    def api_call():
        request = RequestFactory().get("/api/me/")
        assert TokenAuth().authenticate(request, token.key) == insider
        return audit.record(Action.EXPORT, model="regions.region", region_code="420222100")

    event = contextvars.copy_context().run(api_call)
    assert (event.actor_id, event.actor_name, event.channel) == (insider.pk, "insider", "api")


def test_changes_outside_requests_are_attributed_to_the_system(monkeypatch):
    monkeypatch.delenv("BAOLEI_AUDIT_CHANNEL", raising=False)
    user = UserFactory(scope="420222100")
    event = _events_for(user, Action.CREATE).get()
    assert event.channel == "system"
    assert event.actor_id is None
    assert event.actor_name.startswith("system:")
