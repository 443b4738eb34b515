"""Factories for the cadres app. Cadres work in 兴国镇 (420222100) unless told otherwise;
their people get valid, unique resident ID numbers from the registry's PersonFactory."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

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
from tests.registry.factories import VILLAGE, PersonFactory

TOWNSHIP = "420222100"  # 兴国镇


class CadreFactory(DjangoModelFactory):
    class Meta:
        model = Cadre

    person = factory.SubFactory(
        PersonFactory,
        region_code=factory.SelfAttribute("..region_code"),
        name=factory.Sequence(lambda n: f"干部{n}"),
    )
    region_code = TOWNSHIP
    unit = "兴国镇人民政府"
    rank = choices.Rank.STAFF_MEMBER
    post = "科员"
    political_status = choices.PoliticalStatus.PARTY_MEMBER
    education = choices.Education.UNDERGRADUATE
    specialities = "农业技术"
    work_started_on = datetime.date(2010, 7, 1)


class DisciplinaryRecordFactory(DjangoModelFactory):
    class Meta:
        model = DisciplinaryRecord

    cadre = factory.SubFactory(CadreFactory)
    kind = choices.DisciplineKind.WARNING
    decided_on = datetime.date(2023, 6, 1)
    ends_on = datetime.date(2024, 6, 1)
    authority = "中共阳新县纪律检查委员会"
    description = "违反工作纪律"


class AchievementFactory(DjangoModelFactory):
    class Meta:
        model = Achievement

    cadre = factory.SubFactory(CadreFactory)
    kind = choices.AchievementKind.PROJECT
    region_code = VILLAGE
    achieved_on = datetime.date(2024, 9, 1)
    title = "村级光伏电站建成"
    quantity = 1
    evidence = "县乡村振兴局验收报告"


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    cadre = factory.SubFactory(CadreFactory)
    year = 2024
    score = Decimal("88")
    grade = choices.Grade.COMPETENT


class IncentiveDecisionFactory(DjangoModelFactory):
    class Meta:
        model = IncentiveDecision

    cadre = factory.SubFactory(CadreFactory)
    kind = choices.IncentiveKind.COMMENDED
    decided_on = datetime.date(2025, 1, 15)
    decided_by = "中共阳新县委组织部"


class LeaderCandidateFactory(DjangoModelFactory):
    class Meta:
        model = LeaderCandidate

    person = factory.SubFactory(
        PersonFactory,
        region_code=factory.SelfAttribute("..region_code"),
        name=factory.Sequence(lambda n: f"能人{n}"),
    )
    region_code = VILLAGE
    category = choices.LeaderCategory.RESERVE
    source = choices.LeaderSource.ENTREPRENEUR
    party_member = True
    education = choices.Education.COLLEGE


class LeaderDevelopmentFactory(DjangoModelFactory):
    class Meta:
        model = LeaderDevelopment

    candidate = factory.SubFactory(LeaderCandidateFactory)
    step = choices.DevelopmentStep.IDENTIFIED
    done_on = datetime.date(2024, 3, 1)
