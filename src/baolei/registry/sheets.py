"""The register's sheets: households and their members, one row per person.

The format is the one clerks already keep (the national system's 户籍信息): a row per
person, the household's columns carried by the head's row (other rows may repeat them,
and must then agree). Enumerations are written with the national system's Chinese terms;
the codes are accepted too, for files made by programs.

The importer upserts: households keyed by household number, people by ID number. It
checks the whole file against the register a column at a time (one query for all the
household numbers, one for all the ID numbers, one or two for the villages), rejects
with row, column and reason, and writes set-based in one transaction — or nothing.
Loading the same file again changes nothing and says so. The exporter writes the same
columns, so an export (with personal data) can be corrected and imported again.
"""

import datetime
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scoped
from baolei.imports import pipeline
from baolei.imports.pipeline import (
    INVALID,
    CellProblem,
    Column,
    Importer,
    Sheet,
    Table,
    boolean_column,
    fetch_in,
    insert_rows,
    integer_parser,
    text_parser,
    update_rows,
)
from baolei.messages import lazy_format
from baolei.regions.models import Level, Region
from baolei.registry import choices, idnumbers, services
from baolei.registry.choices import Relation
from baolei.registry.models import Household, Member, Person, StatusChange

EARLIEST_YEAR = 2000  # as the household form: the register began in 2014, data from 2000
VILLAGE_DROPDOWN_LIMIT = 3_000  # villages offered in the template's drop-down list
HIDDEN = "***"  # health and disability for roles that may not see personal data

# The Chinese terms of the national system (全国防返贫监测信息系统) for each code; the first
# is written in templates and exports, the others are accepted on import.
TERMS: dict[type, dict[str, tuple[str, ...]]] = {
    choices.HouseholdAttribute: {
        "ordinary": ("一般贫困户",),
        "minimum_living": ("低保贫困户",),
        "destitute": ("特困供养贫困户", "分散供养特困户"),
        "minimum_living_destitute": ("低保特困供养贫困户",),
    },
    choices.PovertyStatus: {
        "not_lifted": ("未脱贫",),
        "lifted_with_policy": ("已脱贫(享受政策)", "脱贫享受政策"),
        "lifted_no_policy": ("已脱贫(不再享受政策)", "脱贫不享受政策"),
        "relapsed": ("返贫",),
    },
    choices.PovertyCause: {
        "illness": ("因病",),
        "disability": ("因残",),
        "schooling": ("因学",),
        "disaster": ("因灾",),
        "lack_of_land": ("缺土地",),
        "lack_of_water": ("缺水",),
        "lack_of_skills": ("缺技术",),
        "lack_of_labour": ("缺劳力",),
        "lack_of_capital": ("缺资金",),
        "poor_transport": ("交通条件落后",),
        "lack_of_drive": ("自身发展动力不足",),
        "other": ("其它", "其他"),
    },
    choices.MonitoringType: {
        "unstable": ("脱贫不稳定户",),
        "marginal": ("边缘易致贫户",),
        "sudden_hardship": ("突发严重困难户",),
    },
    choices.Relation: {
        "head": ("户主", "本人"),
        "spouse": ("配偶", "妻", "夫", "妻子", "丈夫"),
        "son": ("之子", "子", "儿子", "长子", "次子"),
        "daughter": ("之女", "女", "女儿", "长女", "次女"),
        "daughter_in_law": ("之儿媳", "儿媳"),
        "son_in_law": ("之女婿", "女婿"),
        "grandson": ("之孙子", "孙子"),
        "granddaughter": ("之孙女", "孙女"),
        "father": ("之父", "父亲"),
        "mother": ("之母", "母亲"),
        "sibling": ("兄弟姐妹", "兄弟", "姐妹"),
        "other": ("其他", "其它"),
    },
    choices.Education: {
        "preschool": ("学龄前儿童",),
        "illiterate": ("文盲或半文盲", "文盲", "半文盲"),
        "primary": ("小学",),
        "junior": ("初中",),
        "senior": ("高中",),
        "vocational": ("中专",),
        "college": ("大专及以上", "大专", "本科", "本科及以上"),
    },
    choices.SchoolStatus: {
        "not_in_school": ("非在校生",),
        "preschool": ("学前教育",),
        "primary": ("小学",),
        "junior": ("七年级至九年级", "初中"),
        "senior": ("普通高中", "高中"),
        "vocational": ("中职/高职", "中职", "高职"),
        "university": ("本科及以上", "大学", "本科"),
    },
    choices.Health: {
        "healthy": ("健康",),
        "chronic": ("长期慢性病",),
        "serious": ("患有大病", "大病"),
        "disabled": ("残疾",),
    },
    choices.LabourCapacity: {
        "ordinary": ("普通劳动力",),
        "skilled": ("技能劳动力",),
        "lost": ("丧失劳动力",),
        "none": ("无劳动力",),
    },
    choices.Employment: {
        "farming": ("务农",),
        "in_county": ("县内务工",),
        "in_province": ("省内县外务工",),
        "out_of_province": ("省外务工",),
        "public_welfare_post": ("公益岗位",),
        "none": ("无",),
    },
}

ETHNICITIES = (  # noqa: SIM905 - the 56 groups, as they are usually listed
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 "
    "侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 "
    "高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 "
    "仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 "
    "怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
    "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
_ETHNICITY_SET = frozenset(ETHNICITIES)
_GRADE = re.compile(r"([1-4一二三四])级?", re.ASCII)
_GRADES = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}


def choice(key: str, header: str, enumeration: type, **options: Any) -> Column:
    return pipeline.terms_column(key, header, enumeration, TERMS[enumeration], **options)


_today: list = [0.0, None]  # (monotonic second it was read, the date)


def today() -> datetime.date:
    """The local date, read at most once a minute: a file has a hundred thousand ID
    numbers to check against it, and reading the clock costs more than the check."""
    now = time.monotonic()
    if _today[1] is None or now - _today[0] > 60:
        _today[:] = [now, timezone.localdate()]
    return _today[1]


def parse_id_number(text: str) -> idnumbers.IdNumber:
    """The number checked by GB 11643; its birth date and sex come with it."""
    try:
        return idnumbers.validate(text, today=today())
    except idnumbers.InvalidIdNumber as error:
        raise CellProblem(error.code, error.message) from None


def parse_ethnicity(text: str) -> str:
    """One of the 56 ethnic groups, also without 族 ("汉" is 汉族); anything else as written."""
    if text in _ETHNICITY_SET:
        return text
    if text + "族" in _ETHNICITY_SET:
        return text + "族"
    return text_parser(32)(text)


def parse_disability_grade(text: str) -> int:
    """1 to 4, also written 一级 … 四级 or 1级 as on the disability certificate."""
    match = _GRADE.fullmatch(pipeline.fold(text))
    if match is None:
        raise CellProblem(
            "disability_grade", _("Expected a disability grade from 1 to 4 (一级 to 四级).")
        )
    return _GRADES[match[1]]


def parse_household_number(text: str) -> str:
    """Full-width digits folded and spaces dropped ("４２０２ ２２" is "420222"): the
    number is typed on phones and copied out of other systems."""
    number = "".join(unicodedata.normalize("NFKC", text).split())
    return text_parser(32)(number)


def village_options(scope: Scope | None) -> list[str]:
    """The full names of the villages in scope, for the template's drop-down list, when
    they are few enough to pick from (a county's, not a province's)."""
    if scope is None or scope.empty:
        return []
    villages = scoped(Region.objects.villages(), scope).order_by("code")
    names = list(villages.values_list("full_name", flat=True)[: VILLAGE_DROPDOWN_LIMIT + 1])
    return names if len(names) <= VILLAGE_DROPDOWN_LIMIT else []


def ethnicity_options(scope: Scope | None) -> list[str]:
    return list(ETHNICITIES)


def _this_year() -> int:
    return timezone.localdate().year


COLUMNS = (
    Column(
        "household_number",
        "户编号",
        required=True,
        parser=parse_household_number,
        text=True,
        width=20,
        help=_(
            "The household's number in the register; rows with the same number are one household."
        ),
        aliases=("户号", "家庭编号"),
    ),
    Column(
        "village",
        "村",
        parser=text_parser(160),
        options=village_options,
        strict=False,
        width=36,
        help=_(
            "The village: its 12-digit code or its full name, e.g. "
            "湖北省黄石市阳新县兴国镇山川台社区居委会. Required for a new household."
        ),
        aliases=("行政村", "村代码", "所在村"),
    ),
    Column("address", "地址", parser=text_parser(200), width=24, aliases=("家庭住址", "住址")),
    choice("attribute", "户属性", choices.HouseholdAttribute, width=18, aliases=("贫困户属性",)),
    Column(
        "identification_year",
        "识别年度",
        parser=lambda text: integer_parser(EARLIEST_YEAR, _this_year())(text),
        width=10,
        help=_("The year the household was identified, e.g. 2014."),
        aliases=("识别年份", "建档年度"),
    ),
    choice(
        "status",
        "贫困户状态",
        choices.PovertyStatus,
        width=20,
        help=_(
            "For a new household only: afterwards the status changes through the "
            "identification and exit procedures."
        ),
        aliases=("脱贫状态", "贫困状态"),
    ),
    choice("main_cause", "主要致贫原因", choices.PovertyCause, width=14),
    choice(
        "other_causes",
        "其他致贫原因",
        choices.PovertyCause,
        many=2,
        width=18,
        help=_("Up to two, separated by 、 e.g. 缺技术、缺资金."),
    ),
    choice("monitoring_type", "监测对象类型", choices.MonitoringType, width=16),
    Column("name", "姓名", required=True, parser=text_parser(64), width=10),
    Column(
        "id_number",
        "身份证号",
        required=True,
        parser=parse_id_number,
        text=True,
        width=22,
        cacheable=False,
        help=_("18 characters; the sex and birth date are taken from it."),
        aliases=("身份证号码", "证件号码", "公民身份号码"),
    ),
    choice("relation", "与户主关系", choices.Relation, required=True, width=12),
    Column(
        "ethnicity",
        "民族",
        parser=parse_ethnicity,
        options=ethnicity_options,
        strict=False,
        width=10,
    ),
    choice("education", "文化程度", choices.Education, width=14),
    choice("school_status", "在校生状况", choices.SchoolStatus, width=16),
    choice("health", "健康状况", choices.Health, width=12),
    Column(
        "disability_grade",
        "残疾等级",
        parser=parse_disability_grade,
        options=lambda scope: ("一级", "二级", "三级", "四级"),
        strict=False,
        width=10,
    ),
    choice("labour_capacity", "劳动技能", choices.LabourCapacity, required=True, width=14),
    choice("employment", "务工状况", choices.Employment, width=14),
    boolean_column("minimum_living", "是否低保", aliases=("低保",)),
    boolean_column("medical_insurance", "是否参加医疗保险", width=10),
    boolean_column("pension_insurance", "是否参加养老保险", width=10),
    Column("phone", "联系电话", parser=text_parser(32), text=True, width=14),
)

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
HOUSEHOLD_UPDATE_FIELDS = [
    "village_id",
    "address",
    "attribute",
    "identification_year",
    "main_cause",
    "second_cause",
    "third_cause",
    "monitoring_type",
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


# --- the importer -----------------------------------------------------------------------


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


def _shown(value: Any, key: str) -> str:
    column = SHEET.column(key)
    if isinstance(value, tuple):
        return "、".join(column.term(code) for code in value)
    if column.choices is not None:
        return column.term(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


class HouseholdImporter(Importer):
    """Households and members, one row per person; see the module's docstring."""

    def validate(self, table: Table) -> Plan | None:
        households = self._group(table)
        villages = self._resolve_villages(table)
        for plan in households.values():
            self._merge_household(table, plan, villages)
        persons = self._check_people(table, households)
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
                            value=_shown(plan.values[key], key),
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
                    current=SHEET.column("status").term(existing["status"]) or "—",
                ),
            )
        self._check_heads(table, plan, persons)

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

    # -- the load, set-based --------------------------------------------------------------

    def load(self, plan: Plan, progress) -> dict[str, int]:
        table = self.table
        ids = table.column("id_number")
        numbers = table.column("household_number")
        changed_rows: set[int] = set()

        new_people, person_updates, person_ids = self._people(plan, changed_rows)
        work = len(new_people) + len(person_updates) + len(plan.households) + len(ids)
        tick = pipeline.Ticker(len(ids), work, progress)

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
                        bool(status) or not monitoring,
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
                "monitoring_type": _kept(values, "monitoring_type", row["monitoring_type"]),
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


SHEET = pipeline.register(
    Sheet(
        kind="households",
        title=_("Households and members"),
        sheet_name="户籍成员",
        columns=COLUMNS,
        importer=HouseholdImporter,
        audit_model="registry.household",
        list_url="registry:household_list",
        description=_(
            "One row per person. Rows with the same 户编号 are one household; the household's "
            "columns are filled on the head's row (other rows may leave them empty). "
            "Households are matched by 户编号 and people by 身份证号: loading a file again "
            "changes only what differs, and an empty cell changes nothing."
        ),
    )
)


# --- the export -------------------------------------------------------------------------


EXPORT_VALUES = (
    "household__number",
    "household__village__full_name",
    "household__address",
    "household__attribute",
    "household__identification_year",
    "household__status",
    "household__main_cause",
    "household__second_cause",
    "household__third_cause",
    "household__monitoring_type",
    "person__name",
    "person__id_number",
    "relation",
    "person__ethnicity",
    "education",
    "school_status",
    "health",
    "disability_grade",
    "labour_capacity",
    "employment",
    "minimum_living",
    "medical_insurance",
    "pension_insurance",
    "person__phone",
)


def export_members(households: QuerySet[Household]) -> QuerySet:
    """The members of these (already scoped and filtered) households, one row per person
    in the sheet's column order, by village, household number and member."""
    return (
        Member.objects.filter(household__in=households.values("pk"))
        .order_by("household__village_id", "household__number", "household_id", "id")
        .values_list(*EXPORT_VALUES)
    )


def export_rows(rows, reveal: bool) -> Iterator[list[Any]]:
    """The sheet's cells for each member row: Chinese terms, 是/否, ID numbers masked
    (and health and disability hidden) unless the reader may see personal data."""
    term = {column.key: column.terms for column in COLUMNS if column.choices is not None}
    attribute, status, cause = term["attribute"], term["status"], term["main_cause"]
    monitoring, relation, education = term["monitoring_type"], term["relation"], term["education"]
    school, health_terms, labour = term["school_status"], term["health"], term["labour_capacity"]
    employment = term["employment"]
    grades = {1: "一级", 2: "二级", 3: "三级", 4: "四级", None: ""}

    def yes_no(value: bool) -> str:
        return "是" if value else "否"

    for (
        number,
        village,
        address,
        attribute_code,
        year,
        status_code,
        main,
        second,
        third,
        monitoring_code,
        name,
        id_number,
        relation_code,
        ethnicity,
        education_code,
        school_code,
        health_code,
        grade,
        labour_code,
        employment_code,
        minimum_living,
        medical,
        pension,
        phone,
    ) in rows:
        others = "、".join(cause.get(code, code) for code in (second, third) if code)
        yield [
            number,
            village,
            address,
            attribute.get(attribute_code, attribute_code),
            year if year is not None else "",
            status.get(status_code, status_code),
            cause.get(main, main),
            others,
            monitoring.get(monitoring_code, monitoring_code),
            name,
            id_number if reveal else idnumbers.mask(id_number),
            relation.get(relation_code, relation_code),
            ethnicity,
            education.get(education_code, education_code),
            school.get(school_code, school_code),
            health_terms.get(health_code, health_code) if reveal else HIDDEN,
            grades.get(grade, grade) if reveal else (HIDDEN if grade else ""),
            labour.get(labour_code, labour_code),
            employment.get(employment_code, employment_code),
            yes_no(minimum_living),
            yes_no(medical),
            yes_no(pension),
            phone,
        ]


def export_header() -> list[str]:
    return [column.header for column in COLUMNS]


def text_columns() -> Sequence[int]:
    """Columns written as text in the export, as in the template."""
    return [index for index, column in enumerate(COLUMNS) if column.text]
