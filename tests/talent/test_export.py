"""Exports of the talent list and the enrolments: the import sheet's columns, masked
unless the role may see personal data, recorded in the audit trail, and loadable again."""

import csv
import io

import pytest

from baolei import idnumbers
from baolei.accounts.scope import Scope
from baolei.audit.models import Action, AuditEvent
from baolei.imports import pipeline, running
from baolei.talent.models import Talent
from baolei.talent.sheets.talent import TALENT_SHEET
from tests.talent.factories import EnrolmentFactory, TalentFactory, TalentStepFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_talent_export_is_masked_for_a_township_officer(client_insider):
    talent = TalentFactory(person__name="陈志强", source="veteran", skills=",machinery,")
    TalentStepFactory(talent=talent)
    rows = csv_rows(client_insider.get("/talent/people/export/?format=csv"))
    assert rows[0][:4] == ["姓名", "身份证号", "村", "人才类别"] and rows[0][-1] == "当前阶段"
    assert rows[1][:5] == [
        "陈志强",
        idnumbers.mask(talent.person.id_number),
        "湖北省黄石市阳新县兴国镇山川台社区居委会",
        "退役军人",
        "农机",
    ]
    assert rows[1][7:9] == ["2023-03-01", "村级摸排识别"] and rows[1][-1] == "识才"
    event = AuditEvent.objects.get(action=Action.EXPORT, model="talent.talent")
    assert event.extra["masked"] is True and event.extra["rows"] == 1


def test_the_organisation_department_exports_whole_numbers_that_load_again(
    client_county_admin, county_admin
):
    talent = TalentFactory(source="veteran")
    TalentStepFactory(talent=talent)
    response = client_county_admin.get("/talent/people/export/?format=csv")
    rows = csv_rows(response)
    assert rows[1][1] == talent.person.id_number
    data = "\n".join(",".join(row) for row in rows).encode("utf-8")
    context = pipeline.ImportContext(scope=Scope.for_user(county_admin), filename="e.csv")
    outcome = running.run_import(TALENT_SHEET, data, "e.csv", context)
    assert outcome.status == "done" and outcome.counts["unchanged"] == 1
    assert Talent.objects.count() == 1


def test_the_export_keeps_the_filters(client_insider):
    TalentFactory(person__name="陈志强", source="veteran")
    TalentFactory(person__name="李芳", source="village_doctor")
    names = [
        row[0]
        for row in csv_rows(client_insider.get("/talent/people/export/?format=csv&source=veteran"))
    ]
    assert names == ["姓名", "陈志强"]


def test_the_enrolment_export_is_masked(client_insider):
    enrolment = EnrolmentFactory(passed=True, hours_attended=40)
    rows = csv_rows(client_insider.get("/talent/enrolments/export/?format=csv"))
    assert rows[1][0] == enrolment.course.code
    assert rows[1][2] == idnumbers.mask(enrolment.person.id_number)
    assert rows[1][5:7] == ["40", "是"]


def test_the_xlsx_export_downloads(client_insider):
    TalentFactory()
    response = client_insider.get("/talent/people/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
