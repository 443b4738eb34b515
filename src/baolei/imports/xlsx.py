"""A streaming XLSX (SpreadsheetML) writer for exports of a million rows.

A general library formats every cell through layers of Python (xlsxwriter manages about
78,000 cells a second, five minutes for a million 23-column rows). An export needs one
sheet of plain values, so this writes the worksheet's XML itself, a row at a time, into a
deflated zip entry: text as inline strings (no shared-strings table to hold in memory),
numbers as numbers, booleans as booleans. Around it the few parts Excel, WPS, LibreOffice
and calamine need: content types, relationships, the workbook (with the autofilter's
defined name), and styles (a bold grey header, a text format for the columns whose digits
must stay text). The header row is frozen and has an autofilter.

Characters XML 1.0 cannot hold (control characters) are written the way Excel writes
them, `_xHHHH_`; a literal `_xHHHH_` in the data is protected as Excel does (`_x005F_`).
"""

import datetime
import decimal
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

ROWS_PER_WRITE = 1_000
COMPRESSION_LEVEL = 1  # deflate's fastest: five times quicker than the default, 15% bigger
MAX_ROWS = 1_048_576
MAX_SHEET_NAME = 31
DEFAULT_WIDTH = 12
TEXT_WIDTH = 20
# Style indices in styles.xml's cellXfs
HEADER_STYLE = 1
TEXT_STYLE = 2
QUOTED = '" s="3'  # quote prefix: a formula-looking text stays text in Excel
QUOTED_TEXT = '" s="4'

# What a text needs done before it goes between <t> tags: XML's three specials, the
# characters XML 1.0 forbids, a literal "_xHHHH_" (Excel would decode it), and spaces at
# either end (kept only with xml:space="preserve").
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\s|\s$")
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_FORBIDDEN_IN_NAME = re.compile(r"[\[\]:*?/\\]")
# A cell a spreadsheet would take for a formula (OWASP's CSV injection rule), unless it
# is a plain number such as -12.5.
FORMULA_START = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?(?:[Ee][+-]?\d+)?")


def looks_like_formula(text: str) -> bool:
    """Whether `text` would be run as a formula by Excel, WPS or LibreOffice."""
    return bool(text) and text[0] in FORMULA_START and _PLAIN_NUMBER.fullmatch(text) is None


def neutralised(text: str) -> str:
    """The text for a CSV cell: a formula-looking one behind an apostrophe, which the
    spreadsheet shows as text and never runs."""
    return "'" + text if looks_like_formula(text) else text


def column_letter(index: int) -> str:
    """ "A" for 0, "Z" for 25, "AA" for 26."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _excel_escape(match: re.Match) -> str:
    return f"_x{ord(match[0]):04X}_"


def text_xml(text: str) -> str:
    """The <is> element of an inline string cell holding `text`."""
    if _SPECIAL.search(text) is None:
        return f"<is><t>{text}</t></is>"
    text = escape(_UNSAFE.sub(_excel_escape, text))
    if text != text.strip():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def sheet_name_of(name: str) -> str:
    """A name Excel accepts for a worksheet: none of []:*?/\\, at most 31 characters."""
    return _FORBIDDEN_IN_NAME.sub("_", name).strip("'")[:MAX_SHEET_NAME] or "Sheet1"


class _Row:
    """Formats one row's cells; the per-column parts of the markup are made once."""

    def __init__(self, width: int, text_columns: Iterable[int]) -> None:
        self.letters = [column_letter(i) for i in range(width)]
        text = frozenset(text_columns)
        self.styles = ['" s="2' if i in text else "" for i in range(width)]
        self.text = text

    def _grow(self, width: int) -> None:
        """A row longer than the header (its extra cells are written all the same)."""
        for index in range(len(self.letters), width):
            self.letters.append(column_letter(index))
            self.styles.append('" s="2' if index in self.text else "")

    def xml(self, number: int, values: Sequence[Any]) -> str:
        if len(values) > len(self.letters):
            self._grow(len(values))
        cells = []
        append = cells.append
        letters, styles, text = self.letters, self.styles, self.text
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            kind = value.__class__
            if kind is str:
                style = styles[column]
                if value[0] in FORMULA_START and looks_like_formula(value):
                    # Excel's quote prefix: shown as typed, and still text when edited.
                    style = QUOTED_TEXT if column in text else QUOTED
                append(
                    f'<c r="{letters[column]}{number}{style}" t="inlineStr">{text_xml(value)}</c>'
                )
            elif kind is bool:
                append(f'<c r="{letters[column]}{number}" t="b"><v>{int(value)}</v></c>')
            elif (kind is int or kind is float or kind is decimal.Decimal) and column not in text:
                if kind is float and not math.isfinite(value):  # no such number in Excel
                    cell = text_xml(str(value))
                    append(f'<c r="{letters[column]}{number}" t="inlineStr">{cell}</c>')
                else:
                    append(f'<c r="{letters[column]}{number}"><v>{value}</v></c>')
            else:
                append(
                    f'<c r="{letters[column]}{number}{styles[column]}" t="inlineStr">'
                    f"{text_xml(_as_text(value))}</c>"
                )
        return f'<row r="{number}">{"".join(cells)}</row>'


def _as_text(value: Any) -> str:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def write_workbook(
    target,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str = "Sheet1",
    text_columns: Sequence[int] = (),
    widths: Sequence[int] = (),
) -> int:
    """Write a one-sheet workbook to `target` (a path or a binary file); the rows written.

    More rows than a worksheet holds raise `ValueError` (the part written is unusable).
    """
    width = max(len(header), 1)
    name = sheet_name_of(sheet_name)
    count = 0
    with zipfile.ZipFile(
        target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL
    ) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(_sheet_head(header, text_columns, widths).encode())
            formatter = _Row(width, text_columns)
            chunk: list[str] = []
            for count, values in enumerate(rows, start=1):
                if count >= MAX_ROWS:
                    raise ValueError(f"more than {MAX_ROWS - 1} rows do not fit in a worksheet")
                chunk.append(formatter.xml(count + 1, values))
                if len(chunk) == ROWS_PER_WRITE:
                    part.write("".join(chunk).encode())
                    chunk.clear()
            part.write("".join(chunk).encode())
            last = f"{column_letter(width - 1)}{count + 1}"
            part.write(f'</sheetData><autoFilter ref="A1:{last}"/></worksheet>'.encode())
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("docProps/app.xml", APP)
        archive.writestr("xl/workbook.xml", _workbook(name, width, count))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
    return count


def _sheet_head(header: Sequence[str], text_columns: Sequence[int], widths: Sequence[int]) -> str:
    columns = []
    for index in range(len(header)):
        if index < len(widths):
            size = widths[index]
        elif index in text_columns:
            size = TEXT_WIDTH
        else:  # Chinese characters take two widths
            size = max(DEFAULT_WIDTH, 2 * len(header[index]) + 2)
        style = f' style="{TEXT_STYLE}"' if index in text_columns else ""
        columns.append(
            f'<col min="{index + 1}" max="{index + 1}" width="{size}" customWidth="1"{style}/>'
        )
    cells = "".join(
        f'<c r="{column_letter(i)}1" s="{HEADER_STYLE}" t="inlineStr">{text_xml(str(text))}</c>'
        for i, text in enumerate(header)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{RELS_NS}">'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{''.join(columns)}</cols>" if columns else "")
        + f'<sheetData><row r="1">{cells}</row>'
    )


def _workbook(name: str, width: int, count: int) -> str:
    quoted = "'" + name.replace("'", "''") + "'"
    area = f"{quoted}!$A$1:${column_letter(width - 1)}${count + 1}"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{RELS_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/></sheets>'
        f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{escape(area)}</definedName></definedNames>"
        "</workbook>"
    )


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (
    XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.extended-properties+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    XML_HEAD + f'<Relationships xmlns="{PACKAGE_RELS_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
APP = (
    XML_HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>Baolei</Application></Properties>'
)
WORKBOOK_RELS = (
    XML_HEAD + f'<Relationships xmlns="{PACKAGE_RELS_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# cellXfs: 0 the default, 1 the header (bold, grey, thin border), 2 text ("@", format 49),
# 3 and 4 the same two with the quote prefix
STYLES = (
    XML_HEAD + f'<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2F2F2"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/>'
    '</right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/>'
    "</bottom><diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'quotePrefix="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
