"""A rejected file returned to a colleague: the rows are the uploader's, with the ID
numbers of every person in them. A colleague whose role may not see personal data gets
them masked, in the file (CSV and XLSX, page and API) and in the reasons of the job's
page and API; the uploader, and roles that may see personal data, get them as uploaded."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django_tasks_db.management.commands import db_worker
from python_calamine import CalamineWorkbook

from baolei import idnumbers
from baolei.accounts.permissions import Role
from baolei.imports.models import ImportJob
from tests.conftest import TOWNSHIP
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.imports.registry_files import (
    NEIGHBOUR_VILLAGE,
    csv_bytes,
    family,
    id_number,
    register,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

# A household numbered with its head's ID number, as some villages number them, given two
# heads: the reason names the household, so it holds an ID number too.
HOUSEHOLD_ID = id_number(400)
ATTACK = "=cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_worker(monkeypatch):
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def colleague(db):
    """The insider's fellow township officer: same township, no personal-data permission."""
    return UserFactory(username="colleague", role=Role.TOWNSHIP_OFFICER, scope=TOWNSHIP)


@pytest.fixture
def bureau(db):
    return UserFactory(username="bureau", role=Role.REVITALISATION_BUREAU, scope="420222")


def bad_rows() -> list[dict[str, str]]:
    rows = register(2)
    rows[3]["村"] = NEIGHBOUR_VILLAGE
    rows[0]["地址"] = ATTACK
    rows[1]["身份证号"] = rows[1]["身份证号"][:-1]  # a digit short: still most of the number
    second = family(HOUSEHOLD_ID, 30)
    second[1]["与户主关系"] = "户主"
    return rows + second


def numbers_in(rows: list[dict[str, str]]) -> list[str]:
    return [row["身份证号"] for row in rows]


@pytest.fixture(params=["csv", "xlsx"])
def rejected(request, insider, run_worker) -> ImportJob:
    """The insider's rejected upload, as CSV or as XLSX."""
    client = Client()
    client.force_login(insider)
    rows = bad_rows()
    data = csv_bytes(rows) if request.param == "csv" else xlsx_bytes(rows)
    name = f"兴国镇户籍.{request.param}"
    client.post("/imports/upload/", {"kind": "households", "file": SimpleUploadedFile(name, data)})
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED, job.message
    assert any(HOUSEHOLD_ID in error["reason"] for error in job.errors)
    return job


def downloads(user, job: ImportJob, raw: dict | None = None) -> dict[str, str]:
    """Every way the rejected rows are fetched, each as the text of all its cells (and
    the bytes in `raw`)."""
    page = Client()
    page.force_login(user)
    api = Client()
    key = ApiTokenFactory(user=user).key
    responses = {
        "page xlsx": page.get(f"/imports/jobs/{job.pk}/errors/"),
        "api xlsx": api.get(f"/api/imports/{job.pk}/errors", headers=bearer(key)),
        "api xlsx (asked)": api.get(
            f"/api/imports/{job.pk}/errors?format=xlsx", headers=bearer(key)
        ),
    }
    if job.error_csv:
        responses["page csv"] = page.get(f"/imports/jobs/{job.pk}/errors/?format=csv")
        responses["api csv"] = api.get(
            f"/api/imports/{job.pk}/errors?format=csv", headers=bearer(key)
        )
    texts = {}
    for how, response in responses.items():
        assert response.status_code == 200, how
        content = b"".join(response.streaming_content)
        if raw is not None:
            raw[how] = content
        if content.startswith(b"PK"):
            with CalamineWorkbook.from_filelike(io.BytesIO(content)) as book:
                rows = book.get_sheet_by_index(0).to_python()
            assert rows[0][-1] == "错误原因", how
            texts[how] = "\n".join("\t".join(map(str, row)) for row in rows)
        else:
            texts[how] = content.decode("utf-8-sig")
            assert texts[how].splitlines()[0].endswith(",错误原因"), how
    return texts


def test_a_colleague_without_the_permission_gets_the_id_numbers_masked(
    colleague, insider, bureau, rejected
):
    their_files: dict[str, bytes] = {}
    theirs = downloads(colleague, rejected, their_files)
    assert len(theirs) == (5 if rejected.error_csv else 3)
    for how, text in theirs.items():
        for number in numbers_in(bad_rows()):
            assert number not in text, how
            assert idnumbers.mask(number) in text, how
        assert "村民1" in text and NEIGHBOUR_VILLAGE in text, how  # the rest as uploaded
        assert idnumbers.mask(HOUSEHOLD_ID) in text, how  # in the reasons too
    # The uploader, and a role that may see personal data, get the file as uploaded;
    # the colleague's is the same row for row and cell for cell, only the numbers masked.
    for user in (insider, bureau):
        files: dict[str, bytes] = {}
        full = downloads(user, rejected, files)
        for how, text in full.items():
            assert all(number in text for number in numbers_in(bad_rows())), (user, how)
            unmasked = theirs[how]
            for number in [*numbers_in(bad_rows()), HOUSEHOLD_ID]:
                unmasked = unmasked.replace(idnumbers.mask(number), number)
            assert unmasked == text, (user, how)
            # Formatted alike: the bold header, the rejected rows marked, a formula-looking
            # cell behind the quote prefix (CSV: the apostrophe, compared above).
            if how.endswith("xlsx") or how.endswith("(asked)"):
                styles = cell_styles(files[how])
                assert len({style for _cell, style in styles}) >= 4, how
                assert cell_styles(their_files[how]) == styles, how
    assert f"'{ATTACK}" in theirs.get("page csv", f"'{ATTACK}")


def cell_styles(workbook: bytes) -> list[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    return re.findall(r'<c r="([A-Z]+\d+)" s="(\d+)"', sheet)


def test_the_reasons_on_the_page_and_in_the_api_are_masked_for_the_colleague(
    colleague, insider, bureau, rejected
):
    masked = idnumbers.mask(HOUSEHOLD_ID)
    for user, shown in ((colleague, masked), (insider, HOUSEHOLD_ID), (bureau, HOUSEHOLD_ID)):
        client = Client()
        client.force_login(user)
        for polled in (False, True):
            headers = {"HX-Request": "true"} if polled else {}
            page = client.get(f"/imports/jobs/{rejected.pk}/", headers=headers).content.decode()
            assert 'data-testid="error-table"' in page
            assert shown in page, user
            if shown == masked:
                assert HOUSEHOLD_ID not in page
        key = ApiTokenFactory(user=user).key
        one = Client().get(f"/api/imports/{rejected.pk}", headers=bearer(key)).json()
        listed = Client().get("/api/imports/", headers=bearer(key)).json()
        for job in (one, *listed):
            reasons = " ".join(error["reason"] for error in job["errors"])
            assert shown in reasons, user
            if shown == masked:
                assert HOUSEHOLD_ID not in reasons
