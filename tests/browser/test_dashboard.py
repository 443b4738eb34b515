"""The command centre as a county leader uses it: open the county's dashboard, click a
township in the ranking, then a village, then a figure, and land on the households it
counts; the charts drawn by the bundled ECharts, on a desktop and on a phone."""

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = str(Path(__file__).resolve().parents[2])
SHOTS = Path("/tmp/shots")
# 陶港镇: a township no other browser test writes in, so its figures are this test's.
TOWNSHIP, BUSY, QUIET = "420222106", "420222106200", "420222106201"
COUNTED_WITHIN = 20  # seconds: the refresher of `baolei serve` looks every second

SETUP = """
import sys
sys.path.insert(0, {repo!r})
import django
django.setup()
"""

SEED = """
from baolei.regions.models import Region
from tests.registry.factories import HouseholdFactory
HouseholdFactory.create_batch(12, village=Region.objects.get(code={busy!r}))
HouseholdFactory.create_batch(5, village=Region.objects.get(code={quiet!r}), registered_poor=False)
# The township's villages outlined, as an administrator would upload them.
import json
from baolei.dashboard.services import boundaries
def square(code, x):
    ring = [[x, 29.8], [x + 0.05, 29.8], [x + 0.05, 29.85], [x, 29.85], [x, 29.8]]
    return {{"type": "Feature", "properties": {{"code": code}},
             "geometry": {{"type": "Polygon", "coordinates": [ring]}}}}
features = [square({busy!r}, 115.0), square({quiet!r}, 115.05)]
data = json.dumps({{"type": "FeatureCollection", "features": features}}).encode()
boundaries.save({township!r}, data, by="browser_admin")
"""

COUNTED = """
from baolei.dashboard.models import RollUp
row = RollUp.objects.filter(region_code={township!r}, measure="households", year=0).first()
print(row.value if row else 0)
"""


def _seed(site) -> None:
    site.run_python(
        SETUP.format(repo=REPO) + SEED.format(busy=BUSY, quiet=QUIET, township=TOWNSHIP)
    )
    started = time.monotonic()
    while time.monotonic() - started < COUNTED_WITHIN:
        counted = site.run_python(SETUP.format(repo=REPO) + COUNTED.format(township=TOWNSHIP))
        if int(counted) >= 17:
            return
        time.sleep(0.5)
    raise AssertionError("the refresher did not count the seeded households")


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_drill_from_the_county_to_a_village_and_its_households(site, browser, login):
    _seed(site)
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page)
    page.click("nav.navbar a[href='/dashboard/']")
    expect(page.get_by_test_id("dashboard-name")).to_contain_text("阳新县")
    expect(page.locator("#chart-ranking canvas")).to_have_count(1)
    expect(page.locator("#chart-treemap canvas")).to_have_count(1)
    page.select_option("[data-testid=rank-indicator]", "households")
    expect(page.locator("[data-testid=rank-indicator]")).to_have_value("households")
    page.screenshot(path=str(SHOTS / "dashboard-county-1366.png"), full_page=True)

    # A click anywhere on the township's row drills down, not only on its name.
    page.click(f"[data-testid=rank-{TOWNSHIP}] td.num")
    expect(page.get_by_test_id("dashboard-name")).to_contain_text("陶港镇")
    expect(page.get_by_test_id("figure-households")).to_have_text("17")
    expect(page.locator("#chart-map canvas")).to_have_count(1)  # the uploaded outlines
    rows = page.locator("[data-testid=ranking-table] tbody tr")
    expect(rows.first).to_have_attribute("data-testid", f"rank-{BUSY}")
    page.screenshot(path=str(SHOTS / "dashboard-township-1366.png"), full_page=True)

    page.click(f"[data-testid=drill-{BUSY}]")
    expect(page.get_by_test_id("dashboard-name")).to_contain_text("官塘村")
    expect(page.get_by_test_id("region-page")).to_have_attribute("href", f"/regions/{BUSY}/")
    page.screenshot(path=str(SHOTS / "dashboard-village-1366.png"), full_page=True)
    page.click("[data-testid=figure-households]")
    expect(page).to_have_url(f"{site.url}/registry/households/?region={BUSY}")
    expect(page.get_by_test_id("total")).to_contain_text("12")
    context.close()


def test_the_dashboard_fits_a_phone(site, phone_page, login):
    login(phone_page)
    phone_page.goto(site(f"/dashboard/{TOWNSHIP}/?rank=households"))
    expect(phone_page.get_by_test_id("dashboard-name")).to_contain_text("陶港镇")
    expect(phone_page.locator("#chart-ranking canvas")).to_have_count(1)
    canvas = phone_page.locator("#chart-ranking canvas").bounding_box()
    assert canvas and canvas["width"] <= 390
    _fits(phone_page)
    phone_page.screenshot(path=str(SHOTS / "dashboard-township-390.png"), full_page=True)
    phone_page.goto(site(f"/dashboard/{BUSY}/"))
    _fits(phone_page)
    phone_page.screenshot(path=str(SHOTS / "dashboard-village-390.png"), full_page=True)
