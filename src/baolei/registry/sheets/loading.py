"""The household sheet's importer, second half: the load, set-based.

Upserts households by household number and people by ID number, inserting and updating
whole columns in one transaction. Apart from the checks (`sheets.checks`), whose plan
it writes.

What only procedures change is never updated here: an existing household keeps its
status, its monitoring type and whether it is registered as poor (the checks reject a
file that tries). A new household gets them as `do_create_household` gives them: the
status and monitoring type of the register being entered, registered as poor exactly
when it has a status.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.imports.bulk import Ticker, insert_rows, update_rows
from baolei.messages import lazy_format
from baolei.registry.choices import Relation
from baolei.registry.models import Household, Member, Person, StatusChange
from baolei.registry.services.people import registered_on_entry
from baolei.registry.sheets.checks import MEMBER_KEYS, HouseholdChecks, Plan

HOUSEHOLD_UPDATE_FIELDS = [
    "village_id",
    "address",
    "attribute",
    "identification_year",
    "main_cause",
    "second_cause",
    "third_cause",
    "head_id",
    "version",
    "updated_at",
]
NEW_HOUSEHOLD_FIELDS = [
    "number",
    "village_id",
    "address",
    "attribute",
    "identification_year",
    "status",
    "status_since",
    "main_cause",
    "second_cause",
    "third_cause",
    "monitoring_type",
    "registered_poor",
    "head_id",
]
NEW_PERSON_FIELDS = [
    "id_number",
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "phone",
    "region_code",
]
PERSON_UPDATE_FIELDS = ["name", "ethnicity", "phone", "region_code", "updated_at"]
STATUS_CHANGE_FIELDS = [
    "household_id",
    "from_status",
    "to_status",
    "changed_on",
    "decided_by",
    "note",
]
MEMBER_UPDATE_FIELDS = list(MEMBER_KEYS)
NEW_MEMBER_FIELDS = ["household_id", "person_id", *MEMBER_KEYS]
KNOWN_MEMBER_KEYS = [f"membership__{key}" for key in MEMBER_KEYS]
# What a new member gets for a column the file leaves empty: the model's defaults.
MEMBER_DEFAULTS = {key: Member._meta.get_field(key).get_default() for key in MEMBER_KEYS}


class HouseholdImporter(HouseholdChecks):
    """Households and members, one row per person (see `sheets.py`): the checks of
    `HouseholdChecks`, then the load."""

    # -- the load, set-based --------------------------------------------------------------

    def load(self, plan: Plan, progress) -> dict[str, int]:
        table = self.table
        ids = table.column("id_number")
        numbers = table.column("household_number")
        changed_rows: set[int] = set()

        new_people, person_updates, person_ids = self._people(plan, changed_rows)
        work = len(new_people) + len(person_updates) + len(plan.households) + len(ids)
        tick = Ticker(len(ids), work, progress)

        keys = insert_rows(Person, NEW_PERSON_FIELDS, new_people, tick)
        person_ids.update(zip((row[0] for row in new_people), keys, strict=True))
        update_rows(Person, PERSON_UPDATE_FIELDS, person_updates, tick)
        # Every person has a key now, so every household knows its head's.
        new_households, household_updates, counts = self._households(plan, person_ids, changed_rows)
        keys = insert_rows(Household, NEW_HOUSEHOLD_FIELDS, new_households, tick)
        household_ids = dict(zip((row[0] for row in new_households), keys, strict=True))
        update_rows(Household, HOUSEHOLD_UPDATE_FIELDS, household_updates, tick)
        self._follow_moves(plan)
        statuses = self._first_statuses(new_households, household_ids)
        insert_rows(StatusChange, STATUS_CHANGE_FIELDS, statuses, lambda count: None)
        for number, household in plan.households.items():
            if household.existing is not None:
                household_ids[number] = household.existing["id"]

        new_members: list[tuple] = []
        member_updates: list[tuple] = []
        created: set[int] = set()
        columns = [table.column(key) for key in MEMBER_KEYS]
        defaults = [MEMBER_DEFAULTS[key] for key in MEMBER_KEYS]
        persons = plan.persons
        # The member columns row by row, transposed at once rather than cell by cell.
        rows = zip(ids, numbers, zip(*columns, strict=True), strict=True)
        for index, (parsed, number, given) in enumerate(rows):
            known = persons.get(parsed.number)
            if known is None or known["membership__id"] is None:
                values = map(_or_default, given, defaults) if None in given else given
                new_members.append((household_ids[number], person_ids[parsed.number], *values))
                created.add(index)
                continue
            old = tuple(known[key] for key in KNOWN_MEMBER_KEYS)
            new = tuple(o if g is None else g for g, o in zip(given, old, strict=True))
            if new != old:
                member_updates.append((known["membership__id"], *new))
                changed_rows.add(index)
        insert_rows(Member, NEW_MEMBER_FIELDS, new_members, tick)
        update_rows(Member, MEMBER_UPDATE_FIELDS, member_updates, tick)
        tick.finish()
        changed_rows -= created
        return {
            "created": len(created),
            "updated": len(changed_rows),
            "unchanged": len(ids) - len(created) - len(changed_rows),
            **counts,
            "people_created": len(new_people),
        }

    def _people(self, plan: Plan, changed_rows: set[int]) -> tuple[list, list, dict]:
        """New people to insert, changed people to update (name, ethnicity, phone and
        the village of their household), and the keys of those already there."""
        table = self.table
        numbers = table.column("household_number")
        names = table.column("name")
        ethnicities = table.column("ethnicity")
        phones = table.column("phone")
        now = timezone.now()
        new_people: list[tuple] = []
        updates: list[tuple] = []
        person_ids: dict[str, int] = {}
        for index, parsed in enumerate(table.column("id_number")):
            village = plan.households[numbers[index]].village
            known = plan.persons.get(parsed.number)
            ethnicity, phone = ethnicities[index], phones[index]
            if known is None:
                new_people.append(
                    (
                        parsed.number,
                        names[index],
                        parsed.sex,
                        parsed.birth_date,
                        ethnicity or "汉族",
                        phone or "",
                        village,
                    )
                )
                continue
            person_ids[parsed.number] = known["id"]
            old = (known["name"], known["ethnicity"], known["phone"], known["region_code"])
            new = (names[index], ethnicity or old[1], old[2] if phone is None else phone, village)
            if new != old:
                updates.append((known["id"], *new, now))
                changed_rows.add(index)
        return new_people, updates, person_ids

    def _households(
        self, plan: Plan, person_ids: dict[str, int], changed_rows: set[int]
    ) -> tuple[list, list, dict]:
        """New households to insert and changed ones to update (their version goes up,
        so that an edit form opened before the import refuses to overwrite it)."""
        table = self.table
        ids = table.column("id_number")
        relations = table.column("relation")
        today = self.context.today
        now = timezone.now()
        new_households: list[tuple] = []
        updates: list[tuple] = []
        counts = {"households_created": 0, "households_updated": 0, "households_unchanged": 0}
        for number, household in plan.households.items():
            values = household.values
            heads = [ids[i].number for i in household.rows if relations[i] == Relation.HEAD]
            others = tuple(values.get("other_causes") or ())
            row = household.existing
            if row is None:
                status = values.get("status") or ""
                monitoring = values.get("monitoring_type") or ""
                new_households.append(
                    (
                        number,
                        household.village,
                        values.get("address") or "",
                        values.get("attribute") or "",
                        values.get("identification_year"),
                        status,
                        today if status else None,
                        values.get("main_cause") or "",
                        others[0] if others else "",
                        others[1] if len(others) > 1 else "",
                        monitoring,
                        registered_on_entry(status),
                        person_ids[heads[0]],
                    )
                )
                counts["households_created"] += 1
                continue
            if heads:
                head = person_ids[heads[0]]
            else:
                head = row["head_id"]
                in_file = {person_ids.get(ids[i].number) for i in household.rows}
                if head in in_file:  # the head is in the file, no longer as head
                    head = None
            new = {
                "village_id": household.village,
                "address": _kept(values, "address", row["address"]),
                "attribute": _kept(values, "attribute", row["attribute"]),
                "identification_year": _kept(
                    values, "identification_year", row["identification_year"]
                ),
                "main_cause": _kept(values, "main_cause", row["main_cause"]),
                "second_cause": (others[0] if others else "") if others else row["second_cause"],
                "third_cause": (others[1] if len(others) > 1 else "")
                if others
                else row["third_cause"],
                "head_id": head,
            }
            if all(new[key] == row[key] for key in new):
                counts["households_unchanged"] += 1
                continue
            counts["households_updated"] += 1
            changed_rows.update(household.rows)
            updates.append((row["id"], *new.values(), row["version"] + 1, now))
        return new_households, updates, counts

    def _first_statuses(self, new_households: list[tuple], keys: dict[str, int]) -> list[tuple]:
        """A new household's status starts its status history, as when entered by hand."""
        note = str(
            lazy_format(
                _(
                    "Status when the household was entered in the register (import of "
                    "%(filename)s)."
                ),
                filename=self.context.filename,
            )
        )
        actor = self.context.actor_name[:150]
        status_at = NEW_HOUSEHOLD_FIELDS.index("status")
        return [
            (keys[row[0]], "", row[status_at], self.context.today, actor, note)
            for row in new_households
            if row[status_at]
        ]

    def _follow_moves(self, plan: Plan) -> None:
        """A household moved to another village takes all its members' region codes with
        it, also of members the file does not list."""
        moved: dict[str, list[int]] = {}
        for household in plan.households.values():
            row = household.existing
            if row is not None and household.village != row["village_id"]:
                moved.setdefault(household.village, []).append(row["id"])
        for village, household_ids in moved.items():
            Person.objects.filter(membership__household_id__in=household_ids).exclude(
                region_code=village
            ).update(region_code=village, updated_at=timezone.now())

    def audit_details(self, plan: Plan) -> dict[str, Any]:
        return {"households": len(plan.households)}


def _or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _kept(values: dict, key: str, current: Any) -> Any:
    """What the file gives, or the register's value where the file leaves it empty: an
    empty cell changes nothing (a partial file updates only what it names)."""
    value = values.get(key)
    return current if value is None else value
