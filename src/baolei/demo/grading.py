"""Demo grading, weak branches and organisation life for a county, reproducible from a seed.

Runs after the organisation demo (it needs the village branches). For the year before the
reference date it sets a checklist (six indicators, 100 weighted points, the four usual
bands) and grades every village branch; for the reference year it copies the checklist
(nothing graded yet), sets the weak-branch criteria, designates eight branches (the
lagging ones first) with rectification tasks in every state, overdue ones included, and
records the organisation life of the last four quarters and the current one, with some
branches missing a quarter or a kind of meeting; a committee meeting expects the branch's
committee, a group meeting one party group, a general meeting or lecture the whole
branch. The other active branches — of cooperatives, enterprises, associations and chain
projects, the townships' joint branches — hold their organisation life too, by the rules
of a small branch (`_life_elsewhere`): most every quarter, a few miss one finished quarter.
A county that already has a checklist is left alone.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.demo import REFERENCE_DATE
from baolei.organisation.choices import CommitteePostKind
from baolei.organisation.models import (
    BranchGrading,
    CommitteePost,
    CriterionRule,
    GradingChecklist,
    GradingIndicator,
    IndicatorScore,
    LifeKind,
    LifeRecord,
    PartyMember,
    RectificationNote,
    RectificationTask,
    TaskStatus,
    Verification,
    WeakBranchDesignation,
    WeakCriterion,
)
from baolei.organisation.services import grading, life

HALF = Decimal("0.5")
GRADED_BY = "县委组织部"
WEAK_BRANCHES = 8

# (name, description, maximum, weight): 20 + 20 + 10×2 + 15 + 15 + 10 = 100 points.
INDICATORS = (
    ("班子建设", "书记队伍、两委班子团结干事", Decimal(20), Decimal(1)),
    ("党员队伍", "党员发展、教育管理、先锋作用", Decimal(20), Decimal(1)),
    ("组织生活", "三会一课、主题党日、组织生活会", Decimal(10), Decimal(2)),
    ("制度落实", "四议两公开、村务监督", Decimal(15), Decimal(1)),
    ("集体经济", "村级集体经济收入与发展", Decimal(15), Decimal(1)),
    ("服务群众", "为民办事、矛盾调处、群众满意度", Decimal(10), Decimal(1)),
)
CRITERIA = (
    ("书记长期缺职或不胜任", CriterionRule.MANUAL),
    ("班子不团结、内耗严重", CriterionRule.MANUAL),
    ("上年度评定为后进", CriterionRule.LAGGING_GRADE),
    ("连续一个季度未开展组织生活", CriterionRule.NO_LIFE_QUARTER),
    ("村级集体经济薄弱、发展缓慢", CriterionRule.MANUAL),
)
TASKS = (
    "选优配强村党组织书记",
    "召开专题组织生活会，查摆问题并整改",
    "落实“三会一课”制度，建立台账",
    "规范“四议两公开”程序",
    "制定集体经济发展计划并启动项目",
    "开展党员承诺践诺活动",
)
TOPICS = (
    "学习党的二十大精神",
    "学习党章党规",
    "研究发展党员工作",
    "部署防止返贫动态监测",
    "讨论村级集体经济项目",
    "开展主题党日活动",
    "党员冬春训",
    "乡村振兴政策宣讲",
)
# Held monthly, three to a quarter: missing one of them is common, missing all three rare.
MONTHLY = (LifeKind.COMMITTEE_MEETING, LifeKind.GROUP_MEETING)
# The branches outside the villages' own: the share that missed one finished quarter of
# the last four; a branch of seven full members or more has a committee of three (支部工作
# 条例), which meets monthly, a smaller one only a secretary and meets as a whole each month
# instead; their few members make no party groups.
MISS_A_QUARTER = 0.12
COMMITTEE_FROM = 7
COMMITTEE_OF_A_SMALL_BRANCH = 3
HOST_TOPICS = (
    "学习党章党规",
    "开展主题党日活动",
    "党员示范岗创建",
    "党建引领产业发展",
    "联农带农、帮助农户增收",
    "学习安全生产法规",
)
OWNERS = ("村党组织书记", "乡镇包村干部", "驻村第一书记", "乡镇组织委员")
# The posts of a village party organisation's committee (支委会).
PARTY_POSTS = (
    CommitteePostKind.SECRETARY,
    CommitteePostKind.SECRETARY_AND_CHAIR,
    CommitteePostKind.DEPUTY_SECRETARY,
    CommitteePostKind.PARTY_COMMITTEE_MEMBER,
)


def _score(rng: random.Random, maximum: Decimal, strength: float) -> Decimal:
    share = min(max(strength + rng.gauss(0, 0.06), 0.2), 1.0)
    value = (maximum * Decimal(str(share)) / HALF).quantize(Decimal(1)) * HALF
    return min(value, maximum)


def _strength(rng: random.Random) -> float:
    """A branch's overall level: most good or advanced, a few lagging."""
    draw = rng.random()
    if draw < 0.06:
        return rng.uniform(0.42, 0.56)
    if draw < 0.30:
        return rng.uniform(0.62, 0.74)
    if draw < 0.78:
        return rng.uniform(0.76, 0.88)
    return rng.uniform(0.90, 0.97)


def _checklists(county: str, year: int) -> tuple[GradingChecklist, GradingChecklist]:
    graded = grading.do_create_checklist(None, county, year, f"{year}年度村党组织分类定级")
    for position, (name, description, maximum, weight) in enumerate(INDICATORS, start=1):
        GradingIndicator.objects.create(
            checklist=graded,
            position=position,
            name=name,
            description=description,
            max_score=maximum,
            weight=weight,
        )
    current = grading.do_create_checklist(
        None, county, year + 1, f"{year + 1}年度村党组织分类定级", copy_from=graded
    )
    return graded, current


def _grade_all(rng: random.Random, branches, checklist: GradingChecklist) -> list:
    indicators = list(checklist.indicators.all())
    bands = list(checklist.bands.order_by("-min_percent"))
    max_total = sum(i.max_score * i.weight for i in indicators)
    gradings, scores, lagging = [], [], []
    for branch in branches:
        strength = _strength(rng)
        values = [_score(rng, i.max_score, strength) for i in indicators]
        total = sum(v * i.weight for v, i in zip(values, indicators, strict=True))
        percent = (total * 100 / max_total).quantize(Decimal("0.01"))
        band = next(b for b in bands if percent >= b.min_percent)
        gradings.append(
            BranchGrading(
                organisation=branch,
                region_code=branch.region_code,
                year=checklist.year,
                checklist=checklist,
                total=total,
                percent=percent,
                grade=band.grade,
                lagging=band.counts_as_lagging,
                graded_by=GRADED_BY,
            )
        )
        scores.append(values)
        if band.counts_as_lagging:
            lagging.append(branch)
    BranchGrading.objects.bulk_create(gradings, batch_size=1000)
    saved = {g.organisation_id: g for g in BranchGrading.objects.filter(checklist=checklist)}
    IndicatorScore.objects.bulk_create(
        [
            IndicatorScore(
                grading=saved[branch.pk], indicator=indicator, score=value, evidence="年度考评记录"
            )
            for branch, values in zip(branches, scores, strict=True)
            for indicator, value in zip(indicators, values, strict=True)
        ],
        batch_size=2000,
    )
    return lagging


def _criteria(county: str, year: int) -> list[WeakCriterion]:
    return [
        WeakCriterion.objects.create(
            region_code=county, year=year, position=position, name=name, rule=rule
        )
        for position, (name, rule) in enumerate(CRITERIA, start=1)
    ]


# The states the demo's tasks go through, so that every one is seen; the last
# designation has all its tasks closed and so is closed itself.
TASK_PLANS = (
    ("open", 40),
    ("in_progress", 60),
    ("awaiting", 20),
    ("verified", 10),
    ("closed", -30),
    ("overdue_open", -45),
    ("overdue_in_progress", -20),
    ("failed", 30),
)


def _task(rng, designation, description: str, plan: str, offset: int, as_of: datetime.date):
    start = designation.designated_on
    deadline = as_of + datetime.timedelta(days=offset)
    task = RectificationTask.objects.create(
        designation=designation,
        region_code=designation.region_code,
        description=description,
        owner_name=rng.choice(OWNERS),
        deadline=deadline,
    )
    notes = 0 if plan in ("open", "overdue_open") else rng.randint(1, 3)
    for index in range(notes):
        RectificationNote.objects.create(
            task=task,
            noted_on=min(start + datetime.timedelta(days=20 + 25 * index), as_of),
            text=f"第{index + 1}次推进：已召开专题会议，明确责任人和时间表。",
            author=task.owner_name,
        )
    if plan in ("open", "overdue_open"):
        return task
    task.status = TaskStatus.IN_PROGRESS
    checked = min(start + datetime.timedelta(days=90), as_of)
    if plan in ("awaiting", "verified", "closed"):
        task.status = TaskStatus.AWAITING_VERIFICATION
    if plan in ("verified", "closed", "failed"):
        task.verification = Verification.FAILED if plan == "failed" else Verification.PASSED
        task.verified_by = "乡镇党委"
        task.verified_on = checked
        task.verification_note = "资料不全，继续整改" if plan == "failed" else "经核查已整改到位"
    if plan == "closed":
        task.status = TaskStatus.CLOSED
        task.closed_on = checked
        task.closed_by = "乡镇党委"
    task.save()
    return task


def _designate(rng, branches, criteria, lagging, year: int, as_of: datetime.date) -> dict:
    lagging_ids = {b.pk for b in lagging}
    ordered = sorted(branches, key=lambda b: (b.pk not in lagging_ids, rng.random()))
    chosen = ordered[:WEAK_BRANCHES]
    designated_on = max(datetime.date(year, 1, 1), as_of - datetime.timedelta(days=200))
    counts = {"designations": 0, "tasks": 0, "notes": 0}
    for index, branch in enumerate(chosen):
        designation = WeakBranchDesignation.objects.create(
            organisation=branch,
            region_code=branch.region_code,
            year=year,
            reason="经乡镇党委调研、县委组织部审核，列为软弱涣散村党组织。",
            designated_on=designated_on,
            designated_by=GRADED_BY,
        )
        met = [criteria[2]] if branch.pk in lagging_ids else []
        met += rng.sample([criteria[0], criteria[1], criteria[4]], k=1)
        designation.criteria.set(met)
        last = index == len(chosen) - 1
        plans = [("closed", -30)] * 3 if last else rng.sample(TASK_PLANS, k=3)
        if index < len(TASK_PLANS) and not last:
            plans[0] = TASK_PLANS[index]  # every state at least once
        for (plan, offset), description in zip(plans, rng.sample(TASKS, k=3), strict=True):
            _task(rng, designation, description, plan, offset, as_of)
            counts["tasks"] += 1
        if last:
            designation.status = WeakBranchDesignation.Status.CLOSED
            designation.closed_on = min(designated_on + datetime.timedelta(days=90), as_of)
            designation.save()
        counts["designations"] += 1
    counts["notes"] = RectificationNote.objects.filter(
        task__designation__year=year, task__designation__organisation__in=chosen
    ).count()
    return counts


def _quarters(as_of: datetime.date) -> list[tuple[int, int]]:
    year, quarter = life.quarter_of(as_of)
    found = [(year, quarter)]
    for _step in range(4):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        found.append((year, quarter))
    return list(reversed(found))


def _sizes(branches) -> tuple[dict[int, int], dict[str, int]]:
    """The members of each branch and the party committee of each village in post."""
    members = dict(
        PartyMember.objects.filter(branch__in=branches)
        .values("branch")
        .annotate(n=Count("pk"))
        .values_list("branch", "n")
    )
    committees = dict(
        CommitteePost.objects.filter(
            region_code__in=[branch.region_code for branch in branches],
            kind__in=PARTY_POSTS,
            ended_on__isnull=True,
        )
        .values("region_code")
        .annotate(n=Count("person", distinct=True))
        .values_list("region_code", "n")
    )
    return members, committees


def _expected(kind: str, members: int, committee: int, groups: int) -> int:
    """Who is expected: the committee at a committee meeting, one party group (the
    members split into groups of about ten) at a group meeting, the whole branch at a
    general meeting or a party lecture."""
    if kind == LifeKind.COMMITTEE_MEETING:
        return committee
    if kind == LifeKind.GROUP_MEETING:
        return -(-members // groups)
    return members


def _life(rng: random.Random, branches, as_of: datetime.date) -> int:
    records = []
    members, committees = _sizes(branches)
    for year, quarter in _quarters(as_of):
        first, last = life.quarter_bounds(year, quarter)
        last = min(last, as_of)
        span = (last - first).days
        for branch in branches:
            if rng.random() < 0.06:  # nothing at all this quarter
                continue
            # Without members or committee on record (a branch made alone, as in tests):
            # a middling branch with a committee of three to five.
            size = members.get(branch.pk) or 10 + branch.pk % 30
            committee = min(7, max(3, committees.get(branch.region_code) or 3 + branch.pk % 3))
            groups = max(1, round(size / 10))
            plan = [LifeKind.BRANCH_ASSEMBLY, LifeKind.PARTY_LECTURE]
            plan += [LifeKind.COMMITTEE_MEETING] * 3 + [LifeKind.GROUP_MEETING] * 3
            if rng.random() < 0.10:
                plan.remove(LifeKind.PARTY_LECTURE)
            for kind in plan:
                if span < 0 or (kind in MONTHLY and rng.random() < 0.15):
                    continue
                expected = _expected(kind, size, committee, groups)
                if kind == LifeKind.COMMITTEE_MEETING:
                    attended = expected - (1 if rng.random() < 0.2 else 0)
                else:
                    attended = max(1, expected - rng.randint(0, expected // 4))
                records.append(
                    LifeRecord(
                        organisation=branch,
                        region_code=branch.region_code,
                        kind=kind,
                        held_on=first + datetime.timedelta(days=rng.randint(0, span)),
                        topic=rng.choice(TOPICS),
                        attended=attended,
                        expected=expected,
                        recorded_by="村党组织",
                    )
                )
    LifeRecord.objects.bulk_create(records, batch_size=2000)
    return len(records)


def _month(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, month, 1)
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def _life_elsewhere(rng: random.Random, branches, as_of: datetime.date) -> int:
    """Organisation life of the active branches that are not a village's own. Each
    quarter a general meeting and a party lecture (a lecture is sometimes missed); with a
    committee, its meeting every month; without one, the general meeting every month
    instead. Nothing before the branch was founded or after `as_of`; about one branch in
    eight held nothing in one of the finished quarters."""
    members = dict(
        PartyMember.objects.filter(branch__in=branches)
        .values("branch")
        .annotate(n=Count("pk"))
        .values_list("branch", "n")
    )
    quarters = _quarters(as_of)
    finished = [quarter for quarter in quarters if life.is_over(*quarter, as_of)]
    records = []
    for branch in branches:
        # Without members on record (a branch made alone, as in tests): three to ten.
        size = members.get(branch.pk) or 3 + branch.pk % 8
        has_committee = size >= COMMITTEE_FROM
        missed = rng.choice(finished) if rng.random() < MISS_A_QUARTER else None
        for year, quarter in quarters:
            if (year, quarter) == missed:
                continue
            first, last = life.quarter_bounds(year, quarter)
            months = [_month(year, first.month + step) for step in range(3)]
            plan = [(LifeKind.PARTY_LECTURE, first, last)]
            if has_committee:
                plan.append((LifeKind.BRANCH_ASSEMBLY, first, last))
                plan += [(LifeKind.COMMITTEE_MEETING, *month) for month in months]
            else:
                plan += [(LifeKind.BRANCH_ASSEMBLY, *month) for month in months]
            for kind, start, end in plan:
                start = max(start, branch.founded_on or start)
                end = min(end, as_of)
                if start > end or rng.random() < 0.08:
                    continue
                if kind == LifeKind.COMMITTEE_MEETING:
                    expected = COMMITTEE_OF_A_SMALL_BRANCH
                    attended = expected - (1 if rng.random() < 0.2 else 0)
                else:
                    expected = size
                    attended = max(1, expected - rng.randint(0, expected // 4))
                records.append(
                    LifeRecord(
                        organisation=branch,
                        region_code=branch.region_code,
                        kind=kind,
                        held_on=start + datetime.timedelta(days=rng.randint(0, (end - start).days)),
                        topic=rng.choice(HOST_TOPICS),
                        attended=attended,
                        expected=expected,
                        recorded_by="党支部书记",
                    )
                )
    LifeRecord.objects.bulk_create(records, batch_size=2000)
    return len(records)


@transaction.atomic
def generate_demo(
    county_code: str = "420222", seed: int = 1, as_of: datetime.date | None = None
) -> dict[str, int]:
    """Counts of what was made; all zero when the county already has a checklist or no
    village branches yet (run the organisation demo first)."""
    as_of = as_of or REFERENCE_DATE
    year = as_of.year - 1
    scope = Scope(role=Role.SYSTEM_ADMIN, region_code=county_code)
    villages = grading.village_branches(scope)
    branches = list(villages.order_by("pk"))
    empty = dict.fromkeys(
        ("checklists", "gradings", "designations", "tasks", "life_records", "other_branches"), 0
    )
    if not branches or GradingChecklist.objects.filter(region_code=county_code).exists():
        return empty
    rng = random.Random(seed)
    graded, _current = _checklists(county_code, year)
    lagging = _grade_all(rng, branches, graded)
    criteria = _criteria(county_code, as_of.year)
    weak = _designate(rng, branches, criteria, lagging, as_of.year, as_of)
    life_count = _life(rng, branches, as_of)
    others = list(life.life_branches(scope).exclude(pk__in=villages.values("pk")).order_by("pk"))
    life_count += _life_elsewhere(rng, others, as_of)
    counts = {
        "checklists": 2,
        "gradings": len(branches),
        "designations": weak["designations"],
        "tasks": weak["tasks"],
        "life_records": life_count,
        "other_branches": len(others),
    }
    audit.record_bulk(
        Action.BULK_LOAD, model="organisation.branchgrading", region_code=county_code, **counts
    )
    return counts
