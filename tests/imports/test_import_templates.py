"""The import templates as a clerk meets them: named as the link that offers them, the
interface's words in the drop-downs, one example row that is never imported, the village
drop-down on the meeting sheet, and a link from each list the sheet fills."""

import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from baolei.accounts.permissions import Role, has_perm
from baolei.accounts.scope import Scope
from baolei.imports import pipeline, reading, running
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

KINDS = [
    "households",
    "household_years",
    "organisations",
    "cooperatives",
    "organisation_life",
    "party_members",
    "cadres",
    "village_leaders",
    "team_attendance",
    "talent",
    "training_enrolments",
]


def _importer(kind: str):
    """A county account that may import the sheet."""
    sheet = pipeline.get_sheet(kind)
    role = next(r for r in Role if r != Role.SYSTEM_ADMIN and has_perm(r, sheet.import_permission))
    return UserFactory(username=f"importer-{kind}", role=role, scope="420222")


def _client(kind: str) -> Client:
    client = Client()
    client.force_login(_importer(kind))
    return client


def _template(client, kind: str):
    client = client or _client(kind)
    response = client.get(f"/imports/templates/{kind}/")
    assert response.status_code == 200, kind
    return response


def _xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml")
        )


def _file_name(response) -> str:
    found = re.search(r"filename\*=utf-8''([^;]+)", response["Content-Disposition"], re.I)
    assert found, response["Content-Disposition"]
    return unquote(found.group(1))


@pytest.mark.parametrize("kind", KINDS)
def test_a_template_is_named_as_its_link_with_模板(db, kind):
    sheet = pipeline.get_sheet(kind)
    with translation.override("zh-hans"):
        label = str(sheet.title)
    assert _file_name(_template(None, kind)) == f"{label}-模板.xlsx"


def test_the_organisation_life_template_is_组织生活(db):
    name = _file_name(_template(None, "organisation_life"))
    assert name == "组织生活-模板.xlsx"


def test_the_household_template_says_其他_as_the_interface(db):
    xml = _xml(_template(None, "households").content)
    assert "其它" not in xml
    assert "其他" in xml


def test_the_meeting_template_offers_the_villages(db):
    xml = _xml(_template(None, "organisation_life").content)
    validations = re.findall(r'<dataValidation [^>]*sqref="([A-Z]+)2:', xml)
    assert "A" in validations, validations  # 所在地区 is the first column
    assert "山川台社区" in xml


@pytest.mark.parametrize("kind", KINDS)
def test_each_template_has_one_example_row_apart_from_the_data(db, kind):
    data = _template(None, kind).content
    table = reading.read_table(data, "template.xlsx")
    assert table.rows == []  # the sheet that is imported has the headers only
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert "填写示例" in workbook.sheet_names
    example = workbook.get_sheet_by_name("填写示例").to_python()
    sheet = pipeline.get_sheet(kind)
    assert example[0] == [column.header for column in sheet.columns]
    rows = [row for row in example[1:] if any(str(c).strip() for c in row)]
    *data, note = rows
    assert len(data) == 1
    assert "不会导入" in note[0]  # clearly marked: an example, not read
    filled = [str(c) for c in example[1] if str(c).strip()]
    assert len(filled) >= len([c for c in sheet.columns if c.required])


def test_importing_a_template_unchanged_creates_nothing(db):
    from baolei.registry.models import Household, Person

    user = _importer("households")
    client = Client()
    client.force_login(user)
    data = _template(client, "households").content
    sheet = pipeline.get_sheet("households")
    context = pipeline.ImportContext(scope=Scope.for_user(user), filename="t.xlsx")
    before = (Household.objects.count(), Person.objects.count())
    running.run_import(sheet, data, "t.xlsx", context)
    assert (Household.objects.count(), Person.objects.count()) == before


@pytest.mark.parametrize("kind", KINDS)
def test_each_list_links_to_its_template(db, kind):
    sheet = pipeline.get_sheet(kind)
    page = _client(kind).get(reverse(sheet.list_url)).content.decode()
    assert f'href="/imports/templates/{kind}/"' in page, sheet.list_url
