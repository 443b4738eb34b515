"""The audit trail as the county organisation department reads it, on a desk and on a
phone: pick an object type in the picker, and read names, labels and local times rather
than model labels, attribute names and numbers (issue 18, item 7)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SEED = """
import sys
sys.path.insert(0, {repo!r})
import django
django.setup()
from tests.registry.factories import HouseholdYearFactory, MemberFactory, PersonFactory
from tests.talent.factories import TalentFactory

member = MemberFactory(person=PersonFactory(name="审计甲"))
HouseholdYearFactory(household=member.household, assurance_notes={{"food": "村集体代储"}})
TalentFactory(skills=",crop_farming,")
"""

SHOTS = Path(os.environ.get("BAOLEI_SCREENSHOTS", "/tmp/h5"))


@pytest.fixture(scope="module")
def seeded(site):
    from tests.browser.conftest import REPO

    site.run_python(SEED.format(repo=str(REPO)))
    return site


def _internals(text: str) -> list[str]:
    patterns = [r"registry\.\w+", r"talent\.\w+", r"command:", r"\bTrue\b", r"\bFalse\b"]
    patterns += [r"crop_farming", r"\d{4}-\d\d-\d\dT\d\d:", r"\bhousehold\b", r"人员: \S+ → \d+"]
    return [pattern for pattern in patterns if re.search(pattern, text)]


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_picking_an_object_type_shows_chinese_labels(seeded, browser, login, size):
    context = browser.new_context(locale="en-US", viewport={"width": size[0], "height": size[1]})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page)
        page.goto(seeded("/audit/"))
        table = page.get_by_test_id("audit-table")
        expect(table).to_contain_text("命令行 (")
        page.get_by_test_id("audit-model").select_option(label="家庭成员")
        page.get_by_role("button", name="筛选").click()
        expect(page).to_have_url(re.compile(r"model=registry\.member"))
        expect(page.get_by_test_id("audit-model")).to_have_value("registry.member")
        expect(table).to_contain_text("家庭成员")
        expect(table).to_contain_text("审计甲")
        expect(table).to_contain_text("农户:")
        assert _internals(table.inner_text()) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"audit-member-{size[0]}.png"), full_page=True)

        page.get_by_test_id("audit-model").select_option(label="农户年度情况")
        page.get_by_role("button", name="筛选").click()
        expect(table).to_contain_text("村集体代储")
        assert _internals(table.inner_text()) == []
        page.get_by_test_id("audit-model").select_option("")
        page.get_by_role("button", name="筛选").click()
        expect(table).to_contain_text("种植")
        assert _internals(table.inner_text()) == []
        page.screenshot(path=str(SHOTS / f"audit-all-{size[0]}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the screen"
        # The changes are read in lines, not one character a line in a squeezed column.
        widths = [cell.bounding_box()["width"] for cell in table.locator(".audit-changes").all()]
        assert widths and min(widths) >= (size[0] * 0.6 if size[0] < 769 else 250)
    finally:
        context.close()
