"""The village one-page report (村级作战图, issue 14 item 5): the page to print with the
village's inputs and outcomes, the same as a real PDF and as a workbook, the ZIP of every
village's PDF of a township built by the task worker with its progress, and the scope of
every one of them."""

import datetime
import io
import re
import shutil
import subprocess
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from python_calamine import CalamineWorkbook

from baolei.accounts.permissions import Role
from baolei.audit.models import Action, AuditEvent
from baolei.dashboard.models import ReportBatch
from baolei.dashboard.services import facts
from baolei.organisation.choices import CommitteePostKind
from baolei.regions.models import Region
from baolei.registry.choices import Education
from tests.cadres.factories_teams import TeamMemberFactory, WorkTeamFactory
from tests.dashboard.test_village import _village
from tests.factories import UserFactory
from tests.organisation.factories import CommitteePostFactory
from tests.registry.factories import PersonFactory
from tests.talent.factories import ServedVillageFactory, ServiceRequestFactory, TalentFactory

pytestmark = pytest.mark.django_db

VILLAGE = "420222100001"  # 山川台社区居委会, 兴国镇
OTHER = "420222100002"
SMALL_TOWNSHIP = "420222452"  # 半壁山农场: three villages
PAGE = f"/dashboard/villages/{VILLAGE}/report/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_worker(monkeypatch):
    """The real worker command, in-process (as the import tests run it)."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def village():
    """山川台社区居委会 with a register, a graded branch, the two committees, a work team
    with its first secretary, talent and a studio; beside it a village with other
    figures that must not leak in."""
    households, branch = _village(VILLAGE, households=7, monitored=2, visited=3, members=4)
    _village(OTHER, households=5, monitored=5, visited=0, members=9)
    CommitteePostFactory(
        region_code=VILLAGE,
        kind=CommitteePostKind.SECRETARY_AND_CHAIR,
        person=PersonFactory(name="柯书记", region_code=VILLAGE),
        education=Education.COLLEGE,
    )
    CommitteePostFactory(
        region_code=VILLAGE,
        kind=CommitteePostKind.VILLAGE_COMMITTEE_MEMBER,
        person=PersonFactory(name="石委员", region_code=VILLAGE),
    )
    CommitteePostFactory(  # a past term: not on the report
        region_code=VILLAGE,
        kind=CommitteePostKind.DEPUTY_CHAIR,
        person=PersonFactory(name="旧主任", region_code=VILLAGE),
        started_on=datetime.date(2015, 1, 1),
        ended_on=datetime.date(2018, 1, 1),
    )
    CommitteePostFactory(region_code=OTHER, person=PersonFactory(name="邻村书记"))
    today = timezone.localdate()
    team = WorkTeamFactory(
        starts_on=datetime.date(2024, 1, 1), ends_on=today + datetime.timedelta(days=365)
    )
    secretary = TeamMemberFactory(team=team)
    TalentFactory.create_batch(3, region_code=VILLAGE)
    TalentFactory(region_code=OTHER)
    ServedVillageFactory(village_id=VILLAGE, studio__name="兴国镇水稻专家工作室")
    ServiceRequestFactory(region_code=VILLAGE)
    facts.rebuild()
    return {
        "households": households,
        "branch": branch,
        "team": team,
        "secretary": secretary.cadre.person.name,
        "name": Region.objects.get(code=VILLAGE).name,
    }


def _testid(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="figure-{testid}">([^<]*)<', page)
    assert found, f"no figure {testid}"
    return found.group(1).strip()


def _pdf_text(body: bytes) -> str:
    """The PDF's text as a reader's viewer extracts it (poppler's pdftotext)."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is installed by `make pdf`"
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
    )
    return result.stdout.decode()


@pytest.mark.usefixtures("english")
def test_the_page_shows_the_villages_inputs_and_outcomes(client_insider, village):
    response = client_insider.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    # The register and monitoring, counted for this village only.
    assert _testid(page, "households") == "7"
    assert _testid(page, "monitored") == "2"
    assert _testid(page, "cases-open") == "2"
    assert _testid(page, "visits-due") == "4"
    # The branch and its grade, the two committees now, the team and first secretary.
    assert village["branch"].name in page
    assert _testid(page, "grade") == "Good"
    assert _testid(page, "members") == "4"
    assert "柯书记" in page and "石委员" in page
    assert "Secretary and chair (one person)" in page
    assert "旧主任" not in page and "邻村书记" not in page
    assert village["team"].dispatching_unit in page
    assert village["secretary"] in page
    # Talent and the studio serving the village.
    assert _testid(page, "talent") == "3"
    assert _testid(page, "requests-open") == "1"
    assert "兴国镇水稻专家工作室" in page
    # The registered indicators, with their units, from the stored figures.
    indicators = page[page.index('data-testid="report-indicators"') :]
    assert "Households" in indicators and "Talent" in indicators
    assert '<td class="num">7</td><td>' in indicators
    # A print page: A4, no site navigation.
    assert "size: A4" in page and "@media print" in page
    assert "<nav" not in page


def test_the_page_is_in_chinese_by_default(client_insider, village):
    page = client_insider.get(PAGE).content.decode()
    assert "村级作战图" in page
    assert "两委" in page


def test_the_pdf_is_a_real_pdf_with_the_village_in_it(client_insider, village):
    response = client_insider.get(f"/dashboard/villages/{VILLAGE}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"%PDF-")
    text = _pdf_text(body)
    # Chinese drawn with a real font: the text comes back out of the PDF.
    assert village["name"] in text
    assert "村级作战图" in text
    assert "柯书记" in text and village["secretary"] in text
    assert "邻村书记" not in text
    # One A4 page.
    assert text.count("\f") <= 1
    event = AuditEvent.objects.filter(action=Action.EXPORT, model="dashboard.report").latest("pk")
    assert event.extra["format"] == "pdf" and event.extra["filters"] == {"village": VILLAGE}


@pytest.mark.usefixtures("english")
def test_the_workbook_holds_the_same_figures(client_insider, village):
    response = client_insider.get(f"/dashboard/villages/{VILLAGE}/report.xlsx")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["Section", "Item", "Value", "Unit"]
    rows = {(row[0], row[1]): (row[2], row[3]) for row in sheet[1:]}
    assert rows[("Register", "Households")][0] == 7
    assert rows[("Monitoring", "Open monitoring cases")][0] == 2
    assert rows[("Two committees", "Secretary and chair (one person)")][0] == "柯书记"
    assert rows[("Work team and first secretary", "First secretary")][0] == village["secretary"]
    assert rows[("Talent and studios", "Talent in the pool")][0] == 3
    # An indicator with its unit, as a number the sheet can sum.
    units = {row[1]: (row[2], row[3]) for row in sheet[1:] if row[3]}
    assert units["Households"][0] == 7
    assert AuditEvent.objects.filter(action=Action.EXPORT, model="dashboard.report").exists()


@pytest.fixture
def farm_officer(db):
    return UserFactory(username="farm", role=Role.TOWNSHIP_OFFICER, scope=SMALL_TOWNSHIP)


def test_the_zip_of_a_township_has_every_villages_pdf(farm_officer, run_worker):
    client = Client()
    client.force_login(farm_officer)
    villages = list(Region.objects.within(SMALL_TOWNSHIP).villages().order_by("code"))
    assert len(villages) == 3

    form = client.get("/dashboard/reports/").content.decode()
    assert f'value="{SMALL_TOWNSHIP}"' in form
    response = client.post("/dashboard/reports/", {"region": SMALL_TOWNSHIP})
    assert response.status_code == 302
    batch = ReportBatch.objects.get()
    assert response["Location"] == f"/dashboard/reports/{batch.pk}/"
    assert batch.status == ReportBatch.Status.QUEUED and batch.total == 3
    progress = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in progress  # the page polls while it waits
    assert client.get(f"/dashboard/reports/{batch.pk}/zip/").status_code == 404  # not yet

    run_worker()

    batch.refresh_from_db()
    assert batch.status == ReportBatch.Status.DONE and (batch.done, batch.total) == (3, 3)
    progress = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in progress and 'data-testid="batch-download"' in progress
    download = client.get(f"/dashboard/reports/{batch.pk}/zip/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = sorted(archive.namelist())
        assert len(names) == 3
        for village, name in zip(villages, names, strict=True):
            assert village.code in name and village.name in name and name.endswith(".pdf")
            pdf = archive.read(name)
            assert pdf.startswith(b"%PDF-")
            text = _pdf_text(pdf)
            assert village.name in text and "村级作战图" in text  # in the site's language
    event = AuditEvent.objects.filter(model="dashboard.reportbatch").latest("pk")
    assert event.action == Action.EXPORT and event.extra["rows"] == 3


def test_the_progress_page_counts_the_villages_drawn(farm_officer, run_worker):
    client = Client()
    client.force_login(farm_officer)
    client.post("/dashboard/reports/", {"region": SMALL_TOWNSHIP})
    batch = ReportBatch.objects.get()
    run_worker()
    page = client.get(f"/dashboard/reports/{batch.pk}/").content.decode()
    assert 'data-status="done"' in page
    assert f"/dashboard/reports/{batch.pk}/zip/" in page
    assert "hx-trigger" not in page


def test_a_village_or_a_region_outside_the_scope_cannot_start_a_batch(client_insider):
    assert client_insider.post("/dashboard/reports/", {"region": "420222101"}).status_code == 404
    assert client_insider.post("/dashboard/reports/", {"region": VILLAGE}).status_code == 404
    assert not ReportBatch.objects.exists()


@pytest.fixture
def insiders_batch(insider, village, run_worker):
    client = Client()
    client.force_login(insider)
    client.post("/dashboard/reports/", {"region": "420222100"})
    return ReportBatch.objects.get()


@pytest.mark.parametrize("who", ["client_outsider", "client_neighbour"])
def test_outsiders_get_404_for_every_report_and_batch(request, who, insiders_batch):
    client = request.getfixturevalue(who)
    base = f"/dashboard/villages/{VILLAGE}"
    for path in (f"{base}/report/", f"{base}/report.pdf", f"{base}/report.xlsx"):
        assert client.get(path).status_code == 404, path
    assert client.post("/dashboard/reports/", {"region": "420222100"}).status_code == 404
    ReportBatch.objects.filter(pk=insiders_batch.pk).update(status=ReportBatch.Status.DONE)
    for path in (
        f"/dashboard/reports/{insiders_batch.pk}/",
        f"/dashboard/reports/{insiders_batch.pk}/zip/",
    ):
        assert client.get(path).status_code == 404, path
    assert "兴国镇" not in client.get("/dashboard/reports/").content.decode()
    assert ReportBatch.objects.count() == 1


def test_another_user_of_the_same_township_does_not_see_the_batch(insiders_batch):
    colleague = UserFactory(username="colleague", role=Role.TOWNSHIP_OFFICER, scope="420222100")
    client = Client()
    client.force_login(colleague)
    assert client.get(f"/dashboard/reports/{insiders_batch.pk}/").status_code == 404
    assert client.get(f"/dashboard/reports/{insiders_batch.pk}/zip/").status_code == 404
