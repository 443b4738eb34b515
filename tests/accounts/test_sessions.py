"""Sessions last eight hours after the last request and end with the browser."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

EIGHT_HOURS = 8 * 3600


@pytest.fixture
def logged_in(insider):
    client = Client()
    response = client.post("/accounts/login/", {"username": "insider", "password": PASSWORD})
    assert response.status_code == 302
    return client, response


def test_session_settings():
    assert settings.SESSION_COOKIE_AGE == EIGHT_HOURS
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_a_new_session_expires_in_eight_hours(logged_in):
    client, _response = logged_in
    assert client.session.get_expiry_age() == EIGHT_HOURS
    stored = Session.objects.get(session_key=client.session.session_key)
    remaining = (stored.expire_date - timezone.now()).total_seconds()
    assert EIGHT_HOURS - 60 < remaining <= EIGHT_HOURS


def test_the_session_cookie_is_http_only_and_dies_with_the_browser(logged_in):
    _client, response = logged_in
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert not cookie["max-age"]
    assert not cookie["expires"]


def test_every_request_pushes_the_expiry_back(logged_in):
    client, _response = logged_in
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert client.get("/").status_code == 200
    stored = Session.objects.get(session_key=client.session.session_key)
    assert (stored.expire_date - timezone.now()).total_seconds() > EIGHT_HOURS - 60


def test_an_expired_session_must_log_in_again(logged_in):
    client, _response = logged_in
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
