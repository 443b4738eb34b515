"""A person registered in another township is neither taken over nor revealed.

The insider (township officer of 兴国镇) tries, through every door of the register
(pages, API, import), a person of 富池镇 next door: a member of a household there and a
responsible helper working there. Each try is refused saying only that the person is
registered outside the insider's area: neither the person's name nor the household's
number is in the answer, and the person's record is left as it was."""

import pytest
from django.utils import translation

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.imports import pipeline, running
from baolei.imports.models import ImportJob
from baolei.registry import choices
from baolei.registry.models import Helper, Household, Member, Person
from baolei.registry.services import households as services_households
from baolei.registry.sheets.households import SHEET
from tests.factories import UserFactory
from tests.imports.registry_files import csv_bytes, register
from tests.registry.factories import HelperFactory, HouseholdFactory, MemberFactory
from tests.registry.foreign import (
    FAR_HELPER,
    FAR_MEMBER,
    JSON,
    OUTSIDE,
    WRONG_NAME,
    key,
    say_nothing_of,
    state,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def home():
    household = HouseholdFactory(number="420222100001000777")
    head = MemberFactory(household=household, person__name="黄大伯")
    household.head = head.person
    household.save()
    return household


# --- a member added -----------------------------------------------------------------------


def test_the_member_page_refuses_a_person_of_another_township(
    client_insider, home, far, given_name
):
    before = state(far)
    response = client_insider.post(
        f"/registry/households/{home.pk}/members/new/",
        {
            "name": given_name,
            "id_number": far.id_number,
            "relation": "son",
            "labour_capacity": "ordinary",
            "school_status": "not_in_school",
            "employment": "none",
        },
    )
    assert response.status_code == 200
    say_nothing_of(response.content.decode(), far, household=True)
    assert state(far) == before
    assert not Member.objects.filter(household=home, person=far).exists()


def test_the_member_api_refuses_a_person_of_another_township(
    insider, client, home, far, given_name
):
    before = state(far)
    response = client.post(
        f"/api/registry/households/{home.pk}/members",
        {
            "id_number": far.id_number,
            "name": given_name,
            "relation": "son",
            "labour_capacity": "ordinary",
        },
        content_type=JSON,
        headers=key(insider),
    )
    assert response.status_code == 422
    say_nothing_of(response.content.decode(), far, household=True)
    assert response.json()["field"] == "id_number"
    assert state(far) == before
    assert not Member.objects.filter(household=home, person=far).exists()


def test_a_household_cannot_be_made_with_a_head_of_another_township(
    client_insider, insider, client, far, given_name
):
    before = state(far)
    page = client_insider.post(
        "/registry/households/new/",
        {
            "number": "420222100001000901",
            "village": "420222100001",
            "identification_standard": "national",
            "head_name": given_name,
            "head_id_number": far.id_number,
            "head_labour_capacity": "ordinary",
        },
    )
    assert page.status_code == 200
    say_nothing_of(page.content.decode(), far, household=True)
    answer = client.post(
        "/api/registry/households",
        {
            "number": "420222100001000902",
            "village_code": "420222100001",
            "head": {"id_number": far.id_number, "name": given_name},
        },
        content_type=JSON,
        headers=key(insider),
    )
    assert answer.status_code == 422
    say_nothing_of(answer.content.decode(), far, household=True)
    assert not Household.objects.filter(number__in=["420222100001000901", "420222100001000902"])
    assert state(far) == before


# --- a member's ID number corrected to another township's person ------------------------


def test_correcting_a_members_id_number_does_not_name_the_holder(
    client_insider, insider, client, home, far_member
):
    member = home.members.get()
    before = state(member.person)
    page = client_insider.post(
        f"/registry/members/{member.pk}/edit/",
        {
            "name": member.person.name,
            "id_number": far_member.id_number,
            "relation": "head",
            "labour_capacity": "ordinary",
            "school_status": "not_in_school",
            "employment": "none",
        },
    )
    assert page.status_code == 200
    answer = client.patch(
        f"/api/registry/households/{home.pk}/members/{member.pk}",
        {"id_number": far_member.id_number},
        content_type=JSON,
        headers=key(insider),
    )
    assert answer.status_code == 422
    for text in (page.content.decode(), answer.content.decode()):
        assert "Another person in the register has this ID number." in text
        assert FAR_MEMBER not in text
    assert state(member.person) == before


# --- a helper -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [FAR_MEMBER, WRONG_NAME])
def test_the_helper_page_refuses_a_person_of_another_township(client_insider, far_member, name):
    before = state(far_member)
    response = client_insider.post(
        "/registry/helpers/new/",
        {
            "name": name,
            "id_number": far_member.id_number,
            "unit": "兴国镇人民政府",
            "region_code": "420222100",
        },
    )
    assert response.status_code == 200
    say_nothing_of(response.content.decode())
    assert not Helper.objects.filter(person=far_member).exists()
    assert state(far_member) == before


# --- an import ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [FAR_HELPER, WRONG_NAME])
def test_an_import_refuses_a_helper_of_another_township(insider, far_helper, name):
    before = state(far_helper)
    rows = register(1)
    rows[1]["身份证号"] = far_helper.id_number
    rows[1]["姓名"] = name
    context = pipeline.ImportContext(
        scope=Scope.for_user(insider), filename="户.csv", sha256="f" * 64, actor_name="insider"
    )
    with translation.override("en"):
        outcome = running.run_import(SHEET, csv_bytes(rows), "户.csv", context)
        reasons = [(error.column, str(error.reason)) for error in outcome.errors]
    assert outcome.status == ImportJob.Status.REJECTED
    assert reasons == [("身份证号", OUTSIDE)]
    assert state(far_helper) == before
    assert not Member.objects.filter(person=far_helper).exists()


# --- and what stays allowed ---------------------------------------------------------------


def test_a_person_of_the_insiders_township_is_still_added(insider, home):
    helper = HelperFactory(person__name="本镇干部", person__region_code="420222100")
    member = services_households.do_add_member(
        insider,
        home,
        id_number=helper.person.id_number,
        name="本镇干部",
        relation=choices.Relation.SON,
        labour_capacity=choices.LabourCapacity.ORDINARY,
    )
    assert member.person == helper.person
    assert Person.objects.get(pk=helper.person.pk).region_code == home.village_id


def test_the_county_still_adds_a_person_of_any_of_its_townships(home, far_helper):
    bureau = UserFactory(role=Role.REVITALISATION_BUREAU, scope="420222")
    services_households.do_add_member(
        bureau,
        home,
        id_number=far_helper.id_number,
        name=FAR_HELPER,
        relation=choices.Relation.SON,
        labour_capacity=choices.LabourCapacity.ORDINARY,
    )
    assert Member.objects.filter(household=home, person=far_helper).exists()


def test_a_member_sent_back_with_the_masked_id_number_keeps_the_full_one(insider, client, home):
    """What the API shows a role without the personal-data permission, sent back as it
    came, changes nothing of the number."""
    member = home.members.get()
    number = member.person.id_number
    shown = client.get(f"/api/registry/households/{home.pk}/members", headers=key(insider))
    masked = shown.json()[0]["id_number"]
    assert masked != number
    answer = client.patch(
        f"/api/registry/households/{home.pk}/members/{member.pk}",
        {"id_number": masked, "phone": "13800000000"},
        content_type=JSON,
        headers=key(insider),
    )
    assert answer.status_code == 200, answer.content
    member.person.refresh_from_db()
    assert (member.person.id_number, member.person.phone) == (number, "13800000000")
