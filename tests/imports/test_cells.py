"""Cell parsers: every form a clerk types is read, everything else is refused with a reason."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from baolei.imports.cells import CellError, parse_bool, parse_date, parse_decimal, parse_int

MAY_DAY = datetime.date(2023, 5, 1)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def excel_serial(date: datetime.date) -> int:
    """Excel's 1900-system serial, computed independently of the parser: from 1900-03-01
    on, the day count from 1899-12-30 (the fake 1900-02-29 absorbs the difference)."""
    return (date - datetime.date(1899, 12, 30)).days


def english(error: pytest.ExceptionInfo[CellError]) -> str:
    with translation.override("en"):
        return str(error.value)


@pytest.mark.parametrize(
    "text",
    [
        "2023-05-01",
        "2023-5-1",
        "2023/5/1",
        "2023/05/01",
        "2023.5.1",
        "2023.05.01",
        "2023年5月1日",
        "2023年05月01日",
        "2023 年 5 月 1 日",
        "2023年5月1号",
        "２０２３年５月１日",
        "２０２３－０５－０１",
        "20230501",
        "２０２３０５０１",
        "45047",
        "45047.0",
        "45047.",
        "４５０４７",
        "  2023-05-01\u3000",
        "2023/5/1 0:00",
        "2023-05-01 00:00:00",
        "2023-05-01T10:30:15",
        "2023年5月1日 10:30",
    ],
)
def test_date_forms(text):
    assert parse_date(text) == MAY_DAY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", datetime.date(1900, 1, 1)),
        ("59", datetime.date(1900, 2, 28)),
        ("61", datetime.date(1900, 3, 1)),
        ("2958465", datetime.date(9999, 12, 31)),
        ("2024-02-29", datetime.date(2024, 2, 29)),
        ("1899/12/31", datetime.date(1899, 12, 31)),
    ],
)
def test_date_edges(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["2023-02-30", "2023/13/1", "2023年2月29日", "20230230", "0000-01-01", "2023.4.31"]
)
def test_an_impossible_date_is_named(text):
    with pytest.raises(CellError) as error:
        parse_date(text)
    assert error.value.code == "invalid_date"
    assert english(error) == f"“{text}” is not a real date."


def test_excel_fake_leap_day_is_refused():
    with pytest.raises(CellError) as error:
        parse_date("60")
    assert error.value.code == "invalid_date"
    assert "1900-02-29" in english(error)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "2023-5/1",
        "2023.5",
        "2023-05",
        "23-5-1",
        "5/1/2023",
        "2023-05-01 25:00",
        "2023-05-01 10:30 am",
        "0",
        "2958466",
        "45047.5",
        "-45047",
        "2023年5月",
        "٢٠٢٣-٠٥-٠١",  # Arabic-Indic digits: int() takes them, a clerk never types them
    ],
)
def test_not_a_date(text):
    with pytest.raises(CellError) as error:
        parse_date(text)
    assert error.value.code == "date"
    message = english(error)
    assert message.startswith("Expected a date such as 2023-05-01")
    assert f"“{text}”" in message


@pytest.mark.parametrize("text", ["", "   ", "\u3000"])
def test_an_empty_date(text):
    with pytest.raises(CellError) as error:
        parse_date(text)
    assert error.value.code == "empty"
    assert "the cell is empty" in english(error)


def test_serials_can_be_turned_off_for_year_only_columns():
    assert parse_date("1985") == datetime.date(1905, 6, 7)
    with pytest.raises(CellError):
        parse_date("1985", allow_serial=False)
    assert parse_date("1985-06-07", allow_serial=False) == datetime.date(1985, 6, 7)


def test_a_long_text_is_shortened_in_the_message():
    with pytest.raises(CellError) as error:
        parse_date("x" * 500)
    assert len(english(error)) < 150


@given(st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31)))
def test_every_form_of_a_date_reads_back_the_same(date):
    forms = [
        date.isoformat(),
        f"{date.year}/{date.month}/{date.day}",
        f"{date.year}年{date.month}月{date.day}日",
        str(excel_serial(date)),
    ]
    for form in forms:
        assert parse_date(form) == date, form
        assert parse_date(form.translate(FULL_WIDTH)) == date, form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", Decimal("1234")),
        ("0", Decimal("0")),
        ("1,234.50", Decimal("1234.50")),
        ("1 234.5", Decimal("1234.5")),
        ("1\u00a0234.5", Decimal("1234.5")),
        ("1,234,567", Decimal("1234567")),
        ("１２３４", Decimal("1234")),
        ("１，２３４．５０", Decimal("1234.50")),
        ("12元", Decimal("12")),
        ("1,234.5 元", Decimal("1234.5")),
        ("￥1,234", Decimal("1234")),
        ("-3.5", Decimal("-3.5")),
        ("+7", Decimal("7")),
        (" 42 ", Decimal("42")),
        ("0.30", Decimal("0.30")),
    ],
)
def test_decimal_forms(text, expected):
    value = parse_decimal(text)
    assert value == expected
    assert str(value) == str(expected)  # the scale is kept


@pytest.mark.parametrize(
    "text",
    ["abc", "12a", "1,5", "12,34", "1,234 567", "1e5", ".5", "5.", "1.2.3", "--1", "元", "3万元"],
)
def test_not_a_decimal(text):
    with pytest.raises(CellError) as error:
        parse_decimal(text)
    assert error.value.code == "number"
    assert english(error) == f"Expected a number such as 1234 or 1,234.50, not “{text}”."


def test_an_empty_decimal():
    with pytest.raises(CellError) as error:
        parse_decimal("")
    assert error.value.code == "empty"
    assert english(error) == "Expected a number such as 1234 or 1,234.50; the cell is empty."


@given(
    st.decimals(
        min_value=Decimal("-1e12"),
        max_value=Decimal("1e12"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_a_grouped_decimal_reads_back(value):
    assert parse_decimal(f"{value:,f}") == value
    assert parse_decimal(f"{value:f}元") == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234", 1234), ("1,234", 1234), ("１２", 12), ("12.0", 12), ("-5", -5), ("3元", 3)],
)
def test_int_forms(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", ["12.5", "abc", "1,5", "0.01"])
def test_not_an_int(text):
    with pytest.raises(CellError) as error:
        parse_int(text)
    assert error.value.code == "whole_number"
    assert english(error) == f"Expected a whole number such as 1234, not “{text}”."


@pytest.mark.parametrize(
    "text", ["是", "有", "Y", "y", "yes", "YES", "Yes", "true", "TRUE", "1", " 是 ", "Ｙ", "１"]
)
def test_true_words(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize(
    "text", ["否", "无", "N", "n", "no", "NO", "false", "False", "FALSE", "0", "\u3000否", "ｎｏ"]
)
def test_false_words(text):
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["maybe", "是的", "2", "ok", "√", "yes no"])
def test_not_a_bool(text):
    with pytest.raises(CellError) as error:
        parse_bool(text)
    assert error.value.code == "boolean"
    assert english(error) == f"Expected 是 or 否 (yes or no), not “{text}”."


def test_an_empty_bool():
    with pytest.raises(CellError) as error:
        parse_bool(" ")
    assert error.value.code == "empty"


def test_cell_errors_are_value_errors():
    assert issubclass(CellError, ValueError)
