"""The site on a phone (390x844) as the field roles use it: every menu entry readable and
tappable, and no page wider than the screen (issue 18, items 2 and 4)."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "Phone-Walk-2024-xyz"
# A village of its own (富池口社区, 富池镇): the other browser tests share the site, and the
# matching test counts on 兴国镇's villages and candidate pool being its own.
VILLAGE, TOWNSHIP = "420222101001", "420222101"
ROLES = {
    "first_secretary": ("phone_shuji", VILLAGE),
    "village_branch": ("phone_zhibu", VILLAGE),
    "township_officer": ("phone_xiangzhen", TOWNSHIP),
}

# The three field accounts, and a village with something on every page: households (one
# monitored), a branch with members and a meeting, a cooperative, a work team with its
# first secretary and attendance, a candidate, a leader candidate and a talent. Long names
# on purpose: they are what wraps or spills on a narrow screen.
SEED = """
import sys
sys.path.insert(0, {repo!r})
import datetime
import django
django.setup()
from baolei.accounts import services
from baolei.accounts.models import User
from baolei.regions.models import Region
from tests.registry.factories import (
    HouseholdFactory, MemberFactory, MonitoringCaseFactory, PersonFactory, VisitFactory, id_number,
)
from tests.organisation.factories import (
    HostEntityFactory, PartyMemberFactory, PartyOrganisationFactory, credit_code,
)
from tests.cadres.factories import CadreFactory, LeaderCandidateFactory
from tests.cadres.factories_teams import (
    AttendanceMonthFactory, CandidateFactory, DutyFactory, TeamMemberFactory, WorkTeamFactory,
)
from tests.talent.factories import TalentFactory

admin = User.objects.get(username="browser_admin")
for role, (username, code) in {roles!r}.items():
    services.do_create_user(
        admin, username=username, password={password!r}, role=role,
        scope_region=Region.objects.get(code=code), full_name="手机" + username,
    )
village = Region.objects.get(code={village!r})
born = datetime.date(1971, 3, 3)
people = [PersonFactory(name=name, id_number=id_number(n, born), region_code=village.code)
          for n, name in enumerate(["欧阳建国", "司马长青", "诸葛明亮", "上官秀英"], start=1)]
for n, person in enumerate(people[:2], start=1):
    household = HouseholdFactory(number=village.code + "88880" + str(n), village=village,
                                 head=person)
    MemberFactory(household=household, person=person)
    VisitFactory(household=household)
MonitoringCaseFactory(household=household)
branch = PartyOrganisationFactory(name="中共阳新县富池镇富池口社区居民委员会委员会第一支部委员会",
                                  region_code=village.code)
for person in people:
    PartyMemberFactory(person=person, branch=branch)
HostEntityFactory(name="阳新县富池镇富池口社区富民生态种养殖农民专业合作社联合社",
                  registration_number=credit_code(8801), region_code=village.code)
team = WorkTeamFactory(village=village,
                       dispatching_unit="中共黄石市阳新县委组织部驻富池口社区工作队派出单位")
member = TeamMemberFactory(team=team, cadre=CadreFactory(person=people[2]))
AttendanceMonthFactory(member=member)
DutyFactory(team=team)
CandidateFactory(cadre=CadreFactory(person=people[3], region_code={township!r}))
LeaderCandidateFactory(person=people[0], region_code=village.code)
TalentFactory(person=people[1], region_code=village.code)
"""


@pytest.fixture(scope="module")
def seeded(site):
    from tests.browser.conftest import REPO

    roles = {role: value for role, value in ROLES.items()}
    site.run_python(
        SEED.format(
            repo=str(REPO), roles=roles, password=PASSWORD, village=VILLAGE, township=TOWNSHIP
        )
    )
    return site


def _background_of(element) -> str:
    """The computed background colour the entry is painted on: its own or the nearest
    ancestor's that is not transparent."""
    return element.evaluate(
        """(el) => {
          for (let node = el; node; node = node.parentElement) {
            const bg = getComputedStyle(node).backgroundColor;
            if (bg && bg !== "transparent" && bg !== "rgba(0, 0, 0, 0)") return bg;
          }
          return "rgb(255, 255, 255)";
        }"""
    )


def _open_menu(page):
    page.locator(".navbar-burger").tap()
    expect(page.locator("#main-menu")).to_be_visible()


@pytest.mark.parametrize("role", ["first_secretary", "village_branch"])
def test_every_menu_entry_is_readable_and_tappable_on_a_phone(seeded, phone_page, login, role):
    page, site = phone_page, seeded
    login(page, ROLES[role][0], PASSWORD)
    expect(page).to_have_url(site("/"))
    _open_menu(page)
    entries = page.locator("#main-menu .navbar-dropdown a.navbar-item[href]")
    hrefs = [entries.nth(i).get_attribute("href") for i in range(entries.count())]
    labels = [entries.nth(i).inner_text().strip() for i in range(entries.count())]
    # The register's submenu and the user menu are the first secretary's daily entries.
    assert {"农户", "防返贫监测", "走访", "修改密码"} <= set(labels), labels

    for i, (href, label) in enumerate(zip(hrefs, labels, strict=True)):
        entry = entries.nth(i)
        entry.scroll_into_view_if_needed()
        expect(entry).to_be_in_viewport()
        colour = entry.evaluate("(el) => getComputedStyle(el).color")
        background = _background_of(entry)
        assert colour != background, f"{label}: {colour} on {background}"
        entry.tap()
        expect(page).to_have_url(site(href))
        _open_menu(page)


def _overflow(page) -> int:
    # Against the phone's width, not innerWidth: a phone browser zooms out to show a page
    # wider than the screen, and innerWidth grows with it.
    return page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]


def _same_site_paths(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "(as) => as.map((a) => a.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/") and "export" not in h and "/api/" not in h]


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_of_a_field_role_is_wider_than_a_phone(seeded, phone_page, login, role):
    page, site = phone_page, seeded
    login(page, ROLES[role][0], PASSWORD)
    expect(page).to_have_url(site("/"))
    menu = _same_site_paths(page, "#main-menu a.navbar-item[href]")
    to_visit, seen, wide = list(dict.fromkeys(menu)), set(), []
    while to_visit:
        path = to_visit.pop(0)
        if path in seen or path.startswith("/accounts/logout"):
            continue
        seen.add(path)
        try:
            response = page.goto(site(path))
        except PlaywrightError as error:  # a template or export link: a download, no page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200:
            continue
        if (overflow := _overflow(page)) > 1:
            wide.append(f"{path} ({overflow} px too wide)")
            page.screenshot(path=f"/tmp/phone-overflow-{role}-{len(wide)}.png", full_page=True)
        if path in menu:
            # A menu page's own links (its sections), then the first detail link of each list.
            for link in _same_site_paths(page, "main a[href]"):
                bare = link.split("?")[0].split("#")[0]
                is_form = re.search(r"/(new|edit|delete)", bare)
                if bare not in seen and bare not in to_visit and not is_form:
                    to_visit.append(bare)
        else:
            first = _same_site_paths(page, "main table tbody tr:first-child a[href]")[:1]
            for link in first:
                if link not in seen and link not in to_visit:
                    to_visit.append(link)
    assert len(seen) > 10, seen
    assert not wide, "\n".join(wide)
