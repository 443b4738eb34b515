"""Logging in, and locking an account name out after repeated failures."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from baolei.accounts.models import LoginThrottle
from baolei.audit.models import Action, AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _error_codes(response):
    return [error.code for error in response.context["form"].non_field_errors().as_data()]


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, username, times):
    return [_login(client, username, "wrong-password-1") for _ in range(times)]


def test_the_right_password_logs_in_and_goes_home(insider):
    client = Client()
    response = _login(client, "insider", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _logged_in(client)


def test_a_wrong_password_is_refused(insider):
    client = Client()
    response = _login(client, "insider", "wrong-password-1")
    assert response.status_code == 200
    assert _error_codes(response) == ["invalid_login"]
    assert 'data-testid="login-error"' in response.content.decode()
    assert not _logged_in(client)


def test_the_limit_is_five_failures_for_fifteen_minutes():
    assert settings.LOGIN_MAX_FAILURES == 5
    assert settings.LOGIN_LOCKOUT_MINUTES == 15


def test_five_failures_lock_the_account_even_for_the_right_password(insider):
    client = Client()
    responses = _fail(client, "insider", settings.LOGIN_MAX_FAILURES)
    assert [_error_codes(r) for r in responses[:-1]] == [["invalid_login"]] * 4
    assert _error_codes(responses[-1]) == ["locked"]

    response = _login(client, "insider", PASSWORD)
    assert response.status_code == 200
    assert _error_codes(response) == ["locked"]
    message = response.context["form"].non_field_errors()[0]
    assert message in response.content.decode()
    assert not _logged_in(client)


def test_the_lock_shows_when_it_ends(insider):
    client = Client()
    _fail(client, "insider", settings.LOGIN_MAX_FAILURES)
    throttle = LoginThrottle.objects.get(username="insider")
    expected_end = timezone.now() + datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    assert abs(throttle.locked_until - expected_end) < datetime.timedelta(seconds=30)
    response = _login(client, "insider", PASSWORD)
    assert f"{timezone.localtime(throttle.locked_until):%H:%M}" in response.content.decode()


def test_the_lock_is_per_account_name(insider, neighbour):
    _fail(Client(), "insider", settings.LOGIN_MAX_FAILURES)
    client = Client()
    assert _login(client, "neighbour", PASSWORD).status_code == 302
    assert _logged_in(client)


def test_the_lock_ignores_the_case_of_the_name(insider):
    client = Client()
    _fail(client, "INSIDER", settings.LOGIN_MAX_FAILURES)
    assert _error_codes(_login(client, "insider", PASSWORD)) == ["locked"]


def test_after_the_lock_period_the_right_password_works(insider):
    client = Client()
    _fail(client, "insider", settings.LOGIN_MAX_FAILURES)
    LoginThrottle.objects.filter(username="insider").update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = _login(client, "insider", PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_after_the_lock_period_the_count_starts_again(insider):
    client = Client()
    _fail(client, "insider", settings.LOGIN_MAX_FAILURES)
    LoginThrottle.objects.filter(username="insider").update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    # One more failure does not lock again at once.
    assert _error_codes(_fail(client, "insider", 1)[0]) == ["invalid_login"]
    assert _login(client, "insider", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(insider):
    client = Client()
    _fail(client, "insider", settings.LOGIN_MAX_FAILURES - 1)
    assert _login(client, "insider", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.filter(username="insider").exists()
    client.post("/accounts/logout/")

    responses = _fail(client, "insider", settings.LOGIN_MAX_FAILURES - 1)
    assert all(_error_codes(r) == ["invalid_login"] for r in responses)
    assert _login(client, "insider", PASSWORD).status_code == 302


def test_a_lock_out_is_recorded_in_the_audit_trail(insider):
    _fail(Client(), "insider", settings.LOGIN_MAX_FAILURES)
    event = AuditEvent.objects.get(action=Action.LOGIN_LOCKED)
    assert event.object_pk == str(insider.pk)
    assert event.region_code == "420222100"
    assert event.extra["failures"] == settings.LOGIN_MAX_FAILURES


def test_an_administrator_password_reset_lifts_the_lock(insider, client_county_admin):
    client = Client()
    _fail(client, "insider", settings.LOGIN_MAX_FAILURES)
    reset = client_county_admin.post(f"/accounts/users/{insider.pk}/reset-password/")
    password = reset.context["password"]
    assert _login(client, "insider", password).status_code == 302


def test_logging_out_ends_the_session(client_insider):
    assert client_insider.post("/accounts/logout/").status_code == 302
    assert client_insider.get("/").status_code == 302
