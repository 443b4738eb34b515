"""Importing organisations, cooperatives and party members through the shared pipeline:
a clean file loads, a file with a bad row writes nothing and says why (row, column,
reason), and loading the same file again changes nothing."""

import csv
import datetime
import io

import pytest
from django.utils import translation

from baolei.accounts.scope import Scope
from baolei.audit.models import Action, AuditEvent
from baolei.imports import pipeline, running
from baolei.imports.models import ImportJob
from baolei.organisation.models import HostEntity, MemberTransfer, PartyMember, PartyOrganisation
from baolei.organisation.sheets.hosts import HOST_SHEET
from baolei.organisation.sheets.members import MEMBER_SHEET
from baolei.organisation.sheets.organisations import ORGANISATION_SHEET
from baolei.registry.models import Person
from tests.organisation.factories import PartyOrganisationFactory, credit_code
from tests.registry.factories import PersonFactory, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE = "420222100001"
VILLAGE_2 = "420222100002"
D = datetime.date


def csv_of(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode("utf-8")


def load(user, sheet, data: bytes):
    context = pipeline.ImportContext(
        scope=Scope.for_user(user), filename="f.csv", sha256="0" * 64, actor_name=user.username
    )
    with translation.override("en"):
        outcome = running.run_import(sheet, data, "f.csv", context)
        outcome.shown = [(e.row, e.column, str(e.reason)) for e in outcome.errors]
    return outcome


def counts():
    return (
        PartyOrganisation.objects.count(),
        HostEntity.objects.count(),
        PartyMember.objects.count(),
        Person.objects.count(),
        AuditEvent.objects.filter(action=Action.IMPORT).count(),
    )


def rejected(user, sheet, data) -> list:
    before = counts()
    outcome = load(user, sheet, data)
    assert outcome.status == ImportJob.Status.REJECTED
    assert counts() == before
    return outcome.shown


# --- organisations -------------------------------------------------------------------------

ORG_HEADER = [
    "所在地区",
    "组织名称",
    "组织类别",
    "上级党组织",
    "书记姓名",
    "书记身份证号",
    "成立日期",
]


def org_rows():
    return [
        ["420222100", "中共兴国镇委员会", "党委", "", "", "", "1984-01-01"],
        [VILLAGE, "中共山川台社区支部委员会", "党支部", "中共兴国镇委员会", "柯建华",
         id_number(1, D(1970, 1, 1)), "1990/7/1"],
        [VILLAGE_2, "中共二村支部委员会", "branch", "中共兴国镇委员会", "", "", ""],
    ]  # fmt: skip


def test_a_clean_organisation_file_loads_with_parents_and_secretaries(insider):
    outcome = load(insider, ORGANISATION_SHEET, csv_of(ORG_HEADER, org_rows()))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["created"] == 3
    branch = PartyOrganisation.objects.get(name="中共山川台社区支部委员会")
    assert branch.parent.name == "中共兴国镇委员会"
    assert branch.secretary.name == "柯建华" and branch.founded_on == D(1990, 7, 1)
    assert PartyOrganisation.objects.get(name="中共二村支部委员会").kind == "branch"


def test_loading_the_organisations_again_changes_nothing(insider):
    load(insider, ORGANISATION_SHEET, csv_of(ORG_HEADER, org_rows()))
    before = counts()

    outcome = load(insider, ORGANISATION_SHEET, csv_of(ORG_HEADER, org_rows()))

    assert outcome.status == ImportJob.Status.DONE
    assert (outcome.counts["created"], outcome.counts["updated"]) == (0, 0)
    assert outcome.counts["unchanged"] == 3
    assert counts()[:4] == before[:4]


def test_a_second_file_updates_only_what_it_names(insider):
    load(insider, ORGANISATION_SHEET, csv_of(ORG_HEADER, org_rows()))

    outcome = load(
        insider,
        ORGANISATION_SHEET,
        csv_of(["所在地区", "组织名称", "组织类别"], [[VILLAGE_2, "中共二村支部委员会", "党总支"]]),
    )

    assert outcome.counts["updated"] == 1
    updated = PartyOrganisation.objects.get(name="中共二村支部委员会")
    assert updated.kind == "general_branch" and updated.parent.name == "中共兴国镇委员会"


def test_bad_organisation_rows_are_rejected_with_reasons(insider):
    rows = [
        ["420222101001", "富池党支部", "党支部", "", "", "", ""],  # outside the scope
        [VILLAGE, "无类别支部", "", "", "", "", ""],  # a new one needs its kind
        [VILLAGE, "错误类别", "党小组", "", "", "", ""],
        [VILLAGE, "无上级", "党支部", "不存在的党委", "", "", ""],
        [VILLAGE, "书记缺号", "党支部", "", "柯建华", "", ""],
        [VILLAGE, "坏日期", "党支部", "", "", "", "2023-02-30"],
    ]

    shown = rejected(insider, ORGANISATION_SHEET, csv_of(ORG_HEADER, rows))

    by_row = {row: (column, reason) for row, column, reason in shown}
    assert by_row[2] == ("所在地区", "The region 420222101001 is outside your scope.")
    assert by_row[3] == ("组织类别", "Required for a new organisation.")
    assert by_row[4][0] == "组织类别" and "not one of the choices" in by_row[4][1]
    assert by_row[5][0] == "上级党组织"
    assert by_row[6] == ("书记身份证号", "Give the secretary's ID number and name together.")
    assert by_row[7][0] == "成立日期"


# --- cooperatives ---------------------------------------------------------------------------

HOST_HEADER = [
    "统一社会信用代码",
    "名称",
    "类型",
    "所在地区",
    "产业类型",
    "成员(职工)数",
    "党建指导员",
]


def host_rows():
    return [
        [credit_code(1), "山川台茶叶专业合作社", "农民专业合作社", VILLAGE, "茶叶", "35", ""],
        [credit_code(2).lower(), "兴国镇水产合作社", "", VILLAGE_2, "水产", "12", "柯志强"],
        [credit_code(3), "兴国镇电商有限公司", "企业", "湖北省黄石市阳新县兴国镇", "电商", "80",
         ""],
    ]  # fmt: skip


def test_a_clean_cooperative_file_loads_and_reloads_unchanged(insider):
    outcome = load(insider, HOST_SHEET, csv_of(HOST_HEADER, host_rows()))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["created"] == 3
    second = HostEntity.objects.get(registration_number=credit_code(2))
    assert (second.kind, second.size, second.instructor) == ("cooperative", 12, "柯志强")
    assert HostEntity.objects.get(registration_number=credit_code(3)).region_code == "420222100"

    again = load(insider, HOST_SHEET, csv_of(HOST_HEADER, host_rows()))
    assert (again.counts["created"], again.counts["updated"], again.counts["unchanged"]) == (
        0,
        0,
        3,
    )


def test_bad_cooperative_rows_are_rejected(insider):
    bad_check = credit_code(4)[:-1] + ("0" if credit_code(4)[-1] != "0" else "1")
    rows = [
        [bad_check, "校验错", "", VILLAGE, "", "1", ""],
        [credit_code(5), "无地区", "", "", "", "1", ""],
        [credit_code(6), "负数", "", VILLAGE, "", "-3", ""],
        [credit_code(7), "重复", "", VILLAGE, "", "1", ""],
        [credit_code(7), "重复", "", VILLAGE, "", "1", ""],
    ]

    shown = rejected(insider, HOST_SHEET, csv_of(HOST_HEADER, rows))

    columns = {row: column for row, column, _reason in shown}
    assert columns == {
        2: "统一社会信用代码",
        3: "所在地区",
        4: "成员(职工)数",
        6: "统一社会信用代码",
    }


# --- party members ---------------------------------------------------------------------------

MEMBER_HEADER = [
    "姓名",
    "身份证号",
    "党组织所在地区",
    "所在党组织",
    "入党日期",
    "党员身份",
    "党员类型",
]


@pytest.fixture
def branches():
    return (
        PartyOrganisationFactory(name="中共山川台社区支部委员会"),
        PartyOrganisationFactory(name="中共二村支部委员会", region_code=VILLAGE_2),
    )


def member_rows():
    return [
        ["柯秀英", id_number(21, D(1970, 5, 5), male=False), VILLAGE, "中共山川台社区支部委员会",
         "1995-07-01", "正式党员", "在村党员"],
        ["王明", id_number(22, D(1990, 5, 5)), VILLAGE, "中共山川台社区支部委员会",
         "2024年3月1日", "预备", "流动党员"],
    ]  # fmt: skip


def test_a_clean_member_file_loads_on_the_registry_people(insider, branches):
    existing = PersonFactory(name="柯秀英", id_number=id_number(21, D(1970, 5, 5), male=False))

    outcome = load(insider, MEMBER_SHEET, csv_of(MEMBER_HEADER, member_rows()))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert (outcome.counts["created"], outcome.counts["people_created"]) == (2, 1)
    assert PartyMember.objects.get(person=existing).branch == branches[0]
    wang = PartyMember.objects.get(person__name="王明")
    assert (wang.standing, wang.category, wang.joined_on) == (
        "probationary",
        "migrant",
        D(2024, 3, 1),
    )


def test_a_member_named_in_another_branch_is_transferred_and_a_reload_changes_nothing(
    insider, branches
):
    load(insider, MEMBER_SHEET, csv_of(MEMBER_HEADER, member_rows()))
    moved = member_rows()
    moved[0][2:4] = [VILLAGE_2, "中共二村支部委员会"]

    outcome = load(insider, MEMBER_SHEET, csv_of(MEMBER_HEADER, moved))
    again = load(insider, MEMBER_SHEET, csv_of(MEMBER_HEADER, moved))

    assert outcome.counts["transferred"] == 1
    transfer = MemberTransfer.objects.get()
    assert (transfer.from_branch, transfer.to_branch) == branches
    assert (again.counts["updated"], again.counts["unchanged"]) == (0, 2)


def test_bad_member_rows_are_rejected(insider, branches):
    PersonFactory(name="李四", id_number=id_number(23, D(1980, 1, 1)))
    rows = [
        ["张三", id_number(24, D(1980, 1, 1))[:-1] + "0", VILLAGE, "中共山川台社区支部委员会",
         "2000-01-01", "", ""],  # the check character is wrong (or happens to be 0)
        ["王五", id_number(23, D(1980, 1, 1)), VILLAGE, "中共山川台社区支部委员会",
         "2000-01-01", "", ""],  # registered as 李四
        ["赵六", id_number(25, D(1980, 1, 1)), VILLAGE, "没有的支部", "2000-01-01", "", ""],
        ["钱七", id_number(26, D(1990, 1, 1)), VILLAGE, "中共山川台社区支部委员会",
         "2007-12-31", "", ""],  # 17 years old
        ["孙八", id_number(27, D(1980, 1, 1)), VILLAGE, "中共山川台社区支部委员会", "", "", ""],
    ]  # fmt: skip
    if id_number(24, D(1980, 1, 1)).endswith("0"):
        rows[0][1] = id_number(24, D(1980, 1, 1))[:-1] + "1"

    shown = rejected(insider, MEMBER_SHEET, csv_of(MEMBER_HEADER, rows))

    columns = {row: column for row, column, _reason in shown}
    assert columns == {2: "身份证号", 3: "姓名", 4: "所在党组织", 5: "入党日期", 6: "入党日期"}


def test_the_templates_download(client_insider):
    for kind in ("organisations", "cooperatives", "party_members"):
        response = client_insider.get(f"/imports/templates/{kind}/")
        assert response.status_code == 200, kind
