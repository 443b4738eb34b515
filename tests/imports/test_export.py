"""Exporting the household list: the import sheet's columns, one row per person, only
the scope, ID numbers masked unless the role may see them, every export in the audit
trail, in constant memory."""

import csv
import datetime
import io
import tempfile
import tracemalloc

import pytest
from django.test import Client
from django.utils import translation
from python_calamine import CalamineWorkbook

from baolei import idnumbers
from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.audit.models import Action, AuditEvent
from baolei.imports import exporting, pipeline, running
from baolei.imports.models import ImportJob
from baolei.registry import choices
from baolei.registry.models import Member
from baolei.registry.sheets.households import SHEET
from tests.factories import UserFactory
from tests.imports.registry_files import (
    NEIGHBOUR_VILLAGE,
    VILLAGE_FULL_NAME,
    id_number,
    register_counts,
)
from tests.registry.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

URL = "/registry/households/export/"


@pytest.fixture
def households():
    """Two households in 兴国镇 (one monitored), one in 富池镇 next door."""
    mine = HouseholdFactory(number="XG-1", status=choices.PovertyStatus.NOT_LIFTED)
    head = MemberFactory(household=mine, person__name="张三", health=choices.Health.CHRONIC)
    MemberFactory(
        household=mine,
        person__name="李四",
        relation=choices.Relation.SPOUSE,
        health=choices.Health.DISABLED,
        disability_grade=2,
    )
    mine.head = head.person
    mine.save()
    monitored = HouseholdFactory(number="XG-2", monitoring_type=choices.MonitoringType.MARGINAL)
    other = MemberFactory(household=monitored, person__name="王五")
    monitored.head = other.person
    monitored.save()
    far = HouseholdFactory(number="FC-1", village_id=NEIGHBOUR_VILLAGE)
    far_head = MemberFactory(household=far, person__name="赵六")
    far.head = far_head.person
    far.save()
    return {"mine": mine, "monitored": monitored, "far": far, "head": head}


@pytest.fixture
def bureau(db):
    """The county's rural revitalisation bureau: may see personal data."""
    return UserFactory(username="bureau", role=Role.REVITALISATION_BUREAU, scope="420222")


@pytest.fixture
def client_bureau(bureau):
    client = Client()
    client.force_login(bureau)
    return client


def xlsx_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == exporting.XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
        rows = workbook.get_sheet_by_index(0).to_python()
    return [[str(cell) for cell in row] for row in rows]


def by_name(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header = rows[0]
    return {row[header.index("姓名")]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def test_a_township_officer_gets_the_scope_with_masked_personal_data(client_insider, households):
    rows = xlsx_rows(client_insider.get(URL))

    assert rows[0] == SHEET.headers
    people = by_name(rows)
    assert set(people) == {"张三", "李四", "王五"}  # not 赵六 of 富池镇
    zhang = people["张三"]
    full = households["head"].person.id_number
    assert zhang["身份证号"] == idnumbers.mask(full) and full not in str(rows)
    assert zhang["健康状况"] == "***" and people["李四"]["残疾等级"] == "***"
    assert zhang["户编号"] == "XG-1" and zhang["村"] == VILLAGE_FULL_NAME
    assert zhang["贫困户状态"] == "未脱贫" and zhang["与户主关系"] == "户主"
    assert zhang["主要致贫原因"] == "因病" and zhang["是否参加医疗保险"] == "是"
    assert people["王五"]["监测对象类型"] == "边缘易致贫户"


def test_a_role_that_may_see_personal_data_gets_it(client_bureau, households):
    people = by_name(xlsx_rows(client_bureau.get(URL)))
    assert set(people) == {"张三", "李四", "王五", "赵六"}  # the whole county
    assert people["张三"]["身份证号"] == households["head"].person.id_number
    assert people["张三"]["健康状况"] == "长期慢性病"
    assert people["李四"]["健康状况"] == "残疾" and people["李四"]["残疾等级"] == "二级"


def test_the_list_filters_apply(client_bureau, households):
    def names(query: str) -> set[str]:
        return set(by_name(xlsx_rows(client_bureau.get(URL + query))))

    assert names("?region=420222101") == {"赵六"}
    assert names("?monitoring_type=marginal") == {"王五"}
    assert names("?status=not_lifted&main_cause=illness") == {"张三", "李四"}
    assert names("?q=XG-2") == {"王五"}
    assert names("?q=赵六") == {"赵六"}


def test_a_csv_export_is_streamed_in_utf8_with_a_bom(client_insider, households):
    response = client_insider.get(URL + "?format=csv&q=XG-1")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(SHEET.headers)
    assert len(lines) == 3 and all("XG-1" in line for line in lines[1:])
    assert "420222********" in lines[1]


def test_every_export_is_in_the_audit_trail(client_insider, insider, households):
    xlsx_rows(client_insider.get(URL + "?status=not_lifted"))
    b"".join(client_insider.get(URL + "?format=csv").streaming_content)

    xlsx_event, csv_event = AuditEvent.objects.filter(action=Action.EXPORT).order_by("id")
    assert xlsx_event.actor_name == insider.username and xlsx_event.channel == "web"
    assert xlsx_event.model == "registry.household" and xlsx_event.region_code == "420222100"
    assert xlsx_event.extra["rows"] == 2 and xlsx_event.extra["format"] == "xlsx"
    assert xlsx_event.extra["filters"] == {"status": "not_lifted"}
    assert xlsx_event.extra["masked"] is True
    assert csv_event.extra["rows"] == 3 and csv_event.extra["format"] == "csv"


@pytest.mark.parametrize("person", ["client_neighbour", "client_outsider"])
def test_other_regions_get_none_of_it(request, person, households):
    client = request.getfixturevalue(person)
    rows = xlsx_rows(client.get(URL))
    names = set(by_name(rows))
    assert not names & {"张三", "李四", "王五"}
    # Asking for the insider's township by name is "not found", as for any region.
    assert client.get(URL + "?region=420222100").status_code == 404
    assert client.get(URL + "?region=420222100&format=csv").status_code == 404


def test_a_bad_filter_is_refused(client_insider):
    assert client_insider.get(URL + "?status=rich").status_code == 400
    assert client_insider.get(URL + "?region=999999").status_code == 404


def test_the_export_is_not_for_anonymous_visitors(client, households):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_an_export_with_personal_data_imports_again_unchanged(
    client_bureau, bureau, households, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = client_bureau.get(URL + "?region=420222100")
    data = b"".join(response.streaming_content)
    before = register_counts()
    context = pipeline.ImportContext(scope=Scope.for_user(bureau), filename="export.xlsx")

    outcome = running.run_import(SHEET, data, "export.xlsx", context)

    assert outcome.status == ImportJob.Status.DONE, [str(e.reason) for e in outcome.errors]
    assert outcome.counts["unchanged"] == 3 and outcome.counts["created"] == 0
    assert register_counts() == before


def _peak_while_writing(count: int) -> int:
    rows = ([f"H{n}", f"村民{n}", "420222197506150011", "户主", n] for n in range(count))
    with tempfile.TemporaryFile() as sink:
        tracemalloc.start()
        try:
            exporting.write_xlsx(sink, ["户编号", "姓名", "身份证号", "关系", "序号"], rows)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_writing_an_xlsx_takes_the_same_memory_for_many_rows_as_for_few():
    few, many = _peak_while_writing(1_000), _peak_while_writing(10_000)
    # Ten times the rows, not ten times the memory: the rows go to disk as written.
    assert many < few * 1.5


def _reimport(user, data: bytes, filename: str = "export.xlsx") -> pipeline.Outcome:
    context = pipeline.ImportContext(scope=Scope.for_user(user), filename=filename)
    with translation.override("en"):
        outcome = running.run_import(SHEET, data, filename, context)
        outcome.shown = [(e.row, e.column, str(e.reason)) for e in outcome.errors]
    return outcome


MASKED = (
    "This ID number is masked (exported for a role that may not see ID numbers); import "
    "from an export made by a user who may see them."
)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_masked_export_imported_again_says_its_numbers_are_masked(
    client_insider, insider, households, settings, tmp_path, fmt
):
    """A township clerk's own export masks ID numbers and hides health: every row is
    refused for the one reason that matters, said plainly, and nothing changes."""
    settings.MEDIA_ROOT = tmp_path
    response = client_insider.get(URL + ("?format=csv" if fmt == "csv" else ""))
    data = b"".join(response.streaming_content)
    before = register_counts()

    outcome = _reimport(insider, data, f"export.{fmt}")

    assert outcome.status == ImportJob.Status.REJECTED
    assert outcome.shown == [(row, "身份证号", MASKED) for row in (2, 3, 4)]
    assert register_counts() == before


def _with_hidden(rows: list[list[str]]) -> list[list[str]]:
    """The rows with health and disability hidden, as a masked export writes them."""
    header = rows[0]
    health, grade = header.index("健康状况"), header.index("残疾等级")
    hidden = [rows[0]]
    for row in rows[1:]:
        row = list(row)
        row[health] = "***"
        row[grade] = "***" if row[grade] else ""
        hidden.append(row)
    return hidden


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def test_hidden_health_in_a_file_keeps_what_the_register_has(
    client_bureau, insider, households, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    rows = _with_hidden(xlsx_rows(client_bureau.get(URL + "?region=420222100")))
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("姓名")] == "王五":
            row[header.index("是否低保")] = "是"  # the one change the clerk made

    outcome = _reimport(insider, _csv(rows), "corrected.csv")

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert (outcome.counts["updated"], outcome.counts["unchanged"]) == (1, 2)
    li = Member.objects.get(person__name="李四")
    assert (li.health, li.disability_grade) == (choices.Health.DISABLED, 2)
    assert Member.objects.get(person__name="张三").health == choices.Health.CHRONIC
    assert Member.objects.get(person__name="王五").minimum_living


def test_hidden_health_of_a_new_member_is_refused(client_bureau, insider, households, tmp_path):
    rows = _with_hidden(xlsx_rows(client_bureau.get(URL + "?region=420222100&q=XG-1")))
    header = rows[0]
    newcomer = dict.fromkeys(header, "")
    newcomer.update(
        {
            "户编号": "XG-1",
            "姓名": "张小妹",
            "身份证号": id_number(40, datetime.date(2015, 3, 3), male=False),
            "与户主关系": "之女",
            "劳动技能": "无劳动力",
            "健康状况": "***",
        }
    )
    rows.append([newcomer[column] for column in header])
    before = register_counts()

    outcome = _reimport(insider, _csv(rows), "new.csv")

    assert outcome.status == ImportJob.Status.REJECTED
    assert outcome.shown == [
        (
            4,
            "健康状况",
            "Hidden (***) in an export for a role that may not see personal data: write the "
            "value for a person new to the household.",
        )
    ]
    assert register_counts() == before
