"""The UI shell in a real browser: login, the Chinese default, the language switch,
drilling down the regions, the phone layout and the live region search."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp"


def zh(text: str) -> str:
    """What the Chinese catalogue (as compiled now) makes of an English message."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def nav_link(page, label: str):
    return page.locator("#main-menu .navbar-start").get_by_role("link", name=label, exact=True)


def test_login_chinese_home_switch_to_english_and_drill_down(site, page, login):
    login(page)
    expect(page).to_have_url(site("/"))

    # Chinese by default, although the browser asks for English.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("region-name")).to_contain_text("阳新县")
    expect(page.get_by_test_id("child-count")).to_have_text("21")
    expect(page.get_by_test_id("village-count")).to_have_text("474")
    expect(nav_link(page, zh("Regions"))).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_text("阳新县委组织部")
    page.screenshot(path=f"{SCREENSHOTS}/baolei-home-zh.png", full_page=True)

    # The switcher in the navbar: English, and the page stays where it was.
    page.locator("nav form.language-switch button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(site("/"))
    expect(nav_link(page, "Regions")).to_be_visible()
    expect(page.get_by_test_id("region-level")).to_have_text("County")

    # Drill down: county → township → village.
    children = page.get_by_test_id("children")
    children.get_by_role("link", name="兴国镇", exact=True).click()
    expect(page.get_by_test_id("region-name")).to_contain_text("兴国镇")
    expect(page.get_by_test_id("region-level")).to_have_text("Township")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    village = page.get_by_test_id("children").locator("tbody a").first
    village_name = village.inner_text().strip()
    assert village_name
    village.click()
    expect(page).to_have_url(re.compile(r"/regions/\d{12}/$"))
    expect(page.get_by_test_id("region-name")).to_contain_text(village_name)
    expect(page.get_by_test_id("region-level")).to_have_text("Village")
    breadcrumbs = page.locator("nav.breadcrumb")
    expect(breadcrumbs).to_contain_text("阳新县")
    expect(breadcrumbs).to_contain_text("兴国镇")


def test_failed_login_shows_an_error_and_stays_on_the_login_page(site, page, login):
    login(page, password="not-the-right-password")
    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page).to_have_url(site("/accounts/login/"))
    expect(page.locator("#id_username")).to_have_value(site.username)
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # Logged out still: the home page sends the visitor back to log in.
    page.goto(site("/"))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_phone_menu_and_region_table(site, phone_page, login):
    page = phone_page
    login(page)
    expect(page).to_have_url(site("/"))

    # The menu hides behind the burger until it is tapped.
    burger = page.locator(".navbar-burger")
    menu = page.locator("#main-menu")
    expect(burger).to_be_visible()
    expect(menu).to_be_hidden()

    # The table fits: the code column is hidden and the township links can be tapped.
    table = page.get_by_test_id("children")
    expect(table).to_be_visible()
    expect(table.locator("th.hide-mobile")).to_be_hidden()
    expect(table.locator("tbody tr")).to_have_count(21)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px wide"
    page.screenshot(path=f"{SCREENSHOTS}/baolei-phone.png", full_page=True)

    burger.click()
    expect(burger).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    expect(nav_link(page, zh("Regions"))).to_be_visible()
    expect(page.locator("nav button[name=language][value=en]")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/baolei-phone-menu.png")
    burger.click()
    expect(menu).to_be_hidden()

    table.get_by_role("link", name="兴国镇", exact=True).tap()
    expect(page.get_by_test_id("region-name")).to_contain_text("兴国镇")
    expect(page.get_by_test_id("children")).to_be_visible()


def test_region_search_live_results(site, page, login):
    login(page)
    expect(page).to_have_url(site("/"))
    page.goto(site("/regions/"))

    search = page.get_by_test_id("region-search")
    search.press_sequentially("兴国")
    # Its villages match too (their full names contain 兴国镇); the township is one result.
    results = page.locator("#live-results a")
    expect(results.first).to_be_visible()
    result = results.filter(has=page.locator("strong", has_text=re.compile(r"^兴国镇$")))
    expect(result).to_have_count(1)
    expect(result).to_contain_text("420222")

    result.click()
    expect(page).to_have_url(re.compile(r"/regions/420222\d{3}/$"))
    expect(page.get_by_test_id("region-name")).to_contain_text("兴国镇")
