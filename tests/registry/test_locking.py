"""Optimistic locking: two edits made from the same version of a household — the second
save is refused with a clear message, through the service, the page and the API, and
nothing of the first is overwritten."""

import pytest

from baolei.audit.models import AuditEvent
from baolei.registry.models import Household
from baolei.registry.services import households as services_households
from baolei.registry.services import people as services
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.registry.factories import HouseholdFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def household():
    return HouseholdFactory(address="旧地址", housing_area=None)


@pytest.fixture
def colleague(insider):
    """A second township officer of the same township."""
    return UserFactory(username="colleague", full_name="同事", role=insider.role, scope="420222100")


def test_the_second_edit_from_the_same_version_is_refused(insider, colleague, household):
    services_households.do_update_household(insider, household, 1, address="第一人的地址")
    with pytest.raises(services.StaleEdit) as caught:
        services_households.do_update_household(colleague, household, 1, address="第二人的地址")
    message = str(caught.value.message)
    assert "Someone else" in message and "reload" in message
    assert caught.value.current_version == 2
    household.refresh_from_db()
    assert household.address == "第一人的地址"
    assert household.version == 2


def test_the_refusal_names_who_saved_first(insider, colleague, household):
    from baolei.audit.context import acting_as, actor_for_user

    with acting_as(actor_for_user(insider, "web")):
        services_households.do_update_household(insider, household, 1, address="A")
    with pytest.raises(services.StaleEdit) as caught:
        services_households.do_update_household(colleague, household, 1, address="B")
    assert "insider" in str(caught.value.message)


def test_a_save_that_lands_between_the_check_and_the_write_is_caught(
    insider, household, monkeypatch
):
    """The version check on load can pass while another save is on its way; the claim
    `UPDATE … WHERE version = expected` is what decides, so this edit is refused.
    (The other save is simulated inside this transaction, so the refusal's rollback
    takes it away too: what matters is that this edit was not written.)"""
    original = services_households._check_household

    def someone_saves_meanwhile(instance):
        original(instance)
        Household.objects.filter(pk=instance.pk).update(version=2, address="别人的地址")

    monkeypatch.setattr(services_households, "_check_household", someone_saves_meanwhile)
    with pytest.raises(services.StaleEdit):
        services_households.do_update_household(insider, household, 1, address="我的地址")
    household.refresh_from_db()
    assert household.address != "我的地址"


def test_each_save_is_audited_once_with_the_version(insider, household):
    services_households.do_update_household(insider, household, 1, address="新")
    event = AuditEvent.objects.filter(model="registry.household", object_pk=str(household.pk))
    event = event.get(action="update")
    assert event.changes["address"] == ["旧地址", "新"]
    assert event.changes["version"] == [1, 2]


def test_a_save_without_changes_keeps_the_version(insider, household):
    services_households.do_update_household(insider, household, 1, address="旧地址")
    household.refresh_from_db()
    assert household.version == 1


def test_a_stale_save_through_the_page_changes_nothing(client_insider, colleague, household):
    from django.test import Client

    other = Client()
    other.force_login(colleague)
    mine = client_insider.get(f"/registry/households/{household.pk}/edit/")
    theirs = other.get(f"/registry/households/{household.pk}/edit/")
    for form in (mine, theirs):
        assert 'name="version" value="1"' in form.content.decode()
    data = {
        "version": 1,
        "number": household.number,
        "village": household.village_id,
        "attribute": household.attribute,
        "identification_year": household.identification_year,
        "identification_standard": household.identification_standard,
        "main_cause": household.main_cause,
        "housing_safety": household.housing_safety,
    }
    first = other.post(
        f"/registry/households/{household.pk}/edit/", {**data, "address": "同事的地址"}
    )
    assert first.status_code == 302
    second = client_insider.post(
        f"/registry/households/{household.pk}/edit/", {**data, "address": "我的地址"}
    )
    page = second.content.decode()
    assert second.status_code == 409
    assert "Someone else (colleague) saved this household at" in page
    assert "reload the household and redo your change" in page
    assert f'href="/registry/households/{household.pk}/edit/"' in page  # the reload button
    household.refresh_from_db()
    assert household.address == "同事的地址" and household.version == 2
    # Reloading gives the new version, and the change then goes through.
    reloaded = client_insider.get(f"/registry/households/{household.pk}/edit/").content.decode()
    assert 'name="version" value="2"' in reloaded
    third = client_insider.post(
        f"/registry/households/{household.pk}/edit/", {**data, "version": 2, "address": "我的地址"}
    )
    assert third.status_code == 302
    household.refresh_from_db()
    assert household.address == "我的地址" and household.version == 3


def test_a_stale_save_through_the_api_answers_409(client, insider, colleague, household):
    mine, theirs = ApiTokenFactory(user=insider).key, ApiTokenFactory(user=colleague).key
    path = f"/api/registry/households/{household.pk}"
    version = client.get(path, headers=bearer(mine)).json()["version"]
    first = client.patch(
        path,
        {"version": version, "address": "同事的地址"},
        content_type="application/json",
        headers=bearer(theirs),
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(
        path,
        {"version": version, "address": "我的地址"},
        content_type="application/json",
        headers=bearer(mine),
    )
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "stale" and body["current_version"] == 2
    assert "Someone else" in body["detail"]
    household.refresh_from_db()
    assert household.address == "同事的地址"


def test_the_api_requires_the_version(client, insider, household):
    key = ApiTokenFactory(user=insider).key
    response = client.patch(
        f"/api/registry/households/{household.pk}",
        {"address": "无版本"},
        content_type="application/json",
        headers=bearer(key),
    )
    assert response.status_code == 422
    household.refresh_from_db()
    assert household.address == "旧地址"
