"""The demo generator of the grading part, on a handful of branches of 兴国镇."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from baolei.accounts.scope import Scope
from baolei.demo import grading as synthetic_grading
from baolei.organisation.choices import OrganisationKind, OrganisationStatus
from baolei.organisation.models import (
    BranchGrading,
    LifeKind,
    LifeRecord,
    PartyOrganisation,
    RectificationTask,
    TaskStatus,
    WeakBranchDesignation,
)
from baolei.organisation.services import grading, life, rectification
from baolei.regions.models import Region
from tests.organisation import factories
from tests.organisation import grading_factories as make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

AS_OF = datetime.date(2026, 11, 26)


@pytest.fixture
def branches():
    villages = Region.objects.villages().within("420222100").order_by("code")[:20]
    return [make.branch(region_code=v.code, name=f"{v.name}党支部") for v in villages]


def _host_branch(name: str, members: int, **fields):
    branch = make.branch(name=name, host_entity=factories.HostEntityFactory(), **fields)
    factories.PartyMemberFactory.create_batch(members, branch=branch)
    return branch


@pytest.fixture
def others(branches):
    """Beside the village branches: a small cooperative's branch (4 members, no
    committee), an enterprise's branch (9 members, a committee), a township's joint
    branch (6 members) founded in May 2026, and two that hold no life: the township's
    party committee and a dissolved branch."""
    joint = make.branch(
        name="兴国镇合作社联合支部",
        kind=OrganisationKind.JOINT_BRANCH,
        region_code="420222100",
        founded_on=datetime.date(2026, 5, 1),
    )
    factories.PartyMemberFactory.create_batch(6, branch=joint)
    return {
        "small": _host_branch("山川台茶叶合作社党支部", 4),
        "committee": _host_branch("山川台农业公司党支部", 9),
        "joint": joint,
        "party_committee": make.branch(
            name="中共兴国镇委员会", kind=OrganisationKind.COMMITTEE, region_code="420222100"
        ),
        "dissolved": _host_branch("已撤销党支部", 0, status=OrganisationStatus.DISSOLVED),
    }


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


def _expected_by_kind(branch) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for kind, expected in LifeRecord.objects.filter(organisation=branch).values_list(
        "kind", "expected"
    ):
        found.setdefault(kind, set()).add(expected)
    return found


def test_the_other_active_branches_hold_life_as_small_branches_do(others):
    counts = synthetic_grading.generate_demo("420222", seed=1, as_of=AS_OF)
    assert counts["other_branches"] == 3  # small, committee, joint
    # Without a committee, the whole branch meets monthly; with one, its committee of
    # three meets monthly and the branch each quarter; nobody makes party groups.
    assert _expected_by_kind(others["small"]) == {
        LifeKind.BRANCH_ASSEMBLY: {4},
        LifeKind.PARTY_LECTURE: {4},
    }
    assert _expected_by_kind(others["committee"]) == {
        LifeKind.BRANCH_ASSEMBLY: {9},
        LifeKind.PARTY_LECTURE: {9},
        LifeKind.COMMITTEE_MEETING: {3},
    }
    small = Counter(
        LifeRecord.objects.filter(organisation=others["small"]).values_list("kind", flat=True)
    )
    assert small[LifeKind.BRANCH_ASSEMBLY] > small[LifeKind.PARTY_LECTURE]
    # The joint branch meets from its founding on, at its township's code.
    joint = LifeRecord.objects.filter(organisation=others["joint"])
    assert joint.exists()
    assert min(joint.values_list("held_on", flat=True)) >= datetime.date(2026, 5, 1)
    assert set(joint.values_list("region_code", flat=True)) == {"420222100"}
    # Nothing for a party committee or a dissolved branch; nothing after the date.
    held = LifeRecord.objects.filter(
        organisation__in=[others["party_committee"], others["dissolved"]]
    )
    assert not held.exists()
    assert max(LifeRecord.objects.values_list("held_on", flat=True)) <= AS_OF
    assert all(
        0 < attended <= expected
        for attended, expected in LifeRecord.objects.values_list("attended", "expected")
    )


def test_most_other_branches_meet_every_quarter_and_a_few_miss_one(branches):
    cooperatives = [
        make.branch(name=f"合作社{n}党支部", host_entity=factories.HostEntityFactory())
        for n in range(40)
    ]
    synthetic_grading.generate_demo("420222", seed=1, as_of=AS_OF)
    finished = [(2025, 4), (2026, 1), (2026, 2), (2026, 3)]  # Q4 2026 is still running
    missed = Counter()
    for year, quarter in finished:
        first, last = life.quarter_bounds(year, quarter)
        ours = PartyOrganisation.objects.filter(pk__in=[b.pk for b in cooperatives])
        quiet = life.branches_without_life(ours, first, last)
        missed.update(quiet.values_list("pk", flat=True))
    assert set(missed.values()) <= {1}  # none misses two quarters
    assert 1 <= len(missed) <= len(cooperatives) // 4  # a few, not most


def test_the_other_branches_life_is_reproducible_from_the_seed(others):
    def generated(seed: int) -> list[tuple]:
        with transaction.atomic():
            synthetic_grading.generate_demo("420222", seed=seed, as_of=AS_OF)
            rows = list(
                LifeRecord.objects.filter(organisation__host_entity__isnull=False)
                .order_by("organisation_id", "held_on", "kind", "id")
                .values_list("organisation_id", "kind", "held_on", "topic", "attended")
            )
            transaction.set_rollback(True)
        return rows

    first = generated(1)
    assert first and generated(1) == first
    assert generated(2) != first
