"""A refusal and a missing page in the real server (DEBUG off), on a desk and a phone:
the site's layout with its menu, Chinese text and a way home (issue 18, item 8)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("BAOLEI_SCREENSHOTS", "/tmp/h5"))


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [("/regions/reload/", 403, "无权访问"), ("/no-such-page/", 404, "页面不存在")],
    ids=["403", "404"],
)
def test_an_error_page_keeps_the_menu_and_leads_home(
    site, browser, login, size, path, status, heading
):
    context = browser.new_context(locale="en-US", viewport={"width": size[0], "height": size[1]})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page)
        response = page.goto(site(path))
        assert response.status == status
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        if size[0] < 1024:
            page.locator(".navbar-burger").click()
        expect(page.locator("#main-menu").get_by_text("系统管理", exact=True)).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"error-{status}-{size[0]}.png"), full_page=True)
        page.get_by_role("link", name="返回首页").click()
        expect(page).to_have_url(re.compile(r"/$"))
    finally:
        context.close()
