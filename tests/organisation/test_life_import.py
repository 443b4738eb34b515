"""The organisation-life sheet through the shared pipeline: all or nothing, row reasons,
loading the same file twice changes nothing, and the branches it takes are those the
pages and the API take."""

import datetime

import pytest
from django.utils import translation

from baolei.accounts.scope import Scope
from baolei.imports import pipeline, running
from baolei.imports.models import ImportJob
from baolei.organisation.choices import OrganisationKind, OrganisationStatus
from baolei.organisation.models import LifeRecord
from baolei.organisation.sheets.life import LIFE_SHEET
from tests.organisation import grading_factories as make
from tests.organisation.factories import HostEntityFactory

pytestmark = pytest.mark.django_db

HEADER = "村（代码或全称）,党组织名称,类型,日期,主题,实到人数,应到人数,备注"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def load(user, lines: list[str]) -> pipeline.Outcome:
    data = "\n".join([HEADER, *lines]).encode("utf-8")
    context = pipeline.ImportContext(
        scope=Scope.for_user(user),
        filename="三会一课.csv",
        sha256="f" * 64,
        actor_name=user.username,
        today=datetime.date(2024, 12, 31),
    )
    with translation.override("en"):
        outcome = running.run_import(LIFE_SHEET, data, "三会一课.csv", context)
        outcome.shown = [(e.row, e.column, str(e.reason)) for e in outcome.errors]
    return outcome


def test_a_clean_file_loads_and_again_changes_nothing(insider):
    branch = make.branch(name="山川台党支部")
    lines = [
        "420222100001,山川台党支部,支部党员大会,2024-04-10,学习党章,18,20,",
        "湖北省黄石市阳新县兴国镇山川台社区居委会,山川台党支部,党课,2024/5/8,书记讲党课,19,20,",
    ]
    outcome = load(insider, lines)
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    records = LifeRecord.objects.filter(organisation=branch).order_by("held_on")
    assert [(r.kind, r.held_on) for r in records] == [
        ("branch_assembly", datetime.date(2024, 4, 10)),
        ("party_lecture", datetime.date(2024, 5, 8)),
    ]
    again = load(insider, lines)
    assert again.status == ImportJob.Status.DONE
    assert (again.counts["created"], again.counts["unchanged"]) == (0, 2)
    assert LifeRecord.objects.count() == 2


def test_a_bad_row_rejects_the_file_with_reasons(insider):
    make.branch(name="山川台党支部")
    make.branch(name="富池口党支部", region_code="420222101001")
    outcome = load(
        insider,
        [
            "420222100001,山川台党支部,支委会,2024-04-10,研究工作,5,5,",
            "420222100001,山川台党支部,党课,2024-04-11,党课,21,20,",  # more than expected
            "420222100001,没有这个支部,党课,2024-04-12,党课,1,1,",
            "420222101001,富池口党支部,党课,2024-04-12,党课,1,1,",  # another township
            "420222100001,山川台党支部,茶话会,2025-01-05,x,1,1,",  # kind; future
        ],
    )
    assert outcome.status == ImportJob.Status.REJECTED
    assert not LifeRecord.objects.exists()
    rows = {(row, column) for row, column, _reason in outcome.shown}
    assert rows == {
        (3, "实到人数"),
        (4, "党组织名称"),
        (5, "所在地区（代码或全称）"),
        (6, "类型"),
        (6, "日期"),
    }


def test_any_branch_that_holds_life_is_accepted(insider):
    """The sheet takes the branches the pages take (`life.life_branches`): a
    cooperative's branch, a township's joint branch, a village's general branch."""
    cooperative = make.branch(
        name="中共山川台茶叶专业合作社支部委员会", host_entity=HostEntityFactory()
    )
    joint = make.branch(
        name="中共兴国镇农民专业合作社联合支部委员会",
        kind=OrganisationKind.JOINT_BRANCH,
        region_code="420222100",
    )
    general = make.branch(name="中共山川台社区党总支", kind=OrganisationKind.GENERAL_BRANCH)
    outcome = load(
        insider,
        [
            "420222100001,中共山川台茶叶专业合作社支部委员会,党课,2024-04-10,党建引领产业发展,5,6,",
            "420222100,中共兴国镇农民专业合作社联合支部委员会,支部党员大会,2024-05-08,学习党章,7,8,",
            "420222100001,中共山川台社区党总支,支委会,2024-06-03,研究发展党员,5,5,",
        ],
    )
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["created"] == 3
    recorded = LifeRecord.objects.values_list("organisation_id", "region_code", "kind")
    assert sorted(recorded) == sorted(
        [
            (cooperative.pk, "420222100001", "party_lecture"),
            (joint.pk, "420222100", "branch_assembly"),
            (general.pk, "420222100001", "committee_meeting"),
        ]
    )


def test_a_party_committee_and_a_dissolved_branch_are_refused_with_the_reason(insider):
    """Row, column and the reason `life.require_life_branch` gives the form and the API;
    one refused row rejects the whole file."""
    make.branch(name="山川台党支部")
    make.branch(name="中共兴国镇委员会", kind=OrganisationKind.COMMITTEE, region_code="420222100")
    make.branch(name="已撤销党支部", status=OrganisationStatus.DISSOLVED)
    outcome = load(
        insider,
        [
            "420222100001,山川台党支部,党课,2024-04-10,党课,18,20,",
            "420222100,中共兴国镇委员会,党课,2024-04-11,党课,30,30,",
            "420222100001,已撤销党支部,党课,2024-04-12,党课,3,3,",
        ],
    )
    assert outcome.status == ImportJob.Status.REJECTED
    assert outcome.shown == [
        (3, "党组织名称", "Organisation life is recorded by a branch, not by a party committee."),
        (4, "党组织名称", "The branch is merged or dissolved: it holds no meetings."),
    ]
    assert not LifeRecord.objects.exists()
