"""The household sheet's cells: the national system's terms for each code, and the
parsers and drop-down lists of the other columns.

Apart from the sheet itself because they are shared: the organisation, cadres and talent
sheets read ID numbers and villages with these parsers too.
"""

import datetime
import re
import time
import unicodedata
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.accounts.scope import Scope, scoped
from baolei.imports import pipeline
from baolei.imports.pipeline import CellProblem, Column, text_parser
from baolei.imports.reading import LongNumberText
from baolei.regions.models import Region
from baolei.registry import choices

VILLAGE_DROPDOWN_LIMIT = 3_000  # villages offered in the template's drop-down list
# What an export writes for health and disability to a role that may not see personal
# data; on import it means "as the register has it" (see `hidden_or`).
HIDDEN = "***"

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
        # 其他 as in the interface; 其它 (the older spelling of the national system) read too.
        "other": ("其他", "其它"),
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


# "4.20222E+17": how Excel shows, and saves as CSV, an ID number stored as a number.
_NUMBER_WITH_EXPONENT = re.compile(r"\d+(?:\.\d+)?[Ee]\+?\d+")


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
    """The number checked by GB 11643; its birth date and sex come with it. A masked
    number (420222********123X, as exported to a role that may not see ID numbers) is
    refused as such: it names nobody, and the clerk should know why."""
    if "*" in text or "＊" in text:
        raise CellProblem(
            "masked",
            _(
                "This ID number is masked (exported for a role that may not see ID "
                "numbers); import from an export made by a user who may see them."
            ),
        )
    if isinstance(text, LongNumberText) or _NUMBER_WITH_EXPONENT.fullmatch(text):
        raise CellProblem(
            "stored_as_number",
            _(
                "The ID number is stored as a number, which Excel keeps to 15 digits, so its "
                "last digits are lost. ID numbers must be stored as text: format the column "
                "as text and type the numbers again."
            ),
        )
    try:
        return idnumbers.validate(text, today=today())
    except idnumbers.InvalidIdNumber as error:
        raise CellProblem(error.code, error.message) from None


def household_number_column(help: str) -> Column:
    """The column of a household's number in the register, as every household sheet has it:
    text, so that Excel keeps its digits."""
    return Column(
        "household_number",
        "户编号",
        required=True,
        parser=parse_household_number,
        text=True,
        width=20,
        help=help,
        aliases=("户号", "家庭编号"),
    )


def id_number_column(name: str = "id_number", header: str = "身份证号", **options) -> Column:
    """The column of a person's resident ID number, as every sheet of people has it:
    checked by GB 11643, kept as text so that Excel leaves the digits alone, and found
    under the other headers clerks give it."""
    defaults = {
        "required": True,
        "width": 22,
        "help": _("18 characters; the sex and birth date are taken from it."),
        "aliases": ("身份证号码", "证件号码", "公民身份号码"),
    }
    # Not cacheable: every number in a file is a different one.
    return Column(
        name, header, parser=parse_id_number, text=True, cacheable=False, **{**defaults, **options}
    )


def hidden_or(parser):
    """`parser`, except that the hidden mark of an export (``***``) reads as `HIDDEN`:
    the importer keeps the register's value for a member it already has."""

    def parse(text: str):
        if pipeline.fold(text) == HIDDEN:
            return HIDDEN
        return parser(text)

    return parse


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
