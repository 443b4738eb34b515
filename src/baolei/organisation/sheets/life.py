"""The organisation-life sheet (三会一课台账): meetings and lectures through the shared
import pipeline.

One row per meeting: the branch (its region and name), the kind, the date, the topic and
the attendance. Branches are found a column at a time (one query for the regions, one
for the names); a row the same as a meeting already recorded (branch, kind, date, topic)
is skipped, so loading the same file again changes nothing.

The branches that may hold organisation life are those of the pages and the API: every
active branch, wherever it is built (a village, a cooperative or an enterprise, a joint or
a temporary branch, a general branch), not a party committee, not one merged or dissolved.
The sheet asks `life.require_life_branch` of each organisation it finds, as
`life.do_record_life` does, so that a row is refused with the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import scoped
from baolei.imports import pipeline
from baolei.imports.bulk import fetch_in, insert_rows
from baolei.imports.pipeline import Column, Importer, Sheet, Table, text_parser
from baolei.organisation.models import LifeKind, LifeRecord, PartyOrganisation
from baolei.organisation.services import life
from baolei.organisation.sheets.common import (
    parse_date,
    region_column,
    resolve_branches,
    resolve_regions,
)
from baolei.registry.sheets import village_options

KIND_TERMS = {
    LifeKind.BRANCH_ASSEMBLY: "支部党员大会",
    LifeKind.COMMITTEE_MEETING: "支委会",
    LifeKind.GROUP_MEETING: "党小组会",
    LifeKind.PARTY_LECTURE: "党课",
}
KIND_SYNONYMS = {"党员大会": "branch_assembly", "支部委员会": "committee_meeting"}

COLUMNS = (
    # A joint branch sits in a township: the column takes any region, villages above all.
    region_column(
        "village",
        "所在地区（代码或全称）",
        required=True,
        aliases=("村（代码或全称）", "村"),
        # The villages to pick from, as on the other sheets; a township's joint branch
        # is still typed in (a warning, not a refusal).
        options=village_options,
        strict=False,
    ),
    Column("branch", "党组织名称", required=True, parser=text_parser(120), width=24),
    Column(
        "kind",
        "类型",
        required=True,
        choices=LifeKind,
        labels=KIND_TERMS,
        synonyms=KIND_SYNONYMS,
        width=14,
    ),
    Column("held_on", "日期", required=True, parser=parse_date, width=12),
    Column("topic", "主题", required=True, parser=text_parser(200), width=30),
    Column("attended", "实到人数", required=True, parser=pipeline.integer_parser(0, 100_000)),
    Column("expected", "应到人数", required=True, parser=pipeline.integer_parser(1, 100_000)),
    Column("note", "备注", parser=text_parser(2000), width=30),
)
FIELDS = [
    "organisation_id",
    "region_code",
    "kind",
    "held_on",
    "topic",
    "attended",
    "expected",
    "note",
    "recorded_by",
    "created_at",
]


@dataclass
class LifePlan:
    rows: list[list[Any]] = field(default_factory=list)
    skipped: int = 0


class LifeImporter(Importer):
    def validate(self, table: Table) -> LifePlan | None:
        regions = resolve_regions(self, table, "village")
        branches = self._life_branches(table, regions)
        existing = self._existing(table, branches)
        plan = LifePlan()
        seen: set[tuple] = set()
        now = timezone.now()
        for index in range(len(table)):
            values = {column.key: table.value(column.key, index) for column in COLUMNS}
            held_on, attended, expected = values["held_on"], values["attended"], values["expected"]
            if held_on and held_on > self.context.today:
                self.reject(index, "held_on", _("A meeting is recorded once it has been held."))
            if attended is not None and expected and attended > expected:
                self.reject(index, "attended", _("More people attended than were expected."))
            branch = branches.get(index)
            if branch is None or not all(values[k] for k in ("kind", "held_on", "topic")):
                continue
            key = (branch, values["kind"], held_on, values["topic"])
            if key in existing or key in seen:
                plan.skipped += 1
                continue
            seen.add(key)
            plan.rows.append(
                [
                    branch,
                    regions[index],
                    values["kind"],
                    held_on,
                    values["topic"],
                    attended,
                    expected,
                    values["note"] or "",
                    self.context.actor_name,
                    now,
                ]
            )
        return None if self.errors else plan

    def _life_branches(self, table: Table, regions: dict[int, str]) -> dict[int, int]:
        """Row index → the organisation named in the row's region, if it may hold
        organisation life; any other organisation of the scope rejects its row with the
        reason `life.require_life_branch` gives (a party committee, a merged or
        dissolved branch)."""
        named = resolve_branches(
            self,
            table,
            regions,
            scoped(PartyOrganisation.objects.all(), self.context.scope),
            _("There is no active organisation %(name)s in region %(code)s."),
        )
        organisations = {
            organisation.pk: organisation
            for organisation in fetch_in(
                PartyOrganisation.objects.only("pk", "kind", "status"), "pk", named.values()
            )
        }
        branches = {}
        for index, pk in named.items():
            try:
                life.require_life_branch(organisations[pk])
            except life.LifeError as error:
                self.reject(index, "branch", error.message)
            else:
                branches[index] = pk
        return branches

    def _existing(self, table: Table, branches: dict[int, int]) -> set[tuple]:
        records = LifeRecord.objects.values_list("organisation_id", "kind", "held_on", "topic")
        return set(fetch_in(records, "organisation_id", set(branches.values())))

    def load(self, plan: LifePlan, progress) -> dict[str, int]:
        if plan.rows:
            insert_rows(LifeRecord, FIELDS, plan.rows, progress)
        return {"created": len(plan.rows), "unchanged": plan.skipped}


LIFE_SHEET = pipeline.register(
    Sheet(
        kind="organisation_life",
        title=_("Organisation life"),
        sheet_name="三会一课",
        columns=COLUMNS,
        importer=LifeImporter,
        import_permission=Perm.EDIT_ORGANISATION,
        audit_model="organisation.liferecord",
        list_url="organisation:life_overview",
        description=_(
            "One row per meeting or party lecture, with the branch's village and name. A "
            "row already recorded (same branch, kind, date and topic) is skipped."
        ),
    )
)
