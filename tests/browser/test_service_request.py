"""On a phone, in a real browser against `baolei serve`: the county organisation
department sets up a studio serving a village of 兴国镇, asks it for help on behalf of
the village, accepts the request and records the service delivered; the open requests
list shows it while it waits and no longer once it is served."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VILLAGE = "420222100001"  # 山川台社区居委会, 兴国镇


def test_a_request_from_a_village_is_filed_and_served_on_a_phone(site, phone_page, login):
    page = phone_page
    login(page)
    page.goto(site("/talent/studios/new/"))
    page.fill("#id_name", "阳新县农业专家工作室")
    page.select_option("#id_kind", "agricultural_expert")
    page.fill("#id_region_code", "420222")
    page.fill("#id_partner_name", "华中农业大学")
    page.select_option("#id_partner_kind", "university")
    page.fill("#id_villages", VILLAGE)
    page.click("[data-testid=studio-form] button[type=submit]")
    expect(page.get_by_test_id("villages-served")).to_contain_text("山川台社区居委会")

    page.click("[data-testid=studio-requests] a.button")
    page.fill("#id_village_code", VILLAGE)
    page.fill("#id_need", "柑橘黄龙病防治，请专家到村指导")
    page.click("[data-testid=request-form] button[type=submit]")
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "open")
    request_path = urlsplit(page.url).path

    page.goto(site("/talent/requests/"))
    expect(page.get_by_test_id("request-table")).to_contain_text("山川台社区居委会")
    # This request's row: other tests' requests may be listed before it.
    page.get_by_test_id("request-table").locator(f'a[href="{request_path}"]').click()
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "accepted")

    form = page.get_by_test_id("delivery-form")
    form.locator("#id_work_done").fill("现场讲解防治方法，发放技术资料")
    form.locator("#id_people_reached").fill("35")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "delivered")
    expect(page.get_by_test_id("delivery")).to_contain_text("现场讲解防治方法")

    page.goto(site("/talent/requests/"))
    expect(page.get_by_test_id("request-table")).not_to_contain_text("山川台社区居委会")
