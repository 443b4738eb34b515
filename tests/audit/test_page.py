"""The audit page: each viewer sees the trail of their own scope, and cannot change it."""

import pytest
from django.test import Client

from baolei.accounts.permissions import Role
from baolei.audit.models import Action, AuditEvent
from tests.factories import AuditEventFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/audit/"


@pytest.fixture
def events():
    """One event in each township of 阳新县, one in the county itself, one in 大冶市 and
    one national (no region)."""
    return {
        code: AuditEventFactory(region_code=code, object_repr=f"marker-{code or 'national'}")
        for code in ["420222100", "420222101", "420222", "420281001", ""]
    }


def _markers(client, **params) -> set[str]:
    response = client.get(PAGE, params)
    assert response.status_code == 200
    page = response.content.decode()
    return {
        m
        for m in ["420222100", "420222101", "420222", "420281001", "national"]
        if f"marker-{m} " in page
    }


def test_county_admin_sees_the_whole_county(client_county_admin, events):
    assert _markers(client_county_admin) == {"420222100", "420222101", "420222"}


def test_township_officers_see_their_own_township_only(client_insider, client_neighbour, events):
    assert _markers(client_insider) == {"420222100"}
    assert _markers(client_neighbour) == {"420222101"}


def test_the_next_county_sees_none_of_it(client_outsider, events):
    assert _markers(client_outsider) == {"420281001"}


def test_system_administrator_sees_everything(client_sysadmin, events):
    assert _markers(client_sysadmin) == {
        "420222100",
        "420222101",
        "420222",
        "420281001",
        "national",
    }


def test_changes_to_users_show_up_for_the_users_region(
    client_county_admin, client_insider, client_neighbour
):
    client_county_admin.post(
        "/accounts/users/new/",
        {
            "username": "fuchi_secretary",
            "full_name": "富池书记",
            "role": Role.FIRST_SECRETARY.value,
            "scope_region": "420222101001",
            "password1": "Lantern-hill-2024-x",
            "password2": "Lantern-hill-2024-x",
        },
    )
    assert "fuchi_secretary" in client_county_admin.get(PAGE).content.decode()
    assert "fuchi_secretary" in client_neighbour.get(PAGE).content.decode()
    assert "fuchi_secretary" not in client_insider.get(PAGE).content.decode()


def test_filter_by_region_stays_within_the_scope(client_county_admin, client_insider, events):
    assert _markers(client_county_admin, region="420222101") == {"420222101"}
    assert _markers(client_insider, region="420222") == {"420222100"}
    assert _markers(client_insider, region="420281") == set()


def test_filter_by_action(client_county_admin, events):
    AuditEventFactory(
        region_code="420222100", action=Action.LOGIN_LOCKED, object_repr="marker-locked "
    )
    page = client_county_admin.get(PAGE, {"action": Action.LOGIN_LOCKED}).content.decode()
    assert "marker-locked" in page
    assert "marker-420222100 " not in page


@pytest.mark.parametrize("role", [Role.FIRST_SECRETARY, Role.VILLAGE_BRANCH])
def test_roles_without_the_audit_permission_are_forbidden(role):
    client = Client()
    client.force_login(UserFactory(role=role, scope="420222100001"))
    assert client.get(PAGE).status_code == 403


def test_posting_to_the_audit_page_changes_nothing(client_sysadmin, events):
    before = list(AuditEvent.objects.order_by("id").values())
    response = client_sysadmin.post(PAGE, {"id": events["420222"].pk, "actor_name": "forger"})
    assert response.status_code in (200, 405)
    assert list(AuditEvent.objects.order_by("id").values()) == before


def test_there_is_no_page_to_edit_or_delete_an_event(client_sysadmin, events):
    pk = events["420222"].pk
    for path in [f"/audit/{pk}/", f"/audit/{pk}/edit/", f"/audit/{pk}/delete/"]:
        assert client_sysadmin.post(path).status_code == 404


def test_the_admin_site_can_look_but_not_change(client_sysadmin, events):
    event = events["420222"]
    base = "/admin/audit/auditevent/"
    assert client_sysadmin.get(base).status_code == 200
    view = client_sysadmin.get(f"{base}{event.pk}/change/")
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert (
        client_sysadmin.post(f"{base}{event.pk}/change/", {"actor_name": "forger"}).status_code
        == 403
    )
    assert client_sysadmin.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client_sysadmin.get(f"{base}add/").status_code == 403
    bulk = client_sysadmin.post(
        base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=event.pk).actor_name == event.actor_name
