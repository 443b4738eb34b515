"""Searching a list as a person does: type a name into the list's search box and press 查询.
The lists carry a region picker inside the same form; its own search box must not take
the place of the list's search (issue 18, item 1)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# One person, many roles: 韩凯 and 刘洋 are each a household head, a party member, a cadre,
# a village leader candidate and a talent, and each gives a name to a branch and a cooperative.
SEED = """
import sys
sys.path.insert(0, {repo!r})
import datetime
import django
django.setup()
from tests.registry.factories import HouseholdFactory, MemberFactory, PersonFactory, id_number
from tests.organisation.factories import (
    HostEntityFactory, PartyMemberFactory, PartyOrganisationFactory, credit_code,
)
from tests.cadres.factories import CadreFactory, LeaderCandidateFactory
from tests.talent.factories import TalentFactory

born = datetime.date(1966, 6, 6)
for n, name in ((1, "韩凯"), (2, "刘洋")):
    person = PersonFactory(name=name, id_number=id_number(n, born))
    household = HouseholdFactory(number="42022210000199990" + str(n), head=person)
    MemberFactory(household=household, person=person)
    branch = PartyOrganisationFactory(name=name + "湾村党支部")
    PartyMemberFactory(person=person, branch=branch)
    HostEntityFactory(name=name + "种植专业合作社", registration_number=credit_code(9000 + n))
    CadreFactory(person=person)
    LeaderCandidateFactory(person=person)
    TalentFactory(person=person)
"""

LISTS = [
    "/registry/households/",
    "/organisation/organisations/",
    "/organisation/members/",
    "/organisation/hosts/",
    "/cadres/list/",
    "/cadres/leaders/",
    "/talent/people/",
]


@pytest.fixture(scope="module")
def seeded(site):
    from tests.browser.conftest import REPO

    site.run_python(SEED.format(repo=str(REPO)))
    return site


@pytest.mark.parametrize("path", LISTS)
def test_typing_a_name_and_pressing_search_finds_only_that_row(seeded, page, login, path):
    login(page)
    page.goto(seeded(path))
    table = page.locator("main table").last  # the rows (a list may lead with counts)
    # Unfiltered first: more than one row (other tests' records may push 刘洋 to a later
    # page of a long list, so the check is on the count, not on his name).
    expect(table.locator("tbody tr").nth(1)).to_be_visible()

    form = page.locator("main form[role=search]").first
    form.locator("input[type=search], input[name=q]").first.fill("韩凯")
    form.get_by_role("button", name="查询", exact=True).click()

    expect(page).to_have_url(re.compile("q=%E9%9F%A9%E5%87%AF"))  # q=韩凯
    table = page.locator("main table").last  # the rows (a list may lead with counts)
    expect(table).to_contain_text("韩凯")
    expect(table).not_to_contain_text("刘洋")
