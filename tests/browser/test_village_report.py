"""The village one-page report as a township officer uses it: from the village's page to
its report, the PDF downloaded from the report, the report on a phone, and the ZIP of
every village of the township built by the server's own task worker while the page
watches its progress — in real Chromium against `baolei serve`."""

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = str(Path(__file__).resolve().parents[2])
SHOTS = Path("/tmp/shots")
OFFICER = ("jingtoushan_zuzhi", "Jingtou-Hill-Farm-57")
# 荆头山农场: three villages, and no other browser test writes there.
TOWNSHIP, VILLAGE, VILLAGE_NAME = "420222453", "420222453001", "北门垴社区居委会"

SEED = """
import sys
sys.path.insert(0, {repo!r})
import django
django.setup()
from baolei.accounts import services
from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from baolei.organisation.choices import CommitteePostKind
from baolei.regions.models import Region
from tests.organisation.factories import CommitteePostFactory
from tests.registry.factories import HouseholdFactory, PersonFactory
from tests.talent.factories import TalentFactory

admin = User.objects.get(username="browser_admin")
services.do_create_user(
    admin,
    username={username!r},
    password={password!r},
    role=Role.TOWNSHIP_OFFICER,
    scope_region=Region.objects.get(code={township!r}),
    full_name="荆头山农场组织委员",
)
HouseholdFactory.create_batch(6, village=Region.objects.get(code={village!r}))
CommitteePostFactory(
    region_code={village!r},
    kind=CommitteePostKind.SECRETARY_AND_CHAIR,
    person=PersonFactory(name="程书记", region_code={village!r}),
)
TalentFactory(region_code={village!r})
"""


@pytest.fixture(scope="module")
def seeded(site):
    site.run_python(
        SEED.format(
            repo=REPO,
            username=OFFICER[0],
            password=OFFICER[1],
            township=TOWNSHIP,
            village=VILLAGE,
        )
    )
    return site


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_the_officer_opens_the_village_report_and_downloads_its_pdf(seeded, browser, login):
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(
        locale="en-US", viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, *OFFICER)
    page.goto(seeded(f"/regions/{VILLAGE}/"))
    page.get_by_test_id("village-report").click()

    expect(page.get_by_test_id("report-title")).to_contain_text(VILLAGE_NAME)
    expect(page.get_by_test_id("report-title")).to_contain_text("村级作战图")
    expect(page.get_by_test_id("figure-households")).to_have_text("6")
    expect(page.get_by_test_id("report-committee")).to_contain_text("程书记")
    expect(page.get_by_test_id("figure-talent")).to_have_text("1")
    expect(page.locator("nav.navbar")).to_have_count(0)
    _fits(page)
    page.screenshot(path=str(SHOTS / "village-report-1366.png"), full_page=True)
    # On paper: the toolbar is not printed.
    page.emulate_media(media="print")
    expect(page.get_by_test_id("report-toolbar")).to_be_hidden()
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_test_id("report-pdf").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = Path(download.path())
    assert path.read_bytes().startswith(b"%PDF-")
    text = _pdf_text(path)
    assert VILLAGE_NAME in text and "程书记" in text
    context.close()


def test_the_report_fits_a_phone(seeded, phone_page, login):
    SHOTS.mkdir(exist_ok=True)
    login(phone_page, *OFFICER)
    phone_page.goto(seeded(f"/dashboard/villages/{VILLAGE}/report/"))
    expect(phone_page.get_by_test_id("report-title")).to_contain_text(VILLAGE_NAME)
    _fits(phone_page)
    phone_page.screenshot(path=str(SHOTS / "village-report-390.png"), full_page=True)


def test_the_zip_of_the_township_is_built_while_the_page_watches(seeded, browser, login):
    context = browser.new_context(
        locale="en-US", viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, *OFFICER)
    page.goto(seeded(f"/dashboard/reports/?region={TOWNSHIP}"))
    expect(page.get_by_test_id("batch-region")).to_have_value(TOWNSHIP)
    page.get_by_test_id("batch-start").click()
    batch = page.get_by_test_id("batch")
    # The server's own worker draws the three PDFs; the page polls until it is done.
    expect(batch).to_have_attribute("data-status", "done", timeout=90_000)
    page.screenshot(path=str(SHOTS / "village-report-batch-1366.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_test_id("batch-download").click()
    body = Path(download_info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = sorted(archive.namelist())
        assert [name.split("-")[0] for name in names] == [
            f"{TOWNSHIP}001",
            f"{TOWNSHIP}002",
            f"{TOWNSHIP}003",
        ]
        assert all(archive.read(name).startswith(b"%PDF-") for name in names)
    context.close()
