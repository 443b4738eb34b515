"""Our streaming XLSX writer: what a clerk opening the export sees (read back with
python-calamine, as the import does) and the package structure Excel insists on."""

import datetime
import decimal
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from python_calamine import CalamineWorkbook

from baolei.imports import exporting, xlsx

NS = {"m": xlsx.MAIN_NS}
HEADER = ["户编号", "姓名", "身份证号", "人数", "备注"]


def written(header=HEADER, rows=(), **options) -> bytes:
    sink = io.BytesIO()
    exporting.write_xlsx(sink, header, rows, **options)
    return sink.getvalue()


def read_back(data: bytes) -> list[list]:
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
        return workbook.get_sheet_by_index(0).to_python()


def part(data: bytes, name: str) -> ElementTree.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return ElementTree.fromstring(archive.read(name))


def test_cells_come_back_as_written_chinese_text_and_numbers():
    data = written(rows=[["XG-1", "张三", "420222197506150011", 3, "贫困户"]])

    assert read_back(data) == [HEADER, ["XG-1", "张三", "420222197506150011", 3.0, "贫困户"]]


@pytest.mark.parametrize(
    "text",
    [
        'a<b & c>"d"',
        "</t></is></c><c>",  # would break out of the cell if it were not escaped
        "&amp; stays as typed",
        "  spaces at both ends  ",
        "line one\nline two\tafter a tab",
        "bell\x07 and escape\x1b",
        "carriage\r return",
        "_x0041_ is not an A",
    ],
)
def test_text_that_means_something_in_xml_comes_back_exactly(text):
    assert read_back(written(rows=[["XG-1", text]]))[1][1] == text


def test_long_digit_strings_stay_text_in_text_columns():
    rows = [["420222000001", "张三", 420222197506150011, 3, ""]]

    back = read_back(written(rows=rows, text_columns=[0, 2]))[1]

    # Written as a number it would read back as 4.2022219750615e17, its last digits lost.
    assert back[0] == "420222000001" and back[2] == "420222197506150011"
    assert back[3] == 3.0


def test_other_values_booleans_decimals_dates_and_empty_cells():
    rows = [
        [True, decimal.Decimal("1.25"), datetime.date(2024, 1, 2), None, ""],
        [False, 0.5, datetime.datetime(2024, 1, 2, 3, 4, 5), float("nan"), "x"],
    ]

    back = read_back(written(rows=rows))

    assert back[1] == [True, 1.25, "2024-01-02", "", ""]
    assert back[2] == [False, 0.5, "2024-01-02T03:04:05", "nan", "x"]


def test_the_header_is_bold_frozen_and_filters_every_row():
    rows = [[f"XG-{n}", "张三", "1", n, ""] for n in range(3)]
    data = written(rows=rows, text_columns=[2], widths=[20, 10])

    sheet = part(data, "xl/worksheets/sheet1.xml")
    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    assert pane.get("state") == "frozen" and pane.get("ySplit") == "1"
    assert sheet.find("m:autoFilter", NS).get("ref") == "A1:E4"
    header_cell = sheet.find("m:sheetData/m:row/m:c", NS)
    styles = part(data, "xl/styles.xml")
    header_style = styles.findall("m:cellXfs/m:xf", NS)[int(header_cell.get("s"))]
    assert (
        styles.findall("m:fonts/m:font", NS)[int(header_style.get("fontId"))].find("m:b", NS)
        is not None
    )
    columns = sheet.findall("m:cols/m:col", NS)
    assert [c.get("width") for c in columns[:2]] == ["20", "10"]
    text_style = styles.findall("m:cellXfs/m:xf", NS)[int(columns[2].get("style"))]
    assert text_style.get("numFmtId") == "49"  # "@": what is typed there stays text
    names = part(data, "xl/workbook.xml").findall("m:definedNames/m:definedName", NS)
    assert [(n.get("name"), n.text) for n in names] == [
        ("_xlnm._FilterDatabase", "'Sheet1'!$A$1:$E$4")
    ]


def test_the_package_has_the_parts_excel_requires_and_they_point_at_each_other():
    data = written(rows=[["XG-1", "张三", "1", 1, ""]], sheet_name="户籍:成员/2024")

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert archive.testzip() is None
        for name in names:  # every part is well-formed XML
            ElementTree.fromstring(archive.read(name))
    assert {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
    } <= names
    types = part(data, "[Content_Types].xml")
    overrides = {o.get("PartName") for o in types}
    assert {"/xl/workbook.xml", "/xl/worksheets/sheet1.xml", "/xl/styles.xml"} <= overrides
    targets = {r.get("Target") for r in part(data, "xl/_rels/workbook.xml.rels")}
    assert targets == {"worksheets/sheet1.xml", "styles.xml"}
    assert {r.get("Target") for r in part(data, "_rels/.rels")} >= {"xl/workbook.xml"}
    sheet = part(data, "xl/workbook.xml").find("m:sheets/m:sheet", NS)
    assert sheet.get("name") == "户籍_成员_2024"  # Excel refuses : and / in a sheet name
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
        assert workbook.sheet_names == ["户籍_成员_2024"]


def test_an_empty_export_is_a_valid_workbook_with_its_header():
    data = written(rows=[])

    assert read_back(data) == [HEADER]
    assert part(data, "xl/worksheets/sheet1.xml").find("m:autoFilter", NS).get("ref") == "A1:E1"


def test_the_row_count_is_returned_and_a_path_target_works(tmp_path):
    target = tmp_path / "export.xlsx"

    count = exporting.write_xlsx(str(target), HEADER, ([f"H{n}", "张三"] for n in range(1234)))

    assert count == 1234
    rows = read_back(target.read_bytes())
    assert len(rows) == 1235 and rows[-1][:2] == ["H1233", "张三"]


def test_a_row_longer_than_the_header_keeps_its_extra_cells():
    back = read_back(written(header=["a"], rows=[["1", "2", "3"]]))

    assert back[1] == ["1", "2", "3"]


def test_cell_references_are_in_order():
    data = written(rows=[["a", None, "c", None, "e"]])

    sheet = part(data, "xl/worksheets/sheet1.xml")
    refs = [c.get("r") for c in sheet.findall("m:sheetData/m:row", NS)[1]]
    assert refs == ["A2", "C2", "E2"]
    assert xlsx.column_letter(25) == "Z" and xlsx.column_letter(26) == "AA"
    assert xlsx.column_letter(16383) == "XFD"
    assert re.fullmatch(r"[A-Z]+", xlsx.column_letter(701)) and xlsx.column_letter(701) == "ZZ"
