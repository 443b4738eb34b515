"""Every export is named one way, in Chinese: its title, any year, the region of the
reader's scope and the day (`党组织-阳新县-20261204.xlsx`), sent with RFC 5987's
`filename*` so that browsers keep the Chinese; numbers are written as numbers."""

import io
import re
from urllib.parse import unquote

import pytest
from python_calamine import CalamineWorkbook

from tests.cadres.factories import CadreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EXPORTS = [
    "/registry/households/export/",
    "/organisation/organisations/export/",
    "/organisation/hosts/export/",
    "/organisation/members/export/",
    "/organisation/grading/export/?year=2024",
    "/organisation/tasks/export/",
    "/organisation/life/export/?year=2024",
    "/cadres/list/export/",
    "/cadres/ranking/export/",
    "/cadres/leaders/export/",
    "/cadres/teams/attendance/below/export/?year=2024",
    "/cadres/teams/first-secretaries/export/",
    "/talent/people/export/",
    "/talent/enrolments/export/",
]


def _file_name(response) -> str:
    header = response["Content-Disposition"]
    found = re.search(r"filename\*=utf-8''([^;]+)", header, re.I)
    assert found, f"no RFC 5987 filename* in {header!r}"
    return unquote(found.group(1))


@pytest.mark.parametrize("url", EXPORTS)
def test_every_export_is_named_in_chinese_with_region_and_day(client_county_admin, url):
    response = client_county_admin.get(url)
    assert response.status_code == 200, url
    name = _file_name(response)
    assert re.fullmatch(r"[\u4e00-\u9fff]+(-[0-9]+)?-阳新县-20\d{6}\.(xlsx|csv)", name), name


def test_a_csv_export_is_named_alike(client_county_admin):
    response = client_county_admin.get("/organisation/organisations/export/?format=csv")
    assert re.fullmatch(r"党组织-阳新县-20\d{6}\.csv", _file_name(response))


def test_the_ranking_export_writes_scores_as_numbers(client_county_admin):
    CadreFactory(region_code="420222100")
    response = client_county_admin.get("/cadres/ranking/export/")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    header, first = rows[0], rows[1]
    assert isinstance(first[header.index("得分")], int | float), first
