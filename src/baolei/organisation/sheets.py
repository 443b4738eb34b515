"""The organisation's sheets: party organisations, cooperatives (and the other host
entities with a credit code) and party members, through the shared import pipeline.

Each importer upserts by a natural key — an organisation by (region, name), an entity by
its unified social credit code, a member by ID number — checks the whole file a column
at a time (one query per column of keys), rejects with row, column and reason, and
writes everything in one transaction or nothing. An empty cell changes nothing, so a
partial file updates only what it names; loading the same file again changes nothing.
The exports write the same columns, so an export (with personal data) can be corrected
and imported again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.imports import cells, pipeline
from baolei.imports.pipeline import (
    CellProblem,
    Column,
    Importer,
    Sheet,
    Table,
    fetch_in,
    insert_rows,
    integer_parser,
    text_parser,
    update_rows,
)
from baolei.messages import lazy_format
from baolei.organisation import services
from baolei.organisation.choices import (
    HostKind,
    MemberCategory,
    MemberStanding,
    OrganisationKind,
    OrganisationStatus,
)
from baolei.organisation.models import HostEntity, PartyOrganisation
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry import idnumbers
from baolei.registry.models import Person
from baolei.registry.sheets import parse_id_number

# The Chinese words written in templates and exports (and accepted on import).
TERMS = {
    OrganisationKind: {
        "committee": "党委",
        "general_branch": "党总支",
        "branch": "党支部",
        "joint_branch": "联合党支部",
        "temporary_branch": "临时党支部",
    },
    OrganisationStatus: {"active": "正常", "merged": "已合并", "dissolved": "已撤销"},
    HostKind: {
        "cooperative": "农民专业合作社",
        "association": "行业协会",
        "chain_project": "产业链项目",
        "enterprise": "企业",
        "social_organisation": "社会组织",
    },
    MemberStanding: {"probationary": "预备党员", "full": "正式党员"},
    MemberCategory: {
        "resident": "在村党员",
        "migrant": "流动党员",
        "elderly_infirm": "老弱病残党员",
    },
}
SYNONYMS = {
    HostKind: {"合作社": "cooperative", "专业合作社": "cooperative", "协会": "association"},
    MemberStanding: {"正式": "full", "预备": "probationary"},
    MemberCategory: {"流动": "migrant", "在村": "resident", "老弱病残": "elderly_infirm"},
}


def choice(key: str, header: str, enumeration: type, **options: Any) -> Column:
    return Column(
        key,
        header,
        choices=enumeration,
        labels=TERMS[enumeration],
        synonyms=SYNONYMS.get(enumeration),
        **options,
    )


def parse_credit_code(text: str) -> str:
    try:
        return services.validate_credit_code(text)
    except services.OrganisationError as error:
        raise CellProblem(error.code, error.message) from None


def parse_date(text: str):
    return cells.parse_date(text)


def parse_year(text: str) -> int:
    return integer_parser(1949, timezone.localdate().year)(text)


REGION_HELP = _(
    "The region's code (12 digits for a village) or its full name, e.g. "
    "湖北省黄石市阳新县兴国镇山川台社区居委会."
)


def region_column(key: str, header: str, **options: Any) -> Column:
    return Column(key, header, parser=text_parser(160), width=30, help=REGION_HELP, **options)


# --- shared checks, a column at a time ---------------------------------------------------


def resolve_regions(importer: Importer, table: Table, key: str) -> dict[int, str]:
    """Row index → region code for the texts of column `key`: codes in one query, full
    names in one; a region unknown or outside the scope rejects its rows."""
    scope = importer.context.scope
    column = table.column(key)
    texts = {text for text in column if text}
    wanted = {text for text in texts if text.isascii() and text.isdigit()}
    found: dict[str, str] = {}
    for code in fetch_in(Region.objects.values_list("code", flat=True), "code", wanted):
        found[code] = code
    names = texts - wanted
    for full_name, code in fetch_in(
        Region.objects.values_list("full_name", "code"), "full_name", names
    ):
        found[full_name] = code
    resolved: dict[int, str] = {}
    for index, text in enumerate(column):
        if not text:
            continue
        code = found.get(text)
        if code is None:
            importer.reject(
                index, key, lazy_format(_("There is no region %(text)s."), text=text[:60])
            )
        elif not scope.contains(code):
            importer.reject(
                index,
                key,
                lazy_format(_("The region %(code)s is outside your scope."), code=code),
            )
        else:
            resolved[index] = code
    return resolved


def resolve_branches(
    importer: Importer, table: Table, regions: dict[int, str], organisations: QuerySet, missing
) -> dict[int, int]:
    """Row index → the organisation of `organisations` named in column "branch" in the
    row's region (one query); a name not found there rejects its row with `missing`
    (a message with the name and the region's code)."""
    names = {text for text in table.column("branch") if text}
    found = {
        (code, name): pk
        for pk, code, name in fetch_in(
            organisations.values_list("pk", "region_code", "name"), "name", names
        )
    }
    branches = {}
    for index, name in enumerate(table.column("branch")):
        if not name or index not in regions:
            continue
        pk = found.get((regions[index], name))
        if pk is None:
            importer.reject(index, "branch", lazy_format(missing, name=name, code=regions[index]))
        else:
            branches[index] = pk
    return branches


@dataclass
class People:
    """The people a file names: existing ones by ID number, new ones to be made."""

    existing: dict[str, int] = field(default_factory=dict)  # id number → Person pk
    new: dict[str, tuple[str, idnumbers.IdNumber, str]] = field(default_factory=dict)

    def write(self, progress) -> dict[str, int]:
        """Make the new people; every ID number of the file → its Person pk."""
        numbers = list(self.new)
        now = timezone.now()
        rows = [
            (number, name, parsed.sex, parsed.birth_date, region, now)
            for number, (name, parsed, region) in self.new.items()
        ]
        keys = insert_rows(
            Person,
            ["id_number", "name", "sex", "birth_date", "region_code", "created_at"],
            rows,
            progress,
        )
        return {**self.existing, **dict(zip(numbers, keys, strict=True))}


def check_people(
    importer: Importer,
    table: Table,
    rows: dict[int, tuple[str, str, idnumbers.IdNumber, str]],
    id_key: str,
    name_key: str,
    people: People | None = None,
) -> People:
    """`rows`: index → (id number, name, parsed, region). One query for all the numbers;
    a number registered under another name, or given twice with different names, is
    rejected (a different name is far more often a mistyped number than a new name)."""
    people = people or People()
    registered = {
        number: (pk, name)
        for pk, number, name in fetch_in(
            Person.objects.values_list("pk", "id_number", "name"),
            "id_number",
            [number for number, *_rest in rows.values()],
        )
    }
    first_name: dict[str, str] = {}
    for index, (number, name, parsed, region) in rows.items():
        known = registered.get(number)
        if known is not None and known[1] != name:
            importer.reject(
                index,
                name_key,
                lazy_format(
                    _("The ID number %(id)s is registered to %(registered)s, not %(given)s."),
                    id=idnumbers.mask(number),
                    registered=known[1],
                    given=name,
                ),
            )
            continue
        if first_name.setdefault(number, name) != name:
            importer.reject(
                index, id_key, _("The same ID number is given above with another name.")
            )
            continue
        if known is not None:
            people.existing[number] = known[0]
        else:
            people.new.setdefault(number, (name, parsed, region))
    return people


def _kept(value: Any, current: Any) -> Any:
    """An empty cell keeps what is there."""
    return current if value is None else value


# --- organisations -------------------------------------------------------------------------

ORGANISATION_COLUMNS = (
    region_column("region", "所在地区", required=True, aliases=("地区代码", "所在村", "区划代码")),
    Column("name", "组织名称", required=True, parser=text_parser(120), width=30),
    choice("kind", "组织类别", OrganisationKind, width=14, help=_("Required for a new one.")),
    Column(
        "parent",
        "上级党组织",
        parser=text_parser(120),
        width=30,
        help=_("The name of the higher committee or general branch."),
    ),
    Column(
        "host",
        "依托单位统一社会信用代码",
        parser=parse_credit_code,
        text=True,
        width=22,
        help=_("For an organisation built in a cooperative or enterprise: its credit code."),
    ),
    Column("secretary_name", "书记姓名", parser=text_parser(64), width=10),
    Column(
        "secretary_id_number",
        "书记身份证号",
        parser=parse_id_number,
        text=True,
        width=22,
        cacheable=False,
    ),
    Column("founded_on", "成立日期", parser=parse_date, width=12),
)
ORGANISATION_EXPORT_HEADER = [*(c.header for c in ORGANISATION_COLUMNS), "状态"]


@dataclass
class OrganisationPlan:
    inserts: list[tuple[int, dict]] = field(default_factory=list)  # (row, values)
    updates: list[tuple[int, int, dict]] = field(default_factory=list)  # (row, pk, values)
    parents: dict[int, str] = field(default_factory=dict)  # row → parent name
    people: People = field(default_factory=People)
    secretaries: dict[int, str] = field(default_factory=dict)  # row → id number


class OrganisationImporter(Importer):
    def validate(self, table: Table) -> OrganisationPlan | None:
        regions = resolve_regions(self, table, "region")
        names = table.column("name")
        keys: dict[tuple[str, str], int] = {}
        for index, name in enumerate(names):
            if index in regions and name:
                key = (regions[index], name)
                if key in keys:
                    self.reject(
                        index,
                        "name",
                        lazy_format(
                            _("The organisation is already on row %(row)d."),
                            row=table.numbers[keys[key]],
                        ),
                    )
                else:
                    keys[key] = index
        existing = self._existing(keys)
        hosts = self._hosts(table, regions)
        plan = OrganisationPlan()
        secretaries = self._secretaries(table, regions, plan)
        plan.people = check_people(
            self, table, secretaries, "secretary_id_number", "secretary_name"
        )
        file_parents = {
            name: code
            for (code, name), i in keys.items()
            if table.value("kind", i) in services.PARENT_KINDS
        }
        parents = self._parents(table, regions, file_parents)
        for (code, name), index in keys.items():
            values = {
                "kind": table.value("kind", index),
                "founded_on": table.value("founded_on", index),
                "host_entity_id": hosts.get(index),
            }
            if values["founded_on"] and values["founded_on"] > self.context.today:
                self.reject(index, "founded_on", _("The date is in the future."))
            if index in parents:
                plan.parents[index] = parents[index]
            current = existing.get((code, name))
            if current is None:
                if values["kind"] is None:
                    self.reject(index, "kind", _("Required for a new organisation."))
                plan.inserts.append((index, {"region_code": code, "name": name, **values}))
            else:
                plan.updates.append((index, current, values))
        return None if self.errors else plan

    def _existing(self, keys: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        names = {name for _code, name in keys}
        found = fetch_in(
            PartyOrganisation.objects.values_list("region_code", "name", "pk"), "name", names
        )
        return {(code, name): pk for code, name, pk in found}

    def _hosts(self, table: Table, regions: dict[int, str]) -> dict[int, int]:
        wanted = {text for text in table.column("host") if text}
        entities = {
            number: (pk, region)
            for pk, number, region in fetch_in(
                HostEntity.objects.values_list("pk", "registration_number", "region_code"),
                "registration_number",
                wanted,
            )
        }
        found: dict[int, int] = {}
        for index, number in enumerate(table.column("host")):
            if not number:
                continue
            entity = entities.get(number)
            if entity is None:
                self.reject(
                    index,
                    "host",
                    lazy_format(_("No entity has the credit code %(code)s."), code=number),
                )
            elif index in regions and not codes.contains(regions[index], entity[1]):
                self.reject(index, "host", _("The entity is not in the organisation's region."))
            else:
                found[index] = entity[0]
        return found

    def _secretaries(self, table: Table, regions: dict[int, str], plan: OrganisationPlan):
        rows = {}
        for index, (name, parsed) in enumerate(
            zip(table.column("secretary_name"), table.column("secretary_id_number"), strict=True)
        ):
            if bool(name) != bool(parsed):
                if name is not None or parsed is not None:
                    key = "secretary_id_number" if name else "secretary_name"
                    self.reject(index, key, _("Give the secretary's ID number and name together."))
                continue
            if name and parsed and index in regions:
                rows[index] = (parsed.number, name, parsed, regions[index])
                plan.secretaries[index] = parsed.number
        return rows

    def _parents(
        self, table: Table, regions: dict[int, str], file_names: dict[str, str]
    ) -> dict[int, str]:
        """Row → the parent's name, when a committee or general branch of that name lies
        in a region above the row's (in the register or earlier in the file)."""
        wanted = {text for text in table.column("parent") if text}
        registered: dict[str, list[tuple[str, str]]] = {}
        for name, code, kind in fetch_in(
            PartyOrganisation.objects.filter(status=OrganisationStatus.ACTIVE).values_list(
                "name", "region_code", "kind"
            ),
            "name",
            wanted,
        ):
            registered.setdefault(name, []).append((code, kind))
        found = {}
        for index, name in enumerate(table.column("parent")):
            if not name or index not in regions:
                continue
            places = [
                code for code, kind in registered.get(name, []) if kind in services.PARENT_KINDS
            ]
            if name in file_names:
                places.append(file_names[name])
            places = [code for code in places if codes.contains(code, regions[index])]
            if len(set(places)) != 1:
                self.reject(
                    index,
                    "parent",
                    lazy_format(
                        _("No single committee or general branch %(name)s above this region."),
                        name=name,
                    ),
                )
            else:
                found[index] = name
        return found

    def load(self, plan: OrganisationPlan, progress) -> dict[str, int]:
        ticker = pipeline.Ticker(len(self.table), len(plan.inserts) + len(plan.updates), progress)
        people = plan.people.write(lambda n: None)
        now = timezone.now()
        fields = ["region_code", "name", "kind", "founded_on", "host_entity_id", "secretary_id"]
        rows = []
        for index, values in plan.inserts:
            secretary = people.get(plan.secretaries.get(index, ""))
            rows.append([*(values[f] for f in fields[:5]), secretary])
        keys = insert_rows(
            PartyOrganisation,
            [*fields, "status", "created_at"],
            [[*r, "active", now] for r in rows],
            ticker,
        )
        pks = {index: pk for (index, _values), pk in zip(plan.inserts, keys, strict=True)}
        current = {
            row[0]: row
            for row in fetch_in(
                PartyOrganisation.objects.values_list(
                    "pk", "kind", "founded_on", "host_entity_id", "secretary_id", "parent_id"
                ),
                "id",
                [pk for _index, pk, _values in plan.updates],
            )
        }
        changed = []
        for index, pk, values in plan.updates:
            pks[index] = pk
            _pk, kind, founded, host, secretary, _parent = current[pk]
            new = (
                _kept(values["kind"], kind),
                _kept(values["founded_on"], founded),
                _kept(values["host_entity_id"], host),
                _kept(people.get(plan.secretaries.get(index, "")), secretary),
            )
            if new != (kind, founded, host, secretary):
                changed.append((pk, *new, now))
        update_rows(
            PartyOrganisation,
            ["kind", "founded_on", "host_entity_id", "secretary_id", "updated_at"],
            changed,
            ticker,
        )
        moved = self._set_parents(plan, pks, now)
        return {
            "created": len(plan.inserts),
            "updated": len({pk for pk, *_ in changed} | moved),
            "unchanged": len(plan.updates) - len({pk for pk, *_ in changed} | moved),
            "people_created": len(plan.people.new),
        }

    def _set_parents(self, plan: OrganisationPlan, pks: dict[int, int], now) -> set[int]:
        names = set(plan.parents.values())
        candidates = list(
            PartyOrganisation.objects.filter(
                name__in=names, kind__in=services.PARENT_KINDS, status=OrganisationStatus.ACTIVE
            ).values_list("pk", "name", "region_code")
        )
        regions = dict(
            PartyOrganisation.objects.filter(pk__in=pks.values()).values_list("pk", "region_code")
        )
        parents_now = dict(
            PartyOrganisation.objects.filter(pk__in=pks.values()).values_list("pk", "parent_id")
        )
        rows = []
        for index, name in plan.parents.items():
            pk = pks[index]
            parent = next(
                (
                    p
                    for p, n, code in candidates
                    if n == name and codes.contains(code, regions[pk]) and p != pk
                ),
                None,
            )
            if parent is not None and parents_now.get(pk) != parent:
                rows.append((pk, parent, now))
        update_rows(PartyOrganisation, ["parent_id", "updated_at"], rows, lambda n: None)
        return {pk for pk, *_ in rows}

    def audit_details(self, plan: OrganisationPlan) -> dict[str, Any]:
        return {"organisations": len(plan.inserts) + len(plan.updates)}


ORGANISATION_SHEET = pipeline.register(
    Sheet(
        kind="organisations",
        title=_("Party organisations"),
        sheet_name="党组织",
        columns=ORGANISATION_COLUMNS,
        importer=OrganisationImporter,
        import_permission=Perm.EDIT_ORGANISATION,
        audit_model="organisation.partyorganisation",
        list_url="organisation:organisation_list",
        description=_(
            "One row per organisation, matched by region and name: loading a file again "
            "changes only what differs, and an empty cell changes nothing. A status change "
            "(merger, dissolution) is a decision recorded on the organisation's page."
        ),
    )
)


def export_organisations(organisations: QuerySet, reveal: bool) -> Iterator[list[Any]]:
    kinds, statuses = TERMS[OrganisationKind], TERMS[OrganisationStatus]
    rows = organisations.order_by("region_code", "name").values_list(
        "region_code",
        "name",
        "kind",
        "parent__name",
        "host_entity__registration_number",
        "secretary__name",
        "secretary__id_number",
        "founded_on",
        "status",
    )
    for code, name, kind, parent, host, sec_name, sec_id, founded, status in rows.iterator(
        chunk_size=2000
    ):
        shown_id = (sec_id if reveal else idnumbers.mask(sec_id)) if sec_id else ""
        yield [
            code,
            name,
            kinds.get(kind, kind),
            parent or "",
            host or "",
            sec_name or "",
            shown_id,
            founded.isoformat() if founded else "",
            statuses.get(status, status),
        ]


# --- cooperatives and other host entities -------------------------------------------------

HOST_COLUMNS = (
    Column(
        "registration_number",
        "统一社会信用代码",
        required=True,
        parser=parse_credit_code,
        text=True,
        width=22,
        cacheable=False,
        aliases=("信用代码", "注册号"),
    ),
    Column("name", "名称", required=True, parser=text_parser(120), width=30),
    choice("kind", "类型", HostKind, width=16, help=_("Empty: a farmer cooperative.")),
    region_column("region", "所在地区", aliases=("所在村", "地区代码")),
    Column("industry", "产业类型", parser=text_parser(64), width=14),
    Column("size", "成员(职工)数", parser=integer_parser(0, 10_000_000), width=10),
    Column("founded_year", "成立年份", parser=parse_year, width=10),
    Column("instructor", "党建指导员", parser=text_parser(64), width=10),
    Column("last_activity_on", "最近党的活动日期", parser=parse_date, width=14),
)
HOST_VALUE_KEYS = (
    "name",
    "kind",
    "region_code",
    "industry",
    "size",
    "founded_year",
    "instructor",
    "last_activity_on",
)


@dataclass
class HostPlan:
    inserts: list[dict] = field(default_factory=list)
    updates: list[tuple[int, dict]] = field(default_factory=list)  # (pk, values)


class HostImporter(Importer):
    def validate(self, table: Table) -> HostPlan | None:
        regions = resolve_regions(self, table, "region")
        numbers = table.column("registration_number")
        existing = {
            row["registration_number"]: row
            for row in fetch_in(
                HostEntity.objects.values("pk", "registration_number", *HOST_VALUE_KEYS),
                "registration_number",
                [n for n in numbers if n],
            )
        }
        seen: dict[str, int] = {}
        plan = HostPlan()
        for index, number in enumerate(numbers):
            if not number:
                continue
            if number in seen:
                self.reject(
                    index,
                    "registration_number",
                    lazy_format(
                        _("The code is already on row %(row)d."), row=table.numbers[seen[number]]
                    ),
                )
                continue
            seen[number] = index
            values = {
                "name": table.value("name", index),
                "kind": table.value("kind", index),
                "region_code": regions.get(index),
                "industry": table.value("industry", index),
                "size": table.value("size", index),
                "founded_year": table.value("founded_year", index),
                "instructor": table.value("instructor", index),
                "last_activity_on": table.value("last_activity_on", index),
            }
            if values["last_activity_on"] and values["last_activity_on"] > self.context.today:
                self.reject(index, "last_activity_on", _("The date is in the future."))
            current = existing.get(number)
            if current is None:
                if table.value("region", index) is None:
                    self.reject(index, "region", _("Required for a new entity."))
                plan.inserts.append(
                    {
                        "registration_number": number,
                        **{k: v for k, v in values.items() if v is not None},
                    }
                )
            elif not self.context.scope.contains(current["region_code"]):
                self.reject(
                    index,
                    "registration_number",
                    _("The entity is registered in a region outside your scope."),
                )
            else:
                merged = {k: _kept(values[k], current[k]) for k in HOST_VALUE_KEYS}
                if any(merged[k] != current[k] for k in HOST_VALUE_KEYS):
                    plan.updates.append((current["pk"], merged))
        return None if self.errors else plan

    def load(self, plan: HostPlan, progress) -> dict[str, int]:
        ticker = pipeline.Ticker(len(self.table), len(plan.inserts) + len(plan.updates), progress)
        now = timezone.now()
        defaults = {
            "kind": HostKind.COOPERATIVE,
            "industry": "",
            "size": 0,
            "founded_year": None,
            "instructor": "",
            "last_activity_on": None,
        }
        keys = ["registration_number", *HOST_VALUE_KEYS, "created_at"]
        rows = [
            [{**defaults, **values, "created_at": now}[k] for k in keys] for values in plan.inserts
        ]
        insert_rows(HostEntity, keys, rows, ticker)
        update_rows(
            HostEntity,
            [*HOST_VALUE_KEYS, "updated_at"],
            [(pk, *(values[k] for k in HOST_VALUE_KEYS), now) for pk, values in plan.updates],
            ticker,
        )
        total = len(self.table)
        return {
            "created": len(plan.inserts),
            "updated": len(plan.updates),
            "unchanged": total - len(plan.inserts) - len(plan.updates),
        }


HOST_SHEET = pipeline.register(
    Sheet(
        kind="cooperatives",
        title=_("Cooperatives and other entities"),
        sheet_name="合作社及新经济组织",
        columns=HOST_COLUMNS,
        importer=HostImporter,
        import_permission=Perm.EDIT_ORGANISATION,
        audit_model="organisation.hostentity",
        list_url="organisation:host_list",
        description=_(
            "One row per cooperative, association, enterprise or social organisation, "
            "matched by its unified social credit code: loading a file again changes only "
            "what differs, and an empty cell changes nothing."
        ),
    )
)


def export_hosts(entities: QuerySet) -> Iterator[list[Any]]:
    kinds = TERMS[HostKind]
    rows = entities.order_by("region_code", "name").values_list(
        "registration_number", *HOST_VALUE_KEYS
    )
    for number, name, kind, region, industry, size, year, instructor, last in rows.iterator(
        chunk_size=2000
    ):
        yield [
            number,
            name,
            kinds.get(kind, kind),
            region,
            industry,
            size,
            year if year is not None else "",
            instructor,
            last.isoformat() if last else "",
        ]


def text_columns(columns: Sequence[Column]) -> list[int]:
    return [index for index, column in enumerate(columns) if column.text]


# The app's other sheets register themselves when imported; `pipeline.sheets()` finds
# only this module, so it brings them along.
from baolei.organisation import sheets_grading, sheets_members  # noqa: E402, F401
