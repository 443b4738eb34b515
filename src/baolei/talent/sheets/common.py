"""What the talent app's two sheets share: the person columns (name, ID number,
village), the whole-column checks of villages and people, and writing new people."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.imports import cells
from baolei.imports.bulk import fetch_in, insert_rows
from baolei.imports.pipeline import CellProblem, Column, Importer, Sheet, Table, text_parser
from baolei.messages import lazy_format
from baolei.regions.models import Level, Region
from baolei.registry.models import Person
from baolei.registry.services.people import PERSON_OUTSIDE_SCOPE, people_outside_scope
from baolei.registry.sheets import village_options


def parse_date(text: str) -> datetime.date:
    value = cells.parse_date(text)
    if value > timezone.localdate():
        raise CellProblem(
            "future_date",
            lazy_format(_("The date %(date)s is in the future."), date=value.isoformat()),
        )
    return value


def name_column(key: str = "name") -> Column:
    return Column(key, "姓名", required=True, parser=text_parser(64), width=10)


def village_column() -> Column:
    return Column(
        "village",
        "村",
        required=True,
        parser=text_parser(160),
        options=village_options,
        strict=False,
        width=36,
        help=_(
            "The village: its 12-digit code or its full name, e.g. "
            "湖北省黄石市阳新县兴国镇山川台社区居委会."
        ),
        aliases=("行政村", "村代码", "所在村"),
    )


def resolve_villages(importer: Importer, table: Table) -> dict[str, str]:
    """Each village text of the file → its code (by code or full name, one query each);
    an unknown village or one outside the scope is rejected on every row that has it."""
    scope = importer.context.scope
    texts = {text for text in table.column("village") if text}
    wanted = {text for text in texts if text.isascii() and text.isdigit()}
    villages = Region.objects.filter(level=Level.VILLAGE)
    found = {
        code: code for code in fetch_in(villages.values_list("code", flat=True), "code", wanted)
    }
    names = texts - wanted
    for full_name, code in fetch_in(villages.values_list("full_name", "code"), "full_name", names):
        found[full_name] = code
    for index, text in enumerate(table.column("village")):
        if not text:
            continue
        code = found.get(text)
        if code is None:
            importer.reject(
                index,
                "village",
                lazy_format(
                    _(
                        "There is no village “%(text)s”: write its 12-digit code or its "
                        "full name, e.g. 湖北省黄石市阳新县兴国镇山川台社区居委会."
                    ),
                    text=text,
                ),
            )
        elif not scope.contains(code):
            importer.reject(
                index,
                "village",
                lazy_format(_("The village %(code)s is outside your scope."), code=code),
            )
    return found


def known_people(table: Table) -> dict[str, dict]:
    """The register's people of the file's ID numbers, in one query."""
    ids = [parsed.number for parsed in table.column("id_number") if parsed]
    return {
        row["id_number"]: row
        for row in fetch_in(
            Person.objects.values("id", "id_number", "name", "region_code"), "id_number", ids
        )
    }


def check_names(
    importer: Importer,
    table: Table,
    people: dict[str, dict],
    held: tuple[QuerySet, str] | None = None,
) -> None:
    """A known ID number under another name is refused; so is a person registered
    outside the scope (saying no more than that) unless they hold one of `held` (the
    scope's records the sheet writes, and their person field)."""
    foreign = people_outside_scope(
        importer.context.scope, [(row["id"], row["region_code"]) for row in people.values()], held
    )
    for index, parsed in enumerate(table.column("id_number")):
        known = people.get(parsed.number) if parsed else None
        name = table.value("name", index)
        if known is not None and known["id"] in foreign:
            importer.reject(index, "id_number", PERSON_OUTSIDE_SCOPE)
        elif known is not None and name and known["name"] != name:
            importer.reject(
                index,
                "name",
                lazy_format(
                    _(
                        "The ID number %(id)s is registered to %(registered)s, not %(given)s: "
                        "check the number and the name."
                    ),
                    id=idnumbers.mask(parsed.number),
                    registered=known["name"],
                    given=name,
                ),
            )


def new_people_rows(table: Table, indexes: list[int], villages: dict[str, str]) -> list[tuple]:
    now = timezone.now()
    rows, seen = [], set()
    for index in indexes:
        parsed = table.value("id_number", index)
        if parsed.number in seen:
            continue
        seen.add(parsed.number)
        rows.append(
            (
                parsed.number,
                table.value("name", index),
                parsed.sex,
                parsed.birth_date,
                (table.value("phone", index) if "phone" in table.columns else None) or "",
                villages[table.value("village", index)],
                now,
                now,
            )
        )
    return rows


NEW_PERSON_FIELDS = [
    "id_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "region_code",
    "created_at",
    "updated_at",
]


def insert_new_people(
    table: Table, indexes: list[int], villages: dict[str, str], known: dict[str, dict], tick
) -> tuple[dict[str, int], int]:
    """Writes the people of the rows `indexes`, new to the register; → the person id of
    each ID number (the `known` people's and the new ones'), and how many were made."""
    people = new_people_rows(table, indexes, villages)
    keys = insert_rows(Person, NEW_PERSON_FIELDS, people, tick)
    person_ids = {number: row["id"] for number, row in known.items()}
    person_ids.update(zip((row[0] for row in people), keys, strict=True))
    return person_ids, len(people)


def given(table: Table, index: int, key: str, current: Any, convert=lambda value: value) -> Any:
    """The row's value of `key`, converted; `current` where the file has no such column
    or the cell is empty: an empty cell changes nothing."""
    value = table.value(key, index) if key in table.present else None
    return current if value is None else convert(value)


def reject_duplicates(importer: Importer, table: Table, key: Any) -> None:
    """A row that repeats an earlier row's key is rejected: the file must say it once."""
    seen: dict[Any, int] = {}
    for index in range(len(table)):
        value = key(index)
        if value is None:
            continue
        if value in seen:
            importer.reject(
                index,
                "id_number",
                lazy_format(
                    _("The same person is already on row %(row)d."), row=table.numbers[seen[value]]
                ),
            )
        else:
            seen[value] = index


def text_columns(sheet: Sheet) -> list[int]:
    return [index for index, column in enumerate(sheet.columns) if column.text]


def full_names(region_codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(region_codes)).values_list("code", "full_name"))


def iso(value: datetime.date | None) -> str:
    """Dates as the sheet reads them back; a workbook would show a bare serial number."""
    return value.isoformat() if value else ""


def chunks(iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in iterator:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
