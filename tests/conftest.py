"""Fixtures shared by the whole suite.

The test database is created once per session and the real division rows of 阳新县
(420222, with 21 townships and 474 villages) and its neighbour 大冶市 (420281) are
loaded into it, so every test sees them. Each test runs in a transaction that is rolled
back; no test may flush the database (the audit table's triggers refuse DELETE).

The people of the suite:

- ``insider``: township officer of 兴国镇 (420222100)
- ``neighbour``: township officer of 富池镇 (420222101), the next township
- ``outsider``: county organisation department of 大冶市 (420281), the next county
- ``county_admin``: organisation department of 阳新县 (420222)
- ``sysadmin``: system administrator without a region (the whole country)

and ``client_<person>`` is a test client logged in as that person.
"""

import pytest
from django.test import Client, override_settings
from django.utils import translation

from baolei.accounts.permissions import Role
from baolei.regions.services import load_regions
from tests.factories import UserFactory

COUNTY = "420222"  # 阳新县
TOWNSHIP = "420222100"  # 兴国镇
NEIGHBOUR_TOWNSHIP = "420222101"  # 富池镇
NEIGHBOUR_COUNTY = "420281"  # 大冶市

# The neighbour township's people (`far`, `far_member`, `far_helper`), tried by the
# insider through every door that attaches a person by ID number, in every app.
pytest_plugins = ["tests.registry.foreign"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_regions(only=COUNTY)
        load_regions(only=NEIGHBOUR_COUNTY)


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    # Pages render `{% static %}`; production's manifest storage needs `collectstatic`
    # first, which is a deployment step, not something the tests should depend on.
    # A fast hasher keeps the many logins cheap.
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        STATIC_ROOT=tmp_path_factory.mktemp("static"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


@pytest.fixture
def english(settings):
    """The site and the code in English, the source language: tests that read messages
    and pages use it, so that filling in the Chinese catalogue cannot change what they
    prove (Chinese stays the default everywhere else)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def insider(db):
    return UserFactory(username="insider", role=Role.TOWNSHIP_OFFICER, scope=TOWNSHIP)


@pytest.fixture
def neighbour(db):
    return UserFactory(username="neighbour", role=Role.TOWNSHIP_OFFICER, scope=NEIGHBOUR_TOWNSHIP)


@pytest.fixture
def outsider(db):
    return UserFactory(
        username="outsider", role=Role.ORGANISATION_DEPARTMENT, scope=NEIGHBOUR_COUNTY
    )


@pytest.fixture
def county_admin(db):
    return UserFactory(username="county_admin", role=Role.ORGANISATION_DEPARTMENT, scope=COUNTY)


@pytest.fixture
def sysadmin(db):
    return UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN, scope=None)


@pytest.fixture
def client_insider(insider):
    return _client_for(insider)


@pytest.fixture
def client_neighbour(neighbour):
    return _client_for(neighbour)


@pytest.fixture
def client_outsider(outsider):
    return _client_for(outsider)


@pytest.fixture
def client_county_admin(county_admin):
    return _client_for(county_admin)


@pytest.fixture
def client_sysadmin(sysadmin):
    return _client_for(sysadmin)
