"""Pairing a helper as a township officer does: the form lists the helpers of the village
and finds any other helper of the county by typing part of the name (issue 18, item 15:
the form used to render every helper of the county and took seconds to open)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SEED = """
import sys
sys.path.insert(0, {repo!r})
import django
django.setup()
from baolei.accounts.permissions import Role
from tests.factories import UserFactory
from tests.registry.factories import HelperFactory, HouseholdFactory

user = UserFactory(username="h7_township", role=Role.TOWNSHIP_OFFICER, scope="420222100")
user.set_password("Township-Browser-2024")
user.save()
for n in range(60):
    HelperFactory(person__name="县干部" + str(n))
HelperFactory(person__name="柯明亮", unit="阳新县水利局")
print(HouseholdFactory(number="420222100001777701").pk)
"""


def test_a_helper_of_the_county_is_found_by_name_and_paired(site, page, login):
    from tests.browser.conftest import REPO

    household = site.run_python(SEED.format(repo=str(REPO))).strip().splitlines()[-1]
    login(page, "h7_township", "Township-Browser-2024")
    page.goto(site(f"/registry/households/{household}/pairing/new/"))
    select = page.locator("#id_helper")
    expect(select.locator("option", has_text="柯明亮")).to_have_count(0)

    page.get_by_test_id("helper-search").press_sequentially("明亮")
    expect(select.locator("option", has_text="柯明亮")).to_have_count(1)
    select.select_option(label="柯明亮 (阳新县水利局)")
    page.fill("#id_started_on", "2024-01-01")
    page.click("[data-testid=pairing-form] button[type=submit]")

    expect(page).to_have_url(site(f"/registry/households/{household}/"))
    expect(page.locator("main")).to_contain_text("柯明亮")
