"""The talent pool sheet (人才库), through the shared pipeline: upsert by ID number.

The importer checks the whole file against the database a column at a time (one query
for all ID numbers, one for all villages), rejects with row, column and reason, and
writes set-based in one transaction — or nothing. Loading a file again changes nothing
and says so. The export writes the same columns (plus the current stage), so an export
with personal data can be corrected and imported again.

The training enrolments sheet is in `sheets.training`, imported at the end so that the
pipeline, which looks for `sheets` modules, finds both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
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
from baolei.registry.sheets import id_number_column
from baolei.talent.choices import Skill, Source, Stage
from baolei.talent.models import Talent, TalentStep, join_skills
from baolei.talent.sheets.common import (
    check_names,
    chunks,
    full_names,
    given,
    insert_new_people,
    iso,
    known_people,
    name_column,
    parse_date,
    reject_duplicates,
    resolve_villages,
    text_columns,
    village_column,
)

SOURCE_TERMS = {
    Source.RURAL_ENTREPRENEUR: "农村致富带头人",
    Source.MIGRANT_BUSINESS: "外出务工经商人员",
    Source.VETERAN: "退役军人",
    Source.VILLAGE_DOCTOR: "乡村医生",
    Source.VILLAGE_TEACHER: "乡村教师",
    Source.RETURNED_MIGRANT: "返乡务工人员",
    Source.COOPERATIVE_HEAD: "合作社带头人",
    Source.LOCAL_WORTHY: "乡贤",
}
SKILL_TERMS = {
    Skill.CROP_FARMING: "种植",
    Skill.ANIMAL_HUSBANDRY: "养殖",
    Skill.AQUACULTURE: "水产",
    Skill.AGRO_PROCESSING: "农产品加工",
    Skill.E_COMMERCE: "电子商务",
    Skill.RURAL_TOURISM: "乡村旅游",
    Skill.MACHINERY: "农机",
    Skill.CONSTRUCTION: "建筑",
    Skill.CRAFTS: "传统手工艺",
    Skill.MEDICINE: "医疗卫生",
    Skill.TEACHING: "教育",
    Skill.MANAGEMENT: "经营管理",
}
STAGE_TERMS = {Stage.IDENTIFIED: "识才", Stage.CULTIVATED: "育才", Stage.USED: "用才"}
STAGE_HEADER = "当前阶段"  # export only: the stage changes by steps, not by a file
MAX_SKILLS = 5


TALENT_COLUMNS = (
    name_column(),
    id_number_column(),
    village_column(),
    Column(
        "source",
        "人才类别",
        required=True,
        choices=Source,
        labels=SOURCE_TERMS,
        width=18,
        aliases=("类别", "来源"),
    ),
    Column(
        "skills",
        "技能特长",
        choices=Skill,
        labels=SKILL_TERMS,
        many=MAX_SKILLS,
        width=20,
        help=_("Up to five, separated by 、 e.g. 种植、电子商务."),
    ),
    Column("skill_notes", "其他特长", parser=text_parser(200), width=20),
    Column("occupation", "现从事职业", parser=text_parser(100), width=16),
    Column(
        "identified_on",
        "识别日期",
        parser=parse_date,
        width=12,
        help=_("Required for a person new to the talent pool."),
    ),
    Column(
        "how_identified",
        "识别方式",
        parser=text_parser(200),
        width=20,
        help=_("e.g. identified by village survey. Required for a person new to the pool."),
    ),
    Column("phone", "联系电话", parser=text_parser(32), text=True, width=14),
)


# --- the talent sheet -------------------------------------------------------------------


@dataclass
class TalentPlan:
    people: dict[str, dict] = field(default_factory=dict)
    villages: dict[str, str] = field(default_factory=dict)
    existing: dict[int, dict] = field(default_factory=dict)  # person id → talent row


TALENT_VALUES = ("id", "person_id", "region_code", "source", "skills", "skill_notes", "occupation")
TALENT_UPDATE_FIELDS = [
    "region_code",
    "source",
    "skills",
    "skill_notes",
    "occupation",
    "updated_at",
]
NEW_TALENT_FIELDS = [
    "person_id",
    "region_code",
    "source",
    "skills",
    "skill_notes",
    "occupation",
    "stage",
    "created_at",
    "updated_at",
]
NEW_STEP_FIELDS = ["talent_id", "stage", "taken_on", "what", "recorded_by", "recorded_at"]


class TalentImporter(Importer):
    """The talent pool, one row per person, upserted by ID number: a new person enters
    identified (识别日期 and 识别方式 required), a known one has what the file gives
    changed (an empty cell changes nothing). The stage changes by steps only."""

    def validate(self, table: Table) -> TalentPlan | None:
        reject_duplicates(
            self, table, lambda i: getattr(table.value("id_number", i), "number", None)
        )
        plan = TalentPlan(villages=resolve_villages(self, table))
        people = plan.people = known_people(table)
        talents_here = scoped(Talent.objects.all(), self.context.scope)
        check_names(self, table, people, held=(talents_here, "person"))
        person_ids = [row["id"] for row in people.values()]
        plan.existing = {
            row["person_id"]: row
            for row in fetch_in(Talent.objects.values(*TALENT_VALUES), "person_id", person_ids)
        }
        scope = self.context.scope
        for index, parsed in enumerate(table.column("id_number")):
            if not parsed:
                continue
            known = people.get(parsed.number)
            talent = plan.existing.get(known["id"]) if known else None
            if talent is not None and not scope.contains(talent["region_code"]):
                self.reject(
                    index,
                    "id_number",
                    _("This person is in the talent pool of a region outside your scope."),
                )
            if talent is None:
                for key in ("identified_on", "how_identified"):
                    if table.value(key, index) is None:
                        self.reject(
                            index,
                            key,
                            _("Required for a person new to the talent pool."),
                        )
        return None if self.errors else plan

    def load(self, plan: TalentPlan, progress) -> dict[str, int]:
        table = self.table
        now = timezone.now()
        new_indexes, updates, unchanged = [], [], 0
        for index, parsed in enumerate(table.column("id_number")):
            known = plan.people.get(parsed.number)
            talent = plan.existing.get(known["id"]) if known else None
            if talent is None:
                new_indexes.append(index)
                continue
            new = self._values(table, index, plan, talent)
            old = tuple(talent[key] for key in TALENT_UPDATE_FIELDS[:-1])
            if new != old:
                updates.append((talent["id"], *new, now))
            else:
                unchanged += 1
        tick = Ticker(len(table), len(table) * 2, progress)
        fresh = [i for i in new_indexes if table.value("id_number", i).number not in plan.people]
        person_ids, people_created = insert_new_people(
            table, fresh, plan.villages, plan.people, tick
        )
        new_talent = [
            (
                person_ids[table.value("id_number", i).number],
                *self._values(table, i, plan, None),
                Stage.IDENTIFIED,
                now,
                now,
            )
            for i in new_indexes
        ]
        talent_keys = insert_rows(Talent, NEW_TALENT_FIELDS, new_talent, tick)
        actor = self.context.actor_name
        steps = [
            (
                key,
                Stage.IDENTIFIED,
                table.value("identified_on", i),
                table.value("how_identified", i),
                actor,
                now,
            )
            for key, i in zip(talent_keys, new_indexes, strict=True)
        ]
        insert_rows(TalentStep, NEW_STEP_FIELDS, steps, lambda count: None)
        update_rows(Talent, TALENT_UPDATE_FIELDS, updates, tick)
        tick.finish()
        return {
            "created": len(new_indexes),
            "updated": len(updates),
            "unchanged": unchanged,
            "people_created": people_created,
        }

    @staticmethod
    def _values(table: Table, index: int, plan: TalentPlan, talent: dict | None) -> tuple:
        """region, source, skills, notes, occupation: the file's, or the current value
        where the cell is empty."""

        cell = partial(given, table, index)
        current = talent or {
            "region_code": "",
            "source": "",
            "skills": "",
            "skill_notes": "",
            "occupation": "",
        }
        return (
            cell("village", current["region_code"], plan.villages.__getitem__),
            cell("source", current["source"]),
            cell("skills", current["skills"], join_skills),
            cell("skill_notes", current["skill_notes"]),
            cell("occupation", current["occupation"]),
        )


TALENT_SHEET = pipeline.register(
    Sheet(
        kind="talent",
        title=_("Talent pool"),
        sheet_name="人才库",
        columns=TALENT_COLUMNS,
        importer=TalentImporter,
        import_permission=Perm.EDIT_ORGANISATION,
        audit_model="talent.talent",
        list_url="talent:talent_list",
        description=_(
            "One row per person, matched by 身份证号: loading a file again changes only "
            "what differs, and an empty cell changes nothing. A person new to the pool "
            "enters it identified (识才) on the 识别日期."
        ),
    )
)


# --- the export -------------------------------------------------------------------------


def talent_export_rows(talent: QuerySet[Talent], reveal: bool) -> Iterator[list[Any]]:
    """The sheet's cells per person, in region order, plus the current stage; ID numbers
    masked unless the reader may see personal data."""
    rows = talent.order_by("region_code", "person__name", "pk").values_list(
        "person__name",
        "person__id_number",
        "region_code",
        "source",
        "skills",
        "skill_notes",
        "occupation",
        "person__phone",
        "stage",
        "pk",
    )
    identified = dict(
        TalentStep.objects.filter(
            talent__in=talent.values("pk"), stage=Stage.IDENTIFIED
        ).values_list("talent_id", "taken_on")
    )
    how = dict(
        TalentStep.objects.filter(
            talent__in=talent.values("pk"), stage=Stage.IDENTIFIED
        ).values_list("talent_id", "what")
    )
    names: dict[str, str] = {}
    for chunk in chunks(rows.iterator(chunk_size=2000), 2000):
        names.update(full_names(row[2] for row in chunk if row[2] not in names))
        for name, number, region, source, skills, notes, occupation, phone, stage, pk in chunk:
            yield [
                name,
                number if reveal else idnumbers.mask(number),
                names.get(region, region),
                SOURCE_TERMS.get(source, source),
                "、".join(SKILL_TERMS.get(code, code) for code in skills.split(",") if code),
                notes,
                occupation,
                iso(identified.get(pk)),
                how.get(pk, ""),
                phone,
                STAGE_TERMS.get(stage, stage),
            ]


def talent_export_header() -> list[str]:
    return [*TALENT_SHEET.headers, STAGE_HEADER]


# Registers the enrolments sheet too (the pipeline imports only `<app>.sheets`).
from baolei.talent.sheets.training import (  # noqa: E402
    ENROLMENT_SHEET,
    enrolment_export_rows,
)

__all__ = ["ENROLMENT_SHEET", "TALENT_SHEET", "enrolment_export_rows", "text_columns"]
