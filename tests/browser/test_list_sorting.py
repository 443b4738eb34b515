"""A county official sorts a long list by clicking a column header, on a desktop and on
a phone, and sees how many rows the list has in all."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/h8")
# A common part to search for, so that other tests' party members stay out of the list,
# then Latin initials: the same order under every collation (SQLite, PostgreSQL).
NAMES = ["排序D王芳", "排序B陈刚", "排序E李娜", "排序A张伟", "排序C刘洋"]

SEED = """
import sys
sys.path.insert(0, {repo!r})
import django
django.setup()
from tests.organisation.factories import PartyMemberFactory, PartyOrganisationFactory
branch = PartyOrganisationFactory(name="山川台社区党支部")
for name in {names!r}:
    PartyMemberFactory(person__name=name, branch=branch)
"""


@pytest.fixture(scope="module")
def seeded(site):
    site.run_python(SEED.format(repo=str(REPO), names=NAMES))
    return site


def _names(page) -> list[str]:
    table = page.get_by_test_id("member-table")
    return [text.strip() for text in table.locator("tbody tr td:first-child").all_inner_texts()]


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_clicking_a_header_sorts_the_list(seeded, browser, login, size):
    width, height = size
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        login(page)
        page.goto(seeded("/organisation/members/?q=排序"))
        expect(page.get_by_test_id("total")).to_have_text(f"共 {len(NAMES)} 条")
        header = page.get_by_test_id("member-table").locator("thead a[data-sort=name]")

        header.click()
        expect(
            page.get_by_test_id("member-table").locator("thead th[aria-sort]")
        ).to_have_attribute("aria-sort", "ascending")
        ascending = _names(page)
        assert sorted(ascending) == sorted(NAMES) and ascending == sorted(ascending)

        page.get_by_test_id("member-table").locator("thead a[data-sort=name]").click()
        expect(
            page.get_by_test_id("member-table").locator("thead th[aria-sort]")
        ).to_have_attribute("aria-sort", "descending")
        assert _names(page) == list(reversed(ascending))
        expect(page.get_by_test_id("total")).to_have_text(f"共 {len(NAMES)} 条")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"members-sorted-{width}.png"), full_page=True)
    finally:
        context.close()
