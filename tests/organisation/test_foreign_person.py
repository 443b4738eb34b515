"""A person of another township is neither attached nor revealed by the organisation
app (party members, secretaries, two-committee posts: pages, API, import), and an
organisation's edit form shows its secretary's ID number as the detail page does.

The insider (兴国镇) tries people of 富池镇 next door (see tests/registry/foreign.py):
refused saying only that the person is registered outside their area, no name or
household number in the answer, the person's record as it was."""

import datetime
import re
from html.parser import HTMLParser

import pytest

from baolei import idnumbers
from baolei.accounts.permissions import Role
from baolei.imports.models import ImportJob
from baolei.organisation.models import CommitteePost, PartyMember, PartyOrganisation
from baolei.organisation.sheets.members import MEMBER_SHEET
from baolei.organisation.sheets.organisations import ORGANISATION_SHEET
from tests.factories import UserFactory
from tests.organisation.factories import PartyOrganisationFactory
from tests.organisation.test_import import MEMBER_HEADER, ORG_HEADER, csv_of, load
from tests.registry.factories import PersonFactory
from tests.registry.foreign import JSON, OUTSIDE, key, say_nothing_of, state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE = "420222100001"
BRANCH = "中共山川台社区支部委员会"


@pytest.fixture
def branch():
    return PartyOrganisationFactory(name=BRANCH)


# --- party members ------------------------------------------------------------------------


def test_the_member_page_refuses_a_person_of_another_township(
    client_insider, branch, far, given_name
):
    before = state(far)
    response = client_insider.post(
        "/organisation/members/new/",
        {
            "id_number": far.id_number,
            "name": given_name,
            "branch": branch.pk,
            "joined_on": "2010-07-01",
            "standing": "full",
            "category": "resident",
        },
    )
    assert response.status_code == 200
    say_nothing_of(response.content.decode())
    assert state(far) == before
    assert not PartyMember.objects.filter(person=far).exists()


def test_the_member_api_refuses_a_person_of_another_township(
    insider, client, branch, far, given_name
):
    before = state(far)
    response = client.post(
        "/api/organisation/members",
        {
            "id_number": far.id_number,
            "name": given_name,
            "branch_id": branch.pk,
            "joined_on": "2010-07-01",
        },
        content_type=JSON,
        headers=key(insider),
    )
    assert response.status_code == 422
    say_nothing_of(response.content.decode())
    assert state(far) == before
    assert not PartyMember.objects.filter(person=far).exists()


def test_the_member_import_refuses_a_person_of_another_township(insider, branch, far, given_name):
    before = state(far)
    row = [given_name, far.id_number, VILLAGE, BRANCH, "2010-07-01", "正式党员", "在村党员"]
    outcome = load(insider, MEMBER_SHEET, csv_of(MEMBER_HEADER, [row]))
    assert outcome.status == ImportJob.Status.REJECTED
    assert outcome.shown == [(2, "身份证号", OUTSIDE)]
    assert state(far) == before
    assert not PartyMember.objects.filter(person=far).exists()


# --- secretaries --------------------------------------------------------------------------


def test_a_secretary_of_another_township_is_refused(
    client_insider, insider, client, branch, far, given_name
):
    before = state(far)
    page = client_insider.post(
        f"/organisation/organisations/{branch.pk}/edit/",
        {
            "kind": branch.kind,
            "name": branch.name,
            "region_code": VILLAGE,
            "secretary_id_number": far.id_number,
            "secretary_name": given_name,
            "version": branch.version,
        },
    )
    assert page.status_code == 200
    say_nothing_of(page.content.decode())
    answer = client.patch(
        f"/api/organisation/organisations/{branch.pk}",
        {"secretary_id_number": far.id_number, "secretary_name": given_name},
        content_type=JSON,
        headers=key(insider),
    )
    assert answer.status_code == 422
    say_nothing_of(answer.content.decode())
    created = client.post(
        "/api/organisation/organisations",
        {
            "kind": "branch",
            "name": "中共山川台社区第二支部委员会",
            "region_code": VILLAGE,
            "secretary_id_number": far.id_number,
            "secretary_name": given_name,
        },
        content_type=JSON,
        headers=key(insider),
    )
    assert created.status_code == 422
    say_nothing_of(created.content.decode())
    assert not PartyOrganisation.objects.filter(secretary=far).exists()
    assert state(far) == before


def test_the_organisation_import_refuses_a_secretary_of_another_township(insider, far, given_name):
    before = state(far)
    row = [VILLAGE, "中共山川台社区支部委员会", "党支部", "", given_name, far.id_number, ""]
    outcome = load(insider, ORGANISATION_SHEET, csv_of(ORG_HEADER, [row]))
    assert outcome.status == ImportJob.Status.REJECTED
    assert outcome.shown == [(2, "书记身份证号", OUTSIDE)]
    assert state(far) == before


# --- two committees -----------------------------------------------------------------------


def test_a_committee_post_for_a_person_of_another_township_is_refused(
    client_insider, insider, client, far, given_name
):
    before = state(far)
    page = client_insider.post(
        f"/organisation/committees/{VILLAGE}/posts/new/",
        {
            "kind": "party_committee_member",
            "id_number": far.id_number,
            "name": given_name,
            "source": "other",
            "started_on": "2024-01-01",
        },
    )
    assert page.status_code == 200
    say_nothing_of(page.content.decode())
    answer = client.post(
        f"/api/organisation/committees/{VILLAGE}/posts",
        {
            "kind": "party_committee_member",
            "id_number": far.id_number,
            "name": given_name,
            "started_on": "2024-01-01",
        },
        content_type=JSON,
        headers=key(insider),
    )
    assert answer.status_code == 422
    say_nothing_of(answer.content.decode())
    assert not CommitteePost.objects.filter(person=far).exists()
    assert state(far) == before


# --- the secretary's ID number in the edit form -------------------------------------------


class _Form(HTMLParser):
    """The values a person's browser sends back from a form as the page shows it."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _form_as_shown(html: str) -> dict[str, list[str]]:
    form = re.search(r'<form[^>]*data-testid="organisation-form".*?</form>', html, re.S).group(0)
    parser = _Form()
    parser.feed(form)
    return parser.data


@pytest.fixture
def led_branch():
    secretary = PersonFactory(name="柯书记", region_code=VILLAGE)
    return PartyOrganisationFactory(name=BRANCH, secretary=secretary)


def _client(role: str, scope: str):
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(role=role, scope=scope))
    return client


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.VILLAGE_BRANCH, VILLAGE), (Role.TOWNSHIP_OFFICER, "420222100")],
    ids=["village branch", "township officer"],
)
def test_the_edit_form_masks_the_secretarys_id_number_and_saving_it_keeps_it(
    led_branch, role, scope
):
    number = led_branch.secretary.id_number
    client = _client(role, scope)
    page = client.get(f"/organisation/organisations/{led_branch.pk}/edit/").content.decode()
    assert number not in page
    shown = _form_as_shown(page)
    assert shown["secretary_id_number"] == [idnumbers.mask(number)]

    shown["founded_on"] = ["2001-07-01"]
    response = client.post(f"/organisation/organisations/{led_branch.pk}/edit/", shown)

    assert response.status_code == 302, response.content.decode()
    led_branch.refresh_from_db()
    assert led_branch.founded_on == datetime.date(2001, 7, 1)
    assert led_branch.secretary.id_number == number


def test_the_edit_form_shows_the_full_number_to_who_may_see_it(led_branch, client_county_admin):
    page = client_county_admin.get(f"/organisation/organisations/{led_branch.pk}/edit/")
    shown = _form_as_shown(page.content.decode())
    assert shown["secretary_id_number"] == [led_branch.secretary.id_number]


def test_the_api_keeps_the_secretary_sent_back_masked(led_branch, insider, client):
    number = led_branch.secretary.id_number
    shown = client.get(f"/api/organisation/organisations/{led_branch.pk}", headers=key(insider))
    assert shown.json()["secretary_id_number"] == idnumbers.mask(number)
    answer = client.patch(
        f"/api/organisation/organisations/{led_branch.pk}",
        {
            "secretary_id_number": shown.json()["secretary_id_number"],
            "secretary_name": "柯书记",
            "founded_on": "2001-07-01",
        },
        content_type=JSON,
        headers=key(insider),
    )
    assert answer.status_code == 200, answer.content
    led_branch.refresh_from_db()
    assert led_branch.secretary.id_number == number


def test_a_branch_of_another_township_is_not_named(insider, branch):
    """A county cadre (registered above the townships, so the insider's to add) who is a
    member of a branch of 富池镇: refused without naming that branch."""
    from baolei.organisation.services import members as services_members
    from baolei.organisation.services.organisations import OrganisationError
    from tests.organisation.factories import PartyMemberFactory

    far_branch = PartyOrganisationFactory(
        name="中共富池口社区支部委员会", region_code="420222101001"
    )
    cadre = PartyMemberFactory(branch=far_branch, person__region_code="420222").person
    with pytest.raises(OrganisationError) as caught:
        services_members.do_create_member(
            insider,
            id_number=cadre.id_number,
            name=cadre.name,
            branch=branch,
            joined_on=datetime.date(2010, 7, 1),
        )
    assert str(caught.value.message) == f"{cadre.name} is already a party member."
    assert "富池口社区支部" not in str(caught.value.message)
