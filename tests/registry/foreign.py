"""The neighbour township's people, tried by the insider through every door that
attaches a person by ID number (household members, helpers, party members, committee
posts, cadres, the leader pool, talent): shared by the tests of each app.

The fixtures are the whole suite's (a plugin of tests/conftest.py)."""

import re

import pytest

from baolei.registry.models import Member, Person
from tests.factories import ApiTokenFactory
from tests.helpers import bearer
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    HelperFactory,
    HouseholdFactory,
    MemberFactory,
)

OUTSIDE = "The person with this ID number is registered outside your area."
# As the household import says it: a member of a household elsewhere, that household
# not named.
IN_FAR_HOUSEHOLD = (
    "This person is already a member of another household (outside your scope) in the "
    "register: one person can be in one household only."
)
FAR_HOUSEHOLD = "420222101001000031"
FAR_MEMBER = "姜波勇"
FAR_HELPER = "柯富池"
WRONG_NAME = "王某某"
JSON = "application/json"


@pytest.fixture
def far_member():
    """A member of a household of 富池镇."""
    household = HouseholdFactory(number=FAR_HOUSEHOLD, village_id=NEIGHBOUR_VILLAGE)
    return MemberFactory(household=household, person__name=FAR_MEMBER).person


@pytest.fixture
def far_helper():
    """A responsible helper working in 富池镇, in no household."""
    return HelperFactory(
        person__name=FAR_HELPER,
        person__region_code="420222101",
        region_code="420222101",
        unit="富池镇人民政府",
    ).person


@pytest.fixture(params=["member", "helper"])
def far(request, far_member, far_helper):
    """One of the neighbour township's people: a household member or a helper."""
    return far_member if request.param == "member" else far_helper


@pytest.fixture(params=["right name", "wrong name"])
def given_name(request, far):
    """The name typed with the neighbour's ID number: theirs, or another."""
    return far.name if request.param == "right name" else WRONG_NAME


def state(person: Person) -> tuple:
    """The person's record as stored, to show that nothing of it changed."""
    return tuple(
        Person.objects.filter(pk=person.pk).values_list(
            "id_number", "name", "region_code", "phone", "ethnicity", "updated_at"
        )[0]
    )


def say_nothing_of(text: str, person: Person | None = None, household: bool = False) -> None:
    """The refusal, without a word of the neighbour's people (but for what the user typed
    in, which a page shows back in its form). Adding to a household (`household`), a
    member of a household elsewhere is refused in the household import's words."""
    text = re.sub(r'value="[^"]*"', "", text)
    in_household = household and Member.objects.filter(person=person).exists()
    assert (IN_FAR_HOUSEHOLD if in_household else OUTSIDE) in text
    for secret in (FAR_MEMBER, FAR_HELPER, FAR_HOUSEHOLD):
        assert secret not in text


def key(user) -> dict:
    return bearer(ApiTokenFactory(user=user).key)
