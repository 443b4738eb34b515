"""The register's import in a real browser, run by the real background worker: upload a
clean file and watch it load, open an imported household; upload a bad file, see each
rejected row and download the rows with their reasons.

Run by scoped users, as in the counties, not by a superuser: the county's rural
revitalisation bureau (阳新县) loads the clean file, a township officer of 兴国镇 the bad
one, which also carries a household of the next township (富池镇) that the officer may
not import into. The scope travels from the upload through the background worker to
the rows checked and the pages shown."""

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from tests.imports.registry_files import NEIGHBOUR_VILLAGE, csv_bytes, family, register, with_check

pytestmark = pytest.mark.browser

BUREAU = ("yangxin_xiangzhen", "Yangxin-Bureau-2024-kv")
OFFICER = ("xingguo_import", "Xingguo-Officer-2024-kv")

# Run against the server's own database, the way the conftest creates its users.
USERS = """
import django
django.setup()
from baolei.accounts import services
from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from baolei.regions.models import Region

admin = User.objects.get(username="browser_admin")
for username, password, role, code, name in {users!r}:
    services.do_create_user(
        admin,
        username=username,
        password=password,
        role=role,
        scope_region=Region.objects.get(code=code),
        full_name=name,
    )
"""


@pytest.fixture(scope="module")
def users(site):
    site.run_python(
        USERS.format(
            users=[
                (*BUREAU, "revitalisation_bureau", "420222", "阳新县乡村振兴局"),
                (*OFFICER, "township_officer", "420222100", "兴国镇扶贫专干"),
            ]
        )
    )


def _upload(page, site, name: str, content: bytes, mime: str) -> None:
    page.goto(site("/imports/upload/"))
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": mime, "buffer": content}])
    page.get_by_test_id("upload-form").locator("button[type=submit]").click()


@pytest.mark.usefixtures("users")
def test_a_clean_gbk_file_loads_and_its_household_opens(site, page, login):
    login(page, *BUREAU)
    rows = register(20, start=300)  # 20 households, 60 people, in 山川台社区居委会
    _upload(page, site, "兴国镇花名册.csv", csv_bytes(rows, encoding="gbk"), "text/csv")

    job = page.get_by_test_id("job")
    expect(job.get_by_test_id("progress")).to_be_visible()
    expect(job).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.get_by_test_id("job-done")).to_contain_text("60")

    page.get_by_test_id("open-list").click()
    household = rows[0]["户编号"]
    page.get_by_role("link", name=household).first.click()
    expect(page.locator("main")).to_contain_text(rows[0]["姓名"])
    expect(page.locator("main")).to_contain_text(rows[1]["姓名"])


@pytest.mark.usefixtures("users")
def test_a_bad_file_changes_nothing_and_gives_the_rows_back(site, page, login):
    login(page, *OFFICER)
    rows = register(3, start=400)
    rows[4]["身份证号"] = with_check(rows[4]["身份证号"][:17], wrong=True)
    # A household of 富池镇: outside the officer's township, refused on its village cell.
    rows += family("420222101001900001", 480, village=NEIGHBOUR_VILLAGE)
    _upload(page, site, "有错误.csv", csv_bytes(rows), "text/csv")

    job = page.get_by_test_id("job")
    expect(job).to_have_attribute("data-status", "rejected", timeout=60_000)
    errors = page.get_by_test_id("error-table")
    expect(errors).to_contain_text("6")  # the spreadsheet row: header is row 1
    expect(errors).to_contain_text("身份证号")
    expect(errors).to_contain_text("11")  # the 富池镇 head's row
    expect(errors).to_contain_text(NEIGHBOUR_VILLAGE)  # "… is outside your scope."

    with page.expect_download() as download_info:
        page.get_by_test_id("rejected-xlsx").click()
    path = download_info.value.path()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert "错误原因" in sheet[0]
    assert len(sheet) == 1 + len(rows)  # every original row comes back
    reasons = [row[sheet[0].index("错误原因")] for row in sheet[1:]]
    assert reasons[4] and reasons[9] and not any(reasons[:4] + reasons[5:9] + reasons[10:])

    page.goto(site(f"/registry/households/?q={rows[0]['户编号']}"))
    expect(page.locator("main")).not_to_contain_text(rows[0]["姓名"])
