"""Every CSV and XLSX the site writes keeps a formula-looking cell from running."""

import io
import zipfile

from baolei.imports import exporting, xlsx
from baolei.imports.pipeline import Errors, Outcome
from baolei.imports.reading import SourceRow
from baolei.imports.workbooks import write_rejected_csv, write_rejected_xlsx

ATTACK = "=cmd|' /C calc'!A0"


def test_the_rejected_rows_csv_and_exports_put_formulas_behind_an_apostrophe():
    errors = Errors()
    errors.add(2, "姓名", "bad")
    outcome = Outcome(
        "rejected",
        1,
        errors,
        header=["姓名", "金额"],
        source_rows=[SourceRow(2, [ATTACK, "-12.5"]), SourceRow(3, ["@SUM(A1)", "+86 138"])],
    )
    buffer = io.BytesIO()
    write_rejected_csv(outcome, buffer)
    text = buffer.getvalue().decode("utf-8-sig")
    assert f"'{ATTACK}" in text and "'@SUM(A1)" in text and "'+86 138" in text
    assert ",-12.5," in text  # a negative number stays a number

    exported = b"".join(exporting.csv_chunks(["a", "b"], [[ATTACK, -12.5], ["-3", "\tx"]]))
    assert f"'{ATTACK}".encode() in exported and b"-12.5" in exported
    assert b"\n-3," in exported.replace(b"\r\n", b"\n") and b"'\tx" in exported


def test_xlsx_files_mark_formula_looking_text_with_the_quote_prefix():
    buffer = io.BytesIO()
    xlsx.write_workbook(buffer, ["a", "b"], [[ATTACK, -12.5]])
    with zipfile.ZipFile(buffer) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert '<c r="A2" s="3" t="inlineStr">' in sheet and 'quotePrefix="1"' in styles
    assert '<c r="B2"><v>-12.5</v></c>' in sheet  # a number stays a number

    errors = Errors()
    errors.add(2, "", "bad")
    outcome = Outcome("rejected", 1, errors, header=["a"], source_rows=[SourceRow(2, [ATTACK])])
    buffer = io.BytesIO()
    write_rejected_xlsx(outcome, buffer)
    with zipfile.ZipFile(buffer) as archive:
        assert 'quotePrefix="1"' in archive.read("xl/styles.xml").decode()
