"""Reading uploaded files: real CSV, XLSX and ODS files built here, in the encodings and
layouts clerks send, down to the exact strings and the row numbers they see."""

import codecs
import datetime
import io
import random
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from django.utils import translation

from baolei.imports.reading import (
    SourceRow,
    Table,
    UnreadableFile,
    detect_encoding,
    iter_table,
    read_table,
)

HOUSEHOLDS = "户主姓名,身份证号,人口数\n张三,420222199001011234,4\n李四,420222198502023456,3\n"
HOUSEHOLD_ROWS = [
    SourceRow(2, ["张三", "420222199001011234", "4"]),
    SourceRow(3, ["李四", "420222198502023456", "3"]),
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def english(error: pytest.ExceptionInfo[UnreadableFile]) -> str:
    with translation.override("en"):
        return str(error.value)


# Encodings


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb2312", "gb18030")],
)
def test_csv_in_each_encoding(tmp_path, encoding, detected):
    data = HOUSEHOLDS.encode(encoding)
    assert detect_encoding(data) == detected
    table = read_table(write(tmp_path, "户.csv", data), "户.csv")
    assert table == Table(header=["户主姓名", "身份证号", "人口数"], rows=HOUSEHOLD_ROWS)


def test_gb18030_beyond_gbk(tmp_path):
    text = "姓名,村\n吉𠮷,三河村\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    data = text.encode("gb18030")
    assert detect_encoding(data) == "gb18030"
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.rows == [SourceRow(2, ["吉𠮷", "三河村"])]


@pytest.mark.parametrize(("encoding", "detected"), [("utf-8", "utf-8"), ("gbk", "gb18030")])
def test_a_character_across_the_detection_chunks(tmp_path, encoding, detected):
    # Encoding is detected 64 KiB at a time; "张" starts on the first chunk's last byte.
    head = "备注\n".encode(encoding)
    data = head + b"a" * (65535 - len(head) - 1) + "\n张三\n".encode(encoding)
    assert data.index("张".encode(encoding)) == 65535
    assert detect_encoding(data) == detected
    assert read_table(write(tmp_path, "a.csv", data), "a.csv").rows[-1] == SourceRow(3, ["张三"])


def test_the_bom_is_gone_from_the_header_even_when_declared_as_plain_utf8(tmp_path):
    data = codecs.BOM_UTF8 + "\u3000 姓名 ,\ufeff年龄\u200b\n张三,12\n".encode()
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.header == ["姓名", "年龄"]


def test_bytes_are_read_like_a_file():
    table = read_table(HOUSEHOLDS.encode("gbk"), "户.CSV")
    assert table.rows == HOUSEHOLD_ROWS


# Delimiters


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(tmp_path, delimiter):
    data = HOUSEHOLDS.replace(",", delimiter).encode()
    assert read_table(write(tmp_path, "a.csv", data), "a.csv").rows == HOUSEHOLD_ROWS


def test_semicolons_with_ragged_rows(tmp_path):
    # csv.Sniffer gives up on rows of different lengths; the header decides then.
    data = "姓名;年龄;住址\n张三;12\n\n李四\n王五;1;三河村\n".encode()
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.rows == [
        SourceRow(2, ["张三", "12", ""]),
        SourceRow(4, ["李四", "", ""]),
        SourceRow(5, ["王五", "1", "三河村"]),
    ]


def test_commas_with_semicolons_in_the_cells(tmp_path):
    data = "姓名,备注\n张三,低保;五保\n李四,残疾;低保\n".encode()
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.rows == [SourceRow(2, ["张三", "低保;五保"]), SourceRow(3, ["李四", "残疾;低保"])]


def test_tabs_with_thousands_commas_in_the_cells(tmp_path):
    data = "姓名\t收入\n张三\t1,234.50\n李四\t2,000\n".encode()
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.rows == [SourceRow(2, ["张三", "1,234.50"]), SourceRow(3, ["李四", "2,000"])]


def test_a_single_column(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "姓名\n张三\n李四\n".encode()), "a.csv")
    assert table == Table(["姓名"], [SourceRow(2, ["张三"]), SourceRow(3, ["李四"])])


# Rows and their numbers


def test_missing_trailing_cells_are_padded(tmp_path):
    data = "姓名,性别,年龄,备注\n张三\n李四,男\n王五,女,30\n".encode()
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.rows == [
        SourceRow(2, ["张三", "", "", ""]),
        SourceRow(3, ["李四", "男", "", ""]),
        SourceRow(4, ["王五", "女", "30", ""]),
    ]


def test_blank_lines_keep_the_file_line_numbers(tmp_path):
    lines = ["姓名,年龄", "张三,12", "", "   ", ",,", "李四,13", "\u3000,\u3000", "", "王五,14", ""]
    data = "\r\n".join(lines).encode()
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.rows == [
        SourceRow(2, ["张三", "12"]),
        SourceRow(6, ["李四", "13"]),
        SourceRow(9, ["王五", "14"]),
    ]
    assert [lines[row.number - 1].split(",")[0] for row in table.rows] == ["张三", "李四", "王五"]


def test_blank_lines_before_the_header(tmp_path):
    rows = list(iter_table(write(tmp_path, "a.csv", "\n\n姓名\n张三\n".encode()), "a.csv"))
    assert rows == [SourceRow(3, ["姓名"]), SourceRow(4, ["张三"])]


def test_cells_are_stripped_but_inner_spaces_kept(tmp_path):
    data = "姓名,住址\n\u3000张三 , 三河村 二组\u3000\n".encode()
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.rows == [SourceRow(2, ["张三", "三河村 二组"])]


def test_a_quoted_cell_over_two_lines_is_one_row(tmp_path):
    # A spreadsheet shows the quoted cell as one row, so the next row is row 3, not 4.
    data = '姓名,备注\n张三,"第一行\n第二行"\n李四,无\n'.encode()
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.rows == [SourceRow(2, ["张三", "第一行\n第二行"]), SourceRow(3, ["李四", "无"])]


def test_cells_beyond_the_header_are_kept(tmp_path):
    data = "姓名,年龄\n张三,12,多余,\n".encode()
    table = read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert table.rows == [SourceRow(2, ["张三", "12", "多余"])]


def test_a_header_without_rows_is_an_empty_table(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "姓名,年龄\n\n".encode()), "a.csv")
    assert table == Table(["姓名", "年龄"], [])


def test_iter_table_yields_the_header_then_the_rows(tmp_path):
    rows = iter_table(write(tmp_path, "a.csv", HOUSEHOLDS.encode()), "a.csv")
    assert next(rows) == SourceRow(1, ["户主姓名", "身份证号", "人口数"])
    assert list(rows) == HOUSEHOLD_ROWS


def test_iter_table_reads_a_large_csv_in_constant_memory(tmp_path):
    count = 30_000
    path = tmp_path / "big.csv"
    with path.open("w", encoding="gbk", newline="") as handle:
        handle.write("户主姓名,身份证号,人口数,住址\n")
        for n in range(count):
            handle.write(f"张{n},42022219900101{n % 10000:04d},{n % 9},阳新县兴国镇三河村{n}号\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        last = None
        for last in iter_table(path, "big.csv"):  # noqa: B007
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert last == SourceRow(
        count + 1, ["张29999", "420222199001019999", "2", "阳新县兴国镇三河村29999号"]
    )
    # Reading it whole would take several times its size; streaming, a fixed few hundred KB.
    assert peak < size / 2


# Excel and OpenDocument


def test_xlsx(tmp_path):
    path = tmp_path / "党员.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("党员")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy/m/d h:mm"})
    sheet.write_row(0, 0, ["姓名", "入党日期", "党龄", "党费", "电话", "流动党员", "备注"])
    sheet.write_string(1, 0, "张三")
    sheet.write_datetime(1, 1, datetime.date(2003, 7, 1), date_format)
    sheet.write_number(1, 2, 20)
    sheet.write_number(1, 3, 12.5)
    sheet.write_number(1, 4, 13800138000)
    sheet.write_boolean(1, 5, True)
    sheet.write_string(1, 6, "  已转入\u3000")
    # Row 3 is left empty.
    sheet.write_string(3, 0, "李四")
    sheet.write_datetime(3, 1, datetime.datetime(1998, 10, 1, 9, 30), datetime_format)
    sheet.write_number(3, 2, 25.0)
    sheet.write_number(3, 3, 0.1 + 0.2)
    sheet.write_string(3, 4, "0714-1234567")
    sheet.write_boolean(3, 5, False)
    workbook.close()

    table = read_table(path, "党员.xlsx")
    assert table == Table(
        header=["姓名", "入党日期", "党龄", "党费", "电话", "流动党员", "备注"],
        rows=[
            SourceRow(2, ["张三", "2003-07-01", "20", "12.5", "13800138000", "TRUE", "已转入"]),
            SourceRow(4, ["李四", "1998-10-01", "25", "0.3", "0714-1234567", "FALSE", ""]),
        ],
    )
    assert read_table(path.read_bytes(), "党员.xlsx") == table


def test_xlsx_keeps_sheet_row_numbers_and_drops_a_margin_column(tmp_path):
    path = tmp_path / "a.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    sheet.write_row(2, 1, ["姓名", "人口数"])  # B3, after two empty rows and column A
    sheet.write_row(3, 1, ["张三", 4])
    sheet.write_row(6, 1, ["李四", 1e-7])
    workbook.close()
    rows = list(iter_table(path, "a.xlsx"))
    assert rows == [
        SourceRow(3, ["姓名", "人口数"]),
        SourceRow(4, ["张三", "4"]),
        SourceRow(7, ["李四", "0.0000001"]),
    ]


def test_xlsx_reads_the_first_visible_sheet(tmp_path):
    path = tmp_path / "a.xlsx"
    workbook = xlsxwriter.Workbook(path)
    choices = workbook.add_worksheet("选项")
    choices.write_column(0, 0, ["是", "否"])
    filled = workbook.add_worksheet("农户")
    filled.write_row(0, 0, ["户主姓名"])
    filled.write_row(1, 0, ["张三"])
    filled.activate()
    choices.hide()
    workbook.close()
    assert read_table(path, "a.xlsx") == Table(["户主姓名"], [SourceRow(2, ["张三"])])


def test_a_renamed_xlsx_is_read_by_its_content(tmp_path):
    path = tmp_path / "a.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet().write_row(0, 0, ["姓名"])
    workbook.close()
    assert read_table(path, "a.xls").header == ["姓名"]


def ods_bytes(rows_xml: str) -> bytes:
    """A minimal OpenDocument spreadsheet: the mimetype entry first and uncompressed."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content office:version="1.2"'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f'<office:body><office:spreadsheet><table:table table:name="户">{rows_xml}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest manifest:version="1.2"'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def ods_cell(value: str, kind: str = "string") -> str:
    attributes = {
        "string": "",
        "float": f' office:value="{value}"',
        "date": f' office:date-value="{value}"',
    }[kind]
    return (
        f'<table:table-cell office:value-type="{kind}"{attributes}>'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def test_ods(tmp_path):
    row = "<table:table-row>{}</table:table-row>".format
    data = ods_bytes(
        row(ods_cell("姓名") + ods_cell("出生日期") + ods_cell("人口数"))
        + row("<table:table-cell/>")
        + row(ods_cell("张三") + ods_cell("1990-05-01", "date") + ods_cell("3", "float"))
    )
    table = read_table(write(tmp_path, "户.ods", data), "户.ods")
    assert table.header == ["姓名", "出生日期", "人口数"]
    assert table.rows == [SourceRow(3, ["张三", "1990-05-01", "3"])]


# Unreadable files


@pytest.mark.parametrize("filename", ["户.txt", "户.docx", "户", "户.csv.zip", "户.xlsb"])
def test_an_unknown_extension(tmp_path, filename):
    path = write(tmp_path, "upload", HOUSEHOLDS.encode())
    with pytest.raises(UnreadableFile) as error:
        read_table(path, filename)
    assert error.value.code == "extension"
    assert english(error).startswith(f"“{filename}” cannot be imported")


@pytest.mark.parametrize("filename", ["a.csv", "a.xlsx", "a.ods"])
def test_an_empty_file(tmp_path, filename):
    with pytest.raises(UnreadableFile) as error:
        read_table(write(tmp_path, filename, b""), filename)
    assert error.value.code == "empty"
    assert english(error) == "The file is empty."


@pytest.mark.parametrize(
    "data", [b"\n\n\n", b" , ,\r\n\r\n", "\u3000\n\ufeff\n".encode(), codecs.BOM_UTF8]
)
def test_a_csv_without_a_header(tmp_path, data):
    with pytest.raises(UnreadableFile) as error:
        read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert error.value.code == "no_header"


def test_an_xlsx_without_a_header(tmp_path):
    path = tmp_path / "a.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet().write_string(4, 4, "   ")
    workbook.close()
    with pytest.raises(UnreadableFile) as error:
        read_table(path, "a.xlsx")
    assert error.value.code == "no_header"


@pytest.mark.parametrize("seed", range(5))
def test_random_binary_junk_named_csv(tmp_path, seed):
    junk = random.Random(seed).randbytes(4096)
    with pytest.raises(UnreadableFile) as error:
        read_table(write(tmp_path, "a.csv", junk), "a.csv")
    assert error.value.code in {"encoding", "binary"}
    assert "Save it again" in english(error)


def test_binary_without_nul_that_decodes_as_gb18030():
    # Every byte but NUL, in an order GB18030 decodes: still mostly control characters.
    junk = bytes(range(1, 0x80)) * 8
    assert junk.decode("gb18030")
    with pytest.raises(UnreadableFile) as error:
        detect_encoding(junk)
    assert error.value.code == "binary"


def test_a_nul_byte_is_not_text():
    with pytest.raises(UnreadableFile) as error:
        detect_encoding("姓名\n张三\x00\n".encode())
    assert error.value.code == "binary"


def test_a_few_stray_control_characters_are_tolerated():
    text = "姓名,备注\n" + "张三,正常\n" * 50 + "李四,\x0b\n" + "\x1a"
    assert detect_encoding(text.encode()) == "utf-8"


def test_utf16_is_refused_with_a_hint():
    with pytest.raises(UnreadableFile) as error:
        detect_encoding(HOUSEHOLDS.encode("utf-16"))
    assert error.value.code == "encoding"
    assert "UTF-16" in english(error)


def test_bytes_that_are_neither_utf8_nor_gb18030():
    with pytest.raises(UnreadableFile) as error:
        detect_encoding(b"\x81\x20abc")
    assert error.value.code == "encoding"


def test_a_truncated_xlsx(tmp_path):
    path = tmp_path / "a.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet().write_row(0, 0, ["姓名", "年龄"])
    workbook.close()
    data = path.read_bytes()
    truncated = write(tmp_path, "b.xlsx", data[: len(data) // 2])
    with pytest.raises(UnreadableFile) as error:
        read_table(truncated, "b.xlsx")
    assert error.value.code == "corrupt"
    assert "could not be opened as a spreadsheet" in english(error)


@pytest.mark.parametrize("filename", ["a.xlsx", "a.xls", "a.ods"])
def test_a_csv_named_as_a_workbook(tmp_path, filename):
    with pytest.raises(UnreadableFile) as error:
        read_table(write(tmp_path, filename, HOUSEHOLDS.encode()), filename)
    assert error.value.code == "corrupt"


def test_unreadable_files_are_value_errors():
    assert issubclass(UnreadableFile, ValueError)


def test_a_runaway_cell_names_its_row(tmp_path):
    # An unclosed quote swallows the rest of the file until the csv module's cell limit.
    data = ('姓名,备注\n张三,无\n李四,"' + "很长" * 100_000 + "\n").encode()
    with pytest.raises(UnreadableFile) as error:
        read_table(write(tmp_path, "a.csv", data), "a.csv")
    assert error.value.code == "csv"
    assert english(error).startswith("Row 3 could not be read as CSV: field larger than")
