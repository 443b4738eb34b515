"""The import pages and API: upload, a background job run by the real worker, its
progress page, the rejected rows, templates, and the scope of every one of them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from baolei.accounts.permissions import Role
from baolei.audit.models import Action, AuditEvent
from baolei.imports.models import ImportJob
from baolei.registry.models import Household
from baolei.registry.sheets.households import SHEET
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.imports.registry_files import (
    NEIGHBOUR_VILLAGE,
    csv_bytes,
    register,
    register_counts,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_worker(monkeypatch):
    """The real worker command, in-process. Its connection housekeeping would close the
    test's connection (and so its transaction) on PostgreSQL; nothing else is changed."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def bureau(db):
    return UserFactory(username="bureau", role=Role.REVITALISATION_BUREAU, scope="420222")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, data: bytes, name: str = "兴国镇户籍.xlsx", kind: str = "households"):
    return client.post(
        "/imports/upload/", {"kind": kind, "file": SimpleUploadedFile(name, data)}, follow=False
    )


def polled(client, path: str) -> str:
    return client.get(path, headers={"HX-Request": "true"}).content.decode()


@pytest.fixture
def done_job(client_insider, run_worker) -> ImportJob:
    upload(client_insider, xlsx_bytes(register(2)))
    run_worker()
    return ImportJob.objects.latest("pk")


@pytest.fixture
def rejected_job(client_insider, run_worker) -> ImportJob:
    rows = register(2)
    rows[3]["村"] = NEIGHBOUR_VILLAGE
    upload(client_insider, csv_bytes(rows, "gbk"), "兴国镇户籍.csv")
    run_worker()
    return ImportJob.objects.latest("pk")


# Uploading and watching the job


def test_an_upload_is_queued_and_the_worker_loads_it(client_insider, insider, run_worker):
    page = client_insider.get("/imports/upload/").content.decode()
    assert 'href="/imports/templates/households/"' in page

    response = upload(client_insider, xlsx_bytes(register(3)))

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/jobs/{job.pk}/"
    assert job.status == ImportJob.Status.QUEUED and job.uploaded_by == insider
    assert job.filename == "兴国镇户籍.xlsx" and job.region_code == "420222100"
    # The job waits in the database queue: a restart of the web server loses nothing.
    assert DBTaskResult.objects.get().status == "READY"
    assert not Household.objects.exists()
    waiting = client_insider.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in waiting and 'hx-trigger="every 1s"' in waiting

    run_worker()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert register_counts() == (3, 9, 9, 3)
    finished = polled(client_insider, response["Location"])
    assert 'data-status="done"' in finished and "hx-trigger" not in finished
    assert 'value="100"' in finished
    assert 'href="/registry/households/"' in finished  # where the households are seen
    event = AuditEvent.objects.get(action=Action.IMPORT)
    assert event.actor_name == insider.username and event.channel == "web"
    assert event.extra["sha256"] == job.sha256


def test_the_job_page_shows_the_progress_while_it_runs(client_insider, done_job):
    ImportJob.objects.filter(pk=done_job.pk).update(
        status=ImportJob.Status.VALIDATING, rows_done=3, rows_total=6
    )
    page = polled(client_insider, f"/imports/jobs/{done_job.pk}/")
    assert 'data-status="validating"' in page and 'hx-trigger="every 1s"' in page
    assert '<progress class="progress is-info" value="50" max="100"' in page
    assert "3 / 6 (50%)" in page


def test_loading_the_same_file_again_says_nothing_changed(client_insider, run_worker):
    data = xlsx_bytes(register(2))
    upload(client_insider, data)
    run_worker()
    upload(client_insider, data)
    run_worker()
    first, again = ImportJob.objects.order_by("pk")
    assert again.status == ImportJob.Status.DONE and again.counts["unchanged"] == 6
    page = client_insider.get(f"/imports/jobs/{again.pk}/").content.decode()
    assert 'data-status="done"' in page and 'data-testid="job-done"' in page
    assert first.sha256 == again.sha256
    events = AuditEvent.objects.filter(action=Action.IMPORT).order_by("id")
    assert [event.extra["counts"]["unchanged"] for event in events] == [0, 6]


def test_a_rejected_file_lists_its_errors_and_returns_the_rows(client_insider, rejected_job):
    assert rejected_job.status == ImportJob.Status.REJECTED
    assert register_counts() == (0, 0, 0, 0)
    page = client_insider.get(f"/imports/jobs/{rejected_job.pk}/").content.decode()
    assert 'data-status="rejected"' in page
    assert "<td>5</td><td>村</td>" in page and "420222101001" in page
    xlsx = client_insider.get(f"/imports/jobs/{rejected_job.pk}/errors/")
    assert xlsx.status_code == 200
    with CalamineWorkbook.from_filelike(io.BytesIO(b"".join(xlsx.streaming_content))) as book:
        rows = book.get_sheet_by_index(0).to_python()
    assert rows[0] == [*SHEET.headers, "错误原因"]
    assert "420222101001" in rows[4][-1] and rows[1][-1] == ""
    returned = client_insider.get(f"/imports/jobs/{rejected_job.pk}/errors/?format=csv")
    text = b"".join(returned.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].endswith(",错误原因") and "420222101001" in text


def test_a_file_that_cannot_be_imported_is_refused_at_once(client_insider):
    response = upload(client_insider, b"hello", "notes.txt")
    assert response.status_code == 200
    assert "is-danger" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_template_is_downloaded_with_the_sheets_headers(client_insider):
    response = client_insider.get("/imports/templates/households/")
    assert response.status_code == 200
    with CalamineWorkbook.from_filelike(io.BytesIO(response.content)) as workbook:
        assert workbook.get_sheet_by_index(0).to_python() == [SHEET.headers]
    assert client_insider.get("/imports/templates/nothing/").status_code == 404


# Who sees which job


def test_the_job_list_shows_the_scope(client_insider, neighbour, bureau, done_job):
    link = f'href="/imports/jobs/{done_job.pk}/"'
    assert link in client_insider.get("/imports/").content.decode()
    assert link in login(bureau).get("/imports/").content.decode()  # the county above
    assert link not in login(neighbour).get("/imports/").content.decode()


@pytest.mark.parametrize("person", ["client_neighbour", "client_outsider"])
def test_another_regions_job_is_not_found(request, person, done_job, rejected_job):
    client = request.getfixturevalue(person)
    for job in (done_job, rejected_job):
        assert client.get(f"/imports/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/imports/jobs/{job.pk}/errors/").status_code == 404
        assert client.get(f"/imports/jobs/{job.pk}/errors/?format=csv").status_code == 404


def test_roles_that_may_not_edit_the_register_may_not_import(db, client_outsider):
    secretary = login(UserFactory(role=Role.FIRST_SECRETARY, scope="420222100001"))
    assert secretary.get("/imports/upload/").status_code == 403
    assert secretary.get("/imports/").status_code == 403
    for client in (client_outsider, secretary):
        # The organisation department imports other sheets, never the register's.
        assert upload(client, xlsx_bytes(register(1))).status_code in (200, 403)
        assert client.get("/imports/templates/households/").status_code == 403
    assert not ImportJob.objects.exists()


@pytest.fixture
def bureau_outsider(db):
    """大冶市's rural revitalisation bureau: may import, but in its own county only."""
    return UserFactory(username="bureau_outsider", role=Role.REVITALISATION_BUREAU, scope="420281")


@pytest.mark.parametrize(
    ("person", "region"), [("neighbour", "420222101"), ("bureau_outsider", "420281")]
)
def test_nobody_imports_into_the_insiders_villages(request, person, region, run_worker):
    client = login(request.getfixturevalue(person))
    upload(client, xlsx_bytes(register(1)))
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED and job.region_code == region
    # The reason is stored in the uploader's language: Chinese by default.
    with translation.override("zh-hans"):
        expected = gettext("The village %(code)s is outside your scope.") % {"code": "420222100001"}
    assert expected != "The village 420222100001 is outside your scope."
    assert job.errors[0]["column"] == "村" and job.errors[0]["reason"] == expected
    assert register_counts() == (0, 0, 0, 0)


def test_another_countys_bureau_sees_none_of_the_insiders_imports(
    client, bureau_outsider, done_job, rejected_job
):
    other = login(bureau_outsider)
    for job in (done_job, rejected_job):
        page = f"/imports/jobs/{job.pk}/"
        assert other.get(page).status_code == 404
        assert other.get(f"{page}errors/").status_code == 404
        assert page not in other.get("/imports/").content.decode()
        assert page not in other.get("/imports/upload/").content.decode()
    template = other.get("/imports/templates/households/")
    with CalamineWorkbook.from_filelike(io.BytesIO(template.content)) as workbook:
        villages = [row[0] for row in workbook.get_sheet_by_name("choices").to_python()]
    assert villages and all(name.startswith("湖北省黄石市大冶市") for name in villages)
    key = ApiTokenFactory(user=bureau_outsider).key
    assert client.get("/api/imports/", headers=bearer(key)).json() == []
    for job in (done_job, rejected_job):
        assert client.get(f"/api/imports/{job.pk}", headers=bearer(key)).status_code == 404
        errors = client.get(f"/api/imports/{job.pk}/errors", headers=bearer(key))
        assert errors.status_code == 404


def test_pages_need_a_login(client):
    for path in ("/imports/", "/imports/upload/", "/imports/templates/households/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The API


def test_the_api_uploads_and_reports(client, insider, run_worker):
    key = ApiTokenFactory(user=insider).key
    rows = register(2)
    rows[0]["户属性"] = "富裕户"
    response = client.post(
        "/api/imports/",
        {"kind": "households", "file": SimpleUploadedFile("户.csv", csv_bytes(rows))},
        headers=bearer(key),
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response.json()["status"] == "queued"

    run_worker()

    status = client.get(f"/api/imports/{job_id}", headers=bearer(key)).json()
    assert status["status"] == "rejected" and status["error_count"] == 1
    assert status["errors"][0]["row"] == 2 and status["errors"][0]["column"] == "户属性"
    assert status["rejected_rows_url"] == f"/api/imports/{job_id}/errors"
    returned = client.get(f"/api/imports/{job_id}/errors?format=csv", headers=bearer(key))
    assert returned.status_code == 200
    assert "富裕户" in b"".join(returned.streaming_content).decode("utf-8-sig")
    listed = client.get("/api/imports/", headers=bearer(key)).json()
    assert [job["id"] for job in listed] == [job_id]
    template = client.get("/api/imports/templates/households", headers=bearer(key))
    assert template.status_code == 200 and template.content.startswith(b"PK")
    assert AuditEvent.objects.filter(action=Action.IMPORT).count() == 0


def test_the_api_keeps_other_regions_out(client, neighbour, outsider, done_job):
    for user in (neighbour, outsider):
        key = ApiTokenFactory(user=user).key
        assert client.get(f"/api/imports/{done_job.pk}", headers=bearer(key)).status_code == 404
        errors = client.get(f"/api/imports/{done_job.pk}/errors", headers=bearer(key))
        assert errors.status_code == 404
        assert client.get("/api/imports/", headers=bearer(key)).json() == []
    key = ApiTokenFactory(user=outsider).key
    refused = client.post(
        "/api/imports/",
        {"kind": "households", "file": SimpleUploadedFile("户.csv", csv_bytes(register(1)))},
        headers=bearer(key),
    )
    assert refused.status_code == 403
    assert client.get("/api/imports/templates/households", headers=bearer(key)).status_code == 403
    assert ImportJob.objects.count() == 1
