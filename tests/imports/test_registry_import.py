"""Importing the register: households and members, one row per person.

Every bad file here is rejected with the row, the column and the reason, and proves that
nothing at all was written; a clean file loads completely, and loading it again changes
nothing and says so in the audit trail."""

import datetime
import io

import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.audit.models import Action, AuditEvent
from baolei.imports import jobs, pipeline, running
from baolei.imports.models import ImportJob
from baolei.registry import choices
from baolei.registry.models import Household, Member, Person, StatusChange
from baolei.registry.sheets.households import SHEET
from tests.factories import UserFactory
from tests.imports.registry_files import (
    NEIGHBOUR_VILLAGE,
    OTHER_VILLAGE,
    OUTSIDE_VILLAGE,
    VILLAGE,
    VILLAGE_FULL_NAME,
    csv_bytes,
    family,
    id_number,
    person,
    register,
    register_counts,
    table,
    with_check,
    xlsx_bytes,
)
from tests.registry.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def load(user, data: bytes, filename: str = "户.csv") -> pipeline.Outcome:
    context = pipeline.ImportContext(
        scope=Scope.for_user(user), filename=filename, sha256="f" * 64, actor_name=user.username
    )
    with translation.override("en"):
        outcome = running.run_import(SHEET, data, filename, context)
        outcome.shown = [(e.row, e.column, str(e.reason)) for e in outcome.errors]
    return outcome


def imports() -> int:
    return AuditEvent.objects.filter(action=Action.IMPORT).count()


def rejected(user, rows, *, filename="户.csv", data=None) -> list[tuple[int, str, str]]:
    """Load a bad file; assert that it was refused and nothing was written."""
    before, events = register_counts(), imports()
    outcome = load(user, data if data is not None else csv_bytes(rows), filename)
    assert outcome.status == ImportJob.Status.REJECTED
    assert register_counts() == before
    assert imports() == events
    return outcome.shown


# A clean file


def test_a_clean_file_loads_completely(insider):
    rows = [*register(3), person("420222100001800001", 90, village=VILLAGE_FULL_NAME)]
    before = AuditEvent.objects.count()

    outcome = load(insider, csv_bytes(rows))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["created"] == 10 and outcome.counts["unchanged"] == 0
    assert outcome.counts["households_created"] == 4
    assert register_counts() == (4, 10, 10, 4)
    household = Household.objects.get(number="420222100001900001")
    assert household.village_id == VILLAGE
    assert household.attribute == choices.HouseholdAttribute.ORDINARY
    assert household.status == choices.PovertyStatus.LIFTED_WITH_POLICY
    assert household.identification_year == 2014
    assert (household.main_cause, household.second_cause, household.third_cause) == (
        choices.PovertyCause.ILLNESS,
        choices.PovertyCause.LACK_OF_SKILLS,
        choices.PovertyCause.LACK_OF_CAPITAL,
    )
    assert household.head.id_number == id_number(3)
    members = {m.person.id_number: m for m in household.members.select_related("person")}
    assert members[id_number(4, male=False)].relation == choices.Relation.SPOUSE
    assert members[id_number(5)].education == choices.Education.JUNIOR
    spouse = Person.objects.get(id_number=id_number(4, male=False))
    # Sex and birth date come from the ID number; the person lives in the household's village.
    assert spouse.sex == choices.Sex.FEMALE and spouse.birth_date == datetime.date(1975, 6, 15)
    assert spouse.region_code == VILLAGE
    by_full_name = Household.objects.get(number="420222100001800001")
    assert by_full_name.village_id == VILLAGE
    history = StatusChange.objects.get(household=household)
    assert history.to_status == household.status and history.decided_by == "insider"
    # One audit event for the whole file, not one per row.
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action=Action.IMPORT)
    assert event.model == "registry.household" and event.region_code == "420222100"
    assert event.extra["sha256"] == "f" * 64 and event.extra["filename"] == "户.csv"
    assert event.extra["counts"]["created"] == 10


def test_loading_the_same_file_again_changes_nothing(insider):
    data = csv_bytes(register(2))
    load(insider, data)
    versions = list(Household.objects.order_by("pk").values_list("version", "updated_at"))

    again = load(insider, data)

    assert again.status == ImportJob.Status.DONE
    assert again.counts["unchanged"] == 6 and again.counts["created"] == 0
    assert again.counts["updated"] == 0 and again.counts["households_unchanged"] == 2
    assert register_counts() == (2, 6, 6, 2)
    assert list(Household.objects.order_by("pk").values_list("version", "updated_at")) == versions
    event = AuditEvent.objects.filter(action=Action.IMPORT).latest("id")
    assert event.extra["counts"]["unchanged"] == 6 and event.extra["counts"]["created"] == 0


def test_a_changed_file_updates_only_what_differs(insider):
    rows = register(2)
    load(insider, csv_bytes(rows))
    rows[1]["文化程度"] = "高中"  # a member
    rows[3]["地址"] = "兴国镇新街"  # the second household's head row
    rows[3]["联系电话"] = "13800000000"

    outcome = load(insider, csv_bytes(rows))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["updated"] == 4  # one member, and the three rows of the moved house
    assert outcome.counts["households_updated"] == 1
    member = Member.objects.get(person__id_number=rows[1]["身份证号"])
    assert member.education == choices.Education.SENIOR
    household = Household.objects.get(number=rows[3]["户编号"])
    assert household.address == "兴国镇新街"
    # The version goes up, so that an edit form opened before the import is refused.
    assert household.version == 2
    assert Person.objects.get(id_number=rows[3]["身份证号"]).phone == "13800000000"


def test_an_empty_cell_keeps_the_registers_value(insider):
    rows = register(1)
    load(insider, csv_bytes(rows))
    for row in rows:
        row["文化程度"] = ""
        row["民族"] = ""
    rows[0]["地址"] = ""

    outcome = load(insider, csv_bytes(rows))

    assert outcome.counts["unchanged"] == 3
    assert Household.objects.get().address == "兴国镇山川台"


def test_members_join_an_existing_household(insider):
    household = HouseholdFactory(number="H1", village_id=VILLAGE)
    head = MemberFactory(household=household)
    household.head = head.person
    household.save()
    newborn = {"户编号": "H1", "姓名": "小明", "身份证号": id_number(7), "与户主关系": "之孙子"}
    newborn["劳动技能"] = "无劳动力"

    outcome = load(insider, csv_bytes([newborn]))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert household.members.count() == 2
    household.refresh_from_db()
    assert household.head_id == head.person_id


def test_the_head_changes_when_the_old_heads_row_says_so(insider):
    rows = register(1)
    load(insider, csv_bytes(rows))
    rows[0]["与户主关系"], rows[1]["与户主关系"] = "配偶", "户主"

    outcome = load(insider, csv_bytes(rows))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert Household.objects.get().head.id_number == rows[1]["身份证号"]


def test_a_household_that_moves_takes_all_its_members_along(insider):
    rows = register(1)
    load(insider, csv_bytes(rows))
    moved = {**rows[0], "村": OTHER_VILLAGE}

    outcome = load(insider, csv_bytes([moved]))  # the head's row only

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert Household.objects.get().village_id == OTHER_VILLAGE
    assert set(Person.objects.values_list("region_code", flat=True)) == {OTHER_VILLAGE}


def test_a_members_name_is_corrected_in_their_own_household(insider):
    rows = register(1)
    load(insider, csv_bytes(rows))
    rows[2]["姓名"] = "改名"
    outcome = load(insider, csv_bytes(rows))
    assert outcome.counts["updated"] == 1
    assert Person.objects.get(id_number=rows[2]["身份证号"]).name == "改名"


def test_a_person_known_elsewhere_in_the_register_joins_a_household(insider):
    helper_person = Person.objects.create(
        id_number=id_number(11),
        name="王五",
        sex="male",
        birth_date=datetime.date(1975, 6, 15),
        region_code="420222",
    )
    rows = [person("H2", 11, name="王五")]

    outcome = load(insider, csv_bytes(rows))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert Person.objects.filter(id_number=id_number(11)).count() == 1
    helper_person.refresh_from_db()
    assert helper_person.membership.household.number == "H2"
    assert helper_person.region_code == VILLAGE


# Encodings and formats


@pytest.mark.parametrize(
    ("encoding", "filename"),
    [
        ("utf-8", "户.csv"),
        ("utf-8-sig", "户.csv"),
        ("gbk", "户.csv"),
        ("gb18030", "户.csv"),
        ("xlsx", "户.xlsx"),
    ],
)
def test_every_format_clerks_send(insider, encoding, filename):
    rows = register(2)
    rows[0]["姓名"] = "吉祥"
    data = xlsx_bytes(rows) if encoding == "xlsx" else csv_bytes(rows, encoding)

    outcome = load(insider, data, filename)

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["created"] == 6
    assert Person.objects.get(id_number=rows[0]["身份证号"]).name == "吉祥"


def test_codes_english_labels_and_other_spellings_are_accepted(insider):
    row = person("H3", 20)
    row.update(
        {
            "户属性": "minimum_living",
            "贫困户状态": "未脱贫",
            "其他致贫原因": "缺水，缺劳力",
            "与户主关系": "本人",
            "健康状况": "残疾",
            "残疾等级": "二级",
            "劳动技能": "Skilled labour",
            "是否低保": "是",
            "是否参加医疗保险": "Y",
            "民族": "苗",
            "身份证号": id_number(20).lower().replace("4", "４", 1),
        }
    )
    headers = [header if header != "户编号" else "户 编 号*" for header in SHEET.headers]
    data = csv_bytes([{**row, "户 编 号*": "Ｈ ３"}], headers=headers)

    outcome = load(insider, data)

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    member = Member.objects.select_related("household", "person").get()
    assert member.household.number == "H3"  # full-width, with a space, as typed on a phone
    assert member.household.attribute == choices.HouseholdAttribute.MINIMUM_LIVING
    assert member.household.third_cause == choices.PovertyCause.LACK_OF_LABOUR
    assert member.relation == choices.Relation.HEAD and member.disability_grade == 2
    assert member.labour_capacity == choices.LabourCapacity.SKILLED
    assert member.minimum_living and member.medical_insurance
    assert member.person.ethnicity == "苗族" and member.person.id_number == id_number(20)


def test_a_village_by_its_bare_name_within_the_scope(insider):
    rows = [person("H4", 30, village="山川台社区居委会")]
    outcome = load(insider, csv_bytes(rows))
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert Household.objects.get().village_id == VILLAGE


def test_a_county_officer_imports_into_several_townships(db):
    bureau = UserFactory(role=Role.REVITALISATION_BUREAU, scope="420222")
    rows = family("H5", 40) + family("H6", 50, village=NEIGHBOUR_VILLAGE)
    outcome = load(bureau, csv_bytes(rows))
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert set(Household.objects.values_list("village_id", flat=True)) == {
        VILLAGE,
        NEIGHBOUR_VILLAGE,
    }


# Bad files: each rejected with row, column and reason, and nothing written


def test_a_bad_check_character(insider):
    rows = register(2)
    rows[4]["身份证号"] = with_check(rows[4]["身份证号"][:17], wrong=True)
    errors = rejected(insider, rows)
    assert len(errors) == 1
    row, column, reason = errors[0]
    assert (row, column) == (6, "身份证号")
    assert "check character should be" in reason


def test_an_impossible_birth_date(insider):
    rows = register(1)
    rows[2]["身份证号"] = with_check("42022219800230001")
    assert rejected(insider, rows) == [(4, "身份证号", "birth date 19800230 is not a real date")]


def test_the_same_person_twice_in_the_file(insider):
    rows = register(2)
    rows[5]["身份证号"] = rows[1]["身份证号"]
    rows[5]["姓名"] = rows[1]["姓名"]
    errors = rejected(insider, rows)
    assert errors == [
        (
            7,
            "身份证号",
            "The same person (ID number) as row 3: a person can be in one household only.",
        )
    ]


def test_a_person_already_in_another_household(insider):
    other = MemberFactory(household=HouseholdFactory(number="OLD-1"))
    rows = register(1)
    rows[1]["身份证号"] = other.person.id_number
    rows[1]["姓名"] = other.person.name
    errors = rejected(insider, rows)
    assert errors == [
        (
            3,
            "身份证号",
            "This person is already a member of another household (OLD-1) in the register: "
            "one person can be in one household only.",
        )
    ]


def test_a_person_in_a_household_outside_the_scope_is_not_named(insider):
    other = MemberFactory(household=HouseholdFactory(number="FAR-1", village_id=NEIGHBOUR_VILLAGE))
    rows = register(1)
    rows[1]["身份证号"] = other.person.id_number
    rows[1]["姓名"] = other.person.name
    ((_row, _column, reason),) = rejected(insider, rows)
    assert "outside your scope" in reason and "FAR-1" not in reason


def test_an_unknown_village(insider):
    rows = register(2)
    rows[3]["村"] = "湖北省黄石市阳新县兴国镇不存在村委会"
    errors = rejected(insider, rows)
    assert [(row, column) for row, column, _reason in errors] == [(5, "村")]
    assert "There is no village “湖北省黄石市阳新县兴国镇不存在村委会”" in errors[0][2]


@pytest.mark.parametrize("village", [NEIGHBOUR_VILLAGE, OUTSIDE_VILLAGE])
def test_a_village_outside_the_scope(insider, village):
    rows = register(2)
    rows[3]["村"] = village
    assert rejected(insider, rows) == [(5, "村", f"The village {village} is outside your scope.")]


def test_an_unknown_enumeration_value(insider):
    rows = register(1)
    rows[0]["户属性"] = "特别贫困户"
    rows[2]["劳动技能"] = "很强"
    errors = rejected(insider, rows)
    assert [(row, column) for row, column, _reason in errors] == [(2, "户属性"), (4, "劳动技能")]
    assert "“特别贫困户” is not one of the choices: 一般贫困户、低保贫困户" in errors[0][2]


@pytest.mark.parametrize(
    ("header", "text", "reason"),
    [
        ("识别年度", "二〇一四", "Expected a whole number such as 1234, not “二〇一四”."),
        ("识别年度", "1990", "Expected a whole number from 2000 to"),
        ("残疾等级", "重度", "Expected a disability grade from 1 to 4"),
    ],
)
def test_a_number_that_is_not_one(insider, header, text, reason):
    rows = register(1)
    rows[0][header] = text
    ((row, column, message),) = rejected(insider, rows)
    assert (row, column) == (2, header)
    assert message.startswith(reason)


@pytest.mark.parametrize("header", ["户编号", "姓名", "身份证号", "与户主关系", "劳动技能"])
def test_a_missing_required_field(insider, header):
    rows = register(2)
    rows[4][header] = ""
    errors = rejected(insider, rows)
    assert (6, header, "Required; the cell is empty.") in errors


def test_a_missing_required_column(insider):
    headers = [header for header in SHEET.headers if header != "身份证号"]
    errors = rejected(insider, register(1), data=csv_bytes(register(1), headers=headers))
    assert errors == [(1, "身份证号", "The column is missing: the file's first row must name it.")]


def test_every_error_of_the_file_is_reported_not_just_the_first(insider):
    rows = register(3)
    rows[1]["身份证号"] = with_check(rows[1]["身份证号"][:17], wrong=True)
    rows[1]["文化程度"] = "博士后"
    rows[4]["村"] = NEIGHBOUR_VILLAGE
    rows[8]["是否低保"] = "也许"
    errors = rejected(insider, rows)
    assert [(row, column) for row, column, _reason in errors] == [
        (3, "身份证号"),
        (3, "文化程度"),
        (6, "村"),
        (10, "是否低保"),
    ]


def test_a_household_with_two_heads_or_none(insider):
    rows = register(2)
    rows[1]["与户主关系"] = "户主"  # a second head in the first household
    rows[3]["与户主关系"] = "之子"  # the second household has no head now
    errors = rejected(insider, rows)
    assert (3, "与户主关系") in [(row, column) for row, column, _reason in errors]
    assert (5, "与户主关系", "A new household needs one row whose 与户主关系 is 户主.") in errors


def test_household_columns_that_disagree_between_rows(insider):
    rows = register(1)
    rows[2]["村"] = OTHER_VILLAGE
    ((row, column, reason),) = rejected(insider, rows)
    assert (row, column) == (4, "村")
    assert reason == "Differs from row 2 of the same household (420222100001)."


def test_a_status_is_not_changed_by_import(insider):
    rows = register(1)
    load(insider, csv_bytes(rows))
    rows[0]["贫困户状态"] = "已脱贫(不再享受政策)"
    ((row, column, reason),) = rejected(insider, rows)
    assert (row, column) == (2, "贫困户状态")
    assert "changes only through an identification or exit procedure" in reason


def test_a_monitoring_type_is_not_changed_by_import(insider):
    """Only the monitoring procedures change it: a file that tries is rejected on the row
    and column that try, with the reason, and nothing of the file is saved."""
    rows = register(2)
    load(insider, csv_bytes(rows))
    monitored = Household.objects.get(number=rows[3]["户编号"])
    Household.objects.filter(pk=monitored.pk).update(monitoring_type="unstable")
    rows[0]["监测对象类型"] = "边缘易致贫户"  # none so far
    rows[3]["监测对象类型"] = "突发严重困难户"  # another type
    rows[1]["文化程度"] = "高中"  # changes that must not be saved either
    rows[4]["文化程度"] = "高中"
    before = list(Household.objects.order_by("pk").values_list("monitoring_type", "version"))

    errors = rejected(insider, rows)

    assert [(row, column) for row, column, _reason in errors] == [
        (2, "监测对象类型"),
        (5, "监测对象类型"),
    ]
    assert errors[0][2] == (
        "The household's monitoring type is —: it changes only through the monitoring "
        "procedures (identification for monitoring, risk elimination), not by import."
    )
    assert "脱贫不稳定户" in errors[1][2] and "not by import" in errors[1][2]
    assert list(Household.objects.order_by("pk").values_list("monitoring_type", "version")) == (
        before
    )
    assert not Member.objects.filter(education=choices.Education.SENIOR).exists()


def test_a_monitoring_type_the_household_has_may_be_repeated(insider):
    """An export loads again: the same type, or an empty cell, is no change."""
    rows = register(2)
    load(insider, csv_bytes(rows))
    Household.objects.filter(number=rows[0]["户编号"]).update(monitoring_type="unstable")
    rows[0]["监测对象类型"] = "脱贫不稳定户"
    rows[3]["地址"] = "兴国镇新街"

    outcome = load(insider, csv_bytes(rows))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["households_updated"] == 1
    types = dict(Household.objects.values_list("number", "monitoring_type"))
    assert types == {rows[0]["户编号"]: "unstable", rows[3]["户编号"]: ""}


def test_whether_an_existing_household_is_registered_poor_is_left_alone(insider):
    """A monitored household that was never registered as poor stays so when a file
    updates it (the sheet has no such column, and the status may not change)."""
    HouseholdFactory(
        number="420222100001900000",
        village_id=VILLAGE,
        registered_poor=False,
        status="",
        status_since=None,
        monitoring_type="marginal",
    )
    rows = register(1)  # 420222100001900000, with a status on the head's row
    rows[0]["贫困户状态"] = ""
    rows[0]["地址"] = "兴国镇新街"

    outcome = load(insider, csv_bytes(rows))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    household = Household.objects.get(number="420222100001900000")
    assert household.address == "兴国镇新街"
    assert (household.registered_poor, household.status, household.monitoring_type) == (
        False,
        "",
        "marginal",
    )
    rows[0]["贫困户状态"] = "未脱贫"
    errors = rejected(insider, rows)
    assert [(row, column) for row, column, _reason in errors] == [(2, "贫困户状态")]


def test_a_new_household_gets_what_creation_gives_it(insider):
    """As `do_create_household`: registered as poor exactly when it has a status; a
    monitoring type of the register being entered comes with it."""
    rows = [
        *family("420222100001700001", 600),
        *family("420222100001700002", 610, **{"贫困户状态": ""}),
        *family("420222100001700003", 620, **{"贫困户状态": "", "监测对象类型": "边缘易致贫户"}),
    ]

    outcome = load(insider, csv_bytes(rows))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    households = Household.objects.order_by("number")
    assert list(households.values_list("registered_poor", "status", "monitoring_type")) == [
        (True, "lifted_with_policy", ""),
        (False, "", ""),
        (False, "", "marginal"),
    ]


def test_a_household_number_of_another_scope(insider):
    HouseholdFactory(number="FAR-2", village_id=NEIGHBOUR_VILLAGE)
    rows = [person("FAR-2", 60)]
    assert rejected(insider, rows) == [
        (2, "户编号", "This household number belongs to a household outside your scope.")
    ]


def test_a_known_id_number_under_another_name(insider):
    Person.objects.create(
        id_number=id_number(70), name="赵六", sex="male", birth_date=datetime.date(1975, 6, 15)
    )
    rows = [person("H7", 70, name="赵七")]
    assert rejected(insider, rows) == [
        (
            2,
            "姓名",
            "The register has this ID number under the name 赵六: check the number and the name.",
        )
    ]


def test_a_file_with_only_its_header(insider):
    errors = rejected(insider, [], data=csv_bytes([]))
    assert errors == [(1, "", "The file has only its header row: nothing to import.")]


def test_an_unreadable_file(insider):
    errors = rejected(insider, [], data=b"\x00\x01\x02binary", filename="户.xlsx")
    assert errors[0][0] == 0 and "could not be opened as a spreadsheet" in errors[0][2]


def test_one_bad_row_among_many_keeps_all_of_them_out(insider):
    rows = register(40)
    rows[-1]["与户主关系"] = "邻居"
    errors = rejected(insider, rows)
    assert len(errors) == 1 and errors[0][:2] == (len(rows) + 1, "与户主关系")
    assert not Person.objects.filter(id_number=rows[0]["身份证号"]).exists()


# The job: rejected rows come back as uploaded, with the reason


def run_job(user, data: bytes, filename: str) -> ImportJob:
    from django.core.files.base import ContentFile

    job = jobs.do_create_job(
        kind="households",
        upload=ContentFile(data, name=filename),
        filename=filename,
        user=user,
        scope=Scope.for_user(user),
        language="en",
    )
    return jobs.run_job(job)


def sheet_rows(path) -> list[list[str]]:
    with CalamineWorkbook.from_path(path) as workbook:
        return [[str(cell) for cell in row] for row in workbook.get_sheet_by_index(0).to_python()]


def test_the_rejected_rows_file_is_the_upload_with_a_reason_column(insider):
    rows = register(2)
    rows[2]["身份证号"] = with_check(rows[2]["身份证号"][:17], wrong=True)
    rows[4]["村"] = NEIGHBOUR_VILLAGE
    rows[4]["文化程度"] = "博士后"

    job = run_job(insider, xlsx_bytes(rows), "兴国镇.xlsx")

    assert job.status == ImportJob.Status.REJECTED and job.error_count == 3
    assert register_counts() == (0, 0, 0, 0)
    assert job.errors[0] == {"row": 4, "column": "身份证号", "reason": job.errors[0]["reason"]}
    returned = sheet_rows(job.error_file.path)
    original = table(rows)
    assert returned[0] == [*original[0], "错误原因"]
    # Every row as it was uploaded, so the clerk fixes the marked ones and uploads it again.
    assert [row[:-1] for row in returned[1:]] == original[1:]
    reasons = [row[-1] for row in returned[1:]]
    assert reasons[0] == reasons[1] == reasons[3] == reasons[5] == ""
    assert reasons[2].startswith("身份证号：check character should be")
    assert "村：The village 420222101001 is outside your scope." in reasons[4]
    assert "文化程度：“博士后” is not one of the choices" in reasons[4]
    assert not job.error_csv  # an XLSX upload gets XLSX back


def test_a_csv_upload_also_gets_its_rejected_rows_as_csv(insider):
    rows = register(1)
    rows[1]["是否低保"] = "也许"

    job = run_job(insider, csv_bytes(rows, "gbk"), "兴国镇.csv")

    assert job.status == ImportJob.Status.REJECTED
    with job.error_csv.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    lines = list(__import__("csv").reader(io.StringIO(text)))
    assert lines[0] == [*SHEET.headers, "错误原因"]
    assert lines[1][:-1] == table(rows)[1] and lines[1][-1] == ""
    assert lines[2][-1].startswith("是否低保：Expected 是 or 否")
    assert len(lines) == 4


def test_the_corrected_rejected_file_loads_as_it_is(insider):
    rows = register(2)
    rows[3]["村"] = NEIGHBOUR_VILLAGE
    job = run_job(insider, xlsx_bytes(rows), "兴国镇.xlsx")
    returned = sheet_rows(job.error_file.path)
    header, body = returned[0], returned[1:]
    body[3][header.index("村")] = VILLAGE  # the clerk fixes the marked row, keeps the reasons

    fixed = [dict(zip(header, values, strict=True)) for values in body]
    again = run_job(insider, xlsx_bytes(fixed, headers=header), "兴国镇-改.xlsx")

    assert again.status == ImportJob.Status.DONE, again.errors
    assert again.counts["created"] == 6
    assert register_counts()[:3] == (2, 6, 6)
