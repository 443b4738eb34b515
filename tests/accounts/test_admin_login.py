"""The administration site's login shares the lock-out of the site's login: one account
name, one count of failures, whichever page the password is typed into."""

import pytest
from django.conf import settings
from django.test import Client

from baolei.accounts.models import LoginThrottle
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SITE_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _post(client, url, username, password):
    return client.post(url, {"username": username, "password": password, "next": "/admin/"})


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_an_account_locked_on_the_site_cannot_log_in_to_the_admin(sysadmin):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _post(Client(), SITE_LOGIN, "sysadmin", "wrong-password-1")

    client = Client()
    response = _post(client, ADMIN_LOGIN, "sysadmin", PASSWORD)
    assert response.status_code == 200
    assert not _logged_in(client)
    assert client.get("/admin/").status_code == 302


def test_wrong_passwords_at_the_admin_count_toward_the_lock_out(sysadmin):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = _post(Client(), ADMIN_LOGIN, "sysadmin", "wrong-password-1")
        assert response.status_code == 200
    assert LoginThrottle.objects.get(username="sysadmin").locked_until is not None

    client = Client()
    response = _post(client, SITE_LOGIN, "sysadmin", PASSWORD)
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["locked"]
    assert not _logged_in(client)
    # ... and the admin refuses the right password too.
    admin_client = Client()
    _post(admin_client, ADMIN_LOGIN, "sysadmin", PASSWORD)
    assert not _logged_in(admin_client)


def test_the_right_password_at_the_admin_still_works_and_clears_the_count(sysadmin):
    _post(Client(), ADMIN_LOGIN, "sysadmin", "wrong-password-1")
    client = Client()
    response = _post(client, ADMIN_LOGIN, "sysadmin", PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)
    assert not LoginThrottle.objects.filter(username="sysadmin").exists()
