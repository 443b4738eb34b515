"""The dashboards of every level: the stored figures shown as they are, the children ranked
and drilled into, the scope kept from pages, API and exports, the ranking downloaded as a
workbook, and the boundary maps an administrator uploads checked before they are kept."""

import datetime
import html
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from baolei.audit.models import Action, AuditEvent
from baolei.dashboard.models import Boundary
from baolei.dashboard.services import facts, figures
from baolei.dashboard.services.ranking import number
from baolei.indicators import CURRENT, Indicator, Measure
from baolei.regions.models import Region
from tests.registry.factories import HouseholdFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

COUNTY, TOWNSHIP, NEIGHBOUR = "420222", "420222100", "420222101"
VILLAGE_A, VILLAGE_B, VILLAGE_C = "420222100001", "420222100002", "420222101001"


@pytest.fixture
def households():
    """Households in two villages of 兴国镇 and one of 富池镇, counted."""
    for code, count, registered in ((VILLAGE_A, 3, 2), (VILLAGE_B, 1, 0), (VILLAGE_C, 2, 1)):
        village = Region.objects.get(code=code)
        HouseholdFactory.create_batch(registered, village=village, registered_poor=True)
        HouseholdFactory.create_batch(count - registered, village=village, registered_poor=False)
    facts.rebuild()


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def figure(text: str, key: str) -> tuple[str, str | None]:
    """The figure shown for `key` and the link it carries."""
    found = re.search(
        rf'<(a|span) (?:href="([^"]*)" )?data-testid="figure-{key}"[^>]*>([^<]*)<', text
    )
    assert found, f"no figure {key}"
    return found.group(3), html.unescape(found.group(2)) if found.group(2) else None


def ranked(text: str) -> list[str]:
    """The codes of the ranking table's rows, top to bottom."""
    table = text.split('data-testid="ranking-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-testid="rank-(\d+)"', table)


def test_the_cards_show_the_stored_figures_each_a_link_to_its_records(
    client_county_admin, households
):
    text = page(client_county_admin.get("/dashboard/"))
    assert "阳新县" in text and "As of" in text
    values = figures.region_values(COUNTY)
    assert values
    for value in values:
        shown, url = figure(text, value.indicator.key)
        assert shown == number(value.value), value.indicator.key
        assert url == value.url
        assert str(value.indicator.definition) in html.unescape(text)
    assert figure(text, "households") == ("6", "/registry/households/?region=420222")
    assert figure(text, "registered_households")[0] == "3"
    # The records behind the figure are the households counted.
    listed = page(client_county_admin.get(figure(text, "registered_households")[1]))
    assert listed.count("/registry/households/") >= 3


def test_the_children_are_ranked_and_each_drills_to_its_dashboard(client_county_admin, households):
    text = page(client_county_admin.get(f"/dashboard/{COUNTY}/?rank=households"))
    order = ranked(text)
    townships = list(Region.objects.children_of(COUNTY).values_list("code", flat=True))
    assert sorted(order) == sorted(townships)  # every township, with figures or not
    assert order[:2] == [TOWNSHIP, NEIGHBOUR]
    assert f'href="/dashboard/{TOWNSHIP}/?year=' in text
    descending = ranked(page(client_county_admin.get(f"/dashboard/{COUNTY}/?sort=-rank")))
    assert descending[-2:] == [NEIGHBOUR, TOWNSHIP]

    township = page(client_county_admin.get(f"/dashboard/{TOWNSHIP}/?rank=households"))
    assert ranked(township)[:2] == [VILLAGE_A, VILLAGE_B]
    assert figure(township, "households")[0] == "4"
    village = page(client_county_admin.get(f"/dashboard/{VILLAGE_A}/"))
    assert f'href="/regions/{VILLAGE_A}/"' in village
    assert figure(village, "households") == ("3", f"/registry/households/?region={VILLAGE_A}")
    assert 'data-testid="ranking-table"' not in village  # a village has no children


def test_a_yearly_indicator_shows_its_change_since_last_year_and_its_trend(
    client_county_admin, monkeypatch
):
    year = figures.this_year()

    def lifted(codes, today):
        yield VILLAGE_A, year - 2, 1
        yield VILLAGE_A, year - 1, 2
        yield VILLAGE_A, year, 5
        yield VILLAGE_A, CURRENT, 0

    catalogue = facts.registered()
    monkeypatch.setitem(
        catalogue.measures, "test_lifted", Measure("test_lifted", lifted, yearly=True)
    )
    indicator = Indicator(
        key="test_lifted",
        capability="registry",
        name="Lifted (test)",
        unit="households",
        definition="Households lifted out in the year (test).",
        numerator="test_lifted",
        better="higher",
        yearly=True,
    )
    monkeypatch.setitem(catalogue.indicators, "test_lifted", indicator)
    facts.rebuild()
    text = page(client_county_admin.get(f"/dashboard/{TOWNSHIP}/"))
    assert figure(text, "test_lifted")[0] == "5"
    change = re.search(
        r'class="is-size-7 change change-(\w+)" data-testid="change-test_lifted">(.*?)</p>',
        text,
        re.S,
    )
    assert change and change.group(1) == "good"
    assert "▲" in change.group(2) and f"up 3 on {year - 1}" in change.group(2)
    data = json.loads(re.search(r'id="dashboard-data"[^>]*>(.*?)</script>', text, re.S).group(1))
    (trend,) = [t for t in data["trends"] if t["key"] == "test_lifted"]
    assert trend["years"][-3:] == [year - 2, year - 1, year]
    assert trend["values"][-3:] == [1, 2, 5]
    # Last year's dashboard compares with the year before it.
    before = page(client_county_admin.get(f"/dashboard/{TOWNSHIP}/?year={year - 1}"))
    assert figure(before, "test_lifted")[0] == "2"


def test_a_pending_change_says_the_figures_are_updating(client_county_admin, households):
    assert 'data-testid="updating"' not in page(client_county_admin.get(f"/dashboard/{TOWNSHIP}/"))
    HouseholdFactory(village=Region.objects.get(code=VILLAGE_B))
    assert 'data-testid="updating"' in page(client_county_admin.get(f"/dashboard/{TOWNSHIP}/"))
    # The neighbour township has nothing waiting.
    assert 'data-testid="updating"' not in page(client_county_admin.get(f"/dashboard/{NEIGHBOUR}/"))


def test_the_header_says_as_of_and_updating_in_chinese(client_county_admin, households, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    HouseholdFactory(village=Region.objects.get(code=VILLAGE_B))
    text = page(client_county_admin.get(f"/dashboard/{TOWNSHIP}/"))
    as_of = facts.as_of().astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert f"截至 {as_of:%H:%M:%S}" in text and "更新中" in text
    assert "指挥部" in text  # the menu


def test_the_township_sees_its_own_dashboard_and_its_villages_only(client_insider, households):
    text = page(client_insider.get("/dashboard/"))
    assert "兴国镇" in text and figure(text, "households")[0] == "4"
    assert f'href="/dashboard/{COUNTY}/' not in text  # no breadcrumb above the scope
    assert set(ranked(text)) == set(
        Region.objects.children_of(TOWNSHIP).values_list("code", flat=True)
    )
    assert client_insider.get(f"/dashboard/{VILLAGE_A}/").status_code == 200
    for path in (
        f"/dashboard/{COUNTY}/",
        f"/dashboard/{NEIGHBOUR}/",
        f"/dashboard/{VILLAGE_C}/",
        f"/dashboard/{NEIGHBOUR}/?format=xlsx",
        f"/dashboard/boundaries/geojson/?region={COUNTY}",
        "/dashboard/boundaries/geojson/",
        "/dashboard/42/",
    ):
        assert client_insider.get(path).status_code == 404, path
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    api = "/api/dashboard/regions"
    for path in (
        f"{api}/{COUNTY}/figures",
        f"{api}/{NEIGHBOUR}/figures",
        f"{api}/{COUNTY}/children",
        f"{api}/{NEIGHBOUR}/children?indicator=households",
    ):
        assert client_insider.get(path).status_code == 404, path


def test_the_api_gives_the_same_figures_as_the_page(client_county_admin, households):
    body = client_county_admin.get(f"/api/dashboard/regions/{TOWNSHIP}/figures").json()
    expected = {v.indicator.key: v for v in figures.region_values(TOWNSHIP)}
    got = {f["key"]: f for f in body["figures"]}
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key]["value"] == value.value and got[key]["url"] == value.url
        assert got[key]["name"] == str(value.indicator.name)
    assert got["households"]["value"] == 4
    children = client_county_admin.get(
        f"/api/dashboard/regions/{TOWNSHIP}/children?indicator=registered_households"
    ).json()
    assert [c["code"] for c in children["children"][:2]] == [VILLAGE_A, VILLAGE_B]
    assert [c["value"] for c in children["children"][:2]] == [2, 0]
    assert children["children"][0]["dashboard"] == f"/dashboard/{VILLAGE_A}/"
    unknown = client_county_admin.get(f"/api/dashboard/regions/{TOWNSHIP}/children?indicator=x")
    assert unknown.status_code == 422
    bad_year = client_county_admin.get(f"/api/dashboard/regions/{TOWNSHIP}/figures?year=1")
    assert bad_year.status_code == 422


def test_the_ranking_downloads_as_a_workbook_and_is_audited(client_county_admin, households):
    response = client_county_admin.get(f"/dashboard/{COUNTY}/?rank=households&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    body = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["Place", "Code", "Name", "Households (households)"]
    assert rows[1][:4] == [1, TOWNSHIP, "兴国镇", 4]
    assert rows[2][:4] == [2, NEIGHBOUR, "富池镇", 2]
    assert len(rows) == 1 + Region.objects.children_of(COUNTY).count()
    event = AuditEvent.objects.get(action=Action.EXPORT, model="dashboard.rollup")
    assert event.extra["rows"] == len(rows) - 1
    assert event.extra["filters"]["region"] == COUNTY


# -- boundary maps ------------------------------------------------------------------------


def square(code, x=114.0, y=29.8, **properties):
    ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
    return {
        "type": "Feature",
        "properties": {"code": code, **properties},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def upload(client, content: bytes | str, region: str = COUNTY):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/dashboard/boundaries/",
        {"region": region, "file": SimpleUploadedFile("map.geojson", data)},
    )


def errors_of(response) -> str:
    text = page(response)
    assert 'data-testid="boundary-errors"' in text
    return html.unescape(text.split('data-testid="boundary-errors"', 1)[1].split("</div>", 1)[0])


@pytest.fixture
def client_sysadmin(client, sysadmin):
    client.force_login(sysadmin)
    return client


def test_a_boundary_file_is_refused_with_every_fault_named(client_sysadmin):
    assert "not JSON: line 1" in errors_of(upload(client_sysadmin, "{not json"))
    assert "not a GeoJSON FeatureCollection" in errors_of(
        upload(client_sysadmin, json.dumps({"type": "Feature"}))
    )
    collection = {
        "type": "FeatureCollection",
        "features": [
            square(TOWNSHIP),
            square(VILLAGE_A),  # a village, not a township of the county
            {"type": "Feature", "properties": {"name": "无码"}, "geometry": None},
            {**square(NEIGHBOUR), "geometry": {"type": "Point", "coordinates": [114, 29]}},
            square(TOWNSHIP),
        ],
    }
    errors = errors_of(upload(client_sysadmin, json.dumps(collection)))
    assert f"Feature 2 (code {VILLAGE_A}): not a region directly below this one" in errors
    assert "Feature 3: it has no “code” property" in errors
    assert f"Feature 4 (code {NEIGHBOUR}): its geometry is not a Polygon" in errors
    assert f"Feature 5 (code {TOWNSHIP}): this code appears twice" in errors
    too_big = b" " * (8 * 1024 * 1024 + 1)
    assert "at most 8 MB" in errors_of(upload(client_sysadmin, too_big))
    assert not Boundary.objects.exists()


def test_an_uploaded_map_is_drawn_on_the_dashboard_and_served_in_scope(
    client_sysadmin, client_insider, client_county_admin, households
):
    collection = {
        "type": "FeatureCollection",
        "features": [square(TOWNSHIP, secret="x"), square(NEIGHBOUR, x=114.2)],
    }
    response = upload(client_sysadmin, json.dumps(collection))
    assert response.status_code == 302 and response["Location"] == f"/dashboard/{COUNTY}/"
    boundary = Boundary.objects.get(region_code=COUNTY)
    assert boundary.features == 2
    event = AuditEvent.objects.get(model="dashboard.boundary")
    assert event.action == Action.CREATE and event.extra["features"] == 2

    text = page(client_county_admin.get(f"/dashboard/{COUNTY}/"))
    assert 'id="chart-map"' in text
    served = client_county_admin.get(f"/dashboard/boundaries/geojson/?region={COUNTY}").json()
    assert [f["properties"] for f in served["features"]] == [
        {"name": TOWNSHIP, "code": TOWNSHIP},
        {"name": NEIGHBOUR, "code": NEIGHBOUR},
    ]
    # Without a map of its villages, the township's dashboard has the treemap alone.
    township = page(client_insider.get("/dashboard/"))
    assert 'id="chart-map"' not in township and 'id="chart-treemap"' in township
    assert client_insider.get(f"/dashboard/boundaries/geojson/?region={COUNTY}").status_code == 404
    # Only an administrator of reference data uploads.
    assert client_county_admin.get("/dashboard/boundaries/").status_code == 403


def test_the_menu_links_to_the_command_centre(client_insider):
    text = page(client_insider.get("/"))
    assert 'href="/dashboard/"' in text and "Command centre" in text


def test_the_nation_is_the_national_users_dashboard(client_sysadmin, households):
    text = page(client_sysadmin.get("/dashboard/"))
    assert "Whole country" in text and figure(text, "households")[0] == "6"
    assert ranked(text)[0] == "42"
    hubei = page(client_sysadmin.get("/dashboard/42/"))
    assert figure(hubei, "households")[0] == "6"


def test_a_county_or_township_dashboard_leads_to_its_effectiveness_view(
    client_county_admin, households
):
    county = page(client_county_admin.get(f"/dashboard/{COUNTY}/"))
    assert f'href="/dashboard/effectiveness/{COUNTY}/"' in county
    assert client_county_admin.get(f"/dashboard/effectiveness/{COUNTY}/").status_code == 200
    village = page(client_county_admin.get(f"/dashboard/{VILLAGE_A}/"))
    assert "/dashboard/effectiveness/" not in village  # a village has no children to compare
