"""The generic pipeline: columns and their choices, headers, parsing every cell with every
error collected, all-or-nothing loading, the template and the job's progress."""

import io
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope
from baolei.imports import jobs, parsing, pipeline, running, workbooks
from baolei.imports.models import ImportJob
from baolei.imports.reading import SourceRow
from baolei.registry import choices
from baolei.registry.sheets.households import SHEET
from tests.imports.registry_files import csv_bytes, id_number, register

pytestmark = pytest.mark.django_db

CAUSE = SHEET.column("main_cause")
OTHER_CAUSES = SHEET.column("other_causes")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def english(value) -> str:
    with translation.override("en"):
        return str(value)


# Columns


@pytest.mark.parametrize("text", ["因病", "illness", "Illness", " ILLNESS ", "因 病"])
def test_a_choice_is_the_chinese_term_or_the_code(text):
    assert CAUSE.parse(text.strip()) == choices.PovertyCause.ILLNESS


def test_other_words_clerks_write_are_accepted():
    assert SHEET.column("relation").parse("儿子") == choices.Relation.SON
    assert CAUSE.parse("其他") == CAUSE.parse("其它") == choices.PovertyCause.OTHER


def test_an_unknown_choice_names_the_choices():
    with pytest.raises(pipeline.CellProblem) as error:
        CAUSE.parse("因懒")
    assert english(error.value).startswith("“因懒” is not one of the choices: 因病、因残、因学")


def test_a_column_of_several_choices():
    assert OTHER_CAUSES.parse("缺技术、缺资金") == ("lack_of_skills", "lack_of_capital")
    assert OTHER_CAUSES.parse("缺技术，缺技术") == ("lack_of_skills",)
    with pytest.raises(pipeline.CellProblem) as error:
        OTHER_CAUSES.parse("缺技术、缺资金、缺水")
    assert english(error.value) == "At most 2 values, separated by 、."


def test_terms_are_the_national_systems_words():
    assert list(SHEET.column("attribute").terms.values()) == [
        "一般贫困户",
        "低保贫困户",
        "特困供养贫困户",
        "低保特困供养贫困户",
    ]
    assert CAUSE.term("lack_of_drive") == "自身发展动力不足"


# Headers


def _header(*names: str) -> SourceRow:
    return SourceRow(1, list(names))


def test_headers_match_whatever_their_width_spacing_or_star():
    errors = pipeline.Errors()
    found, ignored = parsing.match_header(
        SHEET,
        _header("户 编 号*", "姓名", "身份证号码", "与户主关系", "劳动技能", "备注", "错误原因"),
        errors,
    )
    assert not errors
    assert found == {
        "household_number": 0,
        "name": 1,
        "id_number": 2,
        "relation": 3,
        "labour_capacity": 4,
    }
    assert ignored == ["备注"]  # the reason column of a returned file is not "ignored"


def test_missing_and_repeated_columns_are_reported_on_the_header_row():
    errors = pipeline.Errors()
    parsing.match_header(SHEET, _header("户编号", "姓名", "姓名", "与户主关系"), errors)
    shown = [(e.row, e.column, english(e.reason)) for e in errors]
    assert shown == [
        (1, "姓名", "The column appears twice (columns 2 and 3)."),
        (1, "身份证号", "The column is missing: the file's first row must name it."),
        (1, "劳动技能", "The column is missing: the file's first row must name it."),
    ]


# Parsing every cell


def test_every_bad_cell_is_reported_with_its_row_and_column():
    header = _header(*SHEET.headers)
    errors = pipeline.Errors()
    found, _ = parsing.match_header(SHEET, header, errors)
    good = dict(zip(SHEET.headers, [""] * len(SHEET.headers), strict=True))
    rows = []
    for number, changes in enumerate(
        [
            {"户编号": "H1", "姓名": "甲", "身份证号": id_number(1), "与户主关系": "户主"},
            {"户编号": "H1", "姓名": "", "身份证号": "12345", "与户主关系": "邻居"},
            {"户编号": "H1", "姓名": "丙", "身份证号": id_number(2), "识别年度": "abc"},
        ],
        start=2,
    ):
        cells = {**good, "劳动技能": "普通劳动力", **changes}
        rows.append(SourceRow(number, [cells[h] for h in SHEET.headers]))

    table = parsing.parse_rows(SHEET, rows, found, len(header.values), errors)

    shown = [(e.row, e.column, english(e.reason)) for e in errors]
    assert shown == [
        (3, "姓名", "Required; the cell is empty."),
        (3, "身份证号", "an identity number has 18 characters, not 5"),
        (3, "与户主关系", shown[2][2]),
        (4, "识别年度", "Expected a whole number such as 1234, not “abc”."),
        (4, "与户主关系", "Required; the cell is empty."),
    ]
    assert shown[2][2].startswith("“邻居” is not one of the choices")
    assert table.column("relation") == ["head", pipeline.INVALID, pipeline.INVALID]
    assert table.column("address") == [None, None, None]
    assert table.numbers == [2, 3, 4]


def test_a_value_beyond_the_last_named_column_is_not_lost():
    errors = pipeline.Errors()
    found, _ = parsing.match_header(SHEET, _header(*SHEET.headers), errors)
    values = ["H1", *[""] * (len(SHEET.headers) - 1), "多余"]
    parsing.parse_rows(SHEET, [SourceRow(2, values)], found, len(SHEET.headers), errors)
    assert (2, "", "There is a value in column 24, which has no header.") in [
        (e.row, e.column, english(e.reason)) for e in errors
    ]


# All or nothing, for any sheet


class CountingImporter(pipeline.Importer):
    loaded = 0

    def validate(self, table):
        for index, name in enumerate(table.column("name")):
            if name == "坏":
                self.reject(index, "name", "no")
        return table

    def load(self, plan, progress):
        type(self).loaded += len(plan)
        progress(len(plan))
        return {"created": len(plan)}


TOY = pipeline.Sheet(
    kind="toy",
    title="Toy",
    sheet_name="玩具",
    columns=(
        pipeline.Column("name", "名称", required=True),
        pipeline.boolean_column("ok", "可以"),
    ),
    importer=CountingImporter,
    audit_model="tests.toy",
)


def test_a_file_with_any_rejected_row_loads_nothing(insider):
    context = pipeline.ImportContext(scope=Scope.for_user(insider))
    CountingImporter.loaded = 0
    outcome = running.run_import(
        TOY, "名称,可以\n好,是\n坏,否\n好,也许\n".encode(), "t.csv", context
    )
    assert outcome.status == ImportJob.Status.REJECTED
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "名称"), (4, "可以")]
    assert outcome.counts == {"rows": 3, "rejected": 2}
    assert CountingImporter.loaded == 0

    clean = running.run_import(TOY, "名称,可以\n好,是\n好,否\n".encode(), "t.csv", context)
    assert clean.status == ImportJob.Status.DONE
    assert clean.counts == {"rows": 2, "created": 2, "rejected": 0}
    assert CountingImporter.loaded == 2


def test_sheets_are_found_in_the_apps_and_offered_by_permission(insider, outsider):
    assert pipeline.get_sheet("households") is SHEET
    assert SHEET.import_permission == Perm.EDIT_REGISTRY
    assert SHEET in pipeline.sheets_for(Scope.for_user(insider))
    # The organisation department edits organisations, not the register.
    assert SHEET not in pipeline.sheets_for(Scope.for_user(outsider))
    assert all(
        Scope.for_user(outsider).can(sheet.import_permission)
        for sheet in pipeline.sheets_for(Scope.for_user(outsider))
    )


# The template


def _template(scope=None) -> bytes:
    buffer = io.BytesIO()
    workbooks.write_template(SHEET, buffer, scope)
    return buffer.getvalue()


def test_the_template_has_the_chinese_headers_and_no_example_row(insider):
    data = _template(Scope.for_user(insider))
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
        assert workbook.sheet_names[0] == "户籍成员"
        rows = workbook.get_sheet_by_index(0).to_python()
        explained = workbook.get_sheet_by_name("说明").to_python()
    assert rows == [SHEET.headers]
    assert [row[0] for row in explained[1:]] == SHEET.headers
    assert explained[4][3] == "一般贫困户、低保贫困户、特困供养贫困户、低保特困供养贫困户"


def test_the_template_freezes_its_header_and_offers_every_enumeration(insider):
    data = _template(Scope.for_user(insider))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        book = archive.read("xl/workbook.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert re.search(
        r'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>', sheet
    )
    validations = re.findall(r'<dataValidation [^>]*sqref="([A-Z]+)2:\1\d+"', sheet)
    enumerations = [
        index
        for index, column in enumerate(SHEET.columns)
        if column.choices is not None or column.options is not None
    ]
    assert sorted(validations) == sorted(xl_col_to_name(index) for index in enumerations)
    assert len(enumerations) == 17
    # The drop-down lists: inline when short, the villages from the hidden sheet.
    assert '<formula1>"一般贫困户,低保贫困户,特困供养贫困户,低保特困供养贫困户"</formula1>' in sheet
    assert "<formula1>choices!$A$1:$A$" in sheet
    assert re.search(r'<sheet name="choices" sheetId="\d+" state="hidden"', book)
    # ID and household numbers are text, so Excel keeps all 18 digits.
    assert 'numFmtId="49"' in styles


def test_the_villages_offered_are_those_of_the_scope(insider, neighbour):
    def villages(user) -> list[str]:
        data = _template(Scope.for_user(user))
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            return [row[0] for row in workbook.get_sheet_by_name("choices").to_python()]

    mine = villages(insider)
    assert "湖北省黄石市阳新县兴国镇山川台社区居委会" in mine
    assert all("兴国镇" in name for name in mine)
    assert not any("兴国镇" in name for name in villages(neighbour))


# The job and its progress


def test_a_job_reports_its_phases_and_rows_as_it_goes(insider, monkeypatch):
    monkeypatch.setattr(parsing, "PARSE_CHUNK", 10)
    job = jobs.do_create_job(
        kind="households",
        upload=ContentFile(csv_bytes(register(20)), name="户.csv"),
        filename="户.csv",
        user=insider,
        scope=Scope.for_user(insider),
    )
    seen: list[tuple[str, int, int]] = []
    stored: list[int] = []
    real_write = jobs.JobProgress._write

    def spy(self, force=False):
        real_write(self, force)
        if self.status == ImportJob.Status.VALIDATING:
            stored.append(ImportJob.objects.get(pk=job.pk).rows_done)

    monkeypatch.setattr(jobs.JobProgress, "_write", spy)

    jobs.run_job(job, echo=lambda status, done, total: seen.append((status, done, total)))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.percent == 100
    reading = [done for status, done, total in seen if status == "validating" and not total]
    validating = [done for status, done, total in seen if status == "validating" and total]
    loading = [done for status, done, total in seen if status == "loading"]
    # Reading first (the length is not known yet), then checking, then loading.
    assert reading == [0, 10, 20, 30, 40, 50, 60]
    assert validating == [0, 10, 20, 30, 40, 50, 60]
    assert loading[0] == 0 and loading[-1] == 60 and loading == sorted(loading)
    assert {total for status, _done, total in seen if status == "loading"} == {60}
    # Written to the job's row as it went, where the page polling it reads it.
    assert stored == reading + validating


def test_the_sha256_is_that_of_the_uploaded_bytes(insider):
    import hashlib

    data = csv_bytes(register(1))
    job = jobs.do_create_job(
        kind="households",
        upload=ContentFile(data, name="户.csv"),
        filename="/tmp/../户.csv",
        user=insider,
        scope=Scope.for_user(insider),
    )
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.filename == "户.csv" and job.region_code == "420222100"
    assert job.file.name.startswith("imports/") and job.file.name.endswith(".csv")
    with job.file.open("rb") as handle:
        assert handle.read() == data
