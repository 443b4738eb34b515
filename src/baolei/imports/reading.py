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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

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
    "csv", "no_header".
    """


SAVE_AGAIN = _("Save it again as “CSV UTF-8” or as an Excel workbook.")


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


def _csv_records(handle: BinaryIO) -> Iterator[Record]:
    encoding = _detect(handle)
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        delimiter = _sniff_delimiter(text.read(SNIFF_CHARACTERS))
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        numbers = itertools.count(1)
        try:
            # Delegated, not re-yielded record by record; zip takes the number first, so
            # after a failed record the counter stands one past that record's number.
            yield from zip(numbers, reader, strict=False)  # the counter never ends
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


def _cell_text(value: object) -> str:
    if value.__class__ is float:  # the usual case after text: numbers, years, counts
        return _number_text(value)
    match value:
        case str():
            return value
        case bool():
            return "TRUE" if value else "FALSE"
        case int():
            return str(value)
        case float():
            return _number_text(value)
        case datetime.datetime():
            return value.date().isoformat()
        case datetime.date() | datetime.time():
            return value.isoformat()
        case _:
            return str(value)


def _spreadsheet_records(handle: BinaryIO) -> Iterator[Record]:
    """The first visible sheet's rows, numbered from the sheet's row 1.

    calamine loads the whole sheet anyway, so there is nothing to stream. Leading columns
    that are empty in every row (a margin) are dropped rather than read as unnamed columns.
    """
    try:
        # From the content, not the name: a ".xls" is often an .xlsx renamed, and back.
        with CalamineWorkbook.from_filelike(handle) as workbook:
            sheet = workbook.get_sheet_by_index(_first_visible_sheet(workbook))
            start = sheet.start
            grid = sheet.to_python(skip_empty_area=False)
    except PasswordError:
        raise UnreadableFile(
            "encrypted",
            _("The workbook is protected by a password. Remove it and upload the file again."),
        ) from None
    except CalamineError:
        raise UnreadableFile(
            "corrupt",
            _(
                "The file could not be opened as a spreadsheet: it is damaged, or it is not "
                "really an Excel or OpenDocument file."
            ),
        ) from None
    if start is None:
        return
    first_column = start[1]
    for number, cells in enumerate(grid, start=1):
        # Most cells are text already; only the others pay for the conversion. Stripped
        # here, in the same pass (`_rows` leaves these rows as they are).
        yield (
            number,
            [
                cell.strip(_EDGES) if cell.__class__ is str else _cell_text(cell).strip(_EDGES)
                for cell in cells[first_column:]
            ],
        )


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
    with _open_binary(path_or_bytes) as handle:
        if handle.seek(0, io.SEEK_END) == 0:
            raise UnreadableFile("empty", _("The file is empty."))
        handle.seek(0)
        if extension in CSV_EXTENSIONS:
            yield from _rows(_csv_records(handle))
        else:
            yield from _rows(_spreadsheet_records(handle), stripped=True)


def read_table(path_or_bytes: Source, filename: str) -> Table:
    """The whole file as a header and its non-empty rows; see `iter_table`."""
    rows = iter_table(path_or_bytes, filename)
    header = next(rows)
    return Table(header=header.values, rows=list(rows))
