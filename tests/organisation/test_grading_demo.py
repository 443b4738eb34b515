"""The demo generator of the grading part, on a handful of branches of 兴国镇."""

import datetime

import pytest
from django.core.management import call_command

from baolei.accounts.scope import Scope
from baolei.organisation import grading, life, rectification, synthetic_grading
from baolei.organisation.models_grading import (
    BranchGrading,
    LifeKind,
    LifeRecord,
    RectificationTask,
    TaskStatus,
    WeakBranchDesignation,
)
from baolei.regions.models import Region
from tests.organisation import factories
from tests.organisation import grading_factories as make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

AS_OF = datetime.date(2026, 11, 26)


@pytest.fixture
def branches():
    villages = Region.objects.villages().within("420222100").order_by("code")[:20]
    return [make.branch(region_code=v.code, name=f"{v.name}党支部") for v in villages]


def test_the_demo_covers_every_state(branches):
    counts = synthetic_grading.generate_demo("420222", seed=1, as_of=AS_OF)
    assert counts["gradings"] == len(branches) == BranchGrading.objects.filter(year=2025).count()
    assert counts["designations"] == 8
    tasks = RectificationTask.objects.all()
    by_status = rectification.tasks_by_status(tasks)
    assert all(by_status[status] for status in TaskStatus.values), by_status
    assert rectification.overdue(tasks, AS_OF).exists()
    closed = WeakBranchDesignation.objects.filter(status=WeakBranchDesignation.Status.CLOSED)
    assert closed.count() == 1
    assert not closed.get().tasks.exclude(status=TaskStatus.CLOSED).exists()
    # Every task really follows the rules: closed only after a passed verification.
    for task in tasks.filter(status=TaskStatus.CLOSED):
        assert task.verification == "passed" and task.verified_on <= task.closed_on
    # The checklist of the reference year is there to grade in, still unused.
    assert grading.checklist_for(branches[0].region_code, 2026) is not None
    assert len(grading.weak_village_codes("420222")) == 7


def test_the_demo_is_reproducible_and_idempotent(branches):
    first = synthetic_grading.generate_demo("420222", seed=1, as_of=AS_OF)
    grades = list(BranchGrading.objects.order_by("organisation_id").values_list("total", flat=True))
    again = synthetic_grading.generate_demo("420222", seed=1, as_of=AS_OF)
    assert not any(again.values())  # the county has data: left alone
    assert first["life_records"] > 0
    assert grades == list(
        BranchGrading.objects.order_by("organisation_id").values_list("total", flat=True)
    )


def test_the_command_says_when_there_are_no_branches(capsys):
    call_command("generate_grading_demo", "--region", "420222", "--as-of", "2026-11-26")
    assert "no village branches yet" in capsys.readouterr().out


def test_some_branches_miss_a_quarter_of_life(branches):
    synthetic_grading.generate_demo("420222", seed=1, as_of=AS_OF)
    rows = life.quarter_overview(Scope(role="system_admin", region_code="420222"), 2026, 3)
    assert len(rows) == len(branches)
    assert any(row.missing_kinds for row in rows)


def test_life_expects_the_committee_a_group_or_the_whole_branch(branches):
    sized = branches[0]
    factories.PartyMemberFactory.create_batch(24, branch=sized)
    for kind in (
        "secretary_and_chair",
        "deputy_secretary",
        "party_committee_member",
        "party_committee_member",
        "village_committee_member",  # not on the party committee
    ):
        factories.CommitteePostFactory(region_code=sized.region_code, kind=kind)
    synthetic_grading.generate_demo("420222", seed=1, as_of=AS_OF)
    expected = {
        kind: set(
            LifeRecord.objects.filter(organisation=sized, kind=kind).values_list(
                "expected", flat=True
            )
        )
        for kind in LifeKind.values
    }
    # 支委会: the four on the party committee; 党小组会: one of two groups; the rest: all 24.
    assert expected == {
        LifeKind.COMMITTEE_MEETING: {4},
        LifeKind.GROUP_MEETING: {12},
        LifeKind.BRANCH_ASSEMBLY: {24},
        LifeKind.PARTY_LECTURE: {24},
    }
    records = LifeRecord.objects.filter(kind=LifeKind.COMMITTEE_MEETING)
    assert set(records.values_list("expected", flat=True)) <= set(range(3, 8))
    assert all(
        0 < attended <= expected
        for attended, expected in records.values_list("attended", "expected")
    )
