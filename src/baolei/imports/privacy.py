"""What a colleague sees of someone else's upload. A rejected file returns every row as
uploaded, with the ID numbers of every person in it; a reason may name a household by a
number that is its head's ID number. The uploader saw them when they sent the file and
may see them again, and so may a role with the personal-data permission; anyone else in
the scope gets them masked by the one rule (`idnumbers.mask`), in the file and in the
reasons alike, the rest of the file as it was.

Masking works on text, not on a sheet's columns: the file holds what was uploaded, typos
and aliased headers included, so every substring that looks like an ID number is masked,
and every cell of an ID-number column whatever it holds.
"""

import csv
import datetime
import io
import re
import tempfile
from collections.abc import Iterator
from typing import IO

from python_calamine import CalamineWorkbook

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope
from baolei.idnumbers import EARLIEST_BIRTH_DATE, LENGTH, mask, normalise
from baolei.imports import workbooks
from baolei.imports.models import ImportJob
from baolei.imports.xlsx import neutralised

# 18 characters (the last a check digit or X) or an old 15-digit number, not part of a
# longer run of digits (a 16-digit household number stays as it is). `\d` and the
# full-width X catch numbers typed with a Chinese input method.
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{17}[\dXxＸｘ]|\d{15})(?!\d)")
_ID_HEADER = re.compile(r"身份证|证件号|公民身份号")


def reveals_personal_data(scope: Scope, user, job: ImportJob) -> bool:
    """Whether `user` sees the job's rows and reasons as uploaded."""
    return scope.can(Perm.SEE_PERSONAL_DATA) or (
        job.uploaded_by_id is not None and job.uploaded_by_id == getattr(user, "pk", None)
    )


def _is_id_number(text: str) -> bool:
    """Whether digits of an ID number's length hold a birth date where an ID number has
    it: household and village numbers of the same length (420222100001900000) do not.
    The check character is not asked for, since a typo in it leaves the person's number."""
    number = normalise(text)
    if _ID_NUMBER.fullmatch(number) is None:
        return False
    day = number[6:14] if len(number) == LENGTH else "19" + number[6:12]
    try:
        born = datetime.date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return False
    return born >= EARLIEST_BIRTH_DATE


def masked_text(text: str) -> str:
    """`text` with every ID number in it masked; a cell that is one number with spaces
    in it ("420222 19750615 0014") is masked whole."""
    if not text:
        return text
    if _is_id_number(text):
        return mask(text)
    return _ID_NUMBER.sub(
        lambda match: mask(match[0]) if _is_id_number(match[0]) else match[0], text
    )


def masked_errors(errors: list[dict]) -> list[dict]:
    """The job's first errors with the ID numbers in their reasons masked."""
    return [{**error, "reason": masked_text(str(error.get("reason", "")))} for error in errors]


def _masked_rows(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """The header as it is, then every row with its ID numbers masked: the whole cell in
    a column headed as an ID number (a typo there is still most of a person's number)."""
    header = next(rows, None)
    if header is None:
        return
    yield [masked_text(cell) for cell in header]
    id_columns = {index for index, cell in enumerate(header) if _ID_HEADER.search(cell)}
    for row in rows:
        yield [
            mask(cell) if index in id_columns and cell else masked_text(cell)
            for index, cell in enumerate(row)
        ]


def masked_csv(stored: IO[bytes], target: IO[bytes]) -> None:
    """The stored rejected-rows CSV (UTF-8 with a byte-order mark), masked; formula-looking
    cells stay neutralised as `workbooks.write_rejected_csv` wrote them."""
    source = io.TextIOWrapper(stored, encoding="utf-8-sig", newline="")
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    for row in _masked_rows(iter(csv.reader(source))):
        writer.writerow(list(map(neutralised, row)))
    text.flush()
    text.detach()


def masked_xlsx(stored: IO[bytes], target: IO[bytes]) -> None:
    """The stored rejected-rows workbook, masked, read a row at a time and written as
    `workbooks.write_rejected_xlsx` wrote it (rejected rows marked, the reason column)."""
    with CalamineWorkbook.from_filelike(stored) as book:
        sheet = book.get_sheet_by_index(0)
        cells = ([_as_text(value) for value in row] for row in sheet.iter_rows())
        rows = _masked_rows(cells)
        header = next(rows, [workbooks.REASON_HEADER])
        workbooks.write_rejected_rows(header, ((bool(row[-1]), row) for row in rows if row), target)


def _as_text(value) -> str:
    # The stored workbook holds only text; anything else is shown as calamine reads it.
    return value if isinstance(value, str) else str(value)


def masked_copy(stored, xlsx: bool) -> IO[bytes]:
    """A temporary file (gone when closed) holding the masked copy of `stored`."""
    # Not a context manager: the response streams the file and closes it when sent.
    target = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        with stored.open("rb") as source:
            if xlsx:
                masked_xlsx(source, target)
            else:
                masked_csv(source, target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target
