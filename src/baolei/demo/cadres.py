"""Demo cadre records for a county, reproducible from a seed.

Runs after the register demo: a few hundred cadres of the county's units and township
governments, about two thirds of them the register's own responsible helpers (linked, so
that their exits, eliminated risks and visits are computed), assessments for the last
two years, some projects entered with evidence, a few disciplinary records, the
commendations of the county's top five in the ranking, and a leader pool in every
township with each person's development so far.

Everything comes from one `random.Random(seed)`, the rows of the database in key order
and the reference date `as_of`, so the same register, seed and date give the same
records. Rows are written with `bulk_create` (no per-row audit events) in one
transaction, with one audit event for the whole demo. A county that already has cadres
is left alone.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.cadres import choices
from baolei.cadres.models import (
    Achievement,
    Assessment,
    Cadre,
    DisciplinaryRecord,
    IncentiveDecision,
    LeaderCandidate,
    LeaderDevelopment,
)
from baolei.cadres.services import ranking
from baolei.cadres.services.achievements import Period
from baolei.cadres.services.cadres import CadreError
from baolei.demo import REFERENCE_DATE
from baolei.demo.registry.people import IdNumbers
from baolei.demo.registry.register import _taken_ids
from baolei.demo.registry.vocabulary import _COUNTY_UNITS, _GIVEN, _SURNAMES
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry import choices as registry_choices
from baolei.registry.models import Helper, Person

HELPER_CADRES = 240  # at most: the register's helpers made cadres
OTHER_CADRES = 120
RANKS = [  # (rank, weight)
    (choices.Rank.CLERK, 8),
    (choices.Rank.STAFF_MEMBER, 45),
    (choices.Rank.DEPUTY_SECTION, 25),
    (choices.Rank.SECTION, 15),
    (choices.Rank.DEPUTY_DIVISION, 4),
    (choices.Rank.OTHER, 3),
]
POSTS = {
    choices.Rank.CLERK: ("办事员", "干部"),
    choices.Rank.STAFF_MEMBER: ("科员", "驻村工作队员", "干部"),
    choices.Rank.DEPUTY_SECTION: ("副镇长", "股长", "副局长", "党委委员"),
    choices.Rank.SECTION: ("局长", "镇党委副书记", "办公室主任"),
    choices.Rank.DEPUTY_DIVISION: ("县委常委", "副县长"),
    choices.Rank.OTHER: ("聘用人员",),
}
EDUCATION = [
    (choices.Education.POSTGRADUATE, 8),
    (choices.Education.UNDERGRADUATE, 55),
    (choices.Education.COLLEGE, 30),
    (choices.Education.SECONDARY, 7),
]
POLITICAL = [
    (choices.PoliticalStatus.PARTY_MEMBER, 82),
    (choices.PoliticalStatus.PROBATIONARY_MEMBER, 4),
    (choices.PoliticalStatus.LEAGUE_MEMBER, 6),
    (choices.PoliticalStatus.MASSES, 6),
    (choices.PoliticalStatus.DEMOCRATIC_PARTY, 2),
]
SPECIALITIES = (
    "农业技术", "水产养殖", "茶叶种植", "电子商务", "财务管理", "基层党建", "乡村规划",
    "法律服务", "医疗卫生", "教育", "水利工程", "畜牧兽医", "文化旅游", "农村金融",
)  # fmt: skip
PROJECTS = (
    "村级光伏电站建成并网", "茶叶加工厂投产", "村组道路硬化完工", "安全饮水工程完工",
    "水产养殖基地建成", "村级集体经济合作社成立", "农产品电商服务站开通", "村卫生室改造完成",
    "高标准农田建设完成", "乡村振兴车间投产",
)  # fmt: skip
OTHERS = ("协调引进帮扶资金", "组织技能培训班", "调解矛盾纠纷", "开展防汛抢险")
OCCUPATIONS = {
    choices.LeaderSource.ENTREPRENEUR: ("种植大户", "合作社理事长", "养殖场主", "农家乐经营者"),
    choices.LeaderSource.VETERAN: ("退役士兵", "村治保主任"),
    choices.LeaderSource.RETURNED_MIGRANT: ("返乡创业者", "建筑包工头", "电商创业者"),
    choices.LeaderSource.LOCAL_PARTY_MEMBER: ("村民小组长", "村会计", "乡村教师"),
    choices.LeaderSource.OTHER: ("大学生村官", "乡村医生"),
}
SOURCES = [
    (choices.LeaderSource.ENTREPRENEUR, 30),
    (choices.LeaderSource.VETERAN, 20),
    (choices.LeaderSource.RETURNED_MIGRANT, 25),
    (choices.LeaderSource.LOCAL_PARTY_MEMBER, 20),
    (choices.LeaderSource.OTHER, 5),
]


def _pick(rng: random.Random, table):
    items, weights = zip(*table, strict=True)
    return rng.choices(items, weights=weights)[0]


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _grade(score: Decimal) -> str:
    if score >= 90:
        return choices.Grade.EXCELLENT
    if score >= 75:
        return choices.Grade.COMPETENT
    if score >= 60:
        return choices.Grade.BASICALLY_COMPETENT
    return choices.Grade.INCOMPETENT


class _People:
    """New people with valid, unique ID numbers of the county."""

    def __init__(self, rng: random.Random, county: str, as_of: datetime.date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.ids = IdNumbers(rng.random)
        self.ids.enter(county, _taken_ids([county]).get(county, set()))

    def new(self, age_from: int, age_to: int, region_code: str, male_share: float = 0.7):
        rng = self.rng
        male = rng.random() < male_share
        age = rng.randint(age_from, age_to)
        ordinal = self.as_of.toordinal() - age * 365 - age // 4 - 1 - rng.randint(0, 363)
        number, ordinal = self.ids.new(ordinal, male)
        self.ids.taken.add(number)
        born = datetime.date.fromordinal(ordinal)
        pool = _GIVEN[(male, born.year < 1970 or (born.year <= 1990 and rng.random() < 0.5))]
        given = "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.22 else 2))
        return Person(
            id_number=number,
            name=_SURNAMES.pick(rng.random) + given,
            sex=registry_choices.Sex.MALE if male else registry_choices.Sex.FEMALE,
            birth_date=born,
            region_code=region_code,
            phone=f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
        )


def _cadre_fields(rng: random.Random, person: Person, as_of: datetime.date) -> dict:
    rank = _pick(rng, RANKS)
    earliest = max(person.birth_date.year + 20, 1985)
    started = datetime.date(
        min(earliest + rng.randint(0, 6), as_of.year - 1), rng.choice((7, 8, 9)), 1
    )
    return {
        "rank": rank,
        "post": rng.choice(POSTS[rank]),
        "political_status": _pick(rng, POLITICAL),
        "education": _pick(rng, EDUCATION),
        "specialities": "\n".join(rng.sample(SPECIALITIES, rng.randint(1, 3))),
        "work_started_on": started,
    }


def _cadres(rng, people: _People, county: Region, townships: list[Region], as_of) -> list[Cadre]:
    helpers = list(
        Helper.objects.filter(codes.within("region_code", county.code), cadre__isnull=True)
        .select_related("person")
        .order_by("pk")
    )
    chosen = sorted(rng.sample(helpers, min(HELPER_CADRES, len(helpers))), key=lambda h: h.pk)
    cadres = [
        Cadre(
            person=helper.person,
            region_code=helper.region_code,
            unit=helper.unit,
            helper=helper,
            **{**_cadre_fields(rng, helper.person, as_of), "post": helper.post or "科员"},
        )
        for helper in chosen
    ]
    new_people = []
    for _ in range(OTHER_CADRES):
        if rng.random() < 0.5:
            region, unit = county.code, county.name + rng.choice(_COUNTY_UNITS)
        else:
            township = rng.choice(townships)
            region, unit = township.code, f"{township.name}人民政府"
        person = people.new(24, 58, region)
        new_people.append(person)
        cadres.append(
            Cadre(person=person, region_code=region, unit=unit, **_cadre_fields(rng, person, as_of))
        )
    Person.objects.bulk_create(new_people)
    return Cadre.objects.bulk_create(cadres)


def _records(rng, cadres: list[Cadre], villages: dict[str, list[str]], as_of) -> dict[str, int]:
    assessments, achievements, discipline = [], [], []
    county_villages = [code for codes_ in villages.values() for code in codes_]
    for cadre in cadres:
        for year in (as_of.year - 2, as_of.year - 1):
            if rng.random() < 0.9:
                score = Decimal(min(99, max(55, round(rng.gauss(84, 7), 1)))).quantize(
                    Decimal("0.1")
                )
                assessments.append(
                    Assessment(cadre=cadre, year=year, score=score, grade=_grade(score))
                )
        pool = villages.get(cadre.region_code[:9]) or county_villages
        for _ in range(rng.choices((0, 1, 2, 3), weights=(55, 25, 14, 6))[0]):
            project = rng.random() < 0.75
            achievements.append(
                Achievement(
                    cadre=cadre,
                    kind=choices.AchievementKind.PROJECT
                    if project
                    else choices.AchievementKind.OTHER,
                    region_code=rng.choice(pool),
                    achieved_on=_day(rng, datetime.date(as_of.year - 2, 1, 1), as_of),
                    title=rng.choice(PROJECTS if project else OTHERS),
                    quantity=1,
                    evidence=f"乡镇验收材料 {rng.randint(1, 300)} 号",
                )
            )
        if rng.random() < 0.02:
            decided = _day(rng, datetime.date(as_of.year - 3, 1, 1), as_of)
            discipline.append(
                DisciplinaryRecord(
                    cadre=cadre,
                    kind=rng.choice(
                        (choices.DisciplineKind.ADMONISHMENT, choices.DisciplineKind.WARNING)
                    ),
                    decided_on=decided,
                    ends_on=decided + datetime.timedelta(days=365),
                    authority="县纪委监委",
                    description="扶贫领域工作作风不实",
                )
            )
    Assessment.objects.bulk_create(assessments)
    Achievement.objects.bulk_create(achievements)
    DisciplinaryRecord.objects.bulk_create(discipline)
    return {
        "assessments": len(assessments),
        "achievements": len(achievements),
        "disciplinary_records": len(discipline),
    }


def _decisions(county: Region, as_of: datetime.date) -> int:
    """The county's top five of last year's ranking are commended in January."""
    period = Period(datetime.date(as_of.year - 2, 1, 1), datetime.date(as_of.year - 1, 12, 31))
    weights = ranking.Weights()
    entries = ranking.rank(
        Cadre.objects.filter(codes.within("region_code", county.code)), period, weights
    )[:5]
    decided = min(datetime.date(as_of.year, 1, 15), as_of)
    IncentiveDecision.objects.bulk_create(
        IncentiveDecision(
            cadre=entry.cadre,
            kind=choices.IncentiveKind.COMMENDED,
            decided_on=decided,
            decided_by=f"中共{county.name}委员会",
            basis=entry.basis(weights, period),
        )
        for entry in entries
    )
    return len(entries)


STEPS = (
    choices.DevelopmentStep.IDENTIFIED,
    choices.DevelopmentStep.TRAINED,
    choices.DevelopmentStep.TESTED,
    choices.DevelopmentStep.APPOINTED,
)


def _leaders(rng, people: _People, villages: dict[str, list[str]], as_of) -> dict[str, int]:
    candidates, steps = [], []
    new_people = []
    for township in sorted(villages):
        for village in villages[township]:
            for _ in range(rng.choices((0, 1, 2, 3), weights=(15, 40, 30, 15))[0]):
                source = _pick(rng, SOURCES)
                person = people.new(25, 50, village, male_share=0.75)
                new_people.append(person)
                candidates.append(
                    LeaderCandidate(
                        person=person,
                        region_code=village,
                        category=(
                            choices.LeaderCategory.CANDIDATE
                            if rng.random() < 0.3
                            else choices.LeaderCategory.RESERVE
                        ),
                        source=source,
                        party_member=source == choices.LeaderSource.LOCAL_PARTY_MEMBER
                        or rng.random() < 0.45,
                        education=_pick(rng, EDUCATION[1:])
                        if rng.random() < 0.5
                        else rng.choice(
                            (choices.Education.SECONDARY, choices.Education.JUNIOR_OR_BELOW)
                        ),
                        occupation=rng.choice(OCCUPATIONS[source]),
                    )
                )
    Person.objects.bulk_create(new_people)
    candidates = LeaderCandidate.objects.bulk_create(candidates)
    for candidate in candidates:
        day = _day(rng, datetime.date(as_of.year - 3, 1, 1), as_of - datetime.timedelta(days=400))
        for step in STEPS[: rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]]:
            steps.append(LeaderDevelopment(candidate=candidate, step=step, done_on=min(day, as_of)))
            day += datetime.timedelta(days=rng.randint(60, 200))
    LeaderDevelopment.objects.bulk_create(steps)
    return {"leader_candidates": len(candidates), "development_steps": len(steps)}


def generate_demo(
    county_code: str = "420222", seed: int = 1, as_of: datetime.date | None = None
) -> dict[str, int]:
    """Cadres, their records and the leader pool of the county (see the docstring);
    counts of nothing when the county already has cadres."""
    county = Region.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None:
        raise CadreError("unknown_region", f"There is no county {county_code}.")
    keys = (
        "cadres",
        "linked_to_helpers",
        "assessments",
        "achievements",
        "disciplinary_records",
        "incentive_decisions",
        "leader_candidates",
        "development_steps",
    )
    if Cadre.objects.filter(codes.within("region_code", county_code)).exists():
        return dict.fromkeys(keys, 0)
    as_of = as_of or REFERENCE_DATE
    rng = random.Random(seed)
    townships = list(Region.objects.children_of(county_code).order_by("code"))
    villages: dict[str, list[str]] = {}
    for code in (
        Region.objects.filter(codes.within("code", county_code), level=Level.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)
    ):
        villages.setdefault(code[:9], []).append(code)
    with transaction.atomic():
        people = _People(rng, county_code, as_of)
        cadres = _cadres(rng, people, county, townships, as_of)
        counts = {
            "cadres": len(cadres),
            "linked_to_helpers": sum(1 for cadre in cadres if cadre.helper_id),
        }
        counts.update(_records(rng, cadres, villages, as_of))
        counts["incentive_decisions"] = _decisions(county, as_of)
        counts.update(_leaders(rng, people, villages, as_of))
        audit.record_bulk(
            Action.IMPORT,
            model="cadres.cadre",
            region_code=county_code,
            kind="cadres_demo",
            seed=seed,
            as_of=as_of.isoformat(),
            counts=counts,
        )
    return {key: counts[key] for key in keys}
