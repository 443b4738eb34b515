"""Importing cadres and the village leader pool through the shared pipeline: clean files
load completely and a second load changes nothing; bad rows come back with row, column and
reason and nothing is written; an export can be imported again."""

import csv
import datetime
import io

import pytest
from django.utils import translation

from baolei.accounts.scope import Scope
from baolei.audit.models import Action, AuditEvent
from baolei.cadres.models import Cadre, LeaderCandidate, LeaderDevelopment
from baolei.cadres.sheets.cadres import CADRE_SHEET
from baolei.cadres.sheets.leaders import LEADER_SHEET
from baolei.imports import pipeline, running
from baolei.imports.models import ImportJob
from baolei.registry.models import Person
from tests.cadres.factories import (
    CadreFactory,
    LeaderCandidateFactory,
    LeaderDevelopmentFactory,
)
from tests.registry.factories import VILLAGE, HelperFactory, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_bytes(header: list[str], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue().encode()


def load(user, sheet, data: bytes) -> pipeline.Outcome:
    context = pipeline.ImportContext(
        scope=Scope.for_user(user), filename="f.csv", sha256="f" * 64, actor_name=user.username
    )
    with translation.override("en"):
        outcome = running.run_import(sheet, data, "f.csv", context)
        outcome.shown = [(e.row, e.column, str(e.reason)) for e in outcome.errors]
    return outcome


def cadre_row(n: int, **cells: str) -> dict[str, str]:
    return {
        "姓名": f"干部{n}",
        "身份证号": id_number(300 + n),
        "工作单位": "兴国镇人民政府",
        "职务": "科员",
        "职级": "科员",
        "政治面貌": "中共党员",
        "学历": "本科",
        "专长": "农业技术",
        "参加工作时间": "2012/7/1",
        "工作地区": "420222100",
        **cells,
    }


def test_a_clean_cadre_file_loads_and_a_second_load_changes_nothing(insider):
    helper = HelperFactory(region_code="420222100")
    rows = [
        cadre_row(1),
        cadre_row(2, 职级="副科级", 工作地区="湖北省黄石市阳新县兴国镇"),
        cadre_row(3, 姓名=helper.person.name, 身份证号=helper.person.id_number),
    ]
    data = csv_bytes(CADRE_SHEET.headers, rows)
    outcome = load(insider, CADRE_SHEET, data)
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["created"] == 3 and outcome.counts["people_created"] == 2
    assert outcome.counts["linked_to_helpers"] == 1
    second = Cadre.objects.get(person__id_number=id_number(302))
    assert (second.rank, second.education, second.region_code) == (
        "deputy_section",
        "undergraduate",
        "420222100",
    )
    assert str(second.work_started_on) == "2012-07-01"
    assert Cadre.objects.get(person=helper.person).helper == helper
    again = load(insider, CADRE_SHEET, data)
    assert again.counts["unchanged"] == 3 and again.counts["created"] == 0
    assert AuditEvent.objects.filter(action=Action.IMPORT, model="cadres.cadre").count() == 2


def test_an_existing_cadre_is_updated_with_the_cells_given_only(insider):
    cadre = CadreFactory(post="科员", specialities="茶叶")
    row = {"姓名": cadre.person.name, "身份证号": cadre.person.id_number, "职务": "副镇长"}
    outcome = load(insider, CADRE_SHEET, csv_bytes(CADRE_SHEET.headers, [row]))
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    cadre.refresh_from_db()
    assert (cadre.post, cadre.specialities, outcome.counts["updated"]) == ("副镇长", "茶叶", 1)


def test_bad_rows_are_rejected_with_row_column_and_reason_and_nothing_is_written(insider):
    CadreFactory(region_code="420222101", person__name="富池干部")  # the neighbour's
    outside = Cadre.objects.get()
    rows = [
        cadre_row(1),
        cadre_row(2, 职级="处长"),
        cadre_row(3, 工作地区="420222101"),
        cadre_row(4, 工作单位=""),
        {"姓名": "富池干部", "身份证号": outside.person.id_number, "职务": "x"},
        cadre_row(6, 身份证号=id_number(301)),
    ]
    people = Person.objects.count()
    outcome = load(insider, CADRE_SHEET, csv_bytes(CADRE_SHEET.headers, rows))
    assert outcome.status == ImportJob.Status.REJECTED
    shown = {(row, column): reason for row, column, reason in outcome.shown}
    assert set(shown) == {
        (3, "职级"),
        (4, "工作地区"),
        (5, "工作单位"),
        (6, "身份证号"),
        (7, "身份证号"),
    }
    assert shown[(4, "工作地区")] == "The region 420222101 is outside your scope."
    assert shown[(7, "身份证号")] == "The same person (ID number) as row 2."
    assert Cadre.objects.count() == 1 and Person.objects.count() == people


def test_the_export_can_be_imported_again(client_county_admin, county_admin):
    CadreFactory(person__name="甲", specialities="茶叶\n水产")
    CadreFactory(person__name="乙", work_started_on=None)
    response = client_county_admin.get("/cadres/list/export/?format=csv")
    data = b"".join(response.streaming_content)
    assert data.decode("utf-8-sig").splitlines()[0].endswith("处分影响期内")
    outcome = load(county_admin, CADRE_SHEET, data)
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["unchanged"] == 2
    assert outcome.ignored_columns == ["处分影响期内"]


def test_a_leader_file_loads_with_the_first_step(insider):
    rows = [
        {
            "姓名": "退伍兵",
            "身份证号": id_number(351),
            "村": VILLAGE,
            "类别": "书记人选",
            "来源": "退役军人",
            "是否党员": "是",
            "学历": "高中",
            "确定日期": "2024年3月1日",
        },
        {
            "姓名": "能人",
            "身份证号": id_number(352),
            "村": VILLAGE,
            "来源": "致富能人",
            "学历": "大专",
        },
    ]
    outcome = load(insider, LEADER_SHEET, csv_bytes(LEADER_SHEET.headers, rows))
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    veteran = LeaderCandidate.objects.get(person__name="退伍兵")
    assert (veteran.category, veteran.source, veteran.party_member, veteran.education) == (
        "candidate",
        "veteran",
        True,
        "secondary",
    )
    assert list(veteran.steps.values_list("step", flat=True)) == ["identified"]
    assert LeaderCandidate.objects.get(person__name="能人").category == "reserve"


def test_a_leader_in_another_township_is_refused(insider):
    row = {
        "姓名": "外镇人",
        "身份证号": id_number(353),
        "村": "420222101001",
        "来源": "退役军人",
        "学历": "高中",
    }
    outcome = load(insider, LEADER_SHEET, csv_bytes(LEADER_SHEET.headers, [row]))
    assert outcome.shown == [(2, "村", "The region 420222101001 is outside your scope.")]
    assert not LeaderCandidate.objects.exists()


def test_the_templates_and_the_upload_page_offer_the_sheets(client_insider):
    for kind in ("cadres", "village_leaders"):
        response = client_insider.get(f"/imports/templates/{kind}/")
        assert response.status_code == 200, kind
    page = client_insider.get("/imports/upload/?kind=cadres").content.decode()
    assert "Cadre records" in page and "Village leader pool" in page


def test_the_leader_export_gives_the_date_identified_and_loads_again(
    client_county_admin, county_admin
):
    first = LeaderCandidateFactory(person__name="确定者")
    LeaderDevelopmentFactory(candidate=first, step="trained", done_on=datetime.date(2024, 5, 2))
    LeaderDevelopmentFactory(candidate=first, done_on=datetime.date(2024, 3, 1))
    # without an identification step: the first step's date
    late = LeaderCandidateFactory(person__name="后来者")
    LeaderDevelopmentFactory(candidate=late, step="trained", done_on=datetime.date(2024, 7, 9))
    LeaderCandidateFactory(person__name="无步骤")
    response = client_county_admin.get("/cadres/leaders/export/?format=csv")
    data = b"".join(response.streaming_content)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    dates = {row["姓名"]: row["确定日期"] for row in rows}
    assert dates == {"确定者": "2024-03-01", "后来者": "2024-07-09", "无步骤": ""}

    # round trip: the pool loaded afresh from the export starts at the same dates
    LeaderDevelopment.objects.all().delete()
    LeaderCandidate.objects.all().delete()
    outcome = load(county_admin, LEADER_SHEET, data)
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    loaded = LeaderCandidate.objects.get(person__name="确定者")
    assert list(loaded.steps.values_list("step", "done_on")) == [
        ("identified", datetime.date(2024, 3, 1))
    ]
