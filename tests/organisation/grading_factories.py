"""Objects of the grading part: a worked checklist, branches, weak branches and tasks.

Branches come from the organisation factories (a village branch of 兴国镇 by default)."""

import datetime
from decimal import Decimal

from baolei.organisation.models import (
    CriterionRule,
    GradingChecklist,
    LifeKind,
    LifeRecord,
    RectificationTask,
    WeakBranchDesignation,
    WeakCriterion,
)
from baolei.organisation.services import grading, rectification
from tests.organisation.factories import PartyOrganisationFactory

COUNTY = "420222"

# The worked checklist of the tests: three indicators, one of them counting twice.
#   organisation building   max 40 × 1 = 40
#   organisation life       max 20 × 2 = 40
#   leading development     max 20 × 1 = 20
#   weighted maximum                   = 100
INDICATORS = (
    ("Organisation building", Decimal(40), Decimal(1)),
    ("Organisation life", Decimal(20), Decimal(2)),
    ("Leading development", Decimal(20), Decimal(1)),
)


def branch(**kwargs):
    return PartyOrganisationFactory(**kwargs)


def checklist(year: int = 2024, region_code: str = COUNTY) -> GradingChecklist:
    made = grading.do_create_checklist(None, region_code, year, f"{year} checklist")
    for name, maximum, weight in INDICATORS:
        grading.do_add_indicator(None, made, name, maximum, weight)
    return made


def grade(organisation, made: GradingChecklist, *scores) -> object:
    indicators = list(made.indicators.all())
    entries = {
        indicator.pk: grading.ScoreEntry(Decimal(score))
        for indicator, score in zip(indicators, scores, strict=True)
    }
    return grading.do_save_grading(None, organisation, made.year, entries)


def criterion(year: int = 2024, rule: str = CriterionRule.MANUAL, name: str = "") -> WeakCriterion:
    return rectification.do_add_criterion(
        None, COUNTY, year, name or "Secretary post vacant for six months", rule=rule
    )


def designation(
    organisation=None, year: int = 2024, on: datetime.date = datetime.date(2024, 3, 1)
) -> WeakBranchDesignation:
    organisation = organisation or branch()
    found = criterion(year)
    return rectification.do_designate(None, organisation, year, [found], "findings", on)


def task(
    made: WeakBranchDesignation | None = None,
    deadline: datetime.date = datetime.date(2024, 6, 30),
    description: str = "Elect a new branch secretary",
) -> RectificationTask:
    made = made or designation()
    return rectification.do_add_task(None, made, description, "兴国镇组织委员", deadline)


def meeting(organisation, held_on: datetime.date, kind: str = LifeKind.BRANCH_ASSEMBLY):
    return LifeRecord.objects.create(
        organisation=organisation,
        region_code=organisation.region_code,
        kind=kind,
        held_on=held_on,
        topic="学习党章",
        attended=18,
        expected=20,
    )
