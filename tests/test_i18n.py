"""Simplified Chinese first, whatever the browser asks for; English only when chosen.

The expected Chinese comes from the compiled catalogue at run time, so these tests fail
if the project's catalogue is missing, empty or not compiled.
"""

import pytest
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _chinese(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _assert_chinese(response):
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert response["Content-Language"] == "zh-hans"


def _assert_english(response):
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert response["Content-Language"] == "en"


def test_the_project_catalogue_is_compiled():
    assert _chinese("Log in to Baolei") != "Log in to Baolei"
    assert _chinese("Audit trail") != "Audit trail"


def test_chinese_is_the_default_even_for_an_english_browser(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    _assert_chinese(response)
    page = response.content.decode()
    heading = _chinese("Log in to Baolei")
    assert heading != "Log in to Baolei"
    assert heading in page
    assert "Log in to Baolei" not in page


def test_django_own_strings_are_chinese_too(client_insider):
    # The password form's labels come from Django's own catalogue.
    response = client_insider.get("/accounts/password/", HTTP_ACCEPT_LANGUAGE="en-US")
    _assert_chinese(response)
    label = _chinese("Old password")
    assert label != "Old password"
    assert label in response.content.decode()


def test_logged_in_pages_are_chinese_by_default(client_county_admin):
    response = client_county_admin.get("/", HTTP_ACCEPT_LANGUAGE="en-US")
    _assert_chinese(response)
    assert _chinese("Audit trail") in response.content.decode()


def test_choosing_english_switches_the_interface(client_county_admin):
    response = client_county_admin.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"

    home = client_county_admin.get("/")
    _assert_english(home)
    page = home.content.decode()
    assert ">Audit trail</a>" in page
    assert ">Users</a>" in page
    assert _chinese("Audit trail") not in page


def test_english_login_page(client):
    client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    response = client.get(LOGIN)
    _assert_english(response)
    assert "Log in to Baolei" in response.content.decode()


def test_choosing_chinese_again_switches_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": LOGIN})
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en")
    _assert_chinese(response)
    assert _chinese("Log in to Baolei") in response.content.decode()


def test_an_unsupported_language_cookie_falls_back_to_chinese():
    client = Client()
    client.cookies["django_language"] = "fr"
    _assert_chinese(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr-FR"))
