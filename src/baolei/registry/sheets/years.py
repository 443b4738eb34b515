"""The household years sheet (年度收入与保障): per household and year, the income by kind,
the two assurances, three guarantees and safe drinking water (each 是/否 with a note),
and the per-capita net income computed from them.

One row per household and year, matched by 户编号 (a household of the register, within
the importer's scope) and 年度. The rows written are the household page's: one
`HouseholdYear` per household and year, its per-capita net income computed by the
model's `compute_per_capita` as `services_years.do_save_household_year` does, never by a
second formula. A year already entered is updated; an empty cell (or a column the file
does not have) changes nothing of it, so that a file of only the incomes leaves the
assurances alone. A new year starts as the household page starts one: amounts zero,
assurances not known, the household's members today as its people. Loading the same
file again changes nothing.

Checked a whole column at a time: the households (one query), the years already
entered (one query), the members of the households with a new year (one query).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.imports import cells, pipeline
from baolei.imports.bulk import Ticker, fetch_in, insert_rows, update_rows
from baolei.imports.pipeline import (
    CellProblem,
    Column,
    Importer,
    Sheet,
    Table,
    boolean_column,
    integer_parser,
    text_parser,
)
from baolei.messages import lazy_format
from baolei.registry.models import MONEY, Household, HouseholdYear, Member
from baolei.registry.services import people as services
from baolei.registry.services.years import ASSURANCE_FIELDS, INCOME_FIELDS
from baolei.registry.sheets.cells import household_number_column

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
NOTE_LENGTH = 200  # as the household page's note inputs

# The Chinese headers, in the national system's words; `choices.ASSURANCES` holds the
# same fields in the same order.
INCOME_HEADERS = {
    "wages": ("工资性收入", ("工资收入",)),
    "production_business": ("生产经营性收入", ("经营性收入", "生产经营收入")),
    "property_income": ("财产性收入", ("财产收入",)),
    "transfers": ("转移性收入", ("转移收入",)),
    "production_costs": ("生产经营性支出", ("生产经营支出", "生产经营性费用支出")),
}
ASSURANCE_HEADERS = {
    "food": "不愁吃",
    "clothing": "不愁穿",
    "compulsory_education": "义务教育有保障",
    "basic_medical": "基本医疗有保障",
    "housing_safety": "住房安全有保障",
    "drinking_water": "饮水安全有保障",
}


def _this_year() -> int:
    return timezone.localdate().year


def money_parser(header: str):
    """An amount in yuan: a number as `cells.parse_decimal` reads it ("12,000", "１２００",
    "800元"), not negative, rounded to the fen as the household page rounds it."""

    def parse(text: str) -> Decimal:
        amount = cells.parse_decimal(text)
        if amount < 0:
            raise CellProblem(
                "negative", lazy_format(_("%(field)s cannot be negative."), field=header)
            )
        amount = amount.quantize(CENT)
        if amount >= MONEY_LIMIT:
            raise CellProblem(
                "too_large",
                lazy_format(_("At most %(limit)s yuan."), limit=f"{MONEY_LIMIT - CENT:,}"),
            )
        return amount

    return parse


def _income_column(key: str) -> Column:
    header, aliases = INCOME_HEADERS[key]
    return Column(key, header, parser=money_parser(header), width=14, aliases=aliases)


COLUMNS = (
    household_number_column(_("The household's number in the register.")),
    Column(
        "year",
        "年度",
        required=True,
        parser=lambda text: integer_parser(services.EARLIEST_YEAR, _this_year())(text),
        width=8,
        aliases=("年份",),
    ),
    *(_income_column(key) for key in INCOME_FIELDS),
    Column(
        "member_count",
        "家庭人口",
        parser=integer_parser(1, 99),
        width=10,
        help=_(
            "The people the per-capita net income is counted over; empty: as entered for "
            "the year, or the household's members today."
        ),
        aliases=("计算人口数", "家庭人口数", "人口数"),
    ),
    *(
        column
        for key, header in ASSURANCE_HEADERS.items()
        for column in (
            boolean_column(key, header, width=10),
            Column(
                f"{key}_note",
                f"{header}备注",
                parser=text_parser(NOTE_LENGTH),
                width=20,
                aliases=(f"{header}说明", f"{header}情况说明"),
            ),
        )
    ),
)

# The values of a year, in the order they are compared and written.
YEAR_FIELDS = [*INCOME_FIELDS, "member_count", *ASSURANCE_FIELDS, "assurance_notes"]
WRITTEN_FIELDS = [*YEAR_FIELDS, "per_capita_net_income"]
NEW_YEAR_FIELDS = ["household_id", "year", *WRITTEN_FIELDS]
NEW_YEAR_DEFAULTS = {
    **{name: Decimal("0.00") for name in INCOME_FIELDS},
    **{name: None for name in ASSURANCE_FIELDS},  # not known
    "assurance_notes": {},
}


@dataclass
class Plan:
    new: list[tuple] = field(default_factory=list)
    updates: list[tuple] = field(default_factory=list)
    unchanged: int = 0
    households: int = 0


class YearImporter(Importer):
    """Household years upserted by (household, year)."""

    def validate(self, table: Table) -> Plan | None:
        chosen = self._households_and_years(table)
        if self.errors:
            return None
        existing = {
            (row["household_id"], row["year"]): row
            for row in fetch_in(
                HouseholdYear.objects.filter(year__in={year for _i, _h, year in chosen}).values(
                    "id", "household_id", "year", *WRITTEN_FIELDS
                ),
                "household",
                {household for _i, household, _y in chosen},
            )
        }
        counts = self._member_counts(
            {
                household
                for index, household, year in chosen
                if (household, year) not in existing and table.value("member_count", index) is None
            }
        )
        plan = Plan(households=len({household for _i, household, _y in chosen}))
        for index, household, year in chosen:
            current = existing.get((household, year))
            if current is None:
                start = {**NEW_YEAR_DEFAULTS, "member_count": counts.get(household, 1)}
            else:
                start = {name: current[name] for name in YEAR_FIELDS}
            values = self._year(table, index, start)
            # The model's formula, as the household page's save computes it.
            values["per_capita_net_income"] = HouseholdYear(**values).compute_per_capita()
            row = tuple(values[name] for name in WRITTEN_FIELDS)
            if current is None:
                plan.new.append((household, year, *row))
            elif row == tuple(current[name] for name in WRITTEN_FIELDS):
                plan.unchanged += 1
            else:
                plan.updates.append((current["id"], *row))
        return plan

    def _households_and_years(self, table: Table) -> list[tuple[int, int, int]]:
        """(row, household, year) of every row whose household is in the register and
        the scope and whose year is not already on another row of the file."""
        numbers = table.column("household_number")
        households = {
            row["number"]: row
            for row in fetch_in(
                Household.objects.values("id", "number", "village_id"),
                "number",
                {number for number in numbers if number},
            )
        }
        scope = self.context.scope
        seen: dict[tuple[int, int], int] = {}
        chosen: list[tuple[int, int, int]] = []
        for index, (number, year) in enumerate(zip(numbers, table.column("year"), strict=True)):
            if not number:
                continue  # refused or empty: reported already
            household = households.get(number)
            if household is None:
                self.reject(
                    index,
                    "household_number",
                    lazy_format(
                        _("There is no household %(number)s in your scope."), number=number
                    ),
                )
                continue
            if not scope.contains(household["village_id"]):
                self.reject(
                    index,
                    "household_number",
                    _("This household number belongs to a household outside your scope."),
                )
                continue
            if not isinstance(year, int):
                continue
            key = (household["id"], year)
            if key in seen:
                self.reject(
                    index,
                    "year",
                    lazy_format(
                        _("The same household and year as row %(row)d."),
                        row=table.numbers[seen[key]],
                    ),
                )
                continue
            seen[key] = index
            chosen.append((index, household["id"], year))
        return chosen

    def _member_counts(self, households: set[int]) -> dict[int, int]:
        """The members of these households today, for their new years."""
        members = Member.objects.values("household_id").annotate(count=Count("id"))
        return {
            row["household_id"]: max(row["count"], 1)
            for row in fetch_in(members.order_by(), "household_id", households)
        }

    def _year(self, table: Table, index: int, start: dict[str, Any]) -> dict[str, Any]:
        """The year's values: the file's where it gives them, else `start`'s."""
        values = dict(start)
        for name in (*INCOME_FIELDS, "member_count", *ASSURANCE_FIELDS):
            given = table.value(name, index)
            if given is not None:
                values[name] = given
        notes = dict(values["assurance_notes"] or {})
        for name in ASSURANCE_FIELDS:
            note = table.value(f"{name}_note", index)
            if note:
                notes[name] = note
        values["assurance_notes"] = notes
        return values

    def load(self, plan: Plan, progress) -> dict[str, int]:
        total = len(plan.new) + len(plan.updates)
        tick = Ticker(total + plan.unchanged, total, progress)
        insert_rows(HouseholdYear, NEW_YEAR_FIELDS, plan.new, tick)
        update_rows(HouseholdYear, WRITTEN_FIELDS, plan.updates, tick)
        tick.finish()
        return {"created": len(plan.new), "updated": len(plan.updates), "unchanged": plan.unchanged}

    def audit_details(self, plan: Plan) -> dict[str, Any]:
        return {"households": plan.households}


SHEET = pipeline.register(
    Sheet(
        kind="household_years",
        title=_("Income and assurances by year"),
        sheet_name="年度收入与保障",
        columns=COLUMNS,
        importer=YearImporter,
        audit_model="registry.householdyear",
        list_url="registry:household_list",
        description=_(
            "One row per household and year: the income by kind in yuan, and 是/否 for the "
            "two assurances, three guarantees and safe drinking water, each with a note. The "
            "per-capita net income is computed. A year already entered is updated; an empty "
            "cell changes nothing."
        ),
    )
)
