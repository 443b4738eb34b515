"""Importing household years (年度收入与保障): income by kind and the assurances, per
household and year, upserted by (household, year) through the shared pipeline.

Every bad file is rejected with the row, the column and the reason and proves that
nothing at all was written; a clean file loads completely, its per-capita net income
computed as the household page computes it, and loading it again changes nothing."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from xlsxwriter.utility import xl_col_to_name

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.audit.models import Action, AuditEvent
from baolei.imports import pipeline, running, workbooks
from baolei.imports.models import ImportJob
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import HouseholdYear
from baolei.registry.services import years as services_years
from baolei.registry.sheets.years import ASSURANCE_HEADERS, INCOME_HEADERS, SHEET
from tests.factories import UserFactory
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    HouseholdFactory,
    HouseholdYearFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db

ASSURED = {header: "是" for header in ASSURANCE_HEADERS.values()}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def homes(db):
    """Two households of the insider's village: three members and two."""
    first, second = HouseholdFactory(), HouseholdFactory()
    for household, size in ((first, 3), (second, 2)):
        for n in range(size):
            relation = choices.Relation.HEAD if n == 0 else choices.Relation.SON
            MemberFactory(household=household, relation=relation)
    return first, second


@pytest.fixture
def neighbours_home(db):
    """A household of 富池镇, the neighbour's township."""
    return HouseholdFactory(village=Region.objects.get(code=NEIGHBOUR_VILLAGE))


def year_row(number: str, year: int = 2023, **cells: str) -> dict[str, str]:
    return {"户编号": number, "年度": str(year), **cells}


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SHEET.headers)
    for row in rows:
        writer.writerow([row.get(header, "") for header in SHEET.headers])
    return buffer.getvalue().encode(encoding)


def load(user, data: bytes, filename: str = "年度收入.csv") -> pipeline.Outcome:
    context = pipeline.ImportContext(
        scope=Scope.for_user(user), filename=filename, sha256="e" * 64, actor_name=user.username
    )
    with translation.override("en"):
        outcome = running.run_import(SHEET, data, filename, context)
        outcome.shown = [(e.row, e.column, str(e.reason)) for e in outcome.errors]
    return outcome


def years() -> list[tuple]:
    return list(
        HouseholdYear.objects.order_by("pk").values_list(
            "pk", "household_id", "year", "wages", "per_capita_net_income", "food"
        )
    )


def imports() -> int:
    return AuditEvent.objects.filter(action=Action.IMPORT).count()


def rejected(user, rows: list[dict[str, str]]) -> list[tuple[int, str, str]]:
    """Load a bad file; assert that it was refused and nothing was written."""
    before, events = years(), imports()
    outcome = load(user, csv_bytes(rows))
    assert outcome.status == ImportJob.Status.REJECTED
    assert years() == before
    assert imports() == events
    return outcome.shown


# A clean file


def test_the_sheet_covers_every_income_kind_and_assurance():
    assert tuple(INCOME_HEADERS) == services_years.INCOME_FIELDS
    assert tuple(ASSURANCE_HEADERS) == services_years.ASSURANCE_FIELDS
    assert pipeline.get_sheet("household_years") is SHEET
    assert SHEET.import_permission == pipeline.Sheet.import_permission  # EDIT_REGISTRY


def test_a_clean_file_loads_with_the_per_capita_net_income(insider, homes):
    first, second = homes
    rows = [
        year_row(
            first.number,
            工资性收入="12,000",
            生产经营性收入="3000.5",
            转移性收入="1500元",
            生产经营性支出="500",
            **{**ASSURED, "饮水安全有保障": "否"},
            饮水安全有保障备注="自来水未通",
        ),
        year_row(second.number, 2024, 工资性收入="20000", 家庭人口="4", 不愁吃="是"),
    ]
    before = AuditEvent.objects.count()

    outcome = load(insider, csv_bytes(rows))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["created"] == 2 and outcome.counts["unchanged"] == 0
    record = HouseholdYear.objects.get(household=first, year=2023)
    assert (record.wages, record.production_business) == (Decimal("12000"), Decimal("3000.50"))
    assert (record.property_income, record.transfers) == (Decimal("0"), Decimal("1500"))
    assert record.production_costs == Decimal("500")
    # 12000 + 3000.50 + 0 + 1500 - 500 = 16000.50 over the household's three members.
    assert record.member_count == 3
    assert record.per_capita_net_income == Decimal("5333.50")
    assert record.per_capita_net_income == record.compute_per_capita()
    assert record.food and record.housing_safety and record.drinking_water is False
    assert record.assurance_notes == {"drinking_water": "自来水未通"}
    other = HouseholdYear.objects.get(household=second, year=2024)
    assert other.member_count == 4 and other.per_capita_net_income == Decimal("5000.00")
    # Assurances the file leaves empty are not known, as on the household page.
    assert other.food is True and other.clothing is None
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action=Action.IMPORT)
    assert event.model == "registry.householdyear"
    assert event.extra["counts"]["created"] == 2 and event.extra["households"] == 2


def test_loading_the_same_file_again_changes_nothing(insider, homes):
    first, second = homes
    data = csv_bytes(
        [
            year_row(first.number, 工资性收入="8000", 不愁吃备注="粮食充足", **ASSURED),
            year_row(first.number, 2022, 工资性收入="7000.25", 家庭人口="3"),
            year_row(second.number, 转移性收入="3600", 住房安全有保障="否"),
        ]
    )
    assert load(insider, data).status == ImportJob.Status.DONE
    before = list(HouseholdYear.objects.order_by("pk").values())

    again = load(insider, data)

    assert again.status == ImportJob.Status.DONE, again.shown
    assert again.counts["unchanged"] == 3
    assert again.counts["created"] == 0 and again.counts["updated"] == 0
    assert list(HouseholdYear.objects.order_by("pk").values()) == before
    event = AuditEvent.objects.filter(action=Action.IMPORT).latest("id")
    assert event.extra["counts"]["unchanged"] == 3


def test_a_year_already_entered_is_updated_and_empty_cells_keep_its_values(insider, homes):
    first, _second = homes
    record = HouseholdYearFactory(household=first, year=2023, member_count=2)
    record.assurance_notes = {"food": "口粮自给"}
    record.save()

    outcome = load(insider, csv_bytes([year_row(first.number, 工资性收入="14000", 不愁穿="否")]))

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert outcome.counts["updated"] == 1 and outcome.counts["created"] == 0
    record.refresh_from_db()
    assert record.wages == Decimal("14000")
    # The rest as entered: 3000 + 0 + 1500 - 500 and the two people counted.
    assert record.production_business == Decimal("3000") and record.member_count == 2
    assert record.per_capita_net_income == Decimal("9000.00")
    assert record.clothing is False and record.food is True
    assert record.assurance_notes == {"food": "口粮自给"}
    assert HouseholdYear.objects.count() == 1


# Rejections: row, column and reason; nothing written


def test_a_non_numeric_income_is_rejected(insider, homes):
    shown = rejected(
        insider,
        [
            year_row(homes[0].number, 工资性收入="1000"),
            year_row(homes[1].number, 工资性收入="非数字"),
        ],
    )
    assert shown == [(3, "工资性收入", "Expected a number such as 1234 or 1,234.50, not “非数字”.")]


def test_a_negative_income_is_rejected(insider, homes):
    shown = rejected(insider, [year_row(homes[0].number, 财产性收入="-200")])
    assert shown == [(2, "财产性收入", "财产性收入 cannot be negative.")]


def test_an_unknown_household_is_rejected(insider, homes):
    shown = rejected(
        insider, [year_row(homes[0].number, 工资性收入="1"), year_row("420222999999990001")]
    )
    assert shown == [(3, "户编号", "There is no household 420222999999990001 in your scope.")]


def test_a_household_outside_the_scope_is_rejected(insider, homes, neighbours_home):
    shown = rejected(insider, [year_row(homes[0].number), year_row(neighbours_home.number)])
    assert shown == [
        (3, "户编号", "This household number belongs to a household outside your scope.")
    ]


def test_a_year_out_of_range_is_rejected(insider, homes):
    next_year = timezone.localdate().year + 1
    shown = rejected(
        insider,
        [year_row(homes[0].number, 1999), year_row(homes[1].number, next_year)],
    )
    last = next_year - 1
    assert shown == [
        (2, "年度", f"Expected a whole number from 2000 to {last}, not 1999."),
        (3, "年度", f"Expected a whole number from 2000 to {last}, not {next_year}."),
    ]


def test_the_same_household_and_year_twice_is_rejected(insider, homes):
    first, second = homes
    shown = rejected(
        insider,
        [
            year_row(first.number, 2023, 工资性收入="1000"),
            year_row(second.number, 2023),
            year_row(first.number, 2022),
            year_row(first.number, 2023, 工资性收入="2000"),
        ],
    )
    assert shown == [(5, "年度", "The same household and year as row 2.")]


def test_an_unknown_yes_or_no_is_rejected(insider, homes):
    shown = rejected(insider, [year_row(homes[0].number, 基本医疗有保障="也许")])
    assert shown == [(2, "基本医疗有保障", "Expected 是 or 否 (yes or no), not “也许”.")]


def test_every_bad_row_is_reported_and_an_entered_year_is_left_alone(insider, homes):
    first, second = homes
    entered = HouseholdYearFactory(household=first, year=2023)
    shown = rejected(
        insider,
        [
            year_row(first.number, 2023, 工资性收入="99999"),  # fine on its own
            year_row(second.number, 2023, 转移性收入="abc", 不愁穿="不知道"),
        ],
    )
    assert {(row, column) for row, column, _reason in shown} == {(3, "转移性收入"), (3, "不愁穿")}
    entered.refresh_from_db()
    assert entered.wages == Decimal("12000")


# Files and scope


def test_a_gbk_csv_loads(insider, homes):
    rows = [year_row(homes[0].number, 工资性收入="6000", 不愁吃="是", 不愁吃备注="粮食自给")]

    outcome = load(insider, csv_bytes(rows, "gbk"), "兴国镇年度收入.csv")

    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    record = HouseholdYear.objects.get(household=homes[0])
    assert record.assurance_notes == {"food": "粮食自给"} and record.wages == Decimal("6000")


def test_an_xlsx_with_numbers_typed_as_numbers_loads_through_the_command(insider, homes, tmp_path):
    """Excel keeps typed amounts and years as numbers; `baolei import` runs the sheet."""
    path = tmp_path / "年度收入.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    worksheet = workbook.add_worksheet("年度收入与保障")
    worksheet.write_row(0, 0, ["户编号", "年度", "工资性收入", "生产经营性收入", "不愁吃"])
    worksheet.write_row(1, 0, [homes[1].number, 2023, 9000, 1000.5, "是"])
    workbook.close()
    out = io.StringIO()

    call_command("import", "household_years", str(path), "--as", "insider", stdout=out)

    record = HouseholdYear.objects.get(household=homes[1], year=2023)
    assert record.production_business == Decimal("1000.50") and record.food is True
    assert record.per_capita_net_income == Decimal("5000.25")  # 10000.50 over two members
    assert ImportJob.objects.get().kind == "household_years"


def test_a_township_officer_cannot_import_a_neighbour_townships_years(neighbour, homes):
    shown = rejected(neighbour, [year_row(homes[0].number, 工资性收入="5000")])
    assert shown == [
        (2, "户编号", "This household number belongs to a household outside your scope.")
    ]


def test_a_township_officer_imports_their_own_townships_years(neighbour, neighbours_home):
    outcome = load(neighbour, csv_bytes([year_row(neighbours_home.number, 工资性收入="5000")]))
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    # No members: one person counted, as on the household page.
    assert HouseholdYear.objects.get().per_capita_net_income == Decimal("5000.00")


def test_whoever_may_import_households_may_import_years(db):
    secretary = UserFactory(role=Role.FIRST_SECRETARY, scope="420222100001")
    branch = UserFactory(role=Role.VILLAGE_BRANCH, scope="420222100001")
    bureau = UserFactory(role=Role.REVITALISATION_BUREAU, scope="420222")
    for user, allowed in ((secretary, False), (branch, False), (bureau, True)):
        kinds = {sheet.kind for sheet in pipeline.sheets_for(Scope.for_user(user))}
        assert ("household_years" in kinds) is allowed
        assert ("households" in kinds) is allowed
        client = Client()
        client.force_login(user)
        status = client.get("/imports/templates/household_years/").status_code
        assert status == (200 if allowed else 403)


def test_the_template_offers_yes_and_no_on_every_assurance(insider):
    buffer = io.BytesIO()
    workbooks.write_template(SHEET, buffer, Scope.for_user(insider))
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        book = archive.read("xl/workbook.xml").decode()
    assert '<sheet name="年度收入与保障"' in book
    validations = re.findall(r'<dataValidation [^>]*sqref="([A-Z]+)2:\1\d+"', sheet)
    assurances = [SHEET.headers.index(header) for header in ASSURANCE_HEADERS.values()]
    assert sorted(validations) == sorted(xl_col_to_name(index) for index in assurances)
    assert '<formula1>"是,否"</formula1>' in sheet


def test_the_year_may_be_this_year_but_not_before_2000(insider, homes):
    this_year = timezone.localdate().year
    outcome = load(insider, csv_bytes([year_row(homes[0].number, this_year)]))
    assert outcome.status == ImportJob.Status.DONE, outcome.shown
    assert rejected(insider, [year_row(homes[1].number, 2000, 家庭人口="0")]) == [
        (2, "家庭人口", "Expected a whole number from 1 to 99, not 0.")
    ]
