"""First-secretary matching in a real browser: the county organisation department runs
the matching for 兴国镇, changes one pair on its own page (a search by name among the
free, eligible candidates), confirms, and sees the new first secretaries.

The seed (three villages with open monitoring cases, four candidates) is written by a
script run against the server's own database (`site.run_python`).
"""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

V1, V2, V3 = "420222100001", "420222100002", "420222100003"

SEED = """
import datetime, json
import django
django.setup()
from baolei.cadres.services import selection
from baolei.cadres.services import cadres as services
from baolei.cadres.models import SelectionRules
from baolei.regions.models import Region
from baolei.idnumbers import check_character
from baolei.registry.models import Household, MonitoringCase

SelectionRules.objects.create(
    region_code="420222", year=2025, reference_date=datetime.date(2025, 3, 1),
    monitored_threshold=1, poverty_threshold=100,
)
for n, (code, cases, industry) in enumerate(
    [("420222100001", 3, "tea"), ("420222100002", 2, "fruit"), ("420222100003", 1, "grain")]
):
    village = Region.objects.get(code=code)
    selection.do_set_main_industry(None, village, industry)
    for k in range(cases):
        household = Household.objects.create(number=f"{code}{n}{k:02d}", village=village)
        MonitoringCase.objects.create(
            household=household, monitoring_type="marginal", route="cadre_screening",
            status="monitored", opened_on=datetime.date(2024, 6, 1),
        )
made = {}
for n, (name, region, strengths) in enumerate([
    ("甲书记", "420222100", {"assistance_experience": True, "industries": ["tea"]}),
    ("乙书记", "420222100", {"assistance_experience": True}),
    ("丙书记", "420222100", {"agriculture_experience": True}),
    ("丁书记", "420222", {}),
]):
    first17 = f"42022219850101{n + 1:03d}"
    cadre = services.do_create_cadre(
        None, id_number=first17 + check_character(first17), name=name, region_code=region,
        unit="阳新县直机关", rank="staff_member", political_status="party_member",
        education="undergraduate", work_started_on=datetime.date(2010, 7, 1),
    )
    made[name] = selection.do_put_forward(None, cadre, 2025, **strengths).pk
print(json.dumps(made))
"""


@pytest.fixture(scope="module")
def candidates(site):
    return json.loads(site.run_python(SEED).strip().splitlines()[-1])


def test_an_officer_matches_adjusts_and_confirms(site, page, login, candidates):
    login(page)
    page.goto(site("/cadres/teams/matching/"))
    form = page.get_by_test_id("matching-form")
    form.locator("#id_region").fill("420222100")
    form.locator("#id_year").fill("2025")
    form.locator("#id_starts_on").fill("2025-03-01")
    form.locator("button[type=submit]").click()

    # By hand: 甲-V1 3 + 25 + 5 = 33, 乙-V2 2 + 5 = 7, 丙-V3 10 + 5 = 15: 55 in all.
    expect(page.get_by_test_id("total-fit")).to_have_text("55")
    rows = page.get_by_test_id("pair-table")

    def proposed(village: str):
        return rows.locator(f"tr[data-village='{village}'] .candidate")

    expect(proposed(V1)).to_have_attribute("data-candidate", str(candidates["甲书记"]))
    expect(proposed(V3)).to_have_attribute("data-candidate", str(candidates["丙书记"]))

    # Give V3 to 丁 instead (fit 0): on the pair's own page, found by name; the total
    # drops to 33 + 7 = 40.
    rows.locator(f"tr[data-village='{V3}'] a.adjust").click()
    search = page.get_by_test_id("candidate-search")
    search.locator("input[name=q]").fill("丁")
    search.locator("button[type=submit]").click()
    options = page.get_by_test_id("option-table")
    options.locator(f"tr[data-candidate='{candidates['丁书记']}'] button").click()
    expect(page.get_by_test_id("total-fit")).to_have_text("40")
    expect(proposed(V3)).to_have_attribute("data-candidate", str(candidates["丁书记"]))

    # 甲 is already proposed for V1: V2's page does not offer them, only the free 丙.
    rows.locator(f"tr[data-village='{V2}'] a.adjust").click()
    options = page.get_by_test_id("option-table")
    expect(options.locator(f"tr[data-candidate='{candidates['丙书记']}']")).to_have_count(1)
    expect(options).not_to_contain_text("甲书记")
    search = page.get_by_test_id("candidate-search")
    search.locator("input[name=q]").fill("甲")
    search.locator("button[type=submit]").click()
    expect(page.get_by_test_id("no-option")).to_be_visible()
    page.get_by_test_id("back").click()
    expect(page.get_by_test_id("total-fit")).to_have_text("40")

    page.get_by_test_id("confirm").click()
    table = page.get_by_test_id("team-table")
    for name in ("甲书记", "乙书记", "丁书记"):
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text("丙书记")
