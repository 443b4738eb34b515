"""The household sheet's importer, first half: the file checked against the register.

A whole column at a time (one query for all the household numbers, one for all the ID
numbers, one or two for the villages), every problem rejected with row, column and
reason. Apart from the load (`sheets.loading`), which runs only when nothing here
was rejected.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import scoped
from baolei.imports import pipeline
from baolei.imports.bulk import fetch_in
from baolei.imports.pipeline import INVALID, Column, Importer, Table
from baolei.messages import lazy_format
from baolei.regions.models import Level, Region
from baolei.registry.choices import Relation
from baolei.registry.models import Household, Person
from baolei.registry.services import people as services
from baolei.registry.sheets.cells import HIDDEN

HOUSEHOLD_KEYS = (
    "village",
    "address",
    "attribute",
    "identification_year",
    "status",
    "main_cause",
    "other_causes",
    "monitoring_type",
)
MEMBER_KEYS = services.MEMBER_FIELDS  # the member columns a sheet row carries
HIDDEN_KEYS = ("health", "disability_grade")  # exported as *** without personal data


@dataclass
class HouseholdPlan:
    number: str
    rows: list[int]
    values: dict[str, Any]  # the household columns the file gives
    existing: dict | None
    village: str | None = None  # the code it will have


@dataclass
class Plan:
    households: dict[str, HouseholdPlan]
    persons: dict[str, dict]  # ID number -> the register's person and membership, if any


PERSON_VALUES = (
    "id",
    "id_number",
    "name",
    "ethnicity",
    "phone",
    "region_code",
    "membership__id",
    "membership__household_id",
    "membership__household__number",
    "membership__household__village_id",
    *(f"membership__{key}" for key in MEMBER_KEYS),
)
HOUSEHOLD_VALUES = (
    "id",
    "number",
    "village_id",
    "head_id",
    "version",
    "address",
    "attribute",
    "identification_year",
    "status",
    "main_cause",
    "second_cause",
    "third_cause",
    "monitoring_type",
)


def _shown(value: Any, column: Column) -> str:
    if isinstance(value, tuple):
        return "、".join(column.term(code) for code in value)
    if column.choices is not None:
        return column.term(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


class HouseholdChecks(Importer):
    """The checks of a household sheet against the register; `HouseholdImporter` adds
    the load."""

    def validate(self, table: Table) -> Plan | None:
        households = self._group(table)
        villages = self._resolve_villages(table)
        for plan in households.values():
            self._merge_household(table, plan, villages)
        persons = self._check_people(table, households)
        self._keep_hidden(table, persons)
        existing = {
            row["number"]: row
            for row in fetch_in(Household.objects.values(*HOUSEHOLD_VALUES), "number", households)
        }
        for number, plan in households.items():
            plan.existing = existing.get(number)
            self._check_household(table, plan, persons)
        if self.errors:
            return None
        return Plan(households=households, persons=persons)

    # -- validation, a whole column at a time ---------------------------------------------

    def _group(self, table: Table) -> dict[str, HouseholdPlan]:
        households: dict[str, HouseholdPlan] = {}
        for index, number in enumerate(table.column("household_number")):
            if number:
                plan = households.get(number)
                if plan is None:
                    plan = households[number] = HouseholdPlan(number, [], {}, None)
                plan.rows.append(index)
        return households

    def _resolve_villages(self, table: Table) -> dict[str, str]:
        """Each village text of the file → its code; refused texts are rejected on every
        row that carries them. Codes in one query, full names in one (within the scope,
        then nationally only for those not found, to tell "outside" from "unknown"),
        bare names within the scope for those still unknown."""
        scope = self.context.scope
        texts = {text for text in table.column("village") if text}
        wanted_codes = {text for text in texts if text.isascii() and text.isdigit()}
        names = {pipeline.fold(text): text for text in texts - wanted_codes}
        villages = Region.objects.filter(level=Level.VILLAGE)
        found: dict[str, str] = {}
        for code in fetch_in(villages.values_list("code", flat=True), "code", wanted_codes):
            found[code] = code
        in_scope = scoped(villages, scope)
        by_full = fetch_in(in_scope.values_list("full_name", "code"), "full_name", names.values())
        for full_name, code in by_full:
            found[full_name] = code
        missing = [text for text in names.values() if text not in found]
        if missing:
            for full_name, code in fetch_in(
                villages.values_list("full_name", "code"), "full_name", missing
            ):
                found[full_name] = code
        missing = [text for text in names.values() if text not in found]
        ambiguous: set[str] = set()
        if missing:
            matches: dict[str, list[str]] = {}
            for name, code in fetch_in(in_scope.values_list("name", "code"), "name", missing):
                matches.setdefault(name, []).append(code)
            for name, codes_ in matches.items():
                if len(codes_) == 1:
                    found[name] = codes_[0]
                else:
                    ambiguous.add(name)
        column = table.column("village")
        for index, text in enumerate(column):
            if not text:
                continue
            code = found.get(text)
            if code is None:
                reason = (
                    lazy_format(
                        _(
                            "Several villages in your scope are called “%(name)s”: write "
                            "its 12-digit code or its full name."
                        ),
                        name=text,
                    )
                    if text in ambiguous
                    else lazy_format(
                        _(
                            "There is no village “%(text)s”: write its 12-digit code or its "
                            "full name, e.g. 湖北省黄石市阳新县兴国镇山川台社区居委会."
                        ),
                        text=text,
                    )
                )
                self.reject(index, "village", reason)
            elif not scope.contains(code):
                self.reject(
                    index,
                    "village",
                    lazy_format(_("The village %(code)s is outside your scope."), code=code),
                )
                found[text] = ""
        return found

    def _merge_household(self, table: Table, plan: HouseholdPlan, villages: dict) -> None:
        """The household's columns: given once (on the head's row, usually) or repeated
        identically; a different value on another row is a mistake in one of them."""
        first_row: dict[str, int] = {}
        for key in HOUSEHOLD_KEYS:
            column = table.column(key)
            for index in plan.rows:
                value = column[index]
                if value is None or value is INVALID:
                    continue
                if key == "village":
                    value = villages.get(value) or INVALID
                    if value is INVALID:
                        plan.values[key] = INVALID
                        continue
                if key not in first_row:
                    first_row[key] = index
                    plan.values[key] = value
                elif plan.values[key] is not INVALID and plan.values[key] != value:
                    self.reject(
                        index,
                        key,
                        lazy_format(
                            _("Differs from row %(row)d of the same household (%(value)s)."),
                            row=table.numbers[first_row[key]],
                            value=_shown(plan.values[key], self.sheet.column(key)),
                        ),
                    )
        main = plan.values.get("main_cause")
        others = plan.values.get("other_causes") or ()
        if others and others is not INVALID:
            index = first_row["other_causes"]
            if main in others:
                self.reject(
                    index, "other_causes", _("The main cause and the other causes must all differ.")
                )
            elif main is None and "main_cause" in table.present:
                self.reject(index, "main_cause", _("Give the main cause before the other causes."))

    def _check_people(self, table: Table, households: dict[str, HouseholdPlan]) -> dict:
        """Duplicates within the file, then the register's records of these numbers in
        one query: a person may be in one household only, under one name."""
        ids = table.column("id_number")
        names = table.column("name")
        numbers = table.column("household_number")
        first: dict[str, int] = {}
        for index, parsed in enumerate(ids):
            if not parsed:
                continue
            seen = first.get(parsed.number)
            if seen is None:
                first[parsed.number] = index
            else:
                self.reject(
                    index,
                    "id_number",
                    lazy_format(
                        _(
                            "The same person (ID number) as row %(row)d: a person can be in "
                            "one household only."
                        ),
                        row=table.numbers[seen],
                    ),
                )
        persons = {
            row["id_number"]: row
            for row in fetch_in(Person.objects.values(*PERSON_VALUES), "id_number", first)
        }
        scope = self.context.scope
        for number, index in first.items():
            person = persons.get(number)
            if person is None:
                continue
            other = person["membership__household__number"]
            if other is not None and other != numbers[index]:
                shown = (
                    other
                    if scope.contains(person["membership__household__village_id"])
                    else _("outside your scope")
                )
                self.reject(
                    index,
                    "id_number",
                    lazy_format(
                        _(
                            "This person is already a member of another household (%(number)s) "
                            "in the register: one person can be in one household only."
                        ),
                        number=shown,
                    ),
                )
            elif other is None and not services.may_take_person(scope, person["region_code"]):
                self.reject(index, "id_number", services.PERSON_OUTSIDE_SCOPE)
            elif other is None and names[index] and person["name"] != names[index]:
                self.reject(
                    index,
                    "name",
                    lazy_format(
                        _(
                            "The register has this ID number under the name %(name)s: check "
                            "the number and the name."
                        ),
                        name=person["name"],
                    ),
                )
        return persons

    def _keep_hidden(self, table: Table, persons: dict) -> None:
        """Health and disability exported hidden (***) to a role that may not see them:
        for a member the register has, "as it is" (an empty cell, which changes nothing);
        for anyone else, refused, since nobody wrote down what it is."""
        ids = table.column("id_number")
        for key in HIDDEN_KEYS:
            column = table.column(key)
            for index, value in enumerate(column):
                if value != HIDDEN:
                    continue
                parsed = ids[index]
                known = persons.get(parsed.number) if parsed else None
                if not parsed or (known is not None and known["membership__id"] is not None):
                    column[index] = None  # a refused ID number is reported already
                    continue
                column[index] = INVALID
                self.reject(
                    index,
                    key,
                    _(
                        "Hidden (***) in an export for a role that may not see personal "
                        "data: write the value for a person new to the household."
                    ),
                )

    def _check_household(self, table: Table, plan: HouseholdPlan, persons: dict) -> None:
        first = plan.rows[0]
        existing = plan.existing
        scope = self.context.scope
        village = plan.values.get("village")
        if existing is not None and not scope.contains(existing["village_id"]):
            self.reject(
                first,
                "household_number",
                _("This household number belongs to a household outside your scope."),
            )
            return
        if existing is None and village is None:
            self.reject(first, "village", _("A new household needs its village (村)."))
        plan.village = village or (existing["village_id"] if existing else None)
        status = plan.values.get("status")
        if existing is not None and status and status != existing["status"]:
            index = next(i for i in plan.rows if table.value("status", i) == status)
            self.reject(
                index,
                "status",
                lazy_format(
                    _(
                        "The household's status is %(current)s: it changes only through an "
                        "identification or exit procedure, not by import."
                    ),
                    current=self.sheet.column("status").term(existing["status"]) or "—",
                ),
            )
        self._check_monitoring_type(table, plan)
        self._check_heads(table, plan, persons)

    def _check_monitoring_type(self, table: Table, plan: HouseholdPlan) -> None:
        """An existing household's monitoring type is the monitoring procedures' to change
        (services.PROCEDURE_FIELDS): a file may repeat it (an export loads again) or leave
        it empty, not change it. A new household may come with one, as when it is entered
        by hand."""
        existing = plan.existing
        given = plan.values.get("monitoring_type")
        if existing is None or not given or given == existing["monitoring_type"]:
            return
        index = next(i for i in plan.rows if table.value("monitoring_type", i) == given)
        self.reject(
            index,
            "monitoring_type",
            lazy_format(
                _(
                    "The household's monitoring type is %(current)s: it changes only through "
                    "the monitoring procedures (identification for monitoring, risk "
                    "elimination), not by import."
                ),
                current=self.sheet.column("monitoring_type").term(existing["monitoring_type"])
                or "—",
            ),
        )

    def _check_heads(self, table: Table, plan: HouseholdPlan, persons: dict) -> None:
        relations = table.column("relation")
        ids = table.column("id_number")
        if any(relations[i] is INVALID or ids[i] is INVALID for i in plan.rows):
            return  # a refused relation or ID number is reported already; no guesses
        heads = [i for i in plan.rows if relations[i] == Relation.HEAD]
        for index in heads[1:]:
            self.reject(
                index,
                "relation",
                lazy_format(
                    _("A second head (户主) for household %(number)s; row %(row)d is the first."),
                    number=plan.number,
                    row=table.numbers[heads[0]],
                ),
            )
        existing = plan.existing
        if existing is None:
            if not heads:
                self.reject(
                    plan.rows[0],
                    "relation",
                    _("A new household needs one row whose 与户主关系 is 户主."),
                )
            return
        head_id = existing["head_id"]
        if not heads or head_id is None:
            return
        in_file = {
            persons[p.number]["id"] for i in plan.rows if (p := ids[i]) and p.number in persons
        }
        if head_id in in_file:  # the current head's own row says what they are now
            return
        name = Person.objects.filter(pk=head_id).values_list("name", flat=True).first()
        self.reject(
            heads[0],
            "relation",
            lazy_format(
                _(
                    "Household %(number)s already has a head (%(name)s): give their row "
                    "in this file with their new relation."
                ),
                number=plan.number,
                name=name or "—",
            ),
        )
