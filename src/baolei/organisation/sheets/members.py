"""The party members' sheet: one row per member, matched by ID number; a member named in
another branch than before is transferred there, with the transfer recorded. See
`sheets` for the conventions shared by the organisation's sheets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import scoped
from baolei.imports import pipeline
from baolei.imports.bulk import Ticker, fetch_in, insert_rows, update_rows
from baolei.imports.pipeline import Column, Importer, Sheet, Table, text_parser
from baolei.messages import lazy_format
from baolei.organisation.choices import MemberCategory, MemberStanding, OrganisationStatus
from baolei.organisation.models import MemberTransfer, PartyMember, PartyOrganisation
from baolei.organisation.services.members import JOINING_AGE
from baolei.organisation.sheets.common import (
    TERMS,
    People,
    _kept,
    check_people,
    choice,
    parse_date,
    region_column,
    resolve_branches,
    resolve_regions,
)
from baolei.registry.sheets import id_number_column

# --- party members -------------------------------------------------------------------------

MEMBER_COLUMNS = (
    Column("name", "姓名", required=True, parser=text_parser(64), width=10),
    id_number_column(),
    region_column("branch_region", "党组织所在地区", required=True),
    Column("branch", "所在党组织", required=True, parser=text_parser(120), width=30),
    Column(
        "joined_on", "入党日期", parser=parse_date, width=12, help=_("Required for a new member.")
    ),
    choice("standing", "党员身份", MemberStanding, width=10, help=_("Empty: full member.")),
    choice("category", "党员类型", MemberCategory, width=12, help=_("Empty: resident member.")),
    Column("posts", "党内职务", parser=text_parser(200), width=16),
)
MEMBER_VALUE_KEYS = ("joined_on", "standing", "category", "posts")
TRANSFER_REASON = "批量导入"  # stored with the transfer, like every text of the record


@dataclass
class MemberPlan:
    people: People = field(default_factory=People)
    inserts: list[tuple[str, int, dict]] = field(default_factory=list)  # (id, branch, values)
    updates: list[tuple[int, dict]] = field(default_factory=list)  # (member pk, values)
    transfers: list[tuple[int, int, int]] = field(default_factory=list)  # (member, from, to)


class MemberImporter(Importer):
    def validate(self, table: Table) -> MemberPlan | None:
        regions = resolve_regions(self, table, "branch_region")
        # The active organisation named in the row's region.
        branches = resolve_branches(
            self,
            table,
            regions,
            PartyOrganisation.objects.filter(status=OrganisationStatus.ACTIVE),
            _("There is no active organisation %(name)s in region %(code)s."),
        )
        people_rows: dict[int, tuple] = {}
        seen: dict[str, int] = {}
        for index, (name, parsed) in enumerate(
            zip(table.column("name"), table.column("id_number"), strict=True)
        ):
            if not name or not parsed:
                continue
            if parsed.number in seen:
                self.reject(
                    index,
                    "id_number",
                    lazy_format(
                        _("The person is already on row %(row)d."),
                        row=table.numbers[seen[parsed.number]],
                    ),
                )
                continue
            seen[parsed.number] = index
            people_rows[index] = (parsed.number, name, parsed, regions.get(index, ""))
        plan = MemberPlan()
        members_here = scoped(PartyMember.objects.all(), self.context.scope)
        plan.people = check_people(
            self, table, people_rows, "id_number", "name", held=(members_here, "person")
        )
        members = {
            number: row
            for number, *row in fetch_in(
                PartyMember.objects.values_list(
                    "person__id_number",
                    "pk",
                    "branch_id",
                    "branch__region_code",
                    *MEMBER_VALUE_KEYS,
                ),
                "person",
                plan.people.existing.values(),  # only a registered person can be a member
            )
        }
        for index, (number, _name, parsed, _region) in people_rows.items():
            branch = branches.get(index)
            values = {key: table.value(key, index) for key in MEMBER_VALUE_KEYS}
            joined = values["joined_on"]
            if joined is not None:
                if joined > self.context.today:
                    self.reject(index, "joined_on", _("The date is in the future."))
                elif idnumbers.age_on(parsed.birth_date, joined) < JOINING_AGE:
                    self.reject(index, "joined_on", _("Members join the party at 18 or older."))
            current = members.get(number)
            if current is None:
                if joined is None:
                    self.reject(index, "joined_on", _("Required for a new member."))
                if branch is not None:
                    plan.inserts.append((number, branch, values))
                continue
            pk, branch_now, region_now, *now_values = current
            if not self.context.scope.contains(region_now):
                self.reject(
                    index, "id_number", _("The person is a member of a branch outside your scope.")
                )
                continue
            merged = {
                key: _kept(values[key], old)
                for key, old in zip(MEMBER_VALUE_KEYS, now_values, strict=True)
            }
            if any(merged[k] != old for k, old in zip(MEMBER_VALUE_KEYS, now_values, strict=True)):
                plan.updates.append((pk, merged))
            if branch is not None and branch != branch_now:
                plan.transfers.append((pk, branch_now, branch))
        return None if self.errors else plan

    def load(self, plan: MemberPlan, progress) -> dict[str, int]:
        work = len(plan.inserts) + len(plan.updates) + len(plan.transfers)
        ticker = Ticker(len(self.table), work, progress)
        people = plan.people.write(lambda n: None)
        now = timezone.now()
        insert_rows(
            PartyMember,
            ["person_id", "branch_id", "joined_on", "standing", "category", "posts", "created_at"],
            [
                (
                    people[number],
                    branch,
                    values["joined_on"],
                    values["standing"] or MemberStanding.FULL,
                    values["category"] or MemberCategory.RESIDENT,
                    values["posts"] or "",
                    now,
                )
                for number, branch, values in plan.inserts
            ],
            ticker,
        )
        update_rows(
            PartyMember,
            [*MEMBER_VALUE_KEYS, "updated_at"],
            [(pk, *(values[k] for k in MEMBER_VALUE_KEYS), now) for pk, values in plan.updates],
            ticker,
        )
        insert_rows(
            MemberTransfer,
            [
                "member_id",
                "from_branch_id",
                "to_branch_id",
                "transferred_on",
                "reason",
                "recorded_by",
            ],
            [
                (pk, old, new, self.context.today, TRANSFER_REASON, self.context.actor_name)
                for pk, old, new in plan.transfers
            ],
            ticker,
        )
        update_rows(
            PartyMember,
            ["branch_id", "updated_at"],
            [(pk, new, now) for pk, _old, new in plan.transfers],
            lambda n: None,
        )
        changed = {pk for pk, _v in plan.updates} | {pk for pk, *_ in plan.transfers}
        return {
            "created": len(plan.inserts),
            "updated": len(changed),
            "transferred": len(plan.transfers),
            "unchanged": len(self.table) - len(plan.inserts) - len(changed),
            "people_created": len(plan.people.new),
        }

    def audit_details(self, plan: MemberPlan) -> dict[str, Any]:
        return {"members": len(plan.inserts) + len(plan.updates)}


MEMBER_SHEET = pipeline.register(
    Sheet(
        kind="party_members",
        title=_("Party members"),
        sheet_name="党员",
        columns=MEMBER_COLUMNS,
        importer=MemberImporter,
        import_permission=Perm.EDIT_ORGANISATION,
        audit_model="organisation.partymember",
        list_url="organisation:member_list",
        description=_(
            "One row per member, matched by ID number: loading a file again changes only "
            "what differs, and an empty cell changes nothing. A member named in another "
            "branch than before is transferred there, and the transfer recorded."
        ),
    )
)


def export_members(members: QuerySet, reveal: bool) -> Iterator[list[Any]]:
    standing, category = TERMS[MemberStanding], TERMS[MemberCategory]
    rows = members.order_by(
        "branch__region_code", "branch__name", "person__name", "pk"
    ).values_list(
        "person__name",
        "person__id_number",
        "branch__region_code",
        "branch__name",
        "joined_on",
        "standing",
        "category",
        "posts",
    )
    for name, number, region, branch, joined, stand, cat, posts in rows.iterator(chunk_size=2000):
        yield [
            name,
            number if reveal else idnumbers.mask(number),
            region,
            branch,
            joined.isoformat() if joined else "",
            standing.get(stand, stand),
            category.get(cat, cat),
            posts,
        ]
