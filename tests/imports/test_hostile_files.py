"""Files built to hurt: a dimension claiming the whole sheet, a far cell, a deflate
bomb, too many rows or columns, formulas. Each is refused before it is read whole, with
a reason naming the limit and what the file had, and the process that read it lives on."""

import csv
import io
import json
import subprocess
import sys
import textwrap

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from django_tasks_db.management.commands import db_worker

from baolei.imports import running
from baolei.imports.models import ImportJob
from baolei.imports.pipeline import ImportContext
from baolei.imports.reading import UnreadableFile, read_table
from baolei.registry.sheets.households import SHEET
from tests.factories import ApiTokenFactory
from tests.helpers import bearer
from tests.imports import hostile_files
from tests.imports.registry_files import register, table

# What a reading process may use here: far less than any of these files asks for.
MEMORY_LIMIT = 1536 * 1024 * 1024

READ_IN_A_LIMITED_PROCESS = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    import django
    django.setup()
    from django.utils import translation
    from baolei.imports.reading import UnreadableFile, iter_table
    try:
        rows = sum(1 for _ in iter_table(sys.argv[1], "bomb.xlsx"))
    except UnreadableFile as error:
        with translation.override("en"):
            print(json.dumps({{"code": error.code, "message": str(error.message)}}))
    else:
        print(json.dumps({{"rows": rows}}))
    """
)


def read_in_a_limited_process(path) -> dict:
    """Reads the file in a child process limited to MEMORY_LIMIT: an allocation of
    gigabytes aborts the child, never the test."""
    done = subprocess.run(
        [sys.executable, "-c", READ_IN_A_LIMITED_PROCESS.format(limit=MEMORY_LIMIT), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "baolei.settings", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def refusal(data: bytes, filename: str = "户籍.xlsx") -> UnreadableFile:
    with pytest.raises(UnreadableFile) as error:
        read_table(data, filename)
    return error.value


def english(error: UnreadableFile) -> str:
    with translation.override("en"):
        return str(error.message)


@pytest.fixture
def small_limits(settings):
    settings.BAOLEI_IMPORT_MAX_ROWS = 100
    settings.BAOLEI_IMPORT_MAX_COLUMNS = 30


# The site-down files


def test_the_probes_dimension_bomb_is_refused_and_the_reader_lives(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hostile_files.dimension_bomb())
    assert path.stat().st_size < 6000  # the probe's 5.7 KB

    result = read_in_a_limited_process(path)

    assert result["code"] == "too_large", result
    assert "A1:XFD1048576" in result["message"] and "1048576 rows" in result["message"]
    assert "16384 columns" in result["message"]


def test_a_far_cell_without_a_dimension_is_refused_and_the_reader_lives(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hostile_files.far_cell())

    result = read_in_a_limited_process(path)

    assert result["code"] == "columns", result
    assert "XFD1048576" in result["message"] and "at most 200 columns" in result["message"]


def test_a_deflate_bomb_is_refused_on_its_ratio_before_it_is_read():
    data = hostile_files.deflate_bomb(40_000)
    assert len(data) < 40_000

    error = refusal(data)

    assert error.code == "ratio"
    message = english(error)
    assert "xl/worksheets/sheet1.xml" in message and "at most 200 times" in message


def test_rows_beyond_the_limit_are_refused_in_every_format(small_limits):
    rows = [["姓名", "人口数"], *([f"村民{n}", "3"] for n in range(150))]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    workbook.close()
    text = io.StringIO()
    csv.writer(text).writerows(rows)

    for data, name in ((buffer.getvalue(), "户.xlsx"), (text.getvalue().encode(), "户.csv")):
        error = refusal(data, name)
        assert error.code in ("rows", "too_large"), name  # an .xlsx declares 151 rows
        assert "at most 100 rows" in english(error), name
    # The same without cell references, which are counted all the same
    assert refusal(hostile_files.rows_without_references(150)).code == "rows"
    assert len(read_table(hostile_files.rows_without_references(90), "户.xlsx").rows) == 89


def test_columns_beyond_the_limit_are_refused_in_every_format(small_limits):
    error = refusal(hostile_files.wide_row(300))
    assert error.code == "columns" and "at most 30 columns" in english(error)
    far = hostile_files.xlsx(hostile_files.HEADER_ROW + '<row r="2"><c r="ZZ2"><v>1</v></c></row>')
    assert refusal(far).code == "columns" and "ZZ2" in english(refusal(far))
    wide_csv = ("a,b\n" + ",".join(["1"] * 300) + "\n").encode()
    error = refusal(wide_csv, "户.csv")
    assert error.code == "columns" and "300" in english(error) and "Row 2" in english(error)
    # Within the limits nothing changes
    assert read_table(hostile_files.wide_row(20), "户.xlsx").rows[0].values == ["1"] * 20


def test_a_file_larger_than_the_upload_limit_is_refused_everywhere(settings, client, insider):
    settings.BAOLEI_IMPORT_MAX_UPLOAD_MB = 1
    data = ("姓名,人口数\n" + "张三,3\n" * 200_000).encode()
    assert len(data) > 1024 * 1024

    error = refusal(data, "户.csv")
    assert error.code == "size" and "at most 1 MB" in english(error)
    response = client.post(
        "/api/imports/",
        {"kind": "households", "file": SimpleUploadedFile("户.csv", data)},
        headers=bearer(ApiTokenFactory(user=insider).key),
    )
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]
    assert not ImportJob.objects.exists()


def test_a_formula_is_refused_naming_its_cell():
    data = hostile_files.xlsx(
        hostile_files.HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c>'
        '<c r="B2"><f>SUM(1,2)</f><v>3</v></c></row>'
    )
    error = refusal(data)
    assert error.code == "formula"
    assert "B2" in english(error) and "row 2" in english(error) and "column B" in english(error)


@pytest.mark.django_db
def test_an_id_number_stored_as_a_number_is_refused_as_such(insider):
    from baolei.accounts.scope import Scope

    rows = table(register(1))
    column = rows[0].index("身份证号")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for index, row in enumerate(rows):
        for position, value in enumerate(row):
            if index and position == column:
                sheet.write_number(index, position, float(value))  # what Excel does
            elif value:
                sheet.write_string(index, position, value)
    workbook.close()
    context = ImportContext(scope=Scope.for_user(insider), filename="户.xlsx")

    with translation.override("en"):
        outcome = running.run_import(SHEET, buffer.getvalue(), "户.xlsx", context)
        reasons = {str(error.reason) for error in outcome.errors if error.column == "身份证号"}

    assert outcome.status == ImportJob.Status.REJECTED
    assert reasons and all("stored as text" in reason for reason in reasons), reasons


# Through the API: the job is refused, the worker and the site live on


@pytest.fixture
def run_worker(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db
def test_the_dimension_bomb_uploaded_by_a_township_officer_ends_as_a_refused_job(
    client, insider, run_worker
):
    key = ApiTokenFactory(user=insider).key
    response = client.post(
        "/api/imports/",
        {"kind": "households", "file": SimpleUploadedFile("户.xlsx", hostile_files.far_cell())},
        headers=bearer(key),
    )
    assert response.status_code == 202, response.content

    run_worker()  # in this very process: an abort would end the test run here

    job = client.get(f"/api/imports/{response.json()['id']}", headers=bearer(key)).json()
    assert job["status"] == "rejected"
    assert "XFD1048576" in job["errors"][0]["reason"]  # in the uploader's Chinese
    assert client.get("/api/me/", headers=bearer(key)).status_code == 200
