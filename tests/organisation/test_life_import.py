"""The organisation-life sheet through the shared pipeline: all or nothing, row reasons,
and loading the same file twice changes nothing."""

import datetime

import pytest
from django.utils import translation

from baolei.accounts.scope import Scope
from baolei.imports import pipeline, running
from baolei.imports.models import ImportJob
from baolei.organisation.models_grading import LifeRecord
from baolei.organisation.sheets_grading import LIFE_SHEET
from tests.organisation import grading_factories as make

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
        (5, "村（代码或全称）"),
        (6, "类型"),
        (6, "日期"),
    }
