"""Importing the talent pool and training enrolments through the shared pipeline: a clean
file loads completely, loading it again changes nothing and says so, and any bad row is
rejected with its row, column and reason while nothing at all is written."""

import csv
import datetime
import io

import pytest
from django.utils import translation

from baolei.accounts.scope import Scope
from baolei.audit.models import Action, AuditEvent
from baolei.imports import pipeline, running
from baolei.registry.models import Person
from baolei.talent.choices import Stage
from baolei.talent.models import Enrolment, Talent, TalentStep
from baolei.talent.sheets.talent import ENROLMENT_SHEET, TALENT_SHEET
from tests.registry.factories import NEIGHBOUR_VILLAGE, VILLAGE, PersonFactory, id_number
from tests.talent.factories import CourseFactory, EnrolmentFactory, TalentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE_FULL_NAME = "湖北省黄石市阳新县兴国镇山川台社区居委会"


def csv_file(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode("utf-8")


def load(user, sheet, data: bytes) -> pipeline.Outcome:
    context = pipeline.ImportContext(
        scope=Scope.for_user(user), filename="f.csv", sha256="f" * 64, actor_name=user.username
    )
    with translation.override("en"):
        outcome = running.run_import(sheet, data, "f.csv", context)
        outcome.shown = [(e.row, e.column, str(e.reason)) for e in outcome.errors]
    return outcome


TALENT_HEADER = ["姓名", "身份证号", "村", "人才类别", "技能特长", "识别日期", "识别方式"]
KNOWN_ID = id_number(480, datetime.date(1975, 4, 4))
NEW_ID = id_number(481, datetime.date(1982, 2, 2), male=False)


def talent_rows():
    return [
        [
            "陈志强",
            KNOWN_ID,
            VILLAGE,
            "返乡务工人员",
            "电子商务、种植",
            "2023年3月1日",
            "村级摸排识别",
        ],
        ["李芳", NEW_ID, VILLAGE_FULL_NAME, "乡村医生", "医疗卫生", "2023/4/2", "乡镇推荐"],
    ]


def test_a_clean_talent_file_loads_and_again_changes_nothing(insider):
    PersonFactory(id_number=KNOWN_ID, name="陈志强")
    outcome = load(insider, TALENT_SHEET, csv_file(TALENT_HEADER, talent_rows()))
    assert outcome.shown == [] and outcome.status == "done"
    assert outcome.counts["created"] == 2 and outcome.counts["people_created"] == 1
    chen = Talent.objects.get(person__id_number=KNOWN_ID)
    assert (chen.source, chen.skill_codes, chen.stage) == (
        "returned_migrant",
        ["e_commerce", "crop_farming"],
        Stage.IDENTIFIED,
    )
    step = chen.steps.get()
    assert (step.taken_on, step.what) == (datetime.date(2023, 3, 1), "村级摸排识别")
    li = Talent.objects.get(person__id_number=NEW_ID)
    assert li.region_code == VILLAGE and li.person.sex == "female"
    again = load(insider, TALENT_SHEET, csv_file(TALENT_HEADER, talent_rows()))
    assert again.counts["created"] == 0 and again.counts["updated"] == 0
    assert again.counts["unchanged"] == 2
    assert TalentStep.objects.count() == 2 and Person.objects.count() == 2
    assert AuditEvent.objects.filter(action=Action.IMPORT, model="talent.talent").count() == 2


def test_a_talent_file_updates_what_it_names_only(insider):
    talent = TalentFactory(source="veteran", skills=",machinery,", occupation="农机手")
    rows = [[talent.person.name, talent.person.id_number, VILLAGE, "合作社带头人", "", "", ""]]
    outcome = load(insider, TALENT_SHEET, csv_file(TALENT_HEADER, rows))
    assert outcome.counts["updated"] == 1
    talent.refresh_from_db()
    assert (talent.source, talent.skill_codes, talent.occupation) == (
        "cooperative_head",
        ["machinery"],
        "农机手",
    )


def test_bad_talent_rows_are_all_rejected_and_nothing_is_written(insider):
    PersonFactory(id_number=KNOWN_ID, name="陈志强")
    rows = [
        ["陈志刚", KNOWN_ID, VILLAGE, "退役军人", "", "2023-01-01", "登记"],  # 2: wrong name
        ["王伟", NEW_ID, "不存在村", "退役军人", "", "2023-01-01", "登记"],  # 3: no such village
        ["赵敏", id_number(482), NEIGHBOUR_VILLAGE, "乡贤", "", "2023-01-01", "推荐"],  # 4
        ["孙丽", id_number(483), VILLAGE, "宇航员", "", "2023-01-01", "推荐"],  # 5: source
        ["周杰", id_number(484), VILLAGE, "乡贤", "", "", ""],  # 6: new without its date
        ["周杰", id_number(484), VILLAGE, "乡贤", "", "2023-01-01", "推荐"],  # 7: again
        ["吴涛", "420222198001010000", VILLAGE, "乡贤", "", "2023-01-01", "推荐"],  # 8
        ["", id_number(486), VILLAGE, "乡贤", "", "2023-01-01", "推荐"],  # 9: no name
    ]
    outcome = load(insider, TALENT_SHEET, csv_file(TALENT_HEADER, rows))
    assert outcome.status == "rejected"
    columns = {(row, column) for row, column, _reason in outcome.shown}
    assert {
        (2, "姓名"),
        (3, "村"),
        (4, "村"),
        (5, "人才类别"),
        (6, "识别日期"),
        (6, "识别方式"),
        (7, "身份证号"),
        (8, "身份证号"),
        (9, "姓名"),
    } <= columns
    reasons = dict(((row, column), reason) for row, column, reason in outcome.shown)
    assert "outside your scope" in reasons[(4, "村")]
    assert "already on row 6" in reasons[(7, "身份证号")]
    assert not Talent.objects.exists() and Person.objects.count() == 1


def test_someone_of_another_townships_pool_is_not_overwritten(insider):
    talent = TalentFactory(region_code=NEIGHBOUR_VILLAGE, source="veteran")
    rows = [[talent.person.name, talent.person.id_number, VILLAGE, "乡贤", "", "", ""]]
    outcome = load(insider, TALENT_SHEET, csv_file(TALENT_HEADER, rows))
    assert outcome.status == "rejected" and outcome.shown[0][1] == "身份证号"
    talent.refresh_from_db()
    assert talent.region_code == NEIGHBOUR_VILLAGE and talent.source == "veteran"


ENROLMENT_HEADER = [
    "课程编号",
    "姓名",
    "身份证号",
    "村",
    "参训学时",
    "是否结业",
    "证书编号",
    "发证日期",
]


@pytest.fixture
def course():
    return CourseFactory(code="2024-XG-01", capacity=3, hours=40)


def test_a_clean_enrolment_file_loads_and_again_changes_nothing(insider, course):
    rows = [
        ["2024-XG-01", "刘洋", NEW_ID, VILLAGE, "40", "是", "GSNM-1", "2024-04-20"],
        ["2024-XG-01", "陈志强", KNOWN_ID, VILLAGE, "20", "否", "", ""],
    ]
    outcome = load(insider, ENROLMENT_SHEET, csv_file(ENROLMENT_HEADER, rows))
    assert outcome.shown == [] and outcome.counts["created"] == 2
    liu = Enrolment.objects.get(person__id_number=NEW_ID)
    assert (liu.hours_attended, liu.passed, liu.certificate_number) == (40, True, "GSNM-1")
    assert liu.enrolled_on == course.starts_on  # no 报名日期: the day the course starts
    again = load(insider, ENROLMENT_SHEET, csv_file(ENROLMENT_HEADER, rows))
    assert again.counts["unchanged"] == 2 and again.counts["created"] == 0
    rows[1][5:8] = ["是", "GSNM-2", "2024-04-20"]
    third = load(insider, ENROLMENT_SHEET, csv_file(ENROLMENT_HEADER, rows))
    assert third.counts["updated"] == 1
    assert Enrolment.objects.get(person__id_number=KNOWN_ID).certificate_number == "GSNM-2"


def test_bad_enrolment_rows_are_rejected(insider, course):
    EnrolmentFactory(course=course, certificate_number="GSNM-1", passed=True)
    EnrolmentFactory(course=course)
    rows = [
        ["NO-SUCH", "刘洋", id_number(490), VILLAGE, "", "", "", ""],  # 2: course
        ["2024-XG-01", "刘洋", id_number(491), VILLAGE, "50", "", "", ""],  # 3: hours
        ["2024-XG-01", "王芳", id_number(492), VILLAGE, "30", "否", "X-1", "2024-04-20"],  # 4
        ["2024-XG-01", "张伟", id_number(493), VILLAGE, "40", "是", "GSNM-1", "2024-04-20"],  # 5
        ["2024-XG-01", "李娜", id_number(494), VILLAGE, "40", "是", "", ""],  # 6: over capacity
    ]
    outcome = load(insider, ENROLMENT_SHEET, csv_file(ENROLMENT_HEADER, rows))
    assert outcome.status == "rejected"
    columns = {(row, column) for row, column, _reason in outcome.shown}
    assert {
        (2, "课程编号"),
        (3, "参训学时"),
        (4, "证书编号"),
        (5, "证书编号"),
        (6, "课程编号"),
    } <= columns
    assert Enrolment.objects.count() == 2


def test_the_templates_download(client_insider):
    for kind in ("talent", "training_enrolments"):
        response = client_insider.get(f"/imports/templates/{kind}/")
        assert response.status_code == 200, kind


def test_an_imported_pass_cultivates_a_talent(insider, course):
    talent = TalentFactory(person__name="陈志强", region_code=VILLAGE)
    talent.steps.create(stage=Stage.IDENTIFIED, taken_on=datetime.date(2023, 1, 1), what="摸排")
    person = talent.person
    rows = [["2024-XG-01", "陈志强", person.id_number, VILLAGE, "40", "是", "C-1", "2024-04-20"]]
    outcome = load(insider, ENROLMENT_SHEET, csv_file(ENROLMENT_HEADER, rows))
    assert outcome.counts["talent_steps"] == 1
    talent.refresh_from_db()
    assert talent.stage == Stage.CULTIVATED
    assert talent.steps.get(stage=Stage.CULTIVATED).taken_on == datetime.date(2024, 4, 20)
    again = load(insider, ENROLMENT_SHEET, csv_file(ENROLMENT_HEADER, rows))
    assert again.counts["talent_steps"] == 0 and talent.steps.count() == 2
