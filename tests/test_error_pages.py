"""Refusals and missing pages are the site's own pages: in Chinese, with the menu of the
signed-in user and a way home, and with their status code kept."""

import pytest
from django.test import Client
from django.urls import reverse

from baolei.accounts.permissions import Role
from tests.factories import UserFactory
from tests.registry.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def _first_secretary() -> Client:
    client = Client()
    client.force_login(UserFactory(role=Role.FIRST_SECRETARY, scope="420222100001"))
    return client


def _assert_site_page(response, status: int, heading: str) -> str:
    assert response.status_code == status
    page = response.content.decode()
    assert heading in page
    assert 'role="navigation"' in page  # the site's menu, not bare text
    assert f'href="{HOME}"' in page
    assert 'data-testid="error-back"' in page
    return page


def test_a_page_the_role_may_not_open_is_a_chinese_403_in_the_layout(settings):
    settings.DEBUG = False
    page = _assert_site_page(_first_secretary().get("/audit/"), 403, "无权访问")
    assert "403 Forbidden" not in page


def test_a_missing_page_is_a_chinese_404_in_the_layout(settings, client_insider):
    settings.DEBUG = False
    page = _assert_site_page(client_insider.get("/no-such-page/"), 404, "页面不存在")
    assert "Not Found" not in page
    assert reverse("registry:household_list") in page  # the user's own menu


def test_a_household_outside_the_scope_is_the_same_404(settings, client_neighbour):
    settings.DEBUG = False
    household = HouseholdFactory()  # in 兴国镇, not the neighbour's township
    response = client_neighbour.get(reverse("registry:household_detail", args=[household.pk]))
    _assert_site_page(response, 404, "页面不存在")


def test_a_missing_page_for_a_visitor_offers_the_login(settings, client):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_500_page_needs_no_database_nor_context(django_assert_num_queries):
    from django.template import loader

    with django_assert_num_queries(0):
        page = loader.get_template("500.html").render()  # as Django's server_error does
    assert "服务器出错" in page
    assert 'href="/"' in page
    assert "{%" not in page
