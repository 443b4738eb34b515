"""Household files as clerks send them, built for the import tests: rows of the
households sheet (one per person), written as CSV in any encoding or as XLSX."""

import csv
import datetime
import io
from collections.abc import Iterable

import xlsxwriter

from baolei import idnumbers
from baolei.registry.models import Household, Member, Person, StatusChange
from baolei.registry.sheets.households import SHEET

HEADERS = SHEET.headers
VILLAGE = "420222100001"  # 山川台社区居委会, 兴国镇 (the insider's township)
VILLAGE_FULL_NAME = "湖北省黄石市阳新县兴国镇山川台社区居委会"
OTHER_VILLAGE = "420222100002"  # another village of 兴国镇
NEIGHBOUR_VILLAGE = "420222101001"  # 富池镇: the neighbour's township
OUTSIDE_VILLAGE = "420281001001"  # 大冶市: another county


def id_number(n: int, birth: datetime.date = datetime.date(1975, 6, 15), male: bool = True) -> str:
    """A valid number, unique per `n` below 500; born on a day the factories never use."""
    first17 = f"420222{birth:%Y%m%d}{(n % 500) * 2 + (1 if male else 0):03d}"
    return first17 + idnumbers.check_character(first17)


def with_check(first17: str, wrong: bool = False) -> str:
    """The number with its check character, or a wrong one."""
    check = idnumbers.check_character(first17)
    if wrong:
        check = "0" if check != "0" else "1"
    return first17 + check


def person(
    household: str,
    n: int,
    *,
    relation: str = "户主",
    name: str | None = None,
    village: str = "",
    **cells: str,
) -> dict[str, str]:
    """One row: a person of household `household`; the head's row carries the household."""
    row = {
        "户编号": household,
        "姓名": name or f"村民{n}",
        "身份证号": id_number(n, male=relation not in ("配偶", "之女")),
        "与户主关系": relation,
        "劳动技能": "普通劳动力",
    }
    if relation == "户主":
        row.update(
            {
                "村": village or VILLAGE,
                "地址": "兴国镇山川台",
                "户属性": "一般贫困户",
                "识别年度": "2014",
                "贫困户状态": "已脱贫(享受政策)",
                "主要致贫原因": "因病",
                "其他致贫原因": "缺技术、缺资金",
            }
        )
    row.update(
        {"民族": "汉族", "文化程度": "初中", "健康状况": "健康", "是否低保": "否", "联系电话": ""}
    )
    row.update(cells)
    return row


def family(household: str, first: int, size: int = 3, **head_cells: str) -> list[dict[str, str]]:
    """A head, a spouse and children: `size` people numbered from `first`."""
    relations = ["户主", "配偶", "之子", "之女", "之子"]
    rows = [person(household, first, **head_cells)]
    for offset in range(1, size):
        rows.append(person(household, first + offset, relation=relations[offset % 5]))
    return rows


def register(count: int, start: int = 0) -> list[dict[str, str]]:
    """`count` households of three people in the insider's village."""
    rows = []
    for index in range(count):
        rows += family(f"42022210000190{start + index:04d}", 3 * (start + index))
    return rows


def table(rows: Iterable[dict[str, str]], headers: list[str] = HEADERS) -> list[list[str]]:
    return [headers, *([row.get(header, "") for header in headers] for row in rows)]


def csv_bytes(rows: Iterable[dict[str, str]], encoding: str = "utf-8", **options) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table(rows, **options))
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Iterable[dict[str, str]], **options) -> bytes:
    """An .xlsx as Excel saves it, every cell text (as the template's columns are)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    worksheet = workbook.add_worksheet("户籍成员")
    for row_index, values in enumerate(table(rows, **options)):
        for column, value in enumerate(values):
            if value != "":
                worksheet.write_string(row_index, column, value)
    workbook.close()
    return buffer.getvalue()


def register_counts() -> tuple[int, int, int, int]:
    """What an import may change: households, people, members, status changes."""
    return (
        Household.objects.count(),
        Person.objects.count(),
        Member.objects.count(),
        StatusChange.objects.count(),
    )
