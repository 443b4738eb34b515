"""Which responsible helpers (帮扶责任人) a user sees: the one accessor
(`services_pairing.helpers_for`) behind the helper list, the pairing form and the API.

A helper's region is where they work (their unit's: the county for a county bureau's
cadre, the township for the township government's). A first secretary of one village
used to page through every cadre of the county; now a user sees the helpers working in
their scope and those paired with a household of it, and only who pairs households
(EDIT_REGISTRY) also sees the helpers of the regions above, the pool they pair from.

The people: an insider helper (a county cadre paired with a household of the village),
a neighbour (a county cadre paired with a household of the next village of the same
township), an outsider (a cadre of 大冶市), a helper working in the village itself, and a
former helper of the village whose pairing has ended."""

import datetime

import pytest
from django.test import Client

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.regions.models import Region
from baolei.registry.models import Visit
from baolei.registry.services import pairing as services_pairing
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.registry.factories import (
    VILLAGE,
    HelperFactory,
    HouseholdFactory,
    PairingFactory,
    PersonFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOWNSHIP = "420222100"  # 兴国镇
NEXT_VILLAGE = "420222100002"  # another village of 兴国镇
COUNTY = "420222"  # 阳新县


def _helper(name: str, region_code: str, unit: str):
    return HelperFactory(
        person=PersonFactory(name=name, region_code=region_code), region_code=region_code, unit=unit
    )


@pytest.fixture
def helpers():
    home = HouseholdFactory(number="420222100001000001")
    next_door = HouseholdFactory(
        number="420222100002000001", village=Region.objects.get(code=NEXT_VILLAGE)
    )
    insider = _helper("县干部甲", COUNTY, "阳新县农业农村局")
    neighbour = _helper("县干部乙", COUNTY, "阳新县水利局")
    outsider = _helper("大冶干部", "420281", "大冶市农业农村局")
    own = _helper("村干部丙", VILLAGE, "山川台社区居委会")
    former = _helper("县干部丁", COUNTY, "阳新县教育局")
    PairingFactory(helper=insider, household=home, started_on=datetime.date(2023, 1, 1))
    PairingFactory(helper=neighbour, household=next_door)
    PairingFactory(
        helper=former,
        household=home,
        started_on=datetime.date(2021, 1, 1),
        ended_on=datetime.date(2022, 12, 31),
    )
    return {
        "home": home,
        "insider": insider,
        "neighbour": neighbour,
        "outsider": outsider,
        "own": own,
        "former": former,
    }


def _seen(role: str, region_code: str | None) -> set[str]:
    helpers = services_pairing.helpers_for(Scope(role=role, region_code=region_code))
    return set(helpers.values_list("person__name", flat=True))


@pytest.mark.parametrize("role", [Role.FIRST_SECRETARY, Role.VILLAGE_BRANCH, Role.LEADER])
def test_a_village_user_sees_the_helpers_of_their_villages_households(helpers, role):
    assert _seen(role, VILLAGE) == {"县干部甲", "村干部丙", "县干部丁"}


def test_who_pairs_households_also_sees_the_helpers_above(helpers):
    # The township officer pairs county cadres with the township's households.
    assert _seen(Role.TOWNSHIP_OFFICER, TOWNSHIP) == {
        "县干部甲",
        "县干部乙",
        "村干部丙",
        "县干部丁",
    }
    # A read-only leader of the township sees those of its households and region only.
    assert _seen(Role.LEADER, TOWNSHIP) == {"县干部甲", "县干部乙", "村干部丙", "县干部丁"}
    assert _seen(Role.LEADER, "420222101") == set()  # 富池镇: none of its own


def test_the_county_sees_its_own_and_nobody_of_the_next_county(helpers):
    assert _seen(Role.REVITALISATION_BUREAU, COUNTY) == {
        "县干部甲",
        "县干部乙",
        "村干部丙",
        "县干部丁",
    }
    assert _seen(Role.REVITALISATION_BUREAU, "420281") == {"大冶干部"}
    assert _seen(Role.SYSTEM_ADMIN, None) >= {"大冶干部", "县干部甲"}
    nobody = Scope(role="", region_code=None, empty=True)  # no scope region, not national
    assert not services_pairing.helpers_for(nobody).exists()


def test_the_helper_list_of_a_first_secretary(client, helpers):
    client.force_login(UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE))
    page = client.get("/registry/helpers/").content.decode()
    for name in ("县干部甲", "村干部丙", "县干部丁"):
        assert name in page
    for name in ("县干部乙", "大冶干部"):
        assert name not in page
    # Searching by unit does not reach the county's other cadres either.
    assert "县干部乙" not in client.get("/registry/helpers/", {"q": "水利"}).content.decode()


def test_the_helper_list_of_a_township_officer_still_offers_the_county_pool(client, helpers):
    client.force_login(UserFactory(role=Role.TOWNSHIP_OFFICER, scope=TOWNSHIP))
    unpaired = _helper("县干部戊", COUNTY, "阳新县民政局")
    page = client.get("/registry/helpers/").content.decode()
    assert "县干部戊" in page and "大冶干部" not in page
    search = f"/registry/households/{helpers['home'].pk}/pairing/helpers/"
    found = client.get(search, {"helper_search": "干部"}).content.decode()
    assert f'value="{unpaired.pk}"' in found
    assert f'value="{helpers["outsider"].pk}"' not in found


def test_a_first_secretary_names_only_a_helper_they_see_in_the_api(client, helpers):
    key = bearer(ApiTokenFactory(user=UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE)).key)
    path = f"/api/registry/households/{helpers['home'].pk}/visits"
    unseen = client.post(
        path,
        {"findings": "生活正常", "helper_id": helpers["neighbour"].pk},
        content_type="application/json",
        headers=key,
    )
    assert unseen.status_code == 422 and unseen.json()["code"] == "unknown_helper"
    seen = client.post(
        path,
        {"findings": "生活正常", "helper_id": helpers["insider"].pk},
        content_type="application/json",
        headers=key,
    )
    assert seen.status_code == 201, seen.content
    assert list(Visit.objects.values_list("helper_id", flat=True)) == [helpers["insider"].pk]


def test_the_overdue_visits_page_of_a_village_lists_its_helpers_only(helpers):
    client = Client()
    client.force_login(UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE))
    page = client.get("/registry/visits/overdue/", {"days": 1}).content.decode()
    assert "县干部甲" in page and "县干部乙" not in page
