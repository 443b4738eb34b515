"""A township officer on a phone follows up an overdue rectification task: opens the
overdue list, records a progress note, asks for verification, verifies and closes the
task (销号), and sees the overdue count drop — in a real browser against `baolei serve`."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

OFFICER = ("xingguo_zuzhi", "Tong-Lu-River-93-kv")
FIRST_TASK = "选优配强村党组织书记"

# Run against the server's own database, the way the conftest creates its users: a
# township officer of 兴国镇, a weak branch of one of its villages with two tasks long
# past their deadline, and an overdue task in 富池镇 that the officer must not see.
SEED = """
import datetime
import django
django.setup()
from baolei.accounts import services
from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from baolei.organisation.services import rectification
from baolei.organisation.models import PartyOrganisation
from baolei.regions.models import Region

admin = User.objects.get(username="browser_admin")
services.do_create_user(
    admin,
    username={username!r},
    password={password!r},
    role=Role.TOWNSHIP_OFFICER,
    scope_region=Region.objects.get(code="420222100"),
    full_name="兴国镇组织委员",
)
criterion = rectification.do_add_criterion(admin, "420222", 2024, "书记长期缺职")
for code, tasks in (
    ("420222100001", [{first!r}, "落实三会一课制度"]),
    ("420222101001", ["富池镇的整改任务"]),
):
    village = Region.objects.get(code=code)
    branch = PartyOrganisation.objects.create(
        kind="branch", name=village.name + "党支部", region_code=code
    )
    designation = rectification.do_designate(
        admin, branch, 2024, [criterion], "调研发现", datetime.date(2024, 1, 10)
    )
    for description in tasks:
        rectification.do_add_task(
            admin, designation, description, "村党组织书记", datetime.date(2024, 6, 30)
        )
"""


@pytest.fixture(scope="module")
def seeded(site):
    site.run_python(SEED.format(username=OFFICER[0], password=OFFICER[1], first=FIRST_TASK))
    return site


def test_an_officer_closes_an_overdue_task_on_a_phone(seeded, phone_page, login):
    page, site = phone_page, seeded
    login(page, *OFFICER)
    page.goto(site("/organisation/tasks/overdue/"))
    expect(page.get_by_test_id("overdue-count")).to_have_text("2")
    tasks = page.get_by_test_id("overdue-tasks")
    expect(tasks).not_to_contain_text("富池镇的整改任务")  # another township's

    tasks.get_by_role("link", name=FIRST_TASK).click()
    expect(page.get_by_test_id("task-overdue")).to_be_visible()
    note = page.get_by_test_id("note-form")
    note.locator("#id_text").fill("已召开党员大会，选举产生新书记。")
    note.locator("button[type=submit]").click()
    expect(page.get_by_test_id("notes")).to_contain_text("选举产生新书记")

    page.get_by_test_id("submit-form").locator("button[type=submit]").click()
    verify = page.get_by_test_id("verify-form")
    verify.locator("input[value=passed]").check()
    verify.locator("#id_note").fill("程序合规，整改到位")
    verify.locator("button[type=submit]").click()

    page.get_by_test_id("close-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("task-overdue")).to_have_count(0)
    expect(page.get_by_test_id("close-form")).to_have_count(0)

    page.goto(site("/organisation/tasks/overdue/"))
    expect(page.get_by_test_id("overdue-count")).to_have_text("1")
    expect(page.get_by_test_id("overdue-tasks")).not_to_contain_text(FIRST_TASK)
    # The page fits the phone: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
