"""Demo data for the talent app over the real villages of a county, reproducible from a
seed and the reference date: a few hundred people in the talent pool in every township
(every source, every stage, with dated steps), two county studios (agricultural experts
with a university, master doctors with a hospital) with service requests in every
state, and two training courses with enrolments, completions and certificates.

Talent and trainees are taken from the register's adults of the village when the
register is there (a talent is a villager), otherwise given new valid ID numbers. Every
row is written through the services, so the rules hold and every change is audited; who
recorded a step, a request or a delivery is then named as a person reading the page
expects (the township's party committee, the studio, the course's organiser), not the
account that ran the command. A county that already has talent is left alone.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from baolei.demo import REFERENCE_DATE
from baolei.idnumbers import check_character
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry.models import Person
from baolei.talent.choices import InstitutionKind, Skill, Source, Stage, StudioKind
from baolei.talent.models import (
    Course,
    FollowUp,
    ServiceDelivery,
    ServiceRequest,
    Studio,
    Talent,
    TalentStep,
)
from baolei.talent.services import studios as services_studios
from baolei.talent.services import talent as services
from baolei.talent.services import training as services_training

TALENT_PER_TOWNSHIP = (10, 18)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红兰春"

# Source → (weight, the skills such a person usually has).
SOURCES = {
    Source.RURAL_ENTREPRENEUR: (20, [Skill.CROP_FARMING, Skill.ANIMAL_HUSBANDRY, Skill.MANAGEMENT]),
    Source.MIGRANT_BUSINESS: (12, [Skill.E_COMMERCE, Skill.MANAGEMENT, Skill.CONSTRUCTION]),
    Source.VETERAN: (12, [Skill.MACHINERY, Skill.MANAGEMENT, Skill.CONSTRUCTION]),
    Source.VILLAGE_DOCTOR: (8, [Skill.MEDICINE]),
    Source.VILLAGE_TEACHER: (8, [Skill.TEACHING]),
    Source.RETURNED_MIGRANT: (18, [Skill.E_COMMERCE, Skill.AGRO_PROCESSING, Skill.AQUACULTURE]),
    Source.COOPERATIVE_HEAD: (12, [Skill.CROP_FARMING, Skill.AGRO_PROCESSING, Skill.RURAL_TOURISM]),
    Source.LOCAL_WORTHY: (10, [Skill.CRAFTS, Skill.RURAL_TOURISM, Skill.MANAGEMENT]),
}
OCCUPATIONS = [
    "种植大户",
    "养殖户",
    "个体工商户",
    "村医",
    "教师",
    "合作社理事长",
    "电商店主",
    "务工",
]
IDENTIFIED_BY = ["村级摸排识别", "村党支部推荐", "乡镇人才普查", "群众推荐", "返乡人员登记"]
CULTIVATED_BY = [
    "参加电子商务培训",
    "参加高素质农民培育班",
    "赴华中农业大学跟班学习",
    "师带徒结对培养",
    "参加乡村振兴专题培训",
]
USED_BY = [
    "选任为合作社带头人",
    "进入村两委",
    "列为村级后备干部",
    "领办产业项目",
    "聘为乡村振兴指导员",
]
STAGE_WEIGHTS = [(Stage.IDENTIFIED, 40), (Stage.CULTIVATED, 35), (Stage.USED, 25)]

STUDIOS = [
    {
        "name": "阳新县农业专家工作室",
        "kind": StudioKind.AGRICULTURAL_EXPERT,
        "partner_name": "华中农业大学",
        "partner_kind": InstitutionKind.UNIVERSITY,
        "experts": [
            ("周建华", "教授", "水稻栽培"),
            ("陈丽", "副教授", "柑橘病虫害防治"),
            ("刘志强", "研究员", "生猪养殖"),
        ],
        "needs": [
            "水稻病虫害防治指导",
            "柑橘园管理技术培训",
            "生猪防疫技术指导",
            "茶叶种植技术咨询",
        ],
    },
    {
        "name": "阳新县名医工作室",
        "kind": StudioKind.MASTER_DOCTOR,
        "partner_name": "黄石市中心医院",
        "partner_kind": InstitutionKind.HOSPITAL,
        "experts": [("王敏", "主任医师", "心血管内科"), ("张桂英", "副主任医师", "全科医学")],
        "needs": ["慢性病患者巡诊", "村医业务培训", "老年人健康体检", "义诊活动"],
    },
]


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
        )


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class _People:
    """Adults of a township from the register, or new people with valid ID numbers."""

    def __init__(self, rng: random.Random, county: str, as_of: datetime.date) -> None:
        self.rng = rng
        self.county = county
        self.as_of = as_of
        self.names = _Names(rng)
        self.used: set[str] = set()
        self.sequence = 0

    def pool(self, township: str) -> list[tuple[str, str, str]]:
        young = self.as_of.replace(year=self.as_of.year - 22)
        old = self.as_of.replace(year=self.as_of.year - 60)
        rows = (
            Person.objects.filter(codes.within("region_code", township))
            .filter(birth_date__range=(old, young))
            .order_by("id")
            .values_list("id_number", "name", "region_code")[:400]
        )
        found = [row for row in rows if len(row[2]) == 12]
        self.rng.shuffle(found)
        return found

    def take(self, pool: list[tuple[str, str, str]], villages: list[str]) -> tuple[str, str, str]:
        while pool:
            number, name, village = pool.pop()
            if number not in self.used:
                self.used.add(number)
                return number, name, village
        return self.new(self.rng.choice(villages))

    def new(self, village: str) -> tuple[str, str, str]:
        """A valid number that nobody has (sequence numbers 900 to 999 of the day)."""
        while True:
            self.sequence += 1
            born = datetime.date(1965, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 12000))
            first17 = f"{self.county}{born:%Y%m%d}9{self.sequence % 100:02d}"
            number = first17 + check_character(first17)
            if number in self.used or Person.objects.filter(id_number=number).exists():
                continue
            self.used.add(number)
            return number, self.names(), village


def _talent(rng: random.Random, people: _People, township: Region, as_of) -> int:
    villages = list(Region.objects.children_of(township.code).values_list("code", flat=True))
    if not villages:
        return 0
    pool = people.pool(township.code)
    made: list[Talent] = []
    for _ in range(rng.randint(*TALENT_PER_TOWNSHIP)):
        number, name, village = people.take(pool, villages)
        source = _weighted(rng, [(s, weight) for s, (weight, _skills) in SOURCES.items()])
        skills = rng.sample(SOURCES[source][1], k=min(len(SOURCES[source][1]), rng.randint(1, 2)))
        identified = as_of - datetime.timedelta(days=rng.randint(300, 1400))
        talent = services.do_create_talent(
            None,
            id_number=number,
            name=name,
            village_code=village,
            source=source,
            identified_on=identified,
            how_identified=rng.choice(IDENTIFIED_BY),
            skills=skills,
            occupation=rng.choice(OCCUPATIONS),
        )
        _steps(rng, talent, identified, as_of)
        made.append(talent)
    # The steps are the township's work: recorded by its party committee, as the other
    # demo generators name who decided or recorded (not the account running the command).
    TalentStep.objects.filter(talent__in=made).update(recorded_by=f"{township.name}党委")
    return len(made)


def _steps(rng: random.Random, talent: Talent, identified: datetime.date, as_of) -> None:
    target = _weighted(rng, STAGE_WEIGHTS)
    day = identified
    if target in (Stage.CULTIVATED, Stage.USED):
        for _ in range(rng.randint(1, 2)):
            day = min(day + datetime.timedelta(days=rng.randint(30, 200)), as_of)
            services.do_add_step(
                None, talent, stage=Stage.CULTIVATED, taken_on=day, what=rng.choice(CULTIVATED_BY)
            )
    if target == Stage.USED:
        day = min(day + datetime.timedelta(days=rng.randint(30, 200)), as_of)
        services.do_add_step(None, talent, stage=Stage.USED, taken_on=day, what=rng.choice(USED_BY))


def _studios(rng: random.Random, county: str, as_of: datetime.date) -> dict[str, int]:
    counts = {"studios": 0, "experts": 0, "requests": 0, "deliveries": 0}
    villages = list(
        Region.objects.within(county).filter(level=Level.VILLAGE).values_list("code", flat=True)
    )
    for spec in STUDIOS:
        served = sorted(rng.sample(villages, k=min(12, len(villages))))
        studio = services_studios.do_create_studio(
            None,
            name=spec["name"],
            kind=spec["kind"],
            region_code=county,
            partner_name=spec["partner_name"],
            partner_kind=spec["partner_kind"],
            established_on=as_of - datetime.timedelta(days=900),
            villages=served,
        )
        experts = [
            services_studios.do_add_expert(
                None, studio, name=name, title=title, speciality=speciality
            )
            for name, title, speciality in spec["experts"]
        ]
        counts["studios"] += 1
        counts["experts"] += len(experts)
        # Two open (one long waiting), one accepted, two delivered, one closed.
        for state, age in [
            ("open", 75),
            ("open", 6),
            ("accepted", 30),
            ("delivered", 90),
            ("delivered", 60),
            ("closed", 150),
        ]:
            requested = as_of - datetime.timedelta(days=age)
            request = services_studios.do_create_request(
                None,
                studio=studio,
                village_code=rng.choice(served),
                need=rng.choice(spec["needs"]),
                requested_on=requested,
                contact=f"{_Names(rng)()} 139{rng.randint(10000000, 99999999)}",
            )
            counts["requests"] += 1
            if state == "open":
                continue
            accepted = requested + datetime.timedelta(days=rng.randint(1, 5))
            services_studios.do_accept_request(None, request, accepted)
            if state == "accepted":
                continue
            delivered = accepted + datetime.timedelta(days=rng.randint(3, 15))
            services_studios.do_record_delivery(
                None,
                request,
                delivered_on=delivered,
                work_done=f"{request.need}：现场指导并答疑",
                people_reached=rng.randint(8, 60),
                experts=rng.sample(experts, k=rng.randint(1, len(experts))),
            )
            counts["deliveries"] += 1
            if state == "closed":
                followed = delivered + datetime.timedelta(days=rng.randint(7, 20))
                services_studios.do_add_follow_up(
                    None,
                    request,
                    followed_on=followed,
                    note="回访：问题已解决",
                    satisfaction="satisfied",
                )
                services_studios.do_close_request(None, request, on=followed, note="")
        # Requests, deliveries and follow-ups are entered by the studio itself.
        requests = ServiceRequest.objects.filter(studio=studio)
        requests.update(created_by=studio.name)
        ServiceDelivery.objects.filter(request__in=requests).update(recorded_by=studio.name)
        FollowUp.objects.filter(request__in=requests).update(recorded_by=studio.name)
    return counts


def _courses(
    rng: random.Random, county: str, people: _People, as_of: datetime.date
) -> dict[str, int]:
    counts = {"courses": 0, "enrolments": 0}
    townships = list(Region.objects.children_of(county))
    specs = [
        (f"{as_of.year - 1}-YX-01", "高素质农民培育种养殖班", Skill.CROP_FARMING, 365, 40),
        (f"{as_of.year}-YX-01", "高素质农民培育电商直播班", Skill.E_COMMERCE, 60, 50),
    ]
    for code, title, subject, days_ago, size in specs:
        starts = as_of - datetime.timedelta(days=days_ago)
        course = services_training.do_create_course(
            None,
            code=code,
            title=title,
            subject=subject,
            organiser="阳新县农业农村局",
            region_code=county,
            starts_on=starts,
            ends_on=starts + datetime.timedelta(days=10),
            capacity=size + 10,
            hours=40,
        )
        counts["courses"] += 1
        # A few of the pool's people train too: their passes become cultivation steps.
        pool = list(
            Talent.objects.filter(codes.within("region_code", county))
            .exclude(person__enrolments__isnull=False)
            .order_by("pk")
            .values_list("person__id_number", "person__name", "region_code")
        )
        trainees = rng.sample(pool, k=min(len(pool), size // 4))
        for index in range(size):
            if index < len(trainees):
                number, name, village = trainees[index]
            else:
                township = rng.choice(townships)
                villages = list(
                    Region.objects.children_of(township.code).values_list("code", flat=True)
                )
                number, name, village = people.new(rng.choice(villages))
            enrolment = services_training.do_enrol(
                None,
                course,
                id_number=number,
                name=name,
                village_code=village,
                enrolled_on=starts - datetime.timedelta(days=rng.randint(3, 20)),
            )
            counts["enrolments"] += 1
            if index < size * 0.9:
                hours = rng.randint(24, 40)
                passed = hours >= 32
                certified = passed and rng.random() < 0.85
                services_training.do_record_completion(
                    None,
                    enrolment,
                    hours_attended=hours,
                    passed=passed,
                    certificate_number=f"GSNM{code.replace('-', '')}{index + 1:03d}"
                    if certified
                    else "",
                    certificate_issued_on=starts + datetime.timedelta(days=20)
                    if certified
                    else None,
                )
        # The passes made cultivation steps of the talent who trained: the organiser's.
        TalentStep.objects.filter(
            talent__person__enrolments__course=course,
            what=services.training_step_what(course.code, course.title),
        ).update(recorded_by=course.organiser)
    return counts


def generate_demo(
    county_code: str = "420222", seed: int = 1, as_of: datetime.date | None = None
) -> dict[str, int]:
    """Talent, studios and training for the county; {} counts of nothing when the county
    already has talent (the demo set-up runs this every time)."""
    county = Region.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None:
        raise services.TalentError("unknown_region", f"There is no county {county_code}.")
    if (
        Talent.objects.filter(codes.within("region_code", county_code)).exists()
        or Studio.objects.filter(region_code=county_code).exists()
        or Course.objects.filter(region_code=county_code).exists()
    ):
        return {"talent": 0, "studios": 0, "requests": 0, "courses": 0, "enrolments": 0}
    as_of = as_of or REFERENCE_DATE
    rng = random.Random(seed)
    people = _People(rng, county_code, as_of)
    with transaction.atomic():
        talent = sum(
            _talent(rng, people, township, as_of)
            for township in Region.objects.children_of(county_code).order_by("code")
        )
        studios = _studios(rng, county_code, as_of)
        courses = _courses(rng, county_code, people, as_of)
    return {"talent": talent, **studios, **courses}
