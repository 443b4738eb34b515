"""Who visited: the visit form starts at the signed-in user's own helper record, a visit
records the helper when the recording user is one, and the household page names the
visitor (the helper, or else whoever recorded the visit)."""

import re

import pytest
from django.test import Client

from baolei.accounts.permissions import Role
from baolei.registry.models import Visit
from tests.factories import UserFactory
from tests.registry.factories import VILLAGE, HelperFactory, PairingFactory

pytestmark = pytest.mark.django_db


def _secretary(**fields) -> Client:
    client = Client()
    client.force_login(UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE, **fields))
    return client


def _visit_page(household) -> str:
    return f"/registry/households/{household.pk}/visits/new/"


def test_the_visitor_defaults_to_the_users_own_helper_record():
    # The account has a phone; the register's helper record has none: still the same person.
    pairing = PairingFactory(helper=HelperFactory(person__name="李美", person__phone=""))
    HelperFactory(person__name="李美", person__phone="13900000009")  # another 李美, elsewhere
    client = _secretary(full_name="李美", phone="13800000001")
    page = client.get(_visit_page(pairing.household)).content.decode()
    selected = re.search(r'<option value="(\d+)" selected>', page)
    assert selected and int(selected.group(1)) == pairing.helper_id


def test_a_visit_by_the_households_helper_records_the_helper():
    pairing = PairingFactory(helper=HelperFactory(person__name="李美", person__phone=""))
    client = _secretary(full_name="李美", phone="13800000001")
    response = client.post(
        _visit_page(pairing.household),
        {"visited_on": "2024-05-06", "findings": "家中一切正常", "helper": ""},
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.helper_id == pairing.helper_id and visit.recorded_by.full_name == "李美"
    detail = client.get(f"/registry/households/{pairing.household_id}/").content.decode()
    assert "2024-05-06 · 李美" in detail


def test_a_visit_by_someone_who_is_no_helper_shows_who_recorded_it():
    pairing = PairingFactory()
    client = _secretary(full_name="山川台第一书记")
    client.post(
        _visit_page(pairing.household), {"visited_on": "2024-05-06", "findings": "看望老人"}
    )
    visit = Visit.objects.get()
    assert visit.helper is None and visit.recorded_by.full_name == "山川台第一书记"
    detail = client.get(f"/registry/households/{pairing.household_id}/").content.decode()
    assert "2024-05-06 · 山川台第一书记" in detail
