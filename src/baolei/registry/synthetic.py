"""Synthetic registers over the real regions, reproducible from a seed.

The demo county and the benchmarks need a register that looks like a real one: households
in the real villages of a region, families whose ages fit their relations, valid and
unique resident ID numbers that agree with each person's sex and birth date, causes,
incomes around the lines, monitored households, helpers, pairings and visits. All of it
comes from one `random.Random(seed)` and the reference date `as_of` (visits are "in the
last twelve months" before it), so the same region, size, seed and date give the same
register, row for row. Nothing else varies: no clock, no hash ordering.

The generator yields plain drafts; `generate_register` writes them set-based, in one
transaction: ids are assigned here and whole batches go in with one prepared statement
(`executemany`) on SQLite or with `COPY` on PostgreSQL. The ORM's `bulk_create` builds a
model instance and runs every field's conversions per row, which measured 95 s for the
demo's 30,000 households on SQLite; this path writes the same rows in a fraction of that.
Like every bulk path it sends no per-row audit signals: one audit event records the
whole register instead.

`full=False` writes only people, households and members (the lookup benchmark's ten
million people); it draws a different random stream, so it is a different register.
"""

import datetime
import hashlib
import json
import math
import queue
import random
import threading
import time
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry import choices
from baolei.registry.idnumbers import CHECK_CHARACTERS, check_character
from baolei.registry.models import (
    AnnualStandard,
    AssistanceMeasure,
    Helper,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Pairing,
    Person,
    RiskEvent,
    StatusChange,
    Visit,
)

YEARS = range(2020, 2025)  # the income years of the register
DEFAULT_MONITORING_LINE = Decimal("6000")
MAX_HOUSEHOLDS_PER_VILLAGE = 9999  # the household number's 4-digit sequence
HOUSEHOLDS_PER_HELPER = (3, 7)  # a helper is responsible for about five households
GENERATOR = "synthetic"


class RegisterExists(CodedError):
    """The region already has households: the generator adds to nothing."""


def _values(choices_class) -> SimpleNamespace:
    # Plain strings: an enum member hashes by its name, not its value, and is slower to
    # reach; the generator compares and looks these up millions of times.
    return SimpleNamespace(**{member.name: member.value for member in choices_class})


ATTRIBUTE = _values(choices.HouseholdAttribute)
STATUS = _values(choices.PovertyStatus)
CAUSE = _values(choices.PovertyCause)
STRUCTURE = _values(choices.HousingStructure)
SAFETY = _values(choices.HousingSafety)
MONITORING = _values(choices.MonitoringType)
RELATION = _values(choices.Relation)
SEX = _values(choices.Sex)
EDUCATION = _values(choices.Education)
SCHOOL = _values(choices.SchoolStatus)
HEALTH = _values(choices.Health)
LABOUR = _values(choices.LabourCapacity)
EMPLOYMENT = _values(choices.Employment)
RISK = _values(choices.RiskKind)
ROUTE = _values(choices.IdentificationRoute)
MEASURE = _values(choices.MeasureKind)
CASE = _values(choices.CaseStatus)
ASSURANCE_FIELDS = tuple(name for name, _label in choices.ASSURANCES)


# --- Vocabulary -------------------------------------------------------------------------

# The hundred commonest surnames with their approximate shares (per mille) in the 2020
# household registration statistics, then a flat tail of rarer ones for the remaining
# eighth of the population (柯 is common in 阳新).
_COMMON_SURNAMES = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 25),
    ("赵", 23), ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 14), ("朱", 13),
    ("胡", 13), ("郭", 11), ("何", 11), ("林", 10), ("罗", 10), ("高", 10), ("郑", 9),
    ("梁", 9), ("谢", 8), ("宋", 8), ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7),
    ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5),
    ("于", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4),
    ("魏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 3), ("付", 3), ("方", 3), ("白", 2), ("邹", 2),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2),
    ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2),
    ("覃", 2), ("武", 2), ("戴", 2), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1),
)  # fmt: skip
_RARE_SURNAMES = (
    *"柯明成费柳樊殷施齐常葛聂庞饶祝伍易左乔阮倪梅盛童颜岳詹",
    "欧阳",
    "司马",
    "诸葛",
    "上官",
)
_GIVEN = {
    # (male, older generation): the characters of that generation's given names
    (True, True): "国建华明平军志强德文春金永刚成林清海福荣生忠祥东庆红兴贵昌发山松",
    (False, True): "秀英兰珍凤芳玉梅桂华萍霞琴云春菊美丽翠红莲娥花香淑素琼娟",
    (True, False): "浩宇轩子涵博文杰俊豪泽睿明鹏磊涛超鑫阳晨航一辰凯锦伟强勇斌波",
    (False, False): "欣怡梓涵诗雨佳琪婷雪静慧倩颖悦可馨思晨媛璐玥瑶萱敏丽娜艳燕",
}
# Provinces with large minority populations: (ethnicity, share) besides the Han.
_ETHNICITIES = {
    "15": (("蒙古族", 0.17),),
    "42": (("土家族", 0.04),),
    "43": (("土家族", 0.04), ("苗族", 0.03)),
    "45": (("壮族", 0.31), ("瑶族", 0.03)),
    "52": (("苗族", 0.12), ("布依族", 0.07), ("侗族", 0.04)),
    "53": (("彝族", 0.11), ("哈尼族", 0.04), ("白族", 0.03)),
    "54": (("藏族", 0.86),),
    "62": (("回族", 0.05), ("藏族", 0.02)),
    "63": (("藏族", 0.24), ("回族", 0.15)),
    "64": (("回族", 0.36),),
    "65": (("维吾尔族", 0.45), ("哈萨克族", 0.07), ("回族", 0.04)),
}
_COUNTY_UNITS = (  # after the county's name, e.g. 阳新县 + 委组织部
    "委组织部", "委宣传部", "乡村振兴局", "农业农村局", "教育局", "卫生健康局",
    "人力资源和社会保障局", "民政局", "财政局", "水利和湖泊局", "交通运输局",
    "自然资源和规划局", "住房和城乡建设局", "市场监督管理局", "医疗保障局",
    "发展和改革局", "供电公司", "农村商业银行",
)  # fmt: skip
_POSTS = ("科员", "科员", "科员", "股长", "副局长", "办公室主任", "干部", "驻村工作队员")
_FINDINGS_CALM = (
    "家庭生活正常,收入稳定", "房屋安全,饮水正常", "子女在校就读,已享受教育资助",
    "户主务工收入稳定", "种植养殖情况良好", "家庭成员身体状况良好",
    "已落实医疗保险和养老保险", "老人身体状况一般,生活能够自理",
)  # fmt: skip
_FINDINGS_RISK = (
    "家庭成员患病,医疗支出较大", "务工收入下降,就业不稳定", "收入低于监测线,需重点关注",
    "房屋存在安全隐患", "因灾造成损失,生活暂时困难", "子女上学支出较大",
)  # fmt: skip
_ACTIONS = (
    "宣讲帮扶政策", "协助办理医疗报销", "联系就业岗位", "落实产业奖补",
    "协助申请临时救助", "核实家庭收入", "帮助解决生产困难", "",
)  # fmt: skip
_FOLLOW_UPS = ("下月再次走访", "跟踪医疗费用报销", "关注务工就业情况", "", "")
_CASE_REASONS = {
    RISK.MAJOR_ILLNESS: "家庭成员患大病,医疗支出大,收入下降",
    RISK.DISABILITY: "家庭成员残疾,劳动能力减弱",
    RISK.DISASTER: "遭受自然灾害,房屋和农作物受损",
    RISK.ACCIDENT: "家庭成员遭遇意外事故",
    RISK.LOSS_OF_WORK: "务工就业不稳定,收入大幅下降",
    RISK.HIGH_COSTS: "子女上学或就医支出骤增",
}
_MEASURES_FOR = {
    RISK.MAJOR_ILLNESS: (MEASURE.HEALTH, MEASURE.SOCIAL_SECURITY),
    RISK.DISABILITY: (MEASURE.SOCIAL_SECURITY, MEASURE.MINIMUM_LIVING),
    RISK.DISASTER: (MEASURE.HOUSING, MEASURE.INDUSTRY),
    RISK.ACCIDENT: (MEASURE.SOCIAL_SECURITY, MEASURE.HEALTH),
    RISK.LOSS_OF_WORK: (MEASURE.EMPLOYMENT, MEASURE.INDUSTRY),
    RISK.HIGH_COSTS: (MEASURE.EDUCATION, MEASURE.HEALTH),
}
_MEASURE_TEXT = {
    MEASURE.INDUSTRY: "发展特色种养殖,落实产业奖补",
    MEASURE.EMPLOYMENT: "推荐到县内企业务工或安排公益岗位",
    MEASURE.HEALTH: "落实大病保险和医疗救助",
    MEASURE.EDUCATION: "落实教育资助",
    MEASURE.HOUSING: "实施危房改造",
    MEASURE.SOCIAL_SECURITY: "纳入临时救助",
    MEASURE.MINIMUM_LIVING: "纳入低保兜底",
}
_RISK_OF_CAUSE = {
    CAUSE.ILLNESS: RISK.MAJOR_ILLNESS,
    CAUSE.DISABILITY: RISK.DISABILITY,
    CAUSE.DISASTER: RISK.DISASTER,
    CAUSE.SCHOOLING: RISK.HIGH_COSTS,
}
_ASSURANCE_NOTES = {
    "food": "口粮不足,已协调救助",
    "clothing": "冬衣不足,已协调发放",
    "compulsory_education": "适龄子女辍学,正在劝返",
    "basic_medical": "未参加基本医疗保险,正在补办",
    "housing_safety": "住房为危房,正在改造",
    "drinking_water": "季节性缺水,正在实施饮水工程",
}
_ALL_MET = dict.fromkeys(ASSURANCE_FIELDS, True)
_UNSAFE = "\t\n\r\\"  # what COPY's text format would need escaped


def _clean(text: str) -> str:
    """Text safe to put into a COPY line as it is (see `_TableWriter`)."""
    if any(character in text for character in _UNSAFE):
        return "".join(" " if character in _UNSAFE else character for character in text)
    return text


def _vocabulary() -> Iterator[str]:
    yield from (name for name, _share in _COMMON_SURNAMES)
    yield from _RARE_SURNAMES
    yield from _GIVEN.values()
    yield from (name for pairs in _ETHNICITIES.values() for name, _share in pairs)
    for texts in (_COUNTY_UNITS, _POSTS, _FINDINGS_CALM, _FINDINGS_RISK, _ACTIONS, _FOLLOW_UPS):
        yield from texts
    for mapping in (_CASE_REASONS, _MEASURE_TEXT, _ASSURANCE_NOTES):
        yield from mapping.values()


assert all(_clean(text) == text for text in _vocabulary()), "vocabulary unsafe for COPY"


class _Table:
    """Weighted choice by bisecting cumulative weights: one `random()` per draw."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, weighted: Iterable[tuple[Any, float]]) -> None:
        pairs = list(weighted)
        self.items = [item for item, _weight in pairs]
        self.cumulative = list(accumulate(weight for _item, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, random: Callable[[], float]) -> Any:
        return self.items[bisect(self.cumulative, random() * self.total)]

    def mean(self) -> float:
        weights = [b - a for a, b in zip([0, *self.cumulative], self.cumulative, strict=False)]
        return sum(item * w for item, w in zip(self.items, weights, strict=True)) / self.total


_SURNAMES = _Table([*_COMMON_SURNAMES, *((name, 1.3) for name in _RARE_SURNAMES)])
_SIZES = _Table([(1, 13), (2, 26), (3, 26), (4, 19), (5, 11), (6, 5)])  # mean 3.04
_ATTRIBUTES = _Table(
    [
        (ATTRIBUTE.ORDINARY, 72),
        (ATTRIBUTE.MINIMUM_LIVING, 20),
        (ATTRIBUTE.DESTITUTE, 5),
        (ATTRIBUTE.MINIMUM_LIVING_DESTITUTE, 3),
    ]
)
_ATTRIBUTES_ALONE_OLD = _Table(  # old people living alone: more often supported
    [
        (ATTRIBUTE.ORDINARY, 25),
        (ATTRIBUTE.MINIMUM_LIVING, 25),
        (ATTRIBUTE.DESTITUTE, 40),
        (ATTRIBUTE.MINIMUM_LIVING_DESTITUTE, 10),
    ]
)
_STATUSES = _Table(
    [
        (STATUS.LIFTED_WITH_POLICY, 81),
        (STATUS.LIFTED_NO_POLICY, 16),
        (STATUS.NOT_LIFTED, 1.5),
        (STATUS.RELAPSED, 1.5),
    ]
)
_CAUSES = _Table(
    [
        (CAUSE.ILLNESS, 35),
        (CAUSE.LACK_OF_SKILLS, 12),
        (CAUSE.LACK_OF_LABOUR, 12),
        (CAUSE.LACK_OF_CAPITAL, 12),
        (CAUSE.DISABILITY, 10),
        (CAUSE.SCHOOLING, 5),
        (CAUSE.LACK_OF_DRIVE, 4),
        (CAUSE.DISASTER, 3),
        (CAUSE.LACK_OF_LAND, 2),
        (CAUSE.POOR_TRANSPORT, 2),
        (CAUSE.LACK_OF_WATER, 1),
        (CAUSE.OTHER, 2),
    ]
)
_STRUCTURES = _Table(
    [
        (STRUCTURE.BRICK_CONCRETE, 65),
        (STRUCTURE.REINFORCED_CONCRETE, 15),
        (STRUCTURE.BRICK_WOOD, 15),
        (STRUCTURE.EARTH_WOOD, 4),
        (STRUCTURE.OTHER, 1),
    ]
)
_HOUSING = _Table([(SAFETY.SAFE, 98), (SAFETY.GRADE_C, 1.5), (SAFETY.GRADE_D, 0.5)])
_ROUTES = _Table(
    [(ROUTE.CADRE_SCREENING, 50), (ROUTE.OWN_APPLICATION, 25), (ROUTE.DEPARTMENT_ALERT, 25)]
)
_EMPLOYMENT = _Table(
    [
        (EMPLOYMENT.FARMING, 25),
        (EMPLOYMENT.IN_COUNTY, 22),
        (EMPLOYMENT.IN_PROVINCE, 18),
        (EMPLOYMENT.OUT_OF_PROVINCE, 28),
        (EMPLOYMENT.PUBLIC_WELFARE_POST, 4),
        (EMPLOYMENT.NONE, 3),
    ]
)
_DISABILITY_GRADES = _Table([(1, 10), (2, 25), (3, 30), (4, 35)])
_E = EDUCATION
_EDUCATION_BY_COHORT = (
    # (born before, attainment of the adults of that cohort who are out of school)
    (1955, _Table([(_E.ILLITERATE, 35), (_E.PRIMARY, 45), (_E.JUNIOR, 18), (_E.SENIOR, 2)])),
    (
        1976,
        _Table(
            [
                (_E.ILLITERATE, 8),
                (_E.PRIMARY, 35),
                (_E.JUNIOR, 45),
                (_E.SENIOR, 10),
                (_E.VOCATIONAL, 2),
            ]
        ),
    ),
    (
        1996,
        _Table(
            [
                (_E.PRIMARY, 12),
                (_E.JUNIOR, 58),
                (_E.SENIOR, 16),
                (_E.VOCATIONAL, 8),
                (_E.COLLEGE, 6),
            ]
        ),
    ),
    (9999, _Table([(_E.JUNIOR, 40), (_E.SENIOR, 25), (_E.VOCATIONAL, 15), (_E.COLLEGE, 20)])),
)
_RISKS_MARGINAL = _Table(
    [
        (RISK.MAJOR_ILLNESS, 40),
        (RISK.LOSS_OF_WORK, 30),
        (RISK.HIGH_COSTS, 20),
        (RISK.ACCIDENT, 10),
    ]
)
_RISKS_SUDDEN = _Table([(RISK.DISASTER, 35), (RISK.ACCIDENT, 30), (RISK.MAJOR_ILLNESS, 35)])
_WORKING = (LABOUR.ORDINARY, LABOUR.SKILLED)
_SUPPORTED = (ATTRIBUTE.MINIMUM_LIVING, ATTRIBUTE.MINIMUM_LIVING_DESTITUTE)


# --- ID numbers --------------------------------------------------------------------------


def _residue(digits: str) -> int:
    """The weighted digit sum of a 17-digit string modulo 11, read back from its check
    character: `check_character` is CHECK_CHARACTERS[sum % 11]."""
    return CHECK_CHARACTERS.index(check_character(digits))


# The sum is linear in the digits, so a number's residue is the sum of the residues of
# its address code, birth date and sequence, each zero-padded to 17 digits. Each part
# is computed once (by `check_character` itself) and the check character of every
# number is then two additions and a lookup.
_SEQUENCE_RESIDUES = [_residue(f"{'0' * 14}{n:03d}") for n in range(1000)]


class IdNumbers:
    """Valid, unique ID numbers of one county at a time."""

    def __init__(self, random: Callable[[], float]) -> None:
        self.random = random
        self.county = ""
        self.county_residue = 0
        self.taken: set[str] = set()
        self.next_sequence: dict[int, int] = {}
        self.births: dict[int, tuple[str, int]] = {}  # ordinal -> (YYYYMMDD, residue)

    def enter(self, county: str, taken: set[str]) -> None:
        # Sequences are per county and per day: forgetting the last county's keeps the
        # memory flat however many counties a national register spans.
        self.county = county
        self.county_residue = _residue(county + "0" * 11)
        self.taken = taken
        self.next_sequence = {}

    def _birth(self, ordinal: int) -> tuple[str, int]:
        day = datetime.date.fromordinal(ordinal)
        text = f"{day.year:04d}{day.month:02d}{day.day:02d}"
        entry = self.births[ordinal] = (text, _residue(f"000000{text}000"))
        return entry

    def new(self, ordinal: int, male: bool) -> tuple[str, int]:
        """(number, birth ordinal): the birth date moves a day earlier in the unlikely
        case that all 499 sequence numbers of the sex and day are gone."""
        while True:
            key = ordinal * 2 + male
            k = self.next_sequence.get(key)
            if k is None:
                k = int(self.random() * 400)  # the first digits are a police station's
            text, birth_residue = self.births.get(ordinal) or self._birth(ordinal)
            base = self.county_residue + birth_residue
            while k < 499:
                sequence = 2 * k + (1 if male else 2)  # odd for men, even for women
                k += 1
                number = (
                    f"{self.county}{text}{sequence:03d}"
                    f"{CHECK_CHARACTERS[(base + _SEQUENCE_RESIDUES[sequence]) % 11]}"
                )
                if number not in self.taken:
                    self.next_sequence[key] = k
                    return number, ordinal
            self.next_sequence[key] = k
            ordinal -= 1


# --- The drafts: plain values, independent of the writer ---------------------------------


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township: str  # its township's name, for the address
    county_name: str


@dataclass(eq=False)
class HelperDraft:
    person: dict[str, Any]
    helper: dict[str, Any]
    pk: int | None = None  # set by the writer when it writes the helper


@dataclass(eq=False)
class CaseDraft:
    case: dict[str, Any]
    measures: list[dict[str, Any]] = field(default_factory=list)


@dataclass(eq=False)
class HouseholdDraft:
    household: dict[str, Any]
    people: list[tuple[dict[str, Any], dict[str, Any]]]  # (person, member); the head first
    years: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    cases: list[CaseDraft] = field(default_factory=list)
    risks: list[dict[str, Any]] = field(default_factory=list)
    helper: HelperDraft | None = None
    paired_since: datetime.date | None = None
    visits: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Counts:
    households: int = 0
    people: int = 0
    members: int = 0
    helpers: int = 0
    years: int = 0
    status_changes: int = 0
    monitored: int = 0
    cases: int = 0
    measures: int = 0
    risk_events: int = 0
    pairings: int = 0
    visits: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


# --- The generator -----------------------------------------------------------------------


def load_villages(region_code: str) -> list[Village]:
    """The villages of the region in code order, with their township and county names."""
    if not codes.is_region_code(region_code):
        raise CodedError(
            "region", lazy_format(_("%(code)s is not a division code"), code=region_code)
        )
    if not Region.objects.filter(code=region_code).exists():
        raise CodedError(
            "region",
            lazy_format(_("there is no region %(code)s: load the regions first"), code=region_code),
        )
    regions = Region.objects.within(region_code)
    # County and township names for addresses and units, also from above the region
    # when it is a township or a village.
    above = Region.objects.filter(code__in=codes.ancestors_of(region_code))
    names = dict(above.values_list("code", "name"))
    names.update(
        regions.filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).values_list("code", "name")
    )
    names = {code: _clean(name) for code, name in names.items()}
    villages = [
        Village(code, _clean(name), names.get(code[:9], ""), names.get(code[:6], ""))
        for code, name in regions.villages().order_by("code").values_list("code", "name")
    ]
    if not villages:
        raise CodedError(
            "region", lazy_format(_("region %(code)s has no villages"), code=region_code)
        )
    return villages


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` by largest remainders: exact and stable."""
    weight_sum = sum(weights)
    shares = [total * weight / weight_sum for weight in weights]
    counts = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def monitoring_lines() -> dict[int, Decimal]:
    """Each income year's monitoring line: the latest line set on or before that year
    (6,000 yuan from 2021 as shipped), and that first line for 2020."""
    known = dict(
        AnnualStandard.objects.filter(monitoring_line__isnull=False).values_list(
            "year", "monitoring_line"
        )
    )
    lines, current = {}, known[min(known)] if known else DEFAULT_MONITORING_LINE
    for year in YEARS:
        set_by = [line_year for line_year in known if line_year <= year]
        lines[year] = current = known[max(set_by)] if set_by else current
    return lines


def mean_household_size() -> float:
    return _SIZES.mean()


class RegisterGenerator:
    """Households, one after the other, from one seeded random stream.

    `taken(county)` gives the ID numbers already in the database with that county prefix,
    so that a new number never collides with an existing person.
    """

    def __init__(
        self,
        seed: int,
        as_of: datetime.date,
        *,
        lines: dict[int, Decimal] | None = None,
        full: bool = True,
        taken: Callable[[str], set[str]] | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.as_of = as_of
        self.today = as_of.toordinal()
        self.lines = lines or dict.fromkeys(YEARS, DEFAULT_MONITORING_LINE)
        self.full = full
        self.ids = IdNumbers(self.random)
        self._taken_for = taken or (lambda county: set())
        self._county = ""
        self._helper: HelperDraft | None = None
        self._helper_left = 0

    def between(self, low: int, high: int) -> int:
        """low..high inclusive: `randint` costs several times more than `random()`."""
        return low + int(self.random() * (high - low + 1))

    def households(self, villages: Sequence[Village], total: int) -> Iterator[HouseholdDraft]:
        """`total` households spread over `villages`, fewer in urban communities."""
        weights = [
            self.rng.lognormvariate(0, 0.5) * (0.3 if v.name.endswith(("居委会", "社区")) else 1)
            for v in villages
        ]
        counts = allocate(total, weights)
        crowded = max(counts, default=0)
        if crowded > MAX_HOUSEHOLDS_PER_VILLAGE:
            raise CodedError(
                "too_many",
                lazy_format(
                    _("%(n)d households would put %(crowded)d in one village; at most %(max)d"),
                    n=total,
                    crowded=crowded,
                    max=MAX_HOUSEHOLDS_PER_VILLAGE,
                ),
            )
        for village, count in zip(villages, counts, strict=True):
            if count and village.code[:6] != self._county:
                self._county = village.code[:6]
                self.ids.enter(self._county, self._taken_for(self._county))
                self._helper, self._helper_left = None, 0
            for sequence in range(1, count + 1):
                yield self.household(village, sequence)

    # -- people --

    def given_name(self, male: bool, born: int) -> str:
        random = self.random
        # Born before 1970: the older generation's characters; after 1990 the newer;
        # in between either.
        pool = _GIVEN[(male, born < 1970 or (born <= 1990 and random() < 0.5))]
        n = len(pool)
        if random() < 0.78:
            return pool[int(random() * n)] + pool[int(random() * n)]
        return pool[int(random() * n)]

    def ethnicity(self, province: str) -> str:
        r = self.random()
        for name, share in _ETHNICITIES.get(province, ()):
            if r < share:
                return name
            r -= share
        return "汉族"

    def phone(self) -> str:
        return f"1{'3578'[int(self.random() * 4)]}{int(self.random() * 1e9):09d}"

    def person(self, age: int, male: bool, surname: str, ethnicity: str, region: str) -> dict:
        # Born at least a day before `as_of`: a validator whose "today" is a few hours
        # behind (another time zone) must not see a birth date in the future.
        ordinal = self.today - age * 365 - age // 4 - 1 - int(self.random() * 364)
        number, ordinal = self.ids.new(ordinal, male)
        birth = datetime.date.fromordinal(ordinal)
        return {
            "id_number": number,
            "name": surname + self.given_name(male, birth.year),
            "sex": SEX.MALE if male else SEX.FEMALE,
            "birth_date": birth,
            "ethnicity": ethnicity,
            "phone": "",
            "region_code": region,
        }

    def family(self, size: int) -> list[list[Any]]:
        """[relation, male, age, surname key] for each member, the head first.

        Surname keys: "h" the head's (and the head's father's), "s" the spouse's, "c" the
        children's (their father's), "o" one of their own.
        """
        random, int_ = self.random, self.between
        alone = size == 1
        head_male = random() < (0.6 if alone else 0.86)
        head_age = int_(48, 80) if alone else int(self.rng.triangular(30, 80, 55))
        people = [[RELATION.HEAD, head_male, head_age, "h"]]
        left = size - 1
        if left and (random() < 0.88 or size >= 4):
            delta = int_(-6, 2) if head_male else int_(-2, 6)
            people.append([RELATION.SPOUSE, not head_male, max(20, head_age + delta), "s"])
            left -= 1
        if left and head_age <= 52 and random() < (0.4 if size >= 4 else 0.15):
            father_age = head_age + int_(22, 32)
            if father_age <= 92:
                people.append([RELATION.FATHER, True, father_age, "h"])
                left -= 1
                if left and random() < 0.6:
                    people.append([RELATION.MOTHER, False, father_age - int_(0, 5), "o"])
                    left -= 1
        if left >= 2 and head_age >= 58 and random() < 0.6:
            son_age = int_(24, head_age - 22)
            people.append([RELATION.SON, True, son_age, "c"])
            people.append([RELATION.DAUGHTER_IN_LAW, False, son_age + int_(-4, 2), "o"])
            for _i in range(left - 2):
                male = random() < 0.52
                relation = RELATION.GRANDSON if male else RELATION.GRANDDAUGHTER
                people.append([relation, male, int_(0, max(0, son_age - 21)), "c"])
            return people
        oldest_child = min(head_age - 20, 40)
        for _i in range(left):
            male = random() < 0.52
            people.append(
                [RELATION.SON if male else RELATION.DAUGHTER, male, int_(0, oldest_child), "c"]
            )
        return people

    def people(
        self, family: list[list[Any]], village: Village, household: dict
    ) -> list[tuple[dict, dict]]:
        """Each member's person and circumstances, in step with the household's cause."""
        random = self.random
        head_male = family[0][1]
        has_spouse = len(family) > 1 and family[1][0] == RELATION.SPOUSE
        surnames = {"h": _SURNAMES.pick(random), "s": _SURNAMES.pick(random)}
        surnames["c"] = surnames["h"] if head_male or not has_spouse else surnames["s"]
        province = village.code[:2]
        head_ethnicity = self.ethnicity(province)
        health = [self.health(age) for _relation, _male, age, _key in family]
        self._health_fits_cause(family, health, household["main_cause"])
        minimum_living = household["attribute"] in _SUPPORTED
        rows = []
        for index, (relation, male, age, key) in enumerate(family):
            surname = _SURNAMES.pick(random) if key == "o" else surnames[key]
            if index == 0 or key in "hc" or random() < 0.85:
                ethnicity = head_ethnicity
            else:
                ethnicity = self.ethnicity(province)
            person = self.person(age, male, surname, ethnicity, village.code)
            if index == 0 and random() < 0.85:
                person["phone"] = self.phone()
            condition, grade = health[index]
            education, school = self.schooling(age, person["birth_date"].year)
            in_school = school != SCHOOL.NOT_IN_SCHOOL
            labour = self.labour(age, condition, grade, in_school)
            member = {
                "relation": relation,
                "education": education,
                "school_status": school,
                "health": condition,
                "disability_grade": grade,
                "labour_capacity": labour,
                "employment": _EMPLOYMENT.pick(random) if labour in _WORKING else EMPLOYMENT.NONE,
                "minimum_living": minimum_living,
                "medical_insurance": random() < 0.995,
                "pension_insurance": age >= 16 and not in_school and random() < 0.92,
            }
            rows.append((person, member))
        return rows

    def health(self, age: int) -> tuple[str, int | None]:
        r = self.random()
        if age < 16:
            disabled, serious, chronic = 0.01, 0.015, 0.025
        elif age < 60:
            disabled, serious, chronic = 0.04, 0.06, 0.12
        else:
            disabled, serious, chronic = 0.07, 0.12, 0.40
        if r < disabled:
            return HEALTH.DISABLED, _DISABILITY_GRADES.pick(self.random)
        if r < serious:
            return HEALTH.SERIOUS, None
        if r < chronic:
            return HEALTH.CHRONIC, None
        return HEALTH.HEALTHY, None

    def _health_fits_cause(self, family: list, health: list, cause: str) -> None:
        """A household poor because of illness has someone ill; of disability, someone
        disabled: the oldest member, or anyone."""
        if cause == CAUSE.ILLNESS and all(h == HEALTH.HEALTHY for h, _g in health):
            oldest = max(range(len(family)), key=lambda i: (family[i][2], -i))
            health[oldest] = (HEALTH.SERIOUS if self.random() < 0.4 else HEALTH.CHRONIC, None)
        elif cause == CAUSE.DISABILITY and all(h != HEALTH.DISABLED for h, _g in health):
            index = int(self.random() * len(family))
            health[index] = (HEALTH.DISABLED, _DISABILITY_GRADES.pick(self.random))

    def schooling(self, age: int, born: int) -> tuple[str, str]:
        """(education, school status) for an age."""
        if age < 3:
            return EDUCATION.PRESCHOOL, SCHOOL.NOT_IN_SCHOOL
        if age < 6:
            in_school = self.random() < 0.85
            return EDUCATION.PRESCHOOL, SCHOOL.PRESCHOOL if in_school else SCHOOL.NOT_IN_SCHOOL
        if age < 12:
            return EDUCATION.PRIMARY, SCHOOL.PRIMARY
        if age < 15:
            return EDUCATION.JUNIOR, SCHOOL.JUNIOR
        r = self.random()
        if age < 18:
            if r < 0.45:
                return EDUCATION.SENIOR, SCHOOL.SENIOR
            if r < 0.75:
                return EDUCATION.VOCATIONAL, SCHOOL.VOCATIONAL
            return EDUCATION.JUNIOR, SCHOOL.NOT_IN_SCHOOL
        if age < 23:
            if r < 0.3:
                return EDUCATION.COLLEGE, SCHOOL.UNIVERSITY
            if r < 0.4:
                return EDUCATION.VOCATIONAL, SCHOOL.VOCATIONAL
        for before, table in _EDUCATION_BY_COHORT:
            if born < before:
                return table.pick(self.random), SCHOOL.NOT_IN_SCHOOL
        raise AssertionError("unreachable")

    def labour(self, age: int, health: str, grade: int | None, in_school: bool) -> str:
        r = self.random()
        if age < 16 or in_school:
            return LABOUR.NONE
        if health == HEALTH.SERIOUS or (health == HEALTH.DISABLED and grade <= 2):
            return LABOUR.LOST
        if age >= 65:
            return LABOUR.ORDINARY if r < 0.1 else LABOUR.NONE
        if age >= 60:
            return LABOUR.ORDINARY if r < 0.5 else LABOUR.NONE
        if health == HEALTH.HEALTHY and r < 0.2:
            return LABOUR.SKILLED
        return LABOUR.ORDINARY

    # -- households --

    def date_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        if last <= first:
            return first
        return datetime.date.fromordinal(self.between(first.toordinal(), last.toordinal()))

    def days_ago(self, low: int, high: int) -> datetime.date:
        return datetime.date.fromordinal(self.today - self.between(low, high))

    def household(self, village: Village, sequence: int) -> HouseholdDraft:
        random = self.random
        r = random()
        # A few households are monitored without ever having been registered as poor.
        registered = r >= 0.027
        monitoring = ""
        if not registered:
            monitoring = MONITORING.MARGINAL if r < 0.02 else MONITORING.SUDDEN_HARDSHIP
        size = _SIZES.pick(random)
        family = self.family(size)
        household: dict[str, Any] = {
            "number": f"{village.code}{sequence:04d}",
            "village_id": village.code,
            "address": (
                f"{village.township}{village.name}{self.between(1, 12)}组{self.between(1, 60)}号"
            ),
            "registered_poor": registered,
            "attribute": "",
            "identification_year": None,
            "status": "",
            "status_since": None,
            "main_cause": "",
            "second_cause": "",
            "third_cause": "",
            "housing_area": Decimal(self.between(3000, 6000 + 3000 * size)).scaleb(-2),
            "housing_structure": _STRUCTURES.pick(random),
            "housing_safety": _HOUSING.pick(random),
            "monitoring_type": monitoring,
        }
        draft = HouseholdDraft(household, [])
        if registered:
            self._registered(draft, size, family[0][2], village)
        draft.people = self.people(family, village, household)
        if self.full:
            self._years(draft, size)
            self._monitoring(draft)
            self._pairing_and_visits(draft, village)
        return draft

    def _registered(
        self, draft: HouseholdDraft, size: int, head_age: int, village: Village
    ) -> None:
        random, int_ = self.random, self.between
        household = draft.household
        table = _ATTRIBUTES_ALONE_OLD if size == 1 and head_age >= 60 else _ATTRIBUTES
        r = random()
        year = 2014 if r < 0.6 else 2015 if r < 0.8 else 2016
        status = _STATUSES.pick(random)
        main = _CAUSES.pick(random)
        others = list(dict.fromkeys(c for c in (_CAUSES.pick(random), _CAUSES.pick(random))))
        others = [cause for cause in others if cause != main]
        second = others[0] if others and random() < 0.5 else ""
        third = others[1] if second and len(others) > 1 and random() < 0.4 else ""
        household.update(
            attribute=table.pick(random),
            identification_year=year,
            status=status,
            main_cause=main,
            second_cause=second,
            third_cause=third,
        )
        if status == STATUS.RELAPSED or random() < 0.025:
            household["monitoring_type"] = MONITORING.UNSTABLE
        elif random() < 0.003:
            household["monitoring_type"] = MONITORING.SUDDEN_HARDSHIP
        # The status history: identified, lifted out, and perhaps on from there.
        leading_group = f"{village.county_name}扶贫开发领导小组"
        identified = datetime.date(year, int_(4, 10), int_(1, 28))
        changes = [("", STATUS.NOT_LIFTED, identified, leading_group)]
        if status != STATUS.NOT_LIFTED:
            exited = datetime.date(int_(max(year + 1, 2015), 2020), int_(10, 12), int_(1, 28))
            changes.append((STATUS.NOT_LIFTED, STATUS.LIFTED_WITH_POLICY, exited, leading_group))
            if status != STATUS.LIFTED_WITH_POLICY:
                later = self.date_between(
                    datetime.date(2021, 3, 1), min(self.as_of, datetime.date(2024, 12, 31))
                )
                bureau = f"{village.county_name}乡村振兴局"
                changes.append((STATUS.LIFTED_WITH_POLICY, status, later, bureau))
        household["status_since"] = changes[-1][2]
        if self.full:
            draft.changes = [
                {"from_status": old, "to_status": new, "changed_on": day, "decided_by": who}
                for old, new, day, who in changes
            ]

    def _years(self, draft: HouseholdDraft, size: int) -> None:
        """Income and assurances, 2020-2024: most comfortably above the monitoring line,
        monitored households near or under it, and a tail under it not yet flagged."""
        random = self.random
        household = draft.household
        members = [member for _person, member in draft.people]
        workers = sum(m["labour_capacity"] in _WORKING for m in members)
        farming = any(m["employment"] == EMPLOYMENT.FARMING for m in members)
        supported = household["attribute"] not in ("", ATTRIBUTE.ORDINARY)
        last = YEARS[-1]
        line = float(self.lines[last])
        if household["monitoring_type"]:
            level = (0.65 + 0.55 * random()) * line
        elif random() < 0.01:
            level = (0.75 + 0.25 * random()) * line  # under the line and not yet flagged
        else:
            level = 0.0
            while level < 1.05 * line:  # the rest above it: they would be monitored
                level = self.rng.lognormvariate(math.log(11_500), 0.33)
        sudden = household["monitoring_type"] == MONITORING.SUDDEN_HARDSHIP
        per_capita = {}
        for year in reversed(YEARS):
            per_capita[year] = level
            growth = -0.45 if sudden and year == last else 0.03 + 0.08 * random()
            level = max(level / (1 + growth), 4_200.0)  # they stayed above the old line
        unsafe_house = household["housing_safety"] != SAFETY.SAFE
        for year in YEARS:
            row = self._income(year, per_capita[year] * size, size, workers, farming, supported)
            row.update(self._assurances(year == last and unsafe_house))
            draft.years.append(row)

    def _income(
        self, year: int, net: float, size: int, workers: int, farming: bool, supported: bool
    ) -> dict[str, Any]:
        random = self.random
        if workers == 0:
            transfer_share = 0.7 + 0.25 * random()
        else:
            transfer_share = 0.1 + 0.2 * random() + (0.25 if supported else 0)
        production_share = 0.2 + 0.25 * random() if farming else 0.03 + 0.12 * random()
        transfers = round(net * transfer_share)
        property_income = round(net * 0.04 * random())
        production_net = round(net * production_share)
        wages = round(net) - transfers - property_income - production_net
        if wages < 0:
            transfers, wages = transfers + wages, 0
        costs = round(production_net * (0.25 + 0.2 * random()))
        total = wages + production_net + property_income + transfers  # net of costs
        return {
            "year": year,
            "wages": Decimal(wages),
            "production_business": Decimal(production_net + costs),
            "property_income": Decimal(property_income),
            "transfers": Decimal(transfers),
            "production_costs": Decimal(costs),
            "member_count": size,
            "per_capita_net_income": (Decimal(total) / size).quantize(Decimal("0.01")),
        }

    def _assurances(self, unsafe_house: bool) -> dict[str, Any]:
        values = dict(_ALL_MET)
        if unsafe_house:
            values["housing_safety"] = False
        elif self.random() < 0.015:
            values[ASSURANCE_FIELDS[int(self.random() * len(ASSURANCE_FIELDS))]] = False
        values["assurance_notes"] = {
            name: _ASSURANCE_NOTES[name] for name in ASSURANCE_FIELDS if not values[name]
        }
        return values

    def _monitoring(self, draft: HouseholdDraft) -> None:
        household = draft.household
        kind = household["monitoring_type"]
        if kind:
            self._current_case(draft, kind)
        elif household["registered_poor"] and self.random() < 0.015:
            self._eliminated_case(draft)
        elif self.random() < 0.005:
            # A fresh risk that nobody has acted on yet: work for the automatic flagging.
            risk = _RISKS_MARGINAL.pick(self.random)
            draft.risks.append(
                {"kind": risk, "occurred_on": self.days_ago(1, 30), "note": _CASE_REASONS[risk]}
            )

    def _risk_of(self, household: dict) -> str:
        kind = household["monitoring_type"]
        if kind == MONITORING.MARGINAL:
            return _RISKS_MARGINAL.pick(self.random)
        if kind == MONITORING.SUDDEN_HARDSHIP:
            return _RISKS_SUDDEN.pick(self.random)
        return _RISK_OF_CAUSE.get(household["main_cause"], RISK.LOSS_OF_WORK)

    def _current_case(self, draft: HouseholdDraft, kind: str) -> None:
        risk = self._risk_of(draft.household)
        identifying = self.random() < 0.12
        if identifying:
            opened = self.days_ago(3, 45)  # some past the 15 days the procedure may take
            identified = None
        else:
            opened = self.date_between(
                datetime.date(2021, 4, 1), self.as_of - datetime.timedelta(days=60)
            )
            identified = opened + datetime.timedelta(days=self.between(7, 20))
        case = CaseDraft(
            {
                "monitoring_type": kind,
                "route": _ROUTES.pick(self.random),
                "status": CASE.IDENTIFYING if identifying else CASE.MONITORED,
                "opened_on": opened,
                "identified_on": identified,
                "eliminated_on": None,
                "reason": _CASE_REASONS[risk],
            }
        )
        if identified is not None:
            case.measures = self._measures(risk, identified, None)
        draft.cases.append(case)
        draft.risks.append(
            {
                "kind": risk,
                "occurred_on": opened - datetime.timedelta(days=self.between(0, 30)),
                "note": _CASE_REASONS[risk],
            }
        )

    def _eliminated_case(self, draft: HouseholdDraft) -> None:
        risk = self._risk_of(draft.household)
        first = datetime.date(2021, 3, 1)
        opened = self.date_between(first, max(self.as_of - datetime.timedelta(days=560), first))
        identified = opened + datetime.timedelta(days=self.between(7, 20))
        eliminated = identified + datetime.timedelta(days=self.between(200, 500))
        case = CaseDraft(
            {
                "monitoring_type": MONITORING.UNSTABLE,
                "route": _ROUTES.pick(self.random),
                "status": CASE.RISK_ELIMINATED,
                "opened_on": opened,
                "identified_on": identified,
                "eliminated_on": eliminated,
                "reason": _CASE_REASONS[risk],
            },
            self._measures(risk, identified, eliminated),
        )
        draft.cases.append(case)
        draft.risks.append(
            {
                "kind": risk,
                "occurred_on": opened - datetime.timedelta(days=self.between(0, 30)),
                "note": _CASE_REASONS[risk],
                "resolved_on": eliminated,
            }
        )

    def _measures(
        self, risk: str, identified: datetime.date, ended: datetime.date | None
    ) -> list[dict[str, Any]]:
        kinds = list(_MEASURES_FOR[risk][: self.between(1, 2)])
        if self.random() < 0.3:
            extra = MEASURE.INDUSTRY if self.random() < 0.5 else MEASURE.EMPLOYMENT
            if extra not in kinds:
                kinds.append(extra)
        return [
            {
                "kind": kind,
                "description": _MEASURE_TEXT[kind],
                "started_on": min(
                    identified + datetime.timedelta(days=self.between(0, 30)), self.as_of
                ),
                "ended_on": ended,
            }
            for kind in kinds
        ]

    def _new_helper(self, village: Village) -> HelperDraft:
        """A cadre of a county unit or of the township government."""
        random = self.random
        male = random() < 0.7
        if random() < 0.6:
            unit = village.county_name + _COUNTY_UNITS[int(random() * len(_COUNTY_UNITS))]
            region = village.code[:6]
        else:
            unit = f"{village.township}人民政府"
            region = village.code[:9]
        person = self.person(
            self.between(24, 58),
            male,
            _SURNAMES.pick(random),
            self.ethnicity(village.code[:2]),
            region,
        )
        person["phone"] = self.phone()
        post = _POSTS[int(random() * len(_POSTS))]
        return HelperDraft(person, {"unit": unit, "post": post, "region_code": region})

    def _pairing_and_visits(self, draft: HouseholdDraft, village: Village) -> None:
        """Helpers take the households in village order, three to seven each, so that a
        helper's households are neighbours; most were visited in the last two months."""
        random, int_ = self.random, self.between
        if self._helper_left == 0:
            self._helper = self._new_helper(village)
            self._helper_left = int_(*HOUSEHOLDS_PER_HELPER)
        self._helper_left -= 1
        draft.helper = self._helper
        draft.paired_since = min(
            self.date_between(datetime.date(2021, 1, 1), datetime.date(2023, 12, 31)),
            self.as_of - datetime.timedelta(days=400),
        )
        r = random()
        if r < 0.05:
            return  # not visited in the last twelve months
        if r < 0.15:
            ago, count = int_(61, 300), int_(1, 2)
        else:
            ago, count = int_(0, 60), int_(1, 4)
        findings = _FINDINGS_RISK if draft.household["monitoring_type"] else _FINDINGS_CALM
        for _i in range(count):
            if ago > 364:
                break
            day = datetime.date.fromordinal(self.today - ago)
            draft.visits.append(
                {
                    "visited_on": day,
                    "findings": findings[int(random() * len(findings))],
                    "actions": _ACTIONS[int(random() * len(_ACTIONS))],
                    "follow_up": _FOLLOW_UPS[int(random() * len(_FOLLOW_UPS))],
                    "recorded_at": timezone.make_aware(
                        datetime.datetime.combine(day, datetime.time(int_(8, 18)))
                    ),
                }
            )
            ago += int_(30, 120)


# --- Writing -----------------------------------------------------------------------------

_NULL = "\\N"  # COPY's text format for NULL


def _copy_text(value: str) -> str:
    value = value.replace("\\", "\\\\").replace("\t", "\\t")
    return value.replace("\n", "\\n").replace("\r", "\\r")


class _TableWriter:
    """One table's rows, converted as the database wants them and written in batches.

    The columns are the model's own, so a new field cannot be forgotten; a value the
    generator does not set takes the field's default. Ids are assigned before writing
    (see `_Ids`), so children can point at parents that are not yet written. Per row the
    work is a dict merge and a C-level `itemgetter` (SQLite) or `format_map` (COPY), plus
    the few conversions the driver does not do by itself: Django's per-field
    `get_db_prep_save` would cost more than the insert.

    COPY lines are not escaped: every text comes from the vocabulary above or from the
    division names, and neither holds a tab, a newline or a backslash (`_clean`).
    """

    def __init__(self, model: type[models.Model], now: datetime.datetime) -> None:
        self.copy = connection.vendor == "postgresql"
        fields = model._meta.concrete_fields
        self.values = itemgetter(*(f.attname for f in fields))
        self.conversions = [
            (f.attname, convert) for f in fields if (convert := self._converter(f)) is not None
        ]
        self.nullable = [f.attname for f in fields if f.null]
        # The field's default ("" for a text field without one), the time of the run for
        # the timestamps: computed and converted once, not per row.
        defaults = {
            f.attname: now if getattr(f, "auto_now", False) else f.get_default() for f in fields
        }
        for attname, convert in self.conversions:
            if defaults[attname] is not None:
                defaults[attname] = convert(defaults[attname])
        if self.copy:  # formatting a timestamp costs microseconds: once, not per row
            defaults = {name: _NULL if v is None else str(v) for name, v in defaults.items()}
        self.defaults = defaults
        # COPY's text format is what format() gives for text, numbers, dates, decimals,
        # booleans and timestamps; only NULL needs saying.
        self.template = "\t".join(f"{{{f.attname}}}" for f in fields) + "\n"
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        if self.copy:
            self.sql = f"COPY {table} ({columns}) FROM STDIN"
        else:
            self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(fields))})"
        self.rows: list = []

    def _converter(self, f: models.Field) -> Callable[[Any], Any] | None:
        """What the field's own `get_db_prep_save` would give, where the driver (or
        COPY's text format) does not give the same by itself. Not called for None."""
        if isinstance(f, models.JSONField):
            if self.copy:
                return lambda v: _copy_text(json.dumps(v, ensure_ascii=False))
            return json.dumps  # as Django's adapt_json_value, with no custom encoder
        if self.copy:
            return None
        if isinstance(f, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value  # UTC, as Django stores it
        if isinstance(f, models.DateField):
            return datetime.date.isoformat
        if isinstance(f, models.DecimalField):
            return str  # the adapter Django registers for Decimal
        return None

    def add(self, values: dict[str, Any]) -> None:
        row = {**self.defaults, **values}
        for attname, convert in self.conversions:
            if attname in values and row[attname] is not None:  # defaults are converted
                row[attname] = convert(row[attname])
        if not self.copy:
            self.rows.append(self.values(row))
            return
        for attname in self.nullable:
            if row[attname] is None:
                row[attname] = _NULL
        self.rows.append(self.template.format_map(row))

    def take_batch(self) -> Callable[[Any], None] | None:
        """The rows gathered so far, as a job that writes them given a raw cursor."""
        rows, self.rows = self.rows, []
        if not rows:
            return None
        sql = self.sql
        if self.copy:

            def write(raw) -> None:
                with raw.copy(sql) as copy:
                    copy.write("".join(rows))

        else:

            def write(raw) -> None:
                raw.executemany(sql, rows)

        return write


class _Background:
    """Writes each batch in a second thread while the next one is generated.

    Both drivers let go of the GIL while the database works (sqlite3 around each step,
    psycopg while it waits for the server), so writing and generating overlap. The
    thread writes on the same connection, in the same transaction, through its own raw
    cursor: psycopg serialises the connection's use with a lock, and on SQLite the
    generating thread does not touch the database until `finish`.
    """

    def __init__(self, cursor) -> None:
        if connection.vendor == "postgresql":
            self.raw = cursor.cursor.connection.cursor()
        else:
            self.raw = cursor.connection  # sqlite3's Connection.executemany
        self.jobs: queue.Queue = queue.Queue(maxsize=1)  # at most one batch waiting
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="register-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (jobs := self.jobs.get()) is not None:
            if self.error is not None:
                continue  # drain: the transaction is lost anyway
            try:
                for job in jobs:
                    job(self.raw)
            except BaseException as error:  # re-raised in the generating thread
                self.error = error

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def submit(self, jobs: list[Callable[[Any], None]]) -> None:
        self._check()
        self.jobs.put(jobs)

    def finish(self) -> None:
        """Wait for the last batch; always called before the transaction ends."""
        self.jobs.put(None)
        self.thread.join()
        self._check()


class _Ids:
    """Ids handed out before the rows are written.

    SQLite: after the largest id ever used (the AUTOINCREMENT counter too), safe because
    the transaction holds the database's only write lock. PostgreSQL: reserved from the
    table's sequence in blocks, so concurrent writers get other ids; the sequence is
    where new rows take their ids from anyway.
    """

    LARGEST_BLOCK = 1_000_000

    def __init__(self, cursor, model: type[models.Model]) -> None:
        self.cursor = cursor
        self.table = model._meta.db_table
        self.sequence = connection.vendor == "postgresql"
        self.pending: list[int] = []
        # Doubling: few round trips for big tables (each may wait for the COPY in
        # progress, which holds the connection), few unused ids for small ones.
        self.block = 1000
        self.next = 0
        if not self.sequence:
            cursor.execute(f'SELECT max(id) FROM "{self.table}"')
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            row = cursor.fetchone()
            self.next = max(top, row[0] if row else 0) + 1

    def take(self) -> int:
        if not self.sequence:
            self.next += 1
            return self.next - 1
        if not self.pending:
            self.cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.table, self.block],
            )
            self.block = min(self.block * 2, self.LARGEST_BLOCK)
            self.pending = [row[0] for row in self.cursor.fetchall()]
            self.pending.reverse()
        return self.pending.pop()


class _RegisterWriter:
    """Drafts to rows: parents' ids first, children pointing at them, flushed per batch."""

    MODELS = (
        Person,
        Helper,
        Household,
        Member,
        HouseholdYear,
        StatusChange,
        MonitoringCase,
        AssistanceMeasure,
        RiskEvent,
        Pairing,
        Visit,
    )

    def __init__(self, cursor, counts: Counts) -> None:
        now = timezone.now()
        self.cursor = cursor
        self.counts = counts
        self.tables = {model: _TableWriter(model, now) for model in self.MODELS}
        self.ids = {model: _Ids(cursor, model) for model in self.MODELS}

    def _add(self, model: type[models.Model], values: dict[str, Any], **links: Any) -> int:
        pk = self.ids[model].take()
        values.update(links, id=pk)  # the drafts are used once: no copy needed
        self.tables[model].add(values)
        return pk

    def add(self, draft: HouseholdDraft) -> None:
        counts = self.counts
        helper_id = None
        if draft.helper is not None:
            helper_id = draft.helper.pk
            if helper_id is None:
                person_id = self._add(Person, draft.helper.person)
                helper_id = self._add(Helper, draft.helper.helper, person_id=person_id)
                draft.helper.pk = helper_id
                counts.helpers += 1
                counts.people += 1
        household_id = self.ids[Household].take()
        head_id = None
        for person, member in draft.people:
            person_id = self._add(Person, person)
            head_id = head_id or person_id
            self._add(Member, member, household_id=household_id, person_id=person_id)
        self.tables[Household].add({**draft.household, "id": household_id, "head_id": head_id})
        for year in draft.years:
            self._add(HouseholdYear, year, household_id=household_id)
        for change in draft.changes:
            self._add(StatusChange, change, household_id=household_id)
        for case in draft.cases:
            case_id = self._add(MonitoringCase, case.case, household_id=household_id)
            for measure in case.measures:
                self._add(AssistanceMeasure, measure, case_id=case_id)
            counts.measures += len(case.measures)
        for risk in draft.risks:
            self._add(RiskEvent, risk, household_id=household_id)
        if helper_id is not None:
            self._add(
                Pairing,
                {"started_on": draft.paired_since},
                helper_id=helper_id,
                household_id=household_id,
            )
            counts.pairings += 1
        for visit in draft.visits:
            self._add(Visit, visit, household_id=household_id, helper_id=helper_id)
        counts.households += 1
        counts.members += len(draft.people)
        counts.people += len(draft.people)
        counts.years += len(draft.years)
        counts.status_changes += len(draft.changes)
        counts.cases += len(draft.cases)
        counts.risk_events += len(draft.risks)
        counts.visits += len(draft.visits)
        counts.monitored += bool(draft.household["monitoring_type"])

    def batch(self) -> list[Callable[[Any], None]]:
        """The jobs that write what was gathered, parents first."""
        return [job for table in self.tables.values() if (job := table.take_batch())]


def region_household_count(region_code: str) -> int:
    return Household.objects.filter(codes.within("village_id", region_code)).count()


def _taken_ids(counties: Sequence[str]) -> dict[str, set[str]]:
    """The ID numbers already in the database that start with these counties' codes.

    Ranges on the unique index (digits sort below "X" and "Z"), a few hundred per query:
    one index probe each, or one scan of the table when a bulk load has dropped the index.
    """
    taken: dict[str, set[str]] = {}
    for start in range(0, len(counties), 400):
        ranges = models.Q()
        for county in counties[start : start + 400]:
            ranges |= models.Q(id_number__gte=county, id_number__lte=county + "Z")
        for number in Person.objects.filter(ranges).values_list("id_number", flat=True):
            taken.setdefault(number[:6], set()).add(number)
    return taken


def generate_register(
    region_codes: str | Sequence[str],
    households: int,
    seed: int,
    *,
    as_of: datetime.date | None = None,
    full: bool = True,
    batch_size: int = 5000,
    progress: Callable[[Counts], None] | None = None,
) -> Counts:
    """Generate `households` households over the villages of one region (or several).

    Refuses (`RegisterExists`) when a region already has households: generating is for
    empty regions, and a second run with the same seed would only collide with the
    first. One transaction: all of it or nothing.
    """
    started = time.perf_counter()
    regions = [region_codes] if isinstance(region_codes, str) else list(region_codes)
    as_of = as_of or timezone.localdate()
    if households < 1:
        raise CodedError("households", _("the number of households must be at least 1"))
    villages = [village for code in regions for village in load_villages(code)]
    counts = Counts()
    with transaction.atomic(), connection.cursor() as cursor:
        for code in regions:
            existing = region_household_count(code)
            if existing:
                raise RegisterExists(
                    "exists",
                    lazy_format(
                        _("region %(code)s already has %(n)d households; nothing was generated"),
                        code=code,
                        n=existing,
                    ),
                )
        taken = _taken_ids(sorted({village.code[:6] for village in villages}))
        generator = RegisterGenerator(
            seed,
            as_of,
            lines=monitoring_lines(),
            full=full,
            taken=lambda county: taken.get(county, set()),
        )
        writer = _RegisterWriter(cursor, counts)
        background = _Background(cursor)
        try:
            for n, draft in enumerate(generator.households(villages, households), start=1):
                writer.add(draft)
                if n % batch_size == 0:
                    background.submit(writer.batch())
                    if progress:
                        progress(counts)
            background.submit(writer.batch())
        finally:
            background.finish()
        if connection.vendor == "postgresql":
            for model in _RegisterWriter.MODELS:  # the planner needs to know the new rows
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        counts.seconds = round(time.perf_counter() - started, 2)
        audit.record_bulk(
            Action.IMPORT,
            model="registry.household",
            region_code=regions[0] if len(regions) == 1 else "",
            regions=regions,
            generator=GENERATOR,
            seed=seed,
            as_of=as_of,
            full=full,
            **counts.as_dict(),
        )
    if progress:
        progress(counts)
    return counts


# --- Proving reproducibility -------------------------------------------------------------

_NOT_DIGESTED = {"id", "created_at", "updated_at", "version"}


def register_digest(region_code: str) -> str:
    """SHA-256 of every row of the region's register, by natural keys, not by ids.

    Foreign keys are replaced by what they point at (a person's ID number, a household's
    number), rows are sorted, and values the database assigns (ids, creation times) are
    left out: two generations with the same seed give the same digest in any database.
    """
    homes = Household.objects.filter(codes.within("village_id", region_code))
    number = dict(homes.values_list("id", "number"))
    members = Member.objects.filter(household__in=homes)
    pairings = Pairing.objects.filter(household__in=homes)
    helpers = Helper.objects.filter(id__in=pairings.values("helper_id"))
    people = Person.objects.filter(
        models.Q(id__in=members.values("person_id")) | models.Q(id__in=helpers.values("person_id"))
    )
    id_number = dict(people.values_list("id", "id_number"))
    helper_key = {h: id_number[p] for h, p in helpers.values_list("id", "person_id")}
    cases = MonitoringCase.objects.filter(household__in=homes)
    case_key = {
        pk: f"{number[h]}/{opened}/{kind}"
        for pk, h, opened, kind in cases.values_list(
            "id", "household_id", "opened_on", "monitoring_type"
        )
    }
    keys = {
        "person_id": id_number,
        "head_id": id_number,
        "household_id": number,
        "helper_id": helper_key,
        "case_id": case_key,
    }
    digest = hashlib.sha256()
    for model, queryset in (
        (Person, people),
        (Household, homes),
        (Helper, helpers),
        (Member, members),
        (HouseholdYear, HouseholdYear.objects.filter(household__in=homes)),
        (StatusChange, StatusChange.objects.filter(household__in=homes)),
        (MonitoringCase, cases),
        (AssistanceMeasure, AssistanceMeasure.objects.filter(case__in=cases)),
        (RiskEvent, RiskEvent.objects.filter(household__in=homes)),
        (Pairing, pairings),
        (Visit, Visit.objects.filter(household__in=homes)),
    ):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in _NOT_DIGESTED]
        rows = sorted(
            repr([_natural(keys, name, value) for name, value in zip(names, row, strict=True)])
            for row in queryset.values_list(*names)
        )
        digest.update(f"{model._meta.label}:{len(rows)}\n".encode())
        for row in rows:
            digest.update(row.encode() + b"\n")
    return digest.hexdigest()


def _natural(keys: dict[str, dict], name: str, value: Any) -> Any:
    if name in keys and value is not None:
        return keys[name][value]
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    return value
