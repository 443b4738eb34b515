"""The attendance sheet through the shared pipeline: a clean file loads (and loads again
without change), any bad row means nothing is written, each with its reason."""

import csv
import datetime
import io

import pytest
from django.utils import translation

from baolei.accounts.scope import Scope
from baolei.cadres.models import AttendanceMonth
from baolei.cadres.sheets import attendance as sheets_teams
from baolei.imports import pipeline, running
from tests.cadres.factories_teams import AttendanceMonthFactory, TeamMemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = ["村", "姓名", "身份证号", "年度", "月份", "在村天数", "备注"]


def _file(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _load(user, data: bytes):
    context = pipeline.ImportContext(
        scope=Scope.for_user(user), filename="f.csv", sha256="f" * 64, actor_name=user.username
    )
    with translation.override("en"):
        outcome = running.run_import(sheets_teams.SHEET, data, "f.csv", context)
        outcome.shown = [(e.row, e.column, str(e.reason)) for e in outcome.errors]
    return outcome


def _row(member, month, days, note=""):
    person = member.cadre.person
    return [member.team.village_id, person.name, person.id_number, 2024, month, days, note]


def test_a_clean_file_loads_and_loading_it_again_changes_nothing(insider):
    member = TeamMemberFactory()
    AttendanceMonthFactory(member=member, year=2024, month=1, days=10)
    data = _file([_row(member, 1, 21), _row(member, 2, 22), _row(member, 3, 19, "培训")])
    outcome = _load(insider, data)
    assert outcome.status == "done", outcome.shown
    months = dict(AttendanceMonth.objects.filter(member=member).values_list("month", "days"))
    assert months == {1: 21, 2: 22, 3: 19}
    again = _load(insider, data)
    counts = {key: again.counts[key] for key in ("created", "updated", "unchanged")}
    assert counts == {"created": 0, "updated": 0, "unchanged": 3}


def test_any_bad_row_means_nothing_is_written(insider):
    member = TeamMemberFactory(starts_on=datetime.date(2024, 3, 17))
    stranger = TeamMemberFactory(team__village_id="420222100002", team__dispatching_unit="x")
    rows = [
        _row(member, 3, 15),  # 15 days in post: fine
        _row(member, 4, 31),  # April has 30 days
        [
            member.team.village_id,
            stranger.cadre.person.name,
            stranger.cadre.person.id_number,
            2024,
            3,
            20,
            "",
        ],
        _row(member, 3, 14),  # the same month twice
    ]
    outcome = _load(insider, _file(rows))
    assert outcome.status == "rejected"
    assert (
        3,
        "在村天数",
        "Enter between 0 and 30 days: the days in post that month.",
    ) in outcome.shown
    assert (
        4,
        "身份证号",
        "This person was not in the village's work team that month.",
    ) in outcome.shown
    assert (5, "月份", "The same person and month as row 2.") in outcome.shown
    assert not AttendanceMonth.objects.exists()


def test_another_countys_villages_are_refused(outsider):
    member = TeamMemberFactory()
    outcome = _load(outsider, _file([_row(member, 3, 20)]))
    assert outcome.status == "rejected"
    assert outcome.shown[0][1] == "村" and "outside your scope" in outcome.shown[0][2]
