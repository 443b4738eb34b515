"""The files for people: a sheet's Excel template, and the rows of a rejected file
returned with a reason column, as XLSX and as CSV. Small files, written with xlsxwriter
(exports, which can be large, use the streaming `xlsx` writer).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope
from baolei.imports import examples
from baolei.imports.pipeline import Errors, Outcome, Sheet
from baolei.imports.xlsx import looks_like_formula, neutralised

REASON_HEADER = "错误原因"  # the column added to the rejected rows; ignored on upload
CHOICES_SHEET = "choices"
INSTRUCTIONS_SHEET = "说明"
INLINE_LIST_LIMIT = 255  # Excel refuses an inline drop-down list longer than this
MAX_TEMPLATE_ROWS = 1_048_576


def write_template(sheet: Sheet, target: str | Path | IO[bytes], scope: Scope | None = None):
    """The sheet's empty Excel template: Chinese headers (required ones in red, with the
    column's help as a comment), the header row frozen, text format on the columns whose
    digits Excel would otherwise mangle, a drop-down list on every enumeration, and a
    second sheet explaining every column, and a third with one example row (kept off the
    sheet that is read, so that a template uploaded unchanged creates nothing)."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    header = workbook.add_format(
        {"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True, "valign": "top"}
    )
    required = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#F2F2F2",
            "border": 1,
            "font_color": "#C00000",
            "text_wrap": True,
            "valign": "top",
        }
    )
    text = workbook.add_format({"num_format": 49})
    worksheet = workbook.add_worksheet(sheet.sheet_name)
    instructions = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    choices = None
    choices_used = 0
    for index, column in enumerate(sheet.columns):
        worksheet.set_column(index, index, column.width, text if column.text else None)
        worksheet.write_string(0, index, column.header, required if column.required else header)
        if column.help:
            worksheet.write_comment(0, index, str(column.help), {"x_scale": 2, "y_scale": 1.5})
        values = column.dropdown(scope)
        if not values:
            continue
        inline = ",".join(values)
        if len(inline) <= INLINE_LIST_LIMIT and not any("," in value for value in values):
            source: Any = list(values)
        else:
            if choices is None:
                choices = workbook.add_worksheet(CHOICES_SHEET)
                choices.hide()
            for row, value in enumerate(values):
                choices.write_string(row, choices_used, value)
            letter = xlsxwriter.utility.xl_col_to_name(choices_used)
            source = f"={CHOICES_SHEET}!${letter}$1:${letter}${len(values)}"
            choices_used += 1
        validation = {
            "validate": "list",
            "source": source,
            "error_type": "stop" if column.strict and column.many == 1 else "warning",
            "error_title": column.header[:32],
            "error_message": str(_("Choose a value from the list."))[:255],
        }
        if column.help:
            validation["input_title"] = column.header[:32]
            validation["input_message"] = str(column.help)[:255]
        worksheet.data_validation(1, index, MAX_TEMPLATE_ROWS - 1, index, validation)
    worksheet.freeze_panes(1, 0)
    worksheet.set_row(0, 30)
    _write_instructions(workbook, instructions, sheet, scope, header)
    examples.write_example(workbook, sheet, scope, header)
    workbook.close()


def _write_instructions(workbook, worksheet, sheet: Sheet, scope, header_format) -> None:
    worksheet.set_column(0, 0, 16)
    worksheet.set_column(1, 1, 8)
    worksheet.set_column(2, 2, 60)
    worksheet.set_column(3, 3, 60)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    titles = [_("Column"), _("Required"), _("What to write"), _("Choices")]
    for index, title in enumerate(titles):
        worksheet.write_string(0, index, str(title), header_format)
    for row, column in enumerate(sheet.columns, start=1):
        worksheet.write_string(row, 0, column.header, wrap)
        worksheet.write_string(row, 1, "是" if column.required else "", wrap)
        worksheet.write_string(row, 2, str(column.help), wrap)
        values = column.dropdown(scope) if column.options is None else []
        worksheet.write_string(row, 3, "、".join(values), wrap)
    worksheet.freeze_panes(1, 0)


def _reasons(errors: Errors, row: int) -> str:
    return "；".join(
        f"{error.column}：{error.reason}" if error.column else str(error.reason)
        for error in errors.for_row(row)
    )


def _without_reason(header: list[str]) -> tuple[list[str], int | None]:
    """The file's header without a reason column from an earlier rejection, which a
    clerk who fixed the returned file uploads again."""
    if REASON_HEADER in header:
        position = header.index(REASON_HEADER)
        return header[:position] + header[position + 1 :], position
    return header, None


def _original(values: list[str], width: int, skip: int | None) -> list[str]:
    values = values + [""] * (width - len(values))
    if skip is not None and skip < len(values):
        values = values[:skip] + values[skip + 1 :]
    return values


def rejected_rows(outcome: Outcome) -> tuple[list[str], Iterator[tuple[bool, list[str]]]]:
    """The header with the reason column added, and every row of the file as uploaded
    with its reasons: the whole file, so the clerk can fix the marked rows and upload it
    again as it is (the reason column is ignored then)."""
    header, skip = _without_reason(outcome.header)
    width = max([len(outcome.header), *(len(row.values) for row in outcome.source_rows)])

    def rows() -> Iterator[tuple[bool, list[str]]]:
        for row in outcome.source_rows:
            reasons = _reasons(outcome.errors, row.number)
            yield bool(reasons), [*_original(row.values, width, skip), reasons]

    return [*header, *([""] * (width - len(outcome.header))), REASON_HEADER], rows()


def write_rejected_xlsx(outcome: Outcome, target: str | Path | IO[bytes]) -> None:
    """The rows as uploaded, as text, with the reason column; rejected rows in red."""
    header, rows = rejected_rows(outcome)
    write_rejected_rows(header, rows, target)


def write_rejected_rows(
    header: list[str],
    rows: Iterable[tuple[bool, list[str]]],
    target: str | Path | IO[bytes],
) -> None:
    """The workbook of `write_rejected_xlsx`: the header, then each row (whether it was
    rejected, its cells with the reasons last)."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    bad = workbook.add_format({"bg_color": "#FFE0E0", "num_format": 49})
    reason = workbook.add_format({"font_color": "#C00000", "bg_color": "#FFE0E0"})
    plain = workbook.add_format({"num_format": 49})
    # Excel's quote prefix: a formula-looking text is shown as typed and never run.
    quoted = {
        False: workbook.add_format({"num_format": 49, "quote_prefix": True}),
        True: workbook.add_format({"bg_color": "#FFE0E0", "num_format": 49, "quote_prefix": True}),
    }
    worksheet = workbook.add_worksheet("导入结果")
    reason_column = len(header) - 1
    worksheet.set_column(0, reason_column - 1, 14, plain)
    worksheet.set_column(reason_column, reason_column, 60)
    worksheet.write_row(0, 0, header, bold)
    row_index = 0
    for row_index, (rejected, values) in enumerate(rows, start=1):
        for column, value in enumerate(values[:-1]):
            style = quoted[rejected] if looks_like_formula(value) else bad if rejected else plain
            worksheet.write_string(row_index, column, value, style)
        if values[-1]:
            worksheet.write_string(row_index, reason_column, values[-1], reason)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, max(row_index, 1), reason_column)
    workbook.close()


def write_rejected_csv(outcome: Outcome, target: IO[bytes]) -> None:
    """The same as CSV, in UTF-8 with a byte-order mark, which Excel and WPS open as is."""
    header, rows = rejected_rows(outcome)
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(list(map(neutralised, header)))
    for _rejected, values in rows:
        writer.writerow(list(map(neutralised, values)))
    text.flush()
    text.detach()
