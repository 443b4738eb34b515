"""The cadres' sheets: cadre records (干部信息) here, the village leader pool (村级带头人)
in `sheets.leaders`.

Both upsert by ID number: a person already in the file's sheet is updated with the cells
given (an empty cell changes nothing), a new one is made. The whole file is checked a
column at a time (one query for the ID numbers, one for the regions), every problem
rejected with row, column and reason, and written in one transaction — or nothing.
Exports write the same columns, so an export (with personal data) can be corrected and
imported again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, scoped
from baolei.cadres import choices
from baolei.cadres.models import Cadre
from baolei.imports import cells, pipeline
from baolei.imports.bulk import Ticker, fetch_in, insert_rows, update_rows
from baolei.imports.pipeline import Column, Importer, Sheet, Table, text_parser
from baolei.messages import lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry.models import Helper, Person
from baolei.registry.services.people import PERSON_OUTSIDE_SCOPE, people_outside_scope
from baolei.registry.sheets import id_number_column

HIDDEN = "***"

# The Chinese terms written in templates and exports (the first) and also read (all).
TERMS: dict[type, dict[str, tuple[str, ...]]] = {
    choices.Rank: {
        "clerk": ("办事员",),
        "staff_member": ("科员",),
        "deputy_section": ("副科级", "副科"),
        "section": ("正科级", "正科"),
        "deputy_division": ("副处级", "副处"),
        "division": ("正处级", "正处"),
        "deputy_bureau": ("副厅级", "副厅"),
        "bureau": ("正厅级", "正厅"),
        "other": ("其他", "其它"),
    },
    choices.PoliticalStatus: {
        "party_member": ("中共党员", "党员"),
        "probationary_member": ("中共预备党员", "预备党员"),
        "league_member": ("共青团员", "团员"),
        "masses": ("群众",),
        "democratic_party": ("民主党派",),
    },
    choices.Education: {
        "postgraduate": ("研究生", "硕士", "博士"),
        "undergraduate": ("大学本科", "本科"),
        "college": ("大专", "专科"),
        "secondary": ("中专/高中", "中专", "高中", "职高"),
        "junior_or_below": ("初中及以下", "初中", "小学"),
    },
    choices.LeaderSource: {
        "entrepreneur": ("农村致富带头人", "致富带头人", "致富能人"),
        "veteran": ("退役军人",),
        "returned_migrant": ("返乡务工人员", "返乡人员"),
        "local_party_member": ("本土党员",),
        "other": ("其他", "其它"),
    },
    choices.LeaderCategory: {
        "candidate": ("村党组织书记人选", "书记人选"),
        "reserve": ("村级后备力量", "后备力量", "后备干部"),
    },
    choices.DevelopmentStep: {
        "identified": ("摸排确定",),
        "trained": ("培养培训",),
        "tested": ("岗位锻炼",),
        "appointed": ("任职/当选", "任职", "当选"),
        "withdrawn": ("退出",),
    },
}


def choice(key: str, header: str, enumeration: type, **options: Any) -> Column:
    return pipeline.terms_column(key, header, enumeration, TERMS[enumeration], **options)


def parse_date(text: str):
    return cells.parse_date(text)


def region_options(scope: Scope | None) -> list[str]:
    """The counties and townships of the scope (and the scope's own region), by code."""
    if scope is None or scope.empty or scope.region_code is None:
        return []
    regions = scoped(Region.objects.filter(level__lte=Level.TOWNSHIP), scope).order_by("code")
    return [f"{code} {name}" for code, name in regions.values_list("code", "name")[:500]]


def _region_text(text: str) -> str:
    """“420222100 兴国镇” (as offered in the drop-down) is read as its code."""
    head = text.split()[0] if text.split() else text
    return head if codes.is_region_code(head) else text


# --- resolving regions and people, a whole column at a time ------------------------------


def resolve_regions(importer: Importer, table: Table, key: str, village: bool) -> dict[str, str]:
    """Each region text of column `key` → its code (codes, then full names, in one query
    each); unknown ones and those outside the scope are rejected on their rows."""
    scope = importer.context.scope
    texts = {_region_text(text) for text in table.column(key) if text}
    regions = Region.objects.filter(level=Level.VILLAGE) if village else Region.objects.all()
    wanted = {text for text in texts if codes.is_region_code(text)}
    found = {
        code: code for code in fetch_in(regions.values_list("code", flat=True), "code", wanted)
    }
    names = texts - wanted
    for full_name, code in fetch_in(regions.values_list("full_name", "code"), "full_name", names):
        found[full_name] = code
    for index, raw in enumerate(table.column(key)):
        if not raw:
            continue
        code = found.get(_region_text(raw))
        if code is None:
            message = (
                _("There is no village “%(text)s”: write its 12-digit code or its full name.")
                if village
                else _("There is no region “%(text)s”: write its code or its full name.")
            )
            importer.reject(index, key, lazy_format(message, text=raw))
        elif not scope.contains(code):
            importer.reject(
                index, key, lazy_format(_("The region %(code)s is outside your scope."), code=code)
            )
    return {
        raw: found[_region_text(raw)]
        for raw in table.column(key)
        if raw and _region_text(raw) in found
    }


def check_people(
    importer: Importer, table: Table, held: tuple[QuerySet, str] | None = None
) -> tuple[dict[str, int], dict[str, dict]]:
    """Each ID number once in the file; (first row of each number, the register's person
    of each number). A person registered under another name is refused; so is one
    registered outside the scope (saying no more than that), unless they hold one of
    `held` (the scope's records the sheet writes, and their person field)."""
    first: dict[str, int] = {}
    for index, parsed in enumerate(table.column("id_number")):
        if not parsed:
            continue
        if parsed.number in first:
            importer.reject(
                index,
                "id_number",
                lazy_format(
                    _("The same person (ID number) as row %(row)d."),
                    row=table.numbers[first[parsed.number]],
                ),
            )
        else:
            first[parsed.number] = index
    persons = {
        row["id_number"]: row
        for row in fetch_in(
            Person.objects.values("id", "id_number", "name", "region_code"),
            "id_number",
            list(first),
        )
    }
    foreign = people_outside_scope(
        importer.context.scope, [(row["id"], row["region_code"]) for row in persons.values()], held
    )
    names = table.column("name")
    for number, index in first.items():
        person = persons.get(number)
        if person is not None and person["id"] in foreign:
            importer.reject(index, "id_number", PERSON_OUTSIDE_SCOPE)
        elif person is not None and names[index] and person["name"] != names[index]:
            importer.reject(
                index,
                "name",
                lazy_format(
                    _("The ID number is registered to %(registered)s, not %(given)s."),
                    registered=person["name"],
                    given=names[index],
                ),
            )
    return first, persons


def new_person_row(parsed: idnumbers.IdNumber, name: str, region_code: str, phone: str) -> tuple:
    return (parsed.number, name, parsed.sex, parsed.birth_date, region_code, phone or "")


PERSON_FIELDS = ["id_number", "name", "sex", "birth_date", "region_code", "phone"]


@dataclass
class Plan:
    new_people: list[tuple] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any], int | None]] = field(default_factory=list)


def _new_people(table: Table, plan: Plan, persons: dict[str, dict]) -> list[tuple]:
    """The person rows of the plan's ID numbers the register does not know yet."""
    rows = []
    for index, values, _record in plan.rows:
        parsed = table.value("id_number", index)
        if parsed.number not in persons:
            name, phone = table.value("name", index), table.value("phone", index)
            rows.append(new_person_row(parsed, name, values["region_code"], phone))
    return rows


class PersonRecordImporter(Importer):
    """Records of `model`, one per person, keyed by ID number: new ones made (their
    person too, if new), existing ones updated with the cells given (an empty cell
    changes nothing). A subclass names the model, the fields and the refusals."""

    model: type[Model]
    keys: tuple[str, ...]  # the record's fields the sheet writes, region_code among them
    region_column: str  # the column whose region is the record's region_code
    village: bool  # whether that region must be a village
    required_for_new: tuple[str, ...]  # columns a new record needs
    required_message: Promise
    outside_scope_message: Promise  # for a known record whose region is outside the scope
    defaults: dict[str, Any] = {}  # a new record's value of an empty cell, "" if not here

    def validate(self, table: Table) -> Plan | None:
        regions = resolve_regions(self, table, self.region_column, village=self.village)
        held = (scoped(self.model.objects.all(), self.context.scope), "person")
        first, persons = check_people(self, table, held)
        existing = {
            row["person_id"]: row
            for row in fetch_in(
                self.model.objects.values("id", "person_id", *self.keys),
                "person_id",
                [row["id"] for row in persons.values()],
            )
        }
        scope = self.context.scope
        plan = Plan()
        for number, index in first.items():
            person = persons.get(number)
            record = existing.get(person["id"]) if person else None
            values = {key: table.value(key, index) for key in self.keys if key != "region_code"}
            region = table.value(self.region_column, index)
            values["region_code"] = regions.get(region) if region else None
            if record is None:
                for key in self.required_for_new:
                    if not table.value(key, index):
                        self.reject(index, key, self.required_message)
            elif not scope.contains(record["region_code"]):
                self.reject(index, "id_number", self.outside_scope_message)
            plan.rows.append((index, values, record["id"] if record else None))
        if self.errors:
            return None
        plan.new_people = _new_people(table, plan, persons)
        self.persons = persons
        self.existing = {row["id"]: row for row in existing.values()}
        return plan

    def load(self, plan: Plan, progress) -> dict[str, int]:
        tick = Ticker(len(plan.rows), len(plan.rows) + len(plan.new_people), progress)
        keys = insert_rows(Person, PERSON_FIELDS, plan.new_people, tick)
        person_ids = {row["id_number"]: row["id"] for row in self.persons.values()}
        person_ids.update(zip((row[0] for row in plan.new_people), keys, strict=True))
        new, new_indexes, updates, unchanged = [], [], [], 0
        for index, values, record_id in plan.rows:
            if record_id is None:
                number = self.table.value("id_number", index).number
                new.append((person_ids[number], *self._new_values(values)))
                new_indexes.append(index)
                continue
            current = self.existing[record_id]
            row = tuple(current[key] if values[key] is None else values[key] for key in self.keys)
            if row == tuple(current[key] for key in self.keys):
                unchanged += 1
            else:
                updates.append((record_id, *row, timezone.now()))
        keys = insert_rows(self.model, ["person", *self.keys], new, tick)
        update_rows(self.model, [*self.keys, "updated_at"], updates, tick)
        more = self.created(keys, new_indexes)
        tick.finish()
        return {
            "created": len(new),
            "updated": len(updates),
            "unchanged": unchanged,
            "people_created": len(plan.new_people),
            **more,
        }

    def _new_values(self, values: dict[str, Any]) -> Iterator[Any]:
        for key in self.keys:
            yield values[key] if values[key] is not None else self.defaults.get(key, "")

    def created(self, keys: list[int], indexes: list[int]) -> dict[str, int]:
        """What follows from the new records (`keys`, made from the rows `indexes`), and
        the counts of it to report."""
        return {}


# --- cadres ------------------------------------------------------------------------------

CADRE_COLUMNS = (
    Column("name", "姓名", required=True, parser=text_parser(64), width=10),
    id_number_column(),
    Column(
        "unit", "工作单位", parser=text_parser(120), width=24, help=_("Required for a new cadre.")
    ),
    Column("post", "职务", parser=text_parser(64), width=14),
    choice("rank", "职级", choices.Rank, width=12, help=_("Required for a new cadre.")),
    choice(
        "political_status",
        "政治面貌",
        choices.PoliticalStatus,
        width=12,
        help=_("Required for a new cadre."),
    ),
    choice("education", "学历", choices.Education, width=12, help=_("Required for a new cadre.")),
    Column("specialities", "专长", parser=text_parser(500), width=24, aliases=("专业特长",)),
    Column(
        "work_started_on", "参加工作时间", parser=parse_date, width=14, aliases=("参加工作日期",)
    ),
    Column(
        "region",
        "工作地区",
        parser=text_parser(160),
        options=region_options,
        strict=False,
        width=28,
        help=_(
            "Where the cadre works: the code (county, township or village) or the full name. "
            "Required for a new cadre."
        ),
        aliases=("地区代码", "工作地区代码"),
    ),
    Column("phone", "联系电话", parser=text_parser(32), text=True, width=14, aliases=("电话",)),
)
CADRE_KEYS = (
    "unit",
    "post",
    "rank",
    "political_status",
    "education",
    "specialities",
    "work_started_on",
    "region_code",
)
REQUIRED_FOR_NEW = ("unit", "rank", "political_status", "education", "region")


class CadreImporter(PersonRecordImporter):
    """Cadres keyed by ID number; a new cadre who is the register's helper is linked to
    that record."""

    model = Cadre
    keys = CADRE_KEYS
    region_column = "region"
    village = False
    required_for_new = REQUIRED_FOR_NEW
    required_message = _("Required for a new cadre.")
    outside_scope_message = _("This cadre works outside your scope: you cannot change the record.")
    defaults = {"work_started_on": None, "region_code": None}  # NULL, not "", when empty

    def created(self, keys: list[int], indexes: list[int]) -> dict[str, int]:
        return {"linked_to_helpers": _link_helpers(keys)}


def _link_helpers(cadre_ids: list[int]) -> int:
    """New cadres who are the register's helpers are linked to that record."""
    helpers = dict(
        Helper.objects.filter(person__cadre__id__in=cadre_ids, cadre__isnull=True).values_list(
            "person_id", "id"
        )
    )
    rows = [
        (cadre_id, helpers[person_id])
        for cadre_id, person_id in Cadre.objects.filter(id__in=cadre_ids).values_list(
            "id", "person_id"
        )
        if person_id in helpers
    ]
    update_rows(Cadre, ["helper"], rows, lambda count: None)
    return len(rows)


CADRE_SHEET = pipeline.register(
    Sheet(
        kind="cadres",
        title=_("Cadre records"),
        sheet_name="干部信息",
        columns=CADRE_COLUMNS,
        importer=CadreImporter,
        import_permission=Perm.MANAGE_CADRES,
        audit_model="cadres.cadre",
        list_url="cadres:cadre_list",
        description=_(
            "One row per cadre, matched by 身份证号: a known cadre is updated with the cells "
            "given (an empty cell changes nothing), a new one is created. Disciplinary "
            "records are not imported."
        ),
    )
)


# --- exports -------------------------------------------------------------------------------


def _term(column_key: str, code: str | None, columns=CADRE_COLUMNS) -> str:
    for column in columns:
        if column.key == column_key:
            return column.term(code)
    return code or ""


def cadre_export_header(discipline: bool) -> list[str]:
    header = [column.header for column in CADRE_COLUMNS]
    return [*header, "处分影响期内"] if discipline else header


def cadre_export_rows(cadres: QuerySet[Cadre], reveal: bool, discipline: bool) -> Iterator[list]:
    """The sheet's cells per cadre (ID numbers masked unless `reveal`), plus whether a
    disciplinary measure is in effect when the reader may know it (`discipline`)."""
    columns = {column.key: column for column in CADRE_COLUMNS}
    names = dict(
        Region.objects.filter(
            code__in=cadres.order_by().values("region_code").distinct()
        ).values_list("code", "full_name")
    )
    for cadre in cadres.select_related("person").iterator(chunk_size=1000):
        row = [
            cadre.person.name,
            cadre.person.id_number if reveal else idnumbers.mask(cadre.person.id_number),
            cadre.unit,
            cadre.post,
            columns["rank"].term(cadre.rank),
            columns["political_status"].term(cadre.political_status),
            columns["education"].term(cadre.education),
            cadre.specialities,
            cadre.work_started_on.isoformat() if cadre.work_started_on else "",
            f"{cadre.region_code} {names.get(cadre.region_code, '')}".strip(),
            cadre.person.phone,
        ]
        if discipline:
            row.append("是" if getattr(cadre, "has_discipline", False) else "否")
        yield row


def text_columns(columns: Sequence[Column] = CADRE_COLUMNS) -> list[int]:
    return [index for index, column in enumerate(columns) if column.text]


# The leader pool's and the work teams' sheets register with the pipeline when this
# module is discovered.
