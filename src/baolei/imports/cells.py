"""Parsing one cell's text into a date, a number or a yes/no.

The text comes from `reading`, stripped, and was typed by a clerk: on a phone or with a
Chinese input method, so full-width digits and punctuation are common, and dates are
written the way each person writes them. Every form is folded to ASCII with NFKC first.

A date column that was formatted as text, or copied out of a workbook, shows Excel's
serial day numbers instead ("45047" for 2023-05-01). They are read in the 1900 date
system, which counts 1900-02-29, a day that never was (Lotus 1-2-3's bug, kept by Excel
for compatibility): serial 60 is refused and serials after it are one day late.

A bad cell raises `CellError`, whose message says what was expected and is lazy, so it
is rendered in the language active when it is shown.
"""

import datetime
import re
import unicodedata
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baolei.messages import CodedError, lazy_format

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 0, counting the fake leap day
EXCEL_FAKE_LEAP_DAY = 60  # "1900-02-29"
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
SHOWN_CHARACTERS = 40

TRUE_WORDS = frozenset({"是", "有", "y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"否", "无", "n", "no", "false", "0"})

# re.ASCII: \d must not match other scripts' digits, which int() would happily accept.
_TIME = r"(?:[ T]+(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)?"
_SEPARATED_DATE = re.compile(
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _TIME, re.ASCII
)
_CHINESE_DATE = re.compile(
    r"(?P<year>\d{4}) *年 *(?P<month>\d{1,2}) *月 *(?P<day>\d{1,2}) *[日号]?" + _TIME, re.ASCII
)
_COMPACT_DATE = re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})", re.ASCII)
_SERIAL = re.compile(r"(\d{1,7})(?:\.0*)?", re.ASCII)
# Thousands are grouped by three with commas or spaces, one kind per number: "1,5" is
# refused rather than read as fifteen (or as a European one and a half).
_NUMBER = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+)(?:\.\d+)?", re.ASCII)

EXPECTED_DATE = _("a date such as 2023-05-01, 2023/5/1 or 2023年5月1日")
EXPECTED_NUMBER = _("a number such as 1234 or 1,234.50")
EXPECTED_WHOLE_NUMBER = _("a whole number such as 1234")
EXPECTED_BOOLEAN = _("是 or 否 (yes or no)")


class CellError(CodedError):
    """Why a cell was refused: `code` for programs, `message` for people.

    `code` is one of "empty", "date", "invalid_date", "number", "whole_number", "boolean".
    """


def _shown(text: str) -> str:
    """The text for a message: a pasted paragraph should not fill the error report."""
    text = text.strip()
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def _refuse(code: str, text: str, expected: str | Promise) -> CellError:
    if not text.strip():
        return CellError(
            "empty", lazy_format(_("Expected %(expected)s; the cell is empty."), expected=expected)
        )
    return CellError(
        code,
        lazy_format(
            _("Expected %(expected)s, not “%(text)s”."), expected=expected, text=_shown(text)
        ),
    )


def normalise(text: str) -> str:
    """Full-width digits, letters, punctuation and spaces folded to ASCII, then stripped."""
    return unicodedata.normalize("NFKC", text).strip()


def _excel_date(serial: int, text: str) -> datetime.date:
    if serial == EXCEL_FAKE_LEAP_DAY:
        raise CellError(
            "invalid_date",
            lazy_format(
                _("“%(text)s” is Excel's 1900-02-29, a day that does not exist."),
                text=_shown(text),
            ),
        )
    if not 1 <= serial <= EXCEL_MAX_SERIAL:
        raise _refuse("date", text, EXPECTED_DATE)
    # The epoch counts the fake leap day; the serials before it are one day further on.
    return EXCEL_EPOCH + datetime.timedelta(days=serial + (serial < EXCEL_FAKE_LEAP_DAY))


def parse_date(text: str, *, allow_serial: bool = True) -> datetime.date:
    """The date in 2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日, 20230501 or Excel serial
    form. A time after a separated or Chinese date ("2023/5/1 0:00", as Excel writes a
    date-time into CSV) is allowed and ignored.

    Any number from 1 to 2958465 is a serial, so a bare year such as "1985" reads as a
    day in 1905; a column where clerks may type only a year should pass
    `allow_serial=False`.
    """
    value = normalise(text)
    match = (
        _SEPARATED_DATE.fullmatch(value)
        or _CHINESE_DATE.fullmatch(value)
        or _COMPACT_DATE.fullmatch(value)
    )
    if match is None:
        serial = _SERIAL.fullmatch(value) if allow_serial else None
        if serial is None:
            raise _refuse("date", text, EXPECTED_DATE)
        return _excel_date(int(serial[1]), text)
    try:
        return datetime.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise CellError(
            "invalid_date", lazy_format(_("“%(text)s” is not a real date."), text=_shown(text))
        ) from None


def _decimal(text: str, code: str, expected: str | Promise) -> Decimal:
    value = normalise(text).removeprefix("¥").removesuffix("元").strip()
    if not _NUMBER.fullmatch(value):
        raise _refuse(code, text, expected)
    return Decimal(value.replace(",", "").replace(" ", ""))


def parse_decimal(text: str) -> Decimal:
    """The number in "1234", "1,234.50", "1 234.5", full-width "１２３４" or "12元".

    The scale is kept: "1,234.50" is Decimal("1234.50"). Exponents are refused, since no
    clerk types them and `reading` never produces them.
    """
    return _decimal(text, "number", EXPECTED_NUMBER)


def parse_int(text: str) -> int:
    """A whole number, in any form `parse_decimal` reads; "12.0" is 12, "12.5" is refused."""
    value = _decimal(text, "whole_number", EXPECTED_WHOLE_NUMBER)
    if value != value.to_integral_value():
        raise _refuse("whole_number", text, EXPECTED_WHOLE_NUMBER)
    return int(value)


def parse_bool(text: str) -> bool:
    """是/否, 有/无, Y/N, yes/no, true/false or 1/0, in any case or width."""
    word = normalise(text).casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _refuse("boolean", text, EXPECTED_BOOLEAN)
