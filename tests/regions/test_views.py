"""The region pages: the home overview, drill-down, search and the region picker."""

import re

import pytest
from django.test import Client

from baolei.accounts.permissions import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _stat(response, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', response.content.decode())
    assert match, f"no {testid} on the page"
    return match.group(1)


def test_anonymous_visitors_are_sent_to_the_login_page():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_county_home_shows_its_townships_and_villages(client_county_admin):
    response = client_county_admin.get("/")
    assert response.status_code == 200
    assert _stat(response, "region-name").strip() == "阳新县"
    assert _stat(response, "child-count") == "21"
    assert _stat(response, "village-count") == "474"
    page = response.content.decode()
    for code, name in [("420222100", "兴国镇"), ("420222101", "富池镇"), ("420222456", "城东新区")]:
        assert f'href="/regions/{code}/">{name}</a>' in page


def test_township_home_lists_its_villages(client_insider):
    response = client_insider.get("/")
    assert _stat(response, "region-name").strip() == "兴国镇"
    assert _stat(response, "child-count") == "28"
    page = response.content.decode()
    assert 'href="/regions/420222100001/">山川台社区居委会</a>' in page
    assert "富池镇" not in page


def test_national_administrator_starts_from_the_provinces(client_sysadmin):
    response = client_sysadmin.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/regions/42/">湖北省</a>' in page
    assert _stat(response, "village-count") == f"{474 + 431:,}"


def test_breadcrumbs_stop_at_the_top_of_the_scope(client_insider, client_county_admin):
    village = "/regions/420222100001/"
    insider_page = client_insider.get(village).content.decode()
    admin_page = client_county_admin.get(village).content.decode()
    assert 'href="/regions/420222100/"' in insider_page
    assert 'href="/regions/420222/"' not in insider_page
    assert 'href="/regions/420222/"' in admin_page
    assert 'href="/regions/4202/"' not in admin_page


def test_an_account_without_a_region_sees_no_regions():
    user = UserFactory(role=Role.TOWNSHIP_OFFICER, scope=None)
    client = Client()
    client.force_login(user)
    home = client.get("/")
    assert home.status_code == 200
    assert 'data-testid="children"' not in home.content.decode()
    assert client.get("/regions/420222/").status_code == 403


def test_browse_search_finds_regions_in_scope_only(client_county_admin, client_insider):
    page = client_county_admin.get("/regions/", {"region_search": "富池"}).content.decode()
    assert 'href="/regions/420222101/">富池镇</a>' in page
    page = client_insider.get("/regions/", {"region_search": "富池"}).content.decode()
    assert "/regions/420222101/" not in page


def test_browse_search_by_code(client_county_admin):
    page = client_county_admin.get("/regions/", {"region_search": "420222100"}).content.decode()
    assert 'href="/regions/420222100/">兴国镇</a>' in page
    assert 'href="/regions/420222100001/">山川台社区居委会</a>' in page


def test_picker_lists_children_of_a_region_in_scope(client_county_admin):
    response = client_county_admin.get("/regions/picker/children/", {"region_parent": "420222"})
    assert response.status_code == 200
    options = re.findall(r'<option value="(\d+)">', response.content.decode())
    assert len(options) == 21
    assert options[0] == "420222100"


def test_picker_refuses_a_parent_outside_the_scope(client_insider):
    response = client_insider.get("/regions/picker/children/", {"region_parent": "420222"})
    assert response.status_code == 404
    response = client_insider.get("/regions/picker/children/", {"region_parent": "420222100"})
    assert len(re.findall(r'<option value="\d+">', response.content.decode())) == 28


def test_picker_search_offers_only_regions_in_scope(client_insider):
    response = client_insider.get(
        "/regions/picker/search/", {"region_search": "镇", "target": "id_scope_region"}
    )
    page = response.content.decode()
    assert 'data-pick-region="420222100"' in page
    assert 'data-pick-region="420222101"' not in page
