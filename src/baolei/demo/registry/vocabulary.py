"""What a synthetic register is made of: the choices' values as plain strings, the names
and texts it writes, and the weighted tables its draws come from.

Apart from the generator so that the data can be read (and checked: every text must be
safe for COPY as it is) without the code that draws from it; the organisation and cadres
generators draw names from here too.
"""

from bisect import bisect
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate
from types import SimpleNamespace
from typing import Any

from baolei.registry import choices


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
