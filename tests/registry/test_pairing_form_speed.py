"""The pairing form opened in seconds because it rendered every helper of the county (6,000
options on the demo data). It now offers the helpers already working in the household's
village and finds any other helper in scope by name, loaded by htmx."""

import re

import pytest

from baolei.registry.models import Pairing
from tests.registry.factories import HelperFactory, HouseholdFactory, PairingFactory

pytestmark = pytest.mark.django_db


def _options(page: str) -> list[str]:
    select = page.split('name="helper"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="(\d+)"', select)


def test_the_form_does_not_list_every_helper_of_the_county(client_insider):
    household = HouseholdFactory()
    neighbour = PairingFactory()  # the helper of another household of the same village
    for number in range(80):
        HelperFactory(person__name=f"县干部{number}")
    page = client_insider.get(f"/registry/households/{household.pk}/pairing/new/")
    options = _options(page.content.decode())
    assert str(neighbour.helper_id) in options
    assert len(options) <= 50
    assert 'hx-get="/registry/households/' in page.content.decode()


def test_any_helper_in_scope_is_found_by_name_and_can_be_paired(client_insider):
    household = HouseholdFactory()
    for number in range(80):
        HelperFactory(person__name=f"县干部{number}")
    wanted = HelperFactory(person__name="柯明亮")
    found = client_insider.get(
        f"/registry/households/{household.pk}/pairing/helpers/", {"helper_search": "明亮"}
    ).content.decode()
    assert re.findall(r'<option value="(\d+)"', found) == [str(wanted.pk)]
    assert "柯明亮" in found
    response = client_insider.post(
        f"/registry/households/{household.pk}/pairing/new/",
        {"helper": wanted.pk, "started_on": "2024-01-01"},
    )
    assert response.status_code == 302
    assert Pairing.objects.get(household=household).helper_id == wanted.pk


def test_the_search_answers_only_inside_the_scope(client_neighbour, client_insider):
    household = HouseholdFactory()
    url = f"/registry/households/{household.pk}/pairing/helpers/"
    assert client_neighbour.get(url, {"helper_search": "x"}).status_code == 404
    assert client_insider.get(url, {"helper_search": ""}).status_code == 200
