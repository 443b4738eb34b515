"""Turning an uploaded spreadsheet into a header and rows of strings.

Township and village clerks fill in the import templates in Excel or WPS and send back an
.xlsx, an old .xls, an .ods, or a CSV saved by whatever their office machine has: UTF-8
from newer software, GBK from older Chinese Windows (read as GB18030, its superset), with
or without a byte-order mark, separated by commas, semicolons or tabs. Everything is read
here into stripped strings; turning a cell into a date or a number is `cells`' job.

Every row keeps the number the clerk sees at the left of their spreadsheet (the header is
usually row 1), so that an error report's "row 17" points at the right line. Fully empty
rows are dropped but still counted. For a CSV file the number is the record's: the same as
the line number unless a quoted cell spans lines, which a spreadsheet shows as one row.

Everything the clerk can get wrong raises `UnreadableFile`, whose message is lazy so that
it is rendered in the language active when it is shown, not when it was raised.
"""

import codecs
import csv
import datetime
import io
import itertools
import os
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from baolei.messages import CodedError, lazy_format

CSV_EXTENSIONS = frozenset({".csv"})
SPREADSHEET_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
CSV_DELIMITERS = ",;\t"
SNIFF_CHARACTERS = 8192
CHUNK_BYTES = 1 << 16
# A text file has no control characters but tab, line breaks, form feed and the odd DOS
# end-of-file mark. GB18030 decodes most byte sequences, so binary data that happens to
# decode is told apart by the share of the others it turns into.
MAX_CONTROL_SHARE = 0.01

Source = bytes | bytearray | str | os.PathLike[str]
Record = tuple[int, list[str]]  # row number in the file, raw cells

# The control characters, as bytes: in UTF-8 and in GB18030 alike a byte below 0x80 is
# always a character of its own (never part of a multi-byte one), so they are counted in
# the raw bytes, at C speed.
_CONTROL_BYTES = bytes(code for code in [*range(0x20), 0x7F] if chr(code) not in "\t\n\f\r\x1a")
# Every character `str.isspace()` (and the regular expression `\s`) calls a space — the
# ideographic space U+3000 and the no-break space among them — plus the byte-order mark
# and the zero-width space, which Excel and web pages leave at the edges of cells.
_EDGES = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "\ufeff\u200b"


class UnreadableFile(CodedError):
    """Why a file could not be read at all: `code` for programs, `message` for people.

    `code` is one of "extension", "empty", "encoding", "binary", "encrypted", "corrupt",
    "csv", "no_header", and for a file beyond the limits (`Limits`) "size", "rows",
    "columns", "too_large" (a sheet claiming an area beyond them), "ratio" (a zip bomb)
    and "formula".
    """


SAVE_AGAIN = _("Save it again as “CSV UTF-8” or as an Excel workbook.")
NOT_A_SPREADSHEET = _(
    "The file could not be opened as a spreadsheet: it is damaged, or it is not "
    "really an Excel or OpenDocument file."
)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One non-empty row: its 1-based number in the file and its cells, stripped."""

    number: int
    values: list[str]


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[SourceRow]


def clean(text: str) -> str:
    """The cell without surrounding spaces, full-width spaces, BOM or zero-width spaces."""
    return text.strip(_EDGES)


@dataclass(frozen=True, slots=True)
class Limits:
    """What one file may be (settings `BAOLEI_IMPORT_MAX_*`): its size in bytes, the rows
    (header included) and columns of the sheet read, and how many times a part of a
    workbook over `RATIO_FLOOR` may expand when decompressed."""

    upload_bytes: int
    rows: int
    columns: int
    ratio: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            upload_bytes=settings.BAOLEI_IMPORT_MAX_UPLOAD_MB * 1024 * 1024,
            rows=settings.BAOLEI_IMPORT_MAX_ROWS,
            columns=settings.BAOLEI_IMPORT_MAX_COLUMNS,
            ratio=settings.BAOLEI_IMPORT_MAX_RATIO,
        )


RATIO_FLOOR = 1 << 20  # a small part (styles, a short sheet) may compress as well as it likes
SCAN_BYTES = 1 << 20
MEGABYTE = 1024 * 1024
SPLIT_IT = _("Split it into smaller files.")


def too_big(size: int, limits: Limits) -> UnreadableFile:
    """The refusal of a file of `size` bytes over the upload limit (also for the forms)."""
    return UnreadableFile(
        "size",
        lazy_format(
            _(
                "The file is %(size).1f MB; at most %(limit)d MB can be imported at a time. "
                "%(hint)s"
            ),
            size=size / MEGABYTE,
            limit=limits.upload_bytes // MEGABYTE,
            hint=SPLIT_IT,
        ),
    )


def _too_many_rows(limits: Limits) -> UnreadableFile:
    return UnreadableFile(
        "rows",
        lazy_format(
            _(
                "The file has more than %(limit)d rows: at most %(limit)d rows (the header "
                "included) can be imported at a time. %(hint)s"
            ),
            limit=limits.rows,
            hint=SPLIT_IT,
        ),
    )


def _too_many_columns(row: int, columns: int, limits: Limits, cell: str = "") -> UnreadableFile:
    if cell:
        message = lazy_format(
            _(
                "Row %(row)d has a cell at %(cell)s, column %(columns)d; at most %(limit)d "
                "columns are read. Delete the cells right of the data and upload it again."
            ),
            row=row,
            cell=cell,
            columns=columns,
            limit=limits.columns,
        )
    else:
        message = lazy_format(
            _(
                "Row %(row)d has %(columns)d columns; at most %(limit)d columns are read. "
                "Delete the cells right of the data and upload it again."
            ),
            row=row,
            columns=columns,
            limit=limits.columns,
        )
    return UnreadableFile("columns", message)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _beyond_column(limit: int) -> str:
    """A pattern of the column letters after column `limit`: longer, or as long and later
    in the alphabet (found by the regular expression engine, not per cell in Python)."""
    letters = _column_letters(max(1, min(limit, 16384)))
    size = len(letters)
    options = [f"[A-Z]{{{size + 1},}}"]
    for index, letter in enumerate(letters):
        if letter != "Z":
            rest = size - index - 1
            following = f"[{chr(ord(letter) + 1)}-Z]"
            options.append(letters[:index] + following + (f"[A-Z]{{{rest}}}" if rest else ""))
    return "|".join(options)


_PREFIX = rb"<(?:[\w.-]+:)?"  # SpreadsheetML is also written with a namespace prefix (x:row)
_ROW_TAG = re.compile(_PREFIX + rb"row\b([^>]*)>")
_NUMBER_ATTRIBUTE = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_CELL_TAG = re.compile(_PREFIX + rb"c(?=[\s/>])")
_CELL_WITHOUT_REFERENCE = re.compile(_PREFIX + rb"""c(?=[\s/>])(?![^>]*\sr\s*=)""")
_CELL_REFERENCE = re.compile(_PREFIX + rb"""c\s(?:[^>]*?\s)?r\s*=\s*["']([A-Za-z]{1,3})(\d+)""")
_FORMULA = re.compile(_PREFIX + rb"f[\s/>]")
_DIMENSION = re.compile(_PREFIX + rb"""dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")
_AREA_END = re.compile(r"([A-Za-z]{1,3})(\d+)$")
_WORKSHEET_TARGET = re.compile(
    rb"""<(?:[\w.-]+:)?Relationship\b(?=[^>]*\sType\s*=\s*["'][^"']*/worksheet["'])"""
    rb"""[^>]*\sTarget\s*=\s*["']([^"']+)["']"""
)
_beyond_patterns: dict[int, re.Pattern] = {}


def _beyond_pattern(limit: int) -> re.Pattern:
    pattern = _beyond_patterns.get(limit)
    if pattern is None:
        pattern = _beyond_patterns[limit] = re.compile(
            _PREFIX
            + rb"""c\s(?:[^>]*?\s)?r\s*=\s*["']("""
            + _beyond_column(limit).encode()
            + rb")(\d+)",
            re.IGNORECASE,
        )
    return pattern


class _SheetScan:
    """One worksheet's XML, scanned as it is decompressed: its dimension, every row's
    number, cells beyond the column limit and formulas, by regular expressions over
    megabyte chunks (what the sheet claims, never a grid of it)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.row = 0
        self.first = True
        self.beyond = _beyond_pattern(limits.columns)

    def feed(self, data: bytes) -> None:
        limits = self.limits
        if self.first:
            self.first = False
            self._dimension(data)
        formula = _FORMULA.search(data)
        if formula is not None:
            raise self._formula(data, formula.start())
        beyond = self.beyond.search(data)
        if beyond is not None:
            row = int(beyond[2])
            cell = beyond[1].decode().upper() + beyond[2].decode()
            raise _too_many_columns(row, _column_number(beyond[1].decode()), limits, cell)
        counting = _CELL_WITHOUT_REFERENCE.search(data) is not None
        rows = list(_ROW_TAG.finditer(data))
        for index, match in enumerate(rows):
            number = _NUMBER_ATTRIBUTE.search(match[1])
            self.row = int(number[1]) if number else self.row + 1
            if self.row > limits.rows:
                raise _too_many_rows(limits)
            if counting:  # cells placed one after another: their count is the width
                end = rows[index + 1].start() if index + 1 < len(rows) else len(data)
                width = len(_CELL_TAG.findall(data, match.end(), end))
                if width > limits.columns:
                    raise _too_many_columns(self.row, width, limits)

    def _dimension(self, data: bytes) -> None:
        dimension = _DIMENSION.search(data)
        if dimension is None:
            return
        area = dimension[1].decode("ascii", "replace")
        end = _AREA_END.search(area)
        if end is None:
            return
        rows, columns = int(end[2]), _column_number(end[1])
        if rows > self.limits.rows or columns > self.limits.columns:
            raise UnreadableFile(
                "too_large",
                lazy_format(
                    _(
                        "The sheet declares its area as %(area)s: %(rows)d rows and "
                        "%(columns)d columns; at most %(max_rows)d rows and %(max_columns)d "
                        "columns are read. Delete the empty rows and columns after the data "
                        "(or copy the data into a new workbook) and upload it again."
                    ),
                    area=area[:40],
                    rows=rows,
                    columns=columns,
                    max_rows=self.limits.rows,
                    max_columns=self.limits.columns,
                ),
            )

    def _formula(self, data: bytes, position: int) -> UnreadableFile:
        cells = list(_CELL_REFERENCE.finditer(data, max(0, position - 4096), position))
        hint = _(
            "Formulas are not imported: copy the cells, paste them as values and upload the "
            "file again."
        )
        if not cells:
            return UnreadableFile(
                "formula",
                lazy_format(_("A cell holds a formula. %(hint)s"), hint=hint),
            )
        letters, row = cells[-1][1].decode().upper(), int(cells[-1][2])
        return UnreadableFile(
            "formula",
            lazy_format(
                _("Cell %(cell)s (row %(row)d, column %(column)s) holds a formula. %(hint)s"),
                cell=f"{letters}{row}",
                row=row,
                column=letters,
                hint=hint,
            ),
        )


def _worksheet_parts(archive: zipfile.ZipFile) -> set[str]:
    """The worksheets' part names: those in xl/worksheets/, and wherever the workbook's
    relationships put one (calamine follows them)."""
    names = set(archive.namelist())
    parts = {name for name in names if name.lower().startswith("xl/worksheets/")}
    rels = "xl/_rels/workbook.xml.rels"
    if rels in names and archive.getinfo(rels).file_size <= RATIO_FLOOR:
        for target in _WORKSHEET_TARGET.findall(archive.read(rels)):
            path = target.decode("utf-8", "replace")
            path = path.lstrip("/") if path.startswith("/") else posixpath.normpath(f"xl/{path}")
            if path in names:
                parts.add(path)
    return parts


def _check_container(handle: BinaryIO, limits: Limits) -> None:
    """Refuse an .xlsx/.ods beyond the limits before calamine is asked for anything.

    Every part's declared size is checked against the ratio, then every part is
    decompressed in chunks (Python's zipfile stops at the declared size and checks the
    CRC, so a part cannot expand beyond what it declares), the worksheets scanned on the
    way. Not a zip (an old .xls) is left to calamine, whose format bounds it.
    """
    handle.seek(0)
    if not zipfile.is_zipfile(handle):
        handle.seek(0)
        return
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            for info in infos:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > RATIO_FLOOR and ratio > limits.ratio:
                    raise UnreadableFile(
                        "ratio",
                        lazy_format(
                            _(
                                "The part %(part)s of the workbook expands from %(compressed)d "
                                "to %(expanded)d bytes, %(ratio)d times; at most %(limit)d "
                                "times is accepted. This is not an ordinary workbook: save "
                                "it again from Excel or WPS."
                            ),
                            part=info.filename[:80],
                            compressed=info.compress_size,
                            expanded=info.file_size,
                            ratio=int(ratio),
                            limit=limits.ratio,
                        ),
                    )
            worksheets = _worksheet_parts(archive)
            for info in infos:
                scan = _SheetScan(limits) if info.filename in worksheets else None
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(SCAN_BYTES):
                        if scan is None:
                            continue
                        data = tail + chunk
                        cut = data.rfind(b"<")  # the last tag may be cut: it goes with the next
                        cut = cut if cut > 0 else len(data)
                        scan.feed(data[:cut])
                        tail = data[cut:]
                    if scan is not None and tail:
                        scan.feed(tail)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        raise UnreadableFile("corrupt", NOT_A_SPREADSHEET) from None
    finally:
        handle.seek(0)


def _text_stats(chunks: Iterable[bytes], encoding: str) -> tuple[int, int, int] | None:
    """Characters, control characters and NULs of the whole text, or None if it does not
    decode. Incremental, so a multi-byte character split between chunks is fine."""
    decoder = codecs.getincrementaldecoder(encoding)()
    characters = controls = nuls = 0
    try:
        for chunk in itertools.chain(chunks, [b""]):
            characters += len(decoder.decode(chunk, final=not chunk))
            controls += len(chunk) - len(chunk.translate(None, _CONTROL_BYTES))
            nuls += chunk.count(b"\x00")
    except UnicodeDecodeError:
        return None
    return characters, controls, nuls


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(CHUNK_BYTES):
        yield chunk


def _detect(handle: BinaryIO) -> str:
    """The encoding of the whole seekable stream, read in chunks: constant memory."""
    handle.seek(0)
    head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text": its NULs would otherwise be reported as binary junk.
        raise UnreadableFile(
            "encoding",
            lazy_format(_("The file is saved as UTF-16 text. %(hint)s"), hint=SAVE_AGAIN),
        )
    for encoding in ("utf-8", "gb18030"):
        stats = _text_stats(_chunks(handle), encoding)
        if stats is not None:
            break
    else:
        raise UnreadableFile(
            "encoding",
            lazy_format(
                _("The file is neither UTF-8 nor GBK/GB18030 text. %(hint)s"), hint=SAVE_AGAIN
            ),
        )
    characters, controls, nuls = stats
    if nuls or controls > MAX_CONTROL_SHARE * characters:
        raise UnreadableFile(
            "binary",
            lazy_format(
                _("The file does not look like a CSV text file. %(hint)s"), hint=SAVE_AGAIN
            ),
        )
    if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return encoding


def detect_encoding(data: bytes) -> str:
    """The codec for `data`: "utf-8-sig" with a UTF-8 BOM, "utf-8" if the bytes decode as
    UTF-8, else "gb18030".

    UTF-8 is tried first because GBK text almost never happens to be valid UTF-8, while
    GB18030 decodes almost anything. Raises `UnreadableFile` for UTF-16 and for data that
    is not text: NUL bytes or more than 1% control characters.
    """
    return _detect(io.BytesIO(data))


def _sniff_delimiter(sample: str) -> str:
    """The delimiter `csv.Sniffer` finds in the sample's whole lines, if the header has it.

    The sniffer gives up when rows have different numbers of cells (clerks leave trailing
    cells out), so then the candidate most frequent in the header wins; "," if none is.
    """
    if len(sample) == SNIFF_CHARACTERS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    header = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = max(CSV_DELIMITERS, key=header.count)
    return delimiter if delimiter in header else ","


def _csv_records(handle: BinaryIO, limits: Limits) -> Iterator[Record]:
    encoding = _detect(handle)
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        delimiter = _sniff_delimiter(text.read(SNIFF_CHARACTERS))
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        numbers = itertools.count(1)
        max_rows, max_columns = limits.rows, limits.columns
        try:
            # zip takes the number first, so after a failed record the counter stands one
            # past that record's number.
            for record in zip(numbers, reader, strict=False):  # the counter never ends
                if record[0] > max_rows:
                    raise _too_many_rows(limits)
                if len(record[1]) > max_columns:
                    raise _too_many_columns(record[0], len(record[1]), limits)
                yield record
        except csv.Error as error:
            raise UnreadableFile(
                "csv",
                lazy_format(
                    _("Row %(row)d could not be read as CSV: %(error)s"),
                    row=next(numbers) - 1,
                    error=str(error),
                ),
            ) from None
    finally:
        text.detach()  # the handle belongs to the caller


def _first_visible_sheet(workbook: CalamineWorkbook) -> int:
    """Templates often hide a sheet of choices; the clerk filled in the first one shown."""
    for index, sheet in enumerate(workbook.sheets_metadata):
        if sheet.visible == SheetVisibleEnum.Visible and sheet.typ == SheetTypeEnum.WorkSheet:
            return index
    return 0


def _number_text(value: float) -> str:
    """What the clerk typed: "12" for a whole number, up to Excel's 15 significant digits
    otherwise (so 0.1 + 0.2 reads "0.3"), never in exponent notation."""
    if value.is_integer():
        return str(int(value))
    text = format(value, ".15g")
    return format(Decimal(text), "f") if "e" in text else text


class LongNumberText(str):
    """The text of a cell that was a number of 15 digits or more: Excel keeps 15
    significant digits, so an ID number typed as a number has already lost its last
    ones. A column of such numbers says so instead of "wrong check digit"."""

    __slots__ = ()


LONG_NUMBER = 1e14


def _cell_text(value: object) -> str:
    if value.__class__ is float:  # the usual case after text: numbers, years, counts
        if -LONG_NUMBER < value < LONG_NUMBER:
            return _number_text(value)
        return LongNumberText(_number_text(value))
    match value:
        case str():
            return value.strip(_EDGES)
        case bool():
            return "TRUE" if value else "FALSE"
        case int():
            return str(value) if abs(value) < LONG_NUMBER else LongNumberText(value)
        case float():
            return _number_text(value)
        case datetime.datetime():
            return value.date().isoformat()
        case datetime.date() | datetime.time():
            return value.isoformat()
        case _:
            return str(value)


def _spreadsheet_records(handle: BinaryIO, limits: Limits) -> Iterator[Record]:
    """The first visible sheet's rows, numbered from the sheet's row 1, row by row.

    The container is checked first (`_check_container`): calamine builds the sheet's
    whole grid when it is asked for the sheet, so what the file claims must be known to
    fit before. Leading empty rows and columns (a margin) are not read at all.
    """
    _check_container(handle, limits)
    try:
        # From the content, not the name: a ".xls" is often an .xlsx renamed, and back.
        with CalamineWorkbook.from_filelike(handle) as workbook:
            sheet = workbook.get_sheet_by_index(_first_visible_sheet(workbook))
            start, end = sheet.start, sheet.end
            if start is None:
                return
            # The grid calamine holds; an .xls or .ods is bounded by its format, not checked
            # beforehand, and stops here.
            if end[0] + 1 > limits.rows:
                raise _too_many_rows(limits)
            if end[1] + 1 > limits.columns:
                raise _too_many_columns(end[0] + 1, end[1] + 1, limits)
            # From the sheet's row 1 (not from the first with data), each row from the
            # first column with data: a margin of empty columns is not read.
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                # Most cells are text already; only the others pay for the conversion.
                # Stripped here, in the same pass (`_rows` leaves these rows as they are).
                yield (
                    number,
                    [
                        cell.strip(_EDGES) if cell.__class__ is str else _cell_text(cell)
                        for cell in cells
                    ],
                )
    except PasswordError:
        raise UnreadableFile(
            "encrypted",
            _("The workbook is protected by a password. Remove it and upload the file again."),
        ) from None
    except CalamineError:
        raise UnreadableFile("corrupt", NOT_A_SPREADSHEET) from None


def _extension(filename: str) -> str:
    extension = Path(filename).suffix.lower()
    if extension not in CSV_EXTENSIONS | SPREADSHEET_EXTENSIONS:
        raise UnreadableFile(
            "extension",
            lazy_format(
                _("“%(filename)s” cannot be imported: upload an .xlsx, .xls, .ods or .csv file."),
                filename=filename,
            ),
        )
    return extension


@contextmanager
def _open_binary(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(source)
    else:
        with open(source, "rb") as handle:
            yield handle


def _rows(records: Iterable[Record], stripped: bool = False) -> Iterator[SourceRow]:
    """The header (the first non-empty row), then the non-empty rows padded to its width.

    Trailing empty cells are dropped first, so a row is longer than the header only when
    something was written beyond the last named column; those cells are kept for the
    validation to report rather than silently lost.
    """
    width: int | None = None
    edges = itertools.repeat(_EDGES)
    for number, cells in records:
        values = cells if stripped else list(map(str.strip, cells, edges))
        while values and not values[-1]:
            values.pop()
        if not values:
            continue
        if width is None:
            width = len(values)
        elif len(values) < width:
            values.extend([""] * (width - len(values)))
        yield SourceRow(number, values)
    if width is None:
        raise UnreadableFile(
            "no_header",
            _("The file has no rows: its first row should name the columns."),
        )


def iter_table(path_or_bytes: Source, filename: str) -> Iterator[SourceRow]:
    """The header row first, then every non-empty row, read lazily.

    `path_or_bytes` is the uploaded file's path or its bytes; `filename` is the name the clerk
    uploaded it under, whose extension decides the format. A CSV file is read in constant
    memory: its encoding is detected in chunks, then rows are parsed as they are asked
    for. The file stays open until the iterator is exhausted or closed.
    """
    extension = _extension(filename)
    limits = Limits.from_settings()
    with _open_binary(path_or_bytes) as handle:
        size = handle.seek(0, io.SEEK_END)
        if size == 0:
            raise UnreadableFile("empty", _("The file is empty."))
        if size > limits.upload_bytes:
            raise too_big(size, limits)
        handle.seek(0)
        if extension in CSV_EXTENSIONS:
            yield from _rows(_csv_records(handle, limits))
        else:
            yield from _rows(_spreadsheet_records(handle, limits), stripped=True)


def read_table(path_or_bytes: Source, filename: str) -> Table:
    """The whole file as a header and its non-empty rows; see `iter_table`."""
    rows = iter_table(path_or_bytes, filename)
    header = next(rows)
    return Table(header=header.values, rows=list(rows))
